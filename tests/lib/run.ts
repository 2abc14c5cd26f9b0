// Helpers of the differential tests: run a program on the reference (the
// real CPU, or qemu-i386 where the host cannot run i386 executables) and
// under wasmvisor, and compare the two runs (stdout, stderr, exit status).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, constants as osConstants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_I386_REFERENCE, findQemu, hostRunsI386 } from '../../src/bench/host-i386.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(REPO_ROOT, 'dist/cli/main.js');
/** The environment given to both the native and the emulated run. */
export const CLEAN_ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LANG: 'C' };
export const RUN_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 64 << 20;

export interface RunOptions {
  args?: string[];
  stdin?: string | Buffer;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface RunResult {
  command: string;
  stdout: Buffer;
  stderr: Buffer;
  /** exit code, or null when killed by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** set when the process could not be started or produced too much output */
  error?: string;
  durationMs: number;
}

/** Runs a command, feeding stdin and collecting both outputs; never rejects. */
export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const command = [cmd, ...args].join(' ');
  return new Promise((done) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let error: string | undefined;
    let finished = false;
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? CLEAN_ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? RUN_TIMEOUT_MS);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) {
        if (!error) error = `more than ${MAX_OUTPUT} bytes of output`;
        child.kill('SIGKILL');
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.stdin.on('error', () => {}); // the program may exit without reading its input
    child.on('error', (e) => {
      error = `cannot start ${cmd}: ${e.message}`;
    });
    child.on('close', (code, signal) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done({
        command,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        code,
        signal,
        timedOut,
        error,
        durationMs: Date.now() - started,
      });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

/** Shell-style exit status: the exit code, or 128 + N after death by signal N. */
export function exitStatus(r: RunResult): number {
  if (r.signal) return 128 + ((osConstants.signals as Record<string, number>)[r.signal] ?? 0);
  return r.code ?? -1;
}

/**
 * What runs i386 programs for comparison: the host itself, or Debian's
 * qemu-i386 on a host whose kernel has no IA-32 emulation (then the
 * oracle is qemu's TCG rather than the real CPU; the test run prints
 * which). Throws, with what to install, when neither is available.
 */
export interface Reference {
  name: 'native' | 'qemu-i386';
  argv(program: string, args: string[]): [string, string[]];
}

let reference: Reference | undefined;

export function i386Reference(): Reference {
  if (reference) return reference;
  if (hostRunsI386()) {
    reference = { name: 'native', argv: (program, args) => [program, args] };
  } else {
    const qemu = findQemu();
    if (qemu === null) throw new Error(`no reference for the differential tests: ${NO_I386_REFERENCE}`);
    reference = { name: 'qemu-i386', argv: (program, args) => [qemu, [program, ...args]] };
  }
  return reference;
}

/** Runs an i386 program on the reference (the host's CPU, else qemu-i386). */
export function runNative(program: string, opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, args] = i386Reference().argv(program, opts.args ?? []);
  return runProcess(cmd, args, opts);
}

export function cliMissingMessage(): string | null {
  if (existsSync(CLI)) return null;
  return `wasmvisor CLI is not built: ${CLI} is missing (run \`npm run build\`)`;
}

/** `node dist/cli/main.js run --engine ENGINE PROGRAM ARGS...` */
export function runWasmvisor(program: string, opts: RunOptions & { engine?: string; options?: string[] } = {}): Promise<RunResult> {
  const missing = cliMissingMessage();
  if (missing) throw new Error(missing);
  return runProcess(
    process.execPath,
    [CLI, 'run', '--engine', opts.engine ?? 'interp', ...(opts.options ?? []), program, ...(opts.args ?? [])],
    opts,
  );
}

/** `node dist/cli/main.js ARGS...` (for CLI-level tests) */
export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const missing = cliMissingMessage();
  if (missing) throw new Error(missing);
  return runProcess(process.execPath, [CLI, ...args], opts);
}

function describeEnd(r: RunResult): string {
  if (r.error) return r.error;
  if (r.timedOut) return `timed out after ${r.durationMs} ms`;
  if (r.signal) return `killed by ${r.signal} (status ${exitStatus(r)})`;
  return `exit status ${r.code}`;
}

