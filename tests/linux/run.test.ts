import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runLinuxProgram, type RunLinuxOptions } from '../../src/linux/run.js';
import { compileC, tempDir } from './helpers.js';

const PROGRAM = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "hello";
  if (!strcmp(what, "hello")) { printf("hello %s %s\\n", argv[0], getenv("GREETING")); return 7; }
  if (!strcmp(what, "segv")) { *(volatile int *)0 = 1; }
  if (!strcmp(what, "abort")) abort();
  if (!strcmp(what, "ud2")) __asm__ volatile("ud2");
  if (!strcmp(what, "loop")) for (;;) __asm__ volatile("");
  if (!strcmp(what, "deadlock")) {
    // The child reads a pipe whose write end both still hold; the parent waits for the child.
    int fds[2]; pipe(fds);
    if (fork() == 0) { char c; read(fds[0], &c, 1); _exit(0); }
    int st; wait(&st);
    return 1;
  }
  if (!strcmp(what, "fork-exit")) {
    if (fork() == 0) { write(1, "child\\n", 6); _exit(5); }
    int st; wait(&st);
    printf("child status %d\\n", WEXITSTATUS(st));
    return 0;
  }
  if (!strcmp(what, "cat")) {
    char buf[256]; ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) write(1, buf, n);
    return 0;
  }
  return 0;
}
`;

let dir: string;
let exe: string;
beforeAll(() => {
  dir = tempDir();
  exe = compileC(dir, 'prog', PROGRAM);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], extra: Partial<RunLinuxOptions> = {}) {
  let out = '';
  const diag: string[] = [];
  const status = await runLinuxProgram({
    program: exe,
    args,
    env: ['GREETING=hi'],
    memoryBytes: 64 << 20,
    stdio: { stdin: '', stdout: (d) => (out += Buffer.from(d).toString()), stderr: (d) => (out += Buffer.from(d).toString()) },
    diag: (l) => diag.push(l),
    ...extra,
  });
  return { status, out, diag };
}

describe('runLinuxProgram', () => {
  test('runs a static program: argv, env, output and exit status', async () => {
    const r = await run([]);
    expect(r.out).toBe(`hello ${exe} hi\n`);
    expect(r.status).toBe(7);
    expect(r.diag).toEqual([]);
  });

  test('fork: the child runs in its own VM and its status reaches wait()', async () => {
    const r = await run(['fork-exit']);
    expect({ status: r.status, out: r.out, diag: r.diag }).toEqual({ status: 0, out: 'child\nchild status 5\n', diag: [] });
  });

  test('processes that all wait for each other end the run: status 2 and one line naming each wait', async () => {
    const r = await run(['deadlock']);
    expect(r.status).toBe(2);
    expect(r.diag).toHaveLength(1);
    expect(r.diag[0]).toMatch(/^wasmvisor: every process waits for another, forever \(pid \d+: wait4\(-1\); pid \d+: a read of an empty pipe\)$/);
  });

  test('a null pointer write is SIGSEGV: status 139 and one line naming the fault and instruction', async () => {
    const r = await run(['segv']);
    expect(r.status).toBe(139);
    expect(r.diag).toHaveLength(1);
    expect(r.diag[0]).toMatch(
      /^wasmvisor: guest SIGSEGV \(#PF: write to unmapped address 0x00000000\) at eip 0x[0-9a-f]{8}: c7 05 00 00 00 00 01 00 00 00 {2}mov dword ptr \[0x0\], 0x1$/,
    );
  });

  test('abort() ends with status 134 and one line naming the signal', async () => {
    const r = await run(['abort']);
    expect(r.status).toBe(134);
    expect(r.diag).toEqual(['wasmvisor: guest killed by SIGABRT']);
  });

  test('ud2 is SIGILL: status 132', async () => {
    const r = await run(['ud2']);
    expect(r.status).toBe(132);
    expect(r.diag[0]).toMatch(/^wasmvisor: guest SIGILL \(#UD.*\) at eip 0x[0-9a-f]{8}: 0f 0b {2}ud2$/);
  });

  test('stdin data reaches the guest', async () => {
    let out = '';
    const status = await runLinuxProgram({
      program: exe,
      args: ['cat'],
      env: [],
      memoryBytes: 64 << 20,
      stdio: { stdin: 'piped input\n', stdout: (d) => (out += Buffer.from(d).toString()) },
      diag: () => {},
    });
    expect(status).toBe(0);
    expect(out).toBe('piped input\n');
  });

  test('maxInstructions ends a runaway program with status 124', async () => {
    const r = await run(['loop'], { maxInstructions: 200_000 });
    expect(r.status).toBe(124);
    expect(r.diag[0]).toMatch(/^wasmvisor: instruction limit reached/);
  });

  test('a file that cannot be loaded gives status 2 and one line', async () => {
    const missing = path.join(dir, 'missing');
    const diag: string[] = [];
    const status = await runLinuxProgram({ program: missing, args: [], diag: (l) => diag.push(l) });
    expect(status).toBe(2);
    expect(diag).toEqual([`wasmvisor: cannot open ${missing}: No such file or directory`]);
  });

  test('a program linked below 0x1400000 cannot load into the linear memory (status 2, one line naming the way out) and runs without it', async () => {
    const low = compileC(dir, 'low', 'int main(void) { return 42; }', ['-static', '-Wl,-Ttext-segment=0x100000']);
    const linear = await run([], { program: low });
    expect(linear.status).toBe(2);
    expect(linear.diag).toHaveLength(1);
    expect(linear.diag[0]).toMatch(/has a segment at 0x100000, below 0x1400000, .*--no-linear-memory$/);
    expect((await run([], { program: low, linearMemory: false })).status).toBe(42);
  });

  test('stats print a summary line, then the translator\'s lines (auto is the default engine)', async () => {
    const r = await run([], { stats: true });
    expect(r.status).toBe(7);
    expect(r.diag).toHaveLength(4);
    expect(r.diag[1]).toMatch(/^wasmvisor: translated \d+ instructions/);
    expect(r.diag[0]).toMatch(/^wasmvisor: \d+ instructions in [\d.]+ s \([\d.]+ MIPS\); \d+ blocks built/);
  });
});
