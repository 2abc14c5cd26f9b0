import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const CLI = join(__dirname, '..', 'dist', 'cli', 'main.js');
const wasmvisor = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('wasmvisor CLI', () => {
  test('--help lists the commands and exits 0', () => {
    const r = wasmvisor('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/run \[options\]/);
    expect(r.stdout).toMatch(/disasm/);
  });

  test('run --help documents the exit statuses', () => {
    const r = wasmvisor('run', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/139/);
    expect(r.stdout).toMatch(/--engine/);
  });

  test('output into a pipe whose reader has gone (| head) ends quietly with 141, as on SIGPIPE', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader goes before the CLI has written anything
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(141);
  });

  test('disasm of a 32-bit hex string in Intel syntax', () => {
    const r = wasmvisor('disasm', '--hex', '8b 44 24 04 03 44 24 08 f3 a5 c3');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.slice(42))).toEqual([
      'mov eax, dword ptr [esp+0x4]',
      'add eax, dword ptr [esp+0x8]',
      'rep movsd',
      'ret',
    ]);
  });

  test('disasm in 16-bit mode', () => {
    const r = wasmvisor('disasm', '--mode', '16', '--address', '0x100', '--hex', 'b8 00 4c cd 21 8b 46 fe 74 fe');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^00000100: .*mov ax, 0x4c00$/);
    expect(lines[2]).toMatch(/mov ax, word ptr \[bp-0x2\]$/);
    expect(lines[3]).toMatch(/^00000108: .*je 0x108$/);
  });

  test('disasm with bad input: one line, status 2', () => {
    for (const args of [['--hex', 'zz'], ['/nonexistent/file'], ['--mode', '64', '--hex', '90']]) {
      const r = wasmvisor('disasm', ...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  test('an unknown engine is a one-line usage error', () => {
    const r = wasmvisor('run', '--engine', 'warp', '/bin/true');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/engine/);
  });

  test('a guest that never stops ends at --timeout or --max-instructions with status 124', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasmvisor-spin-'));
    try {
      // An endless loop, assembled here so it is never part of the native corpus run.
      writeFileSync(join(dir, 'spin.s'), '.globl _start\n_start:\n1: incl %eax\n jmp 1b\n');
      execFileSync('as', ['--32', '-o', join(dir, 'spin.o'), join(dir, 'spin.s')]);
      execFileSync('ld', ['-m', 'elf_i386', '-static', '-o', join(dir, 'spin'), join(dir, 'spin.o')]);
      const t0 = Date.now();
      const timed = wasmvisor('run', '--timeout', '0.5', join(dir, 'spin'));
      expect(timed.status).toBe(124);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(timed.stderr.trim().split('\n')).toHaveLength(1);
      const counted = wasmvisor('run', '--max-instructions', '100000', join(dir, 'spin'));
      expect(counted.status).toBe(124);
      expect(counted.stderr).toMatch(/instruction limit/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