function clip(line: string, max = 160): string {
  const shown = JSON.stringify(line).slice(1, -1);
  return shown.length > max ? `${shown.slice(0, max)}...` : shown;
}

/**
 * A short unified-style diff: the first differing line with two lines of
 * context, then a few lines of each side.  Returns '' when equal.
 */
export function diffText(expected: Buffer, actual: Buffer, what: string, maxLines = 8): string {
  if (expected.equals(actual)) return '';
  const a = expected.toString('latin1').split('\n');
  const b = actual.toString('latin1').split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  // resynchronise: the first later line pair that matches again
  let ja = a.length;
  let jb = b.length;
  search: for (let da = 0; da <= maxLines; da++) {
    for (let db = 0; db <= maxLines; db++) {
      const pa = i + da;
      const pb = i + db;
      if ((da || db) && pa < a.length && pb < b.length && a[pa] === b[pb] && a[pa] !== '') {
        ja = pa;
        jb = pb;
        break search;
      }
    }
  }
  const count = (t: string[]) => (t[t.length - 1] === '' ? t.length - 1 : t.length);
  const lines = [
    `${what} differs (reference ${expected.length} bytes / ${count(a)} lines, wasmvisor ${actual.length} bytes / ${count(b)} lines)`,
    `--- reference`,
    `+++ wasmvisor`,
    `@@ line ${i + 1} @@`,
  ];
  for (let k = Math.max(0, i - 2); k < i; k++) lines.push(` ${clip(a[k])}`);
  const minus = a.slice(i, Math.min(ja, i + maxLines));
  const plus = b.slice(i, Math.min(jb, i + maxLines));
  for (const l of minus) lines.push(`-${clip(l)}`);
  if (ja - i > maxLines) lines.push(`-... (${ja - i - maxLines} more)`);
  for (const l of plus) lines.push(`+${clip(l)}`);
  if (jb - i > maxLines) lines.push(`+... (${jb - i - maxLines} more)`);
  if (ja < a.length && jb < b.length) lines.push(` ${clip(a[ja])}`);
  return lines.join('\n');
}

/**
 * Compares a wasmvisor run with the native one.  Returns a list of
 * problems (empty when the runs agree).  When the native run died by a
 * signal only stdout and the status (128 + N) are compared, and
 * wasmvisor's stderr must be exactly one non-empty line.
 */
export function compareRuns(native: RunResult, emu: RunResult): string[] {
  const problems: string[] = [];
  if (native.error || native.timedOut) {
    problems.push(`the reference run itself failed: ${describeEnd(native)} (${native.command})`);
    return problems;
  }
  if (emu.error || emu.timedOut) {
    problems.push(`wasmvisor run failed: ${describeEnd(emu)}`);
  }
  const want = exitStatus(native);
  const got = exitStatus(emu);
  if (want !== got) {
    problems.push(`exit status: reference ${want} (${describeEnd(native)}), wasmvisor ${got} (${describeEnd(emu)})`);
  }
  const d = diffText(native.stdout, emu.stdout, 'stdout');
  if (d) problems.push(d);
  if (native.signal) {
    const text = emu.stderr.toString('utf8');
    const lines = text.replace(/\n$/, '').split('\n');
    if (lines.length !== 1 || lines[0].trim() === '') {
      problems.push(
        `reference run died by ${native.signal}: wasmvisor's stderr must be exactly one non-empty line, got ${lines.length} line(s):\n` +
          lines.slice(0, 8).map((l) => `  ${clip(l)}`).join('\n'),
      );
    }
  } else {
    const e = diffText(native.stderr, emu.stderr, 'stderr');
    if (e) problems.push(e);
  }
  if (problems.length && emu.stderr.length && !native.signal) {
    const tail = emu.stderr.toString('utf8').trimEnd().split('\n').slice(-5);
    problems.push(`wasmvisor stderr (last lines):\n${tail.map((l) => `  ${clip(l)}`).join('\n')}`);
  }
  return problems;
}

/** Limits how many child processes run at the same time. */
export class Pool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly size = Math.max(1, Math.min(2, availableParallelism()))) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((r) => this.waiting.push(r)); // slot handed over
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
