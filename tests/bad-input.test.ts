// `wasmvisor run` on things that are not runnable i386 ELF programs must
// fail cleanly: exit status 2, nothing on stdout, exactly one line on
// stderr that says what is wrong, and no JavaScript stack trace.  An unknown
// CLI option must give a non-zero status and a one-line error.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listGuests } from './guest/build.mjs';
import { type RunResult, runCli } from './lib/run.js';

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wv-badinput-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function stderrLines(r: RunResult): string[] {
  const text = r.stderr.toString('utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

function expectCleanFailure(r: RunResult, status: number | 'non-zero', mentions: RegExp): void {
  const lines = stderrLines(r);
  const shown = `status ${r.code} signal ${r.signal}\nstdout: ${JSON.stringify(r.stdout.toString())}\nstderr:\n${r.stderr.toString()}`;
  expect(r.timedOut, `timed out\n${shown}`).toBe(false);
  expect(r.signal, `killed by a signal\n${shown}`).toBeNull();
  if (status === 'non-zero') expect(r.code, `exit status should be non-zero\n${shown}`).not.toBe(0);
  else expect(r.code, `exit status should be ${status}\n${shown}`).toBe(status);
  expect(lines.length, `stderr should be exactly one line\n${shown}`).toBe(1);
  expect(lines[0].trim(), `the stderr line is empty\n${shown}`).not.toBe('');
  expect(r.stderr.toString(), `stderr shows a stack trace\n${shown}`).not.toMatch(/^\s+at\s/m);
  expect(lines[0], `the error should say what is wrong (${mentions})\n${shown}`).toMatch(mentions);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('wasmvisor run: bad input', () => {
  test('a text file', async () => {
    const f = join(work, 'notes.txt');
    writeFileSync(f, 'this is a text file, not an executable\n');
    const r = await runCli(['run', f]);
    expectCleanFailure(r, 2, /ELF|executable|format|magic/i);
    expect(r.stdout.length).toBe(0);
  });

  test('a 64-bit ELF (the host /bin/true)', async () => {
    const host = existsSync('/bin/true') ? '/bin/true' : '/usr/bin/true';
    const h = readFileSync(host).subarray(0, 5);
    expect(h[4], `${host} should be a 64-bit ELF`).toBe(2);
    const r = await runCli(['run', host]);
    expectCleanFailure(r, 2, /64|class|32|i386|x86|machine|architecture/i);
    expect(r.stdout.length).toBe(0);
  });

  test('a truncated 32-bit ELF (first 100 bytes of a guest)', async () => {
    const guest = listGuests().find((g) => g.name === 'exit_code') ?? listGuests().find((g) => existsSync(g.path));
    expect(guest && existsSync(guest.path), 'no built guest program to truncate').toBeTruthy();
    const f = join(work, 'truncated');
    writeFileSync(f, readFileSync(guest!.path).subarray(0, 100), { mode: 0o755 });
    const r = await runCli(['run', f]);
    expectCleanFailure(r, 2, /truncat|short|small|incomplete|invalid|corrupt|malformed|outside|beyond|past|end of file|EOF|header|segment/i);
    expect(r.stdout.length).toBe(0);
  });

  test('a path that does not exist', async () => {
    const r = await runCli(['run', join(work, 'no-such-program')]);
    expectCleanFailure(r, 2, /no such|not found|does not exist|ENOENT|cannot (open|read|find)|missing/i);
    expect(r.stdout.length).toBe(0);
  });

  test('a directory', async () => {
    const d = join(work, 'a-directory');
    mkdirSync(d);
    const r = await runCli(['run', d]);
    expectCleanFailure(r, 2, /director|EISDIR|not a (regular )?file/i);
    expect(r.stdout.length).toBe(0);
  });

  test.skipIf(isRoot)('an unreadable file (skipped as root: root can read mode 000 files)', async () => {
    const f = join(work, 'unreadable');
    const guest = listGuests().find((g) => existsSync(g.path));
    copyFileSync(guest!.path, f);
    chmodSync(f, 0o000);
    const r = await runCli(['run', f]);
    expectCleanFailure(r, 2, /permission|EACCES|cannot (open|read)|denied|readable/i);
  });

  test('an unknown option of `run`', async () => {
    const guest = listGuests().find((g) => existsSync(g.path));
    const r = await runCli(['run', '--no-such-option-xyz', guest!.path]);
    expectCleanFailure(r, 'non-zero', /no-such-option-xyz|unknown|option/i);
  });

  test('an unknown top-level option', async () => {
    const r = await runCli(['--no-such-option-xyz']);
    expectCleanFailure(r, 'non-zero', /no-such-option-xyz|unknown|option/i);
  });
});
