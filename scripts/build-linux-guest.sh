#!/bin/sh
# Builds the Debian i386 Linux guest for wasmvisor's system mode, from Debian
# packages only, into .cache/linux/:
#   bzImage             the kernel of linux-image-686:i386's versioned package
#   initramfs.cpio.gz   busybox-static:i386 and an /init that prints
#                       WASMVISOR-GUEST-UP, runs `uname -a` (or, with
#                       wasmvisor_shell=1 on the kernel command line, a
#                       shell on the console) and powers off
# Safe to re-run: packages already downloaded are not fetched again, and the
# outputs are rebuilt only when their package is newer.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/.cache/linux
DEBS=$OUT/debs
MARKER=WASMVISOR-GUEST-UP

fail() { echo "build-linux-guest: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 not found: $2"; }

need apt-get "this script needs a Debian-based host (apt-get, apt-cache, dpkg)"
need apt-cache "this script needs a Debian-based host (apt-get, apt-cache, dpkg)"
need dpkg "this script needs a Debian-based host (apt-get, apt-cache, dpkg)"
need gzip "install gzip"
need node "Node 20 runs the project and writes the cpio archive when cpio is missing"

if ! dpkg --print-foreign-architectures | grep -qx i386; then
  fail "i386 packages are not enabled on this host; run as root: dpkg --add-architecture i386 && apt-get update"
fi

# linux-image-686 is a metapackage; the kernel lives in the versioned package it depends on.
KERNEL_PKG=$(apt-cache depends linux-image-686:i386 2>/dev/null \
  | sed -n 's/^ *Depends: \(linux-image-[0-9][^ <>]*\)$/\1/p' | head -n 1)
[ -n "$KERNEL_PKG" ] || fail "apt does not know linux-image-686:i386 or its kernel package; run as root: apt-get update (it may exit non-zero for one unrelated index: that is fine)"
KERNEL_NAME=${KERNEL_PKG%%:*}

mkdir -p "$DEBS"

# Prints the path of the downloaded .deb of $1 (name without arch), fetching it if absent.
fetch() {
  name=$1
  found=$(ls "$DEBS/${name}"_*_i386.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$found" ]; then
    echo "build-linux-guest: downloading $name:i386" >&2
    (cd "$DEBS" && apt-get download "$name:i386" >&2) \
      || fail "apt-get download $name:i386 failed (network, or run apt-get update as root)"
    found=$(ls "$DEBS/${name}"_*_i386.deb 2>/dev/null | head -n 1 || true)
    [ -n "$found" ] || fail "apt-get download $name:i386 left no ${name}_*_i386.deb in $DEBS"
  fi
  echo "$found"
}

KERNEL_DEB=$(fetch "$KERNEL_NAME")
BUSYBOX_DEB=$(fetch busybox-static)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wasmvisor-linux-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

if [ -f "$OUT/bzImage" ] && [ "$OUT/bzImage" -nt "$KERNEL_DEB" ]; then
  echo "build-linux-guest: $OUT/bzImage is up to date" >&2
else
  dpkg -x "$KERNEL_DEB" "$WORK/kernel"
  set -- "$WORK"/kernel/boot/vmlinuz-*
  [ -f "$1" ] || fail "$KERNEL_DEB holds no boot/vmlinuz-*"
  cp "$1" "$OUT/bzImage.tmp"
  basename "$1" | sed 's/^vmlinuz-//' > "$OUT/kernel-version"
  mv "$OUT/bzImage.tmp" "$OUT/bzImage"
  rm -rf "$WORK/kernel"
fi

if [ -f "$OUT/initramfs.cpio.gz" ] && [ "$OUT/initramfs.cpio.gz" -nt "$BUSYBOX_DEB" ] \
  && [ "$OUT/initramfs.cpio.gz" -nt "$0" ]; then
  echo "build-linux-guest: $OUT/initramfs.cpio.gz is up to date" >&2
else
  dpkg -x "$BUSYBOX_DEB" "$WORK/busybox"
  [ -x "$WORK/busybox/bin/busybox" ] || fail "$BUSYBOX_DEB holds no executable bin/busybox"
  R=$WORK/initramfs
  mkdir -p "$R/bin" "$R/dev" "$R/proc" "$R/sys"
  cp "$WORK/busybox/bin/busybox" "$R/bin/busybox"
  cat > "$R/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# An archive built without root has no /dev/console, and then the kernel
# starts /init with no stdio at all: take the console from devtmpfs.
exec </dev/console >/dev/console 2>&1
echo $MARKER
# wasmvisor_shell=1 on the kernel command line (the kernel hands unknown
# key=value words to /init as environment variables): a shell on the
# console, for tests and people; the machine powers off when it exits.
if [ "\$wasmvisor_shell" = 1 ]; then
  sh
else
  uname -a
fi
poweroff -f
EOF
  chmod 755 "$R/init" "$R/bin/busybox"
  if command -v cpio >/dev/null 2>&1; then
    (cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 > "$OUT/initramfs.cpio.gz.tmp"
  else
    # No cpio on this host: a newc ("070701") writer is a few lines of Node.
    echo "build-linux-guest: cpio not found, writing the archive with Node" >&2
    node --input-type=module - "$R" "$OUT/initramfs.cpio.gz.tmp" <<'EOF'
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
const [root, out] = process.argv.slice(2);
const chunks = [];
let ino = 1;
const pad4 = (n) => (4 - (n % 4)) % 4;
function entry(name, mode, data, nlink, rdevMajor = 0, rdevMinor = 0) {
  const fields = [ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, name.length + 1, 0];
  const header = '070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('');
  const head = Buffer.from(header + name + '\0', 'latin1');
  chunks.push(head, Buffer.alloc(pad4(head.length)), data, Buffer.alloc(pad4(data.length)));
}
function walk(rel) {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = lstatSync(join(root, path));
    if (st.isDirectory()) {
      entry(path, 0o040755, Buffer.alloc(0), 2);
      if (path === 'dev') entry('dev/console', 0o020600, Buffer.alloc(0), 1, 5, 1);
      walk(path);
    } else if (st.isFile()) entry(path, 0o100000 | (st.mode & 0o7777), readFileSync(join(root, path)), 1);
    else throw new Error(`unexpected file type: ${path}`);
  }
}
entry('.', 0o040755, Buffer.alloc(0), 2);
walk('');
entry('TRAILER!!!', 0, Buffer.alloc(0), 1);
writeFileSync(out, gzipSync(Buffer.concat(chunks), { level: 9 }));
EOF
  fi
  mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
fi

size() { wc -c < "$1" | tr -d ' '; }
echo "kernel:    $OUT/bzImage ($(size "$OUT/bzImage") bytes, $(cat "$OUT/kernel-version" 2>/dev/null || echo "version unknown"), from $(basename "$KERNEL_DEB"))"
echo "initramfs: $OUT/initramfs.cpio.gz ($(size "$OUT/initramfs.cpio.gz") bytes, busybox from $(basename "$BUSYBOX_DEB"))"
