#!/bin/sh
# Builds hello-kernel.elf from hello-kernel.S (needs binutils: as, ld).
# Usage: build.sh [OUT]   (default: hello-kernel.elf next to this script)
set -e
here=$(dirname "$0")
out=${1:-$here/hello-kernel.elf}
obj=$(mktemp)
as --32 -o "$obj" "$here/hello-kernel.S"
ld -m elf_i386 -T "$here/link.ld" --build-id=none --no-warn-rwx-segments -o "$out" "$obj"
rm -f "$obj"
