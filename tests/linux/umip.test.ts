import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const CLI = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

// SGDT SIDT SLDT STR SMSW at CPL 3. On a CPU with UMIP, Linux emulates them with
// fixed values, and so does wasmvisor; without UMIP the host would show its real
// tables, so the native comparison only means something on a UMIP host.
const hostHasUmip = /\bumip\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));

const SOURCE = `
.globl _start
_start:
  sgdt buf
  sidt buf+8
  sldt %eax
  movl %eax, buf+16
  str %eax
  movl %eax, buf+20
  smsw %eax
  movl %eax, buf+24
  smsw buf+28
  movl $4, %eax
  movl $1, %ebx
  movl $buf, %ecx
  movl $32, %edx
  int $0x80
  movl $1, %eax
  xorl %ebx, %ebx
  int $0x80
.data
buf: .fill 32, 1, 0xaa
`;

describe('descriptor-table reads at CPL 3 (UMIP emulation)', () => {
  test.skipIf(!hostHasUmip)('give the same values as Linux on this UMIP host (skipped where the host CPU has no UMIP)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmvisor-umip-'));
    try {
      writeFileSync(join(dir, 'u.s'), SOURCE);
      execFileSync('as', ['--32', '-o', join(dir, 'u.o'), join(dir, 'u.s')]);
      execFileSync('ld', ['-m', 'elf_i386', '-static', '-o', join(dir, 'u'), join(dir, 'u.o')]);
      const native = spawnSync(join(dir, 'u'));
      const emu = spawnSync(process.execPath, [CLI, 'run', join(dir, 'u')]);
      expect(emu.status).toBe(native.status);
      expect(emu.stdout.toString('hex')).toBe(native.stdout.toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
