// Whether this host runs i386 Linux executables itself, and what runs them
// when it does not. An x86-64 kernel without IA-32 emulation (built without
// it, booted with ia32_emulation=off, or a paravirtualised guest that only
// runs 64-bit user code) refuses them with ENOEXEC, and exec functions then
// hand the file to /bin/sh, which fails with a syntax error: neither looks
// like "cannot run" to the caller, so this probes with a program whose
// exit status is known.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROBE_STATUS = 42;
const LOAD_ADDRESS = 0x08048000;
const ELF_HEADER_SIZE = 52;
const PROGRAM_HEADER_SIZE = 32;

/** A static i386 ELF executable that only calls exit(42) with int 0x80. */
export function exitProbeElf(): Uint8Array {
  const code = [0xb8, 1, 0, 0, 0, 0xbb, PROBE_STATUS, 0, 0, 0, 0xcd, 0x80]; // mov eax,1; mov ebx,42; int 0x80
  const size = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE + code.length;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); // ELF, 32-bit, little-endian, version 1
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(24, LOAD_ADDRESS + ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE, true); // entry
  v.setUint32(28, ELF_HEADER_SIZE, true); // phoff
  v.setUint16(40, ELF_HEADER_SIZE, true);
  v.setUint16(42, PROGRAM_HEADER_SIZE, true);
  v.setUint16(44, 1, true); // one program header
  const ph = ELF_HEADER_SIZE;
  v.setUint32(ph, 1, true); // PT_LOAD
  v.setUint32(ph + 8, LOAD_ADDRESS, true);
  v.setUint32(ph + 12, LOAD_ADDRESS, true);
  v.setUint32(ph + 16, size, true);
  v.setUint32(ph + 20, size, true);
  v.setUint32(ph + 24, 5, true); // R+X
  v.setUint32(ph + 28, 0x1000, true);
  b.set(code, ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE);
  return b;
}

/** Runs a tiny i386 program on the host: true when it exited with the status it was written to. */
export function hostRunsI386(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'wasmvisor-i386-probe-'));
  try {
    const probe = join(dir, 'exit42');
    writeFileSync(probe, exitProbeElf(), { mode: 0o755 });
    const r = spawnSync(probe, [], { stdio: 'ignore', timeout: 10_000 });
    return !r.error && r.status === PROBE_STATUS;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The qemu-user binary on PATH as an absolute path (guests may run with another PATH), or null. */
export function findQemu(): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    for (const name of ['qemu-i386', 'qemu-i386-static']) {
      const path = join(dir || '.', name);
      if (!existsSync(path)) continue;
      const r = spawnSync(path, ['--version'], { stdio: 'ignore' });
      if (!r.error && r.status === 0) return path;
    }
  }
  return null;
}

/** Why a reference run of i386 programs is impossible here, as one line saying what to do. */
export const NO_I386_REFERENCE =
  'this host cannot run i386 executables (its kernel has no IA-32 emulation) and qemu-i386 is not installed: ' +
  'install Debian\'s qemu-user (apt-get install qemu-user) to use it as the reference';
