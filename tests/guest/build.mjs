// Builds the guest test programs of tests/guest into tests/guest/build/.
//
//   NAME.c  -> build/NAME.O0, build/NAME.O2   (gcc -m32 -static -fno-pie -no-pie)
//              build/NAME.pie                 (-static-pie, only for PIE_PROGRAMS)
//              build/NAME.dyn                 (dynamically linked PIE, -O2, only for DYNAMIC_PROGRAMS)
//              build/NAME.sse2                (-O2 -msse2 -mfpmath=sse, only for SSE2_PROGRAMS)
//   NAME.S  -> build/NAME                     (as --32, ld -m elf_i386 -static; no libc)
//
// Incremental (an output newer than its inputs is kept), two compilers at a
// time.  Usable as a module (buildGuests, listGuests, parseHeader) and as a
// script: node tests/guest/build.mjs [--list]
//
// A source may start with header comments read by the test harness:
//   // args: a "b c" d        (.S: # args: ...)  command-line arguments
//   // stdin: text\nmore      (.S: # stdin: ...) standard input; \n \t \\ are
//                             unescaped, several stdin lines are joined by "\n"
//   // cflags: -msse2 -mfpmath=sse   extra gcc flags for a C program (all its variants)
//   // wasmvisor: --x87 exact        extra `wasmvisor run` options the corpus runs it with

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const GUEST_DIR = dirname(fileURLToPath(import.meta.url));
export const BUILD_DIR = join(GUEST_DIR, 'build');
/** C programs additionally built as static-pie (NAME.pie). */
export const PIE_PROGRAMS = ['hash', 'tls'];
/** C programs additionally built dynamically linked (NAME.dyn: gcc's default PIE, libc.so through /lib/ld-linux.so.2). */
export const DYNAMIC_PROGRAMS = ['args_env', 'fileio', 'fp_compute', 'hash', 'malloc_stress', 'printf', 'strings', 'tls'];
/**
 * C programs additionally built with gcc's SSE2 code generation (NAME.sse2:
 * -O2 -msse2 -mfpmath=sse): floating point in XMM registers, and the
 * integer code gcc vectorises, as a real SSE2 program runs.
 */
export const SSE2_PROGRAMS = [
  'bigint', 'bytecode', 'fp_basic', 'fp_compute', 'hash', 'int64', 'matrix', 'printf', 'sieve', 'strings', 'structs', 'switch',
];
const JOBS = Math.max(1, Math.min(2, availableParallelism()));
const SELF = fileURLToPath(import.meta.url);

/** Splits an args header like shell words: whitespace-separated, "..." and '...' quoting. */
export function splitArgs(text) {
  const out = [];
  let cur = '';
  let inWord = false;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in args header: ${text}`);
  if (inWord) out.push(cur);
  return out;
}

function unescape(text) {
  return text.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** Reads the `args:` / `stdin:` header comments of a source file. */
export function parseHeader(file) {
  const comment = file.endsWith('.S') ? '#' : '//';
  const header = { args: [], stdin: undefined, cflags: [], wasmvisor: [] };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith(comment)) break;
    const body = line.slice(comment.length).trim();
    const m = /^(args|stdin|cflags|wasmvisor):\s?(.*)$/.exec(body);
    if (!m) continue;
    if (m[1] === 'args') header.args.push(...splitArgs(m[2]));
    else if (m[1] === 'cflags') header.cflags.push(...splitArgs(m[2]));
    else if (m[1] === 'wasmvisor') header.wasmvisor.push(...splitArgs(m[2]));
    else header.stdin = (header.stdin === undefined ? '' : header.stdin + '\n') + unescape(m[2]);
  }
  return header;
}

/**
 * Every program the sources describe (built or not), sorted by name:
 * { name, path, source, kind: 'c' | 'asm', variant: 'O0' | 'O2' | 'pie' | 'dyn' | 'sse2' | null, args, stdin }
 */
export function listGuests() {
  const sources = readdirSync(GUEST_DIR)
    .filter((f) => /^[A-Za-z0-9_-]+\.(c|S)$/.test(f))
    .sort();
  const out = [];
  for (const f of sources) {
    const source = join(GUEST_DIR, f);
    const stem = f.replace(/\.(c|S)$/, '');
    const { args, stdin, cflags, wasmvisor } = parseHeader(source);
    if (f.endsWith('.S')) {
      out.push({ name: stem, path: join(BUILD_DIR, stem), source, kind: 'asm', variant: null, args, stdin, wasmvisor });
    } else {
      const variants = [
        'O0',
        'O2',
        ...(PIE_PROGRAMS.includes(stem) ? ['pie'] : []),
        ...(DYNAMIC_PROGRAMS.includes(stem) ? ['dyn'] : []),
        ...(SSE2_PROGRAMS.includes(stem) ? ['sse2'] : []),
      ];
      for (const v of variants) {
        const name = `${stem}.${v}`;
        out.push({ name, path: join(BUILD_DIR, name), source, kind: 'c', variant: v, args, stdin, cflags, wasmvisor });
      }
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ error, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function inputsOf(g) {
  const inputs = [g.source, SELF];
  // Shared includes: .inc for assembly, .h for C.
  const include = g.kind === 'asm' ? '.inc' : '.h';
  for (const f of readdirSync(GUEST_DIR)) if (f.endsWith(include)) inputs.push(join(GUEST_DIR, f));
  return inputs;
}

function isStale(g) {
  const out = mtime(g.path);
  if (out < 0) return true;
  return inputsOf(g).some((i) => mtime(i) > out);
}

let checkedGcc = false;
async function checkToolchain(needC, needAsm) {
  if (needC && !checkedGcc) {
    const probe = join(tmpdir(), `wv-m32-probe-${process.pid}.c`);
    const exe = probe.replace(/\.c$/, '');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(probe, '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n');
    const r = await run('gcc', ['-m32', '-static', '-o', exe, probe]);
    rmSync(probe, { force: true });
    rmSync(exe, { force: true });
    if (r.error) {
      if (r.error.code === 'ENOENT') throw new Error('gcc not found: install gcc and gcc-multilib (apt-get install gcc gcc-multilib)');
      throw new Error(
        'gcc -m32 -static cannot build 32-bit programs: install gcc-multilib (apt-get install gcc-multilib)\n' +
          r.stderr.trim().split('\n').slice(-5).join('\n'),
      );
    }
    checkedGcc = true;
  }
  if (needAsm) {
    const r = await run('as', ['--version']);
    if (r.error) throw new Error('GNU as not found: install binutils (apt-get install binutils)');
  }
}

async function buildOne(g) {
  const tmp = `${g.path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  let steps;
  if (g.kind === 'asm') {
    const obj = `${tmp}.o`;
    steps = [
      ['as', ['--32', '-I', GUEST_DIR, '-o', obj, g.source]],
      ['ld', ['-m', 'elf_i386', '-static', '-o', tmp, obj]],
    ];
    try {
      return await runSteps(g, steps, tmp);
    } finally {
      rmSync(obj, { force: true });
    }
  }
  const flags =
    g.variant === 'pie'
      ? ['-m32', '-static-pie', '-fpie', '-O2']
      : g.variant === 'dyn'
        ? ['-m32', '-pie', '-fpie', '-O2']
        : g.variant === 'sse2'
          ? ['-m32', '-static', '-fno-pie', '-no-pie', '-O2', '-msse2', '-mfpmath=sse']
          : ['-m32', '-static', '-fno-pie', '-no-pie', `-${g.variant}`];
  steps = [['gcc', [...flags, ...(g.cflags ?? []), '-o', tmp, g.source, '-lm']]];
  return runSteps(g, steps, tmp);
}

async function runSteps(g, steps, tmp) {
  for (const [cmd, args] of steps) {
    const r = await run(cmd, args);
    if (r.error) {
      rmSync(tmp, { force: true });
      throw new Error(`building ${g.name} failed: ${cmd} ${args.join(' ')}\n${(r.stderr || r.error.message).trim()}`);
    }
  }
  renameSync(tmp, g.path);
  return g.path;
}

/**
 * Builds every stale program; resolves to the paths of all programs.
 * Throws one Error listing every failure.
 */
export async function buildGuests({ log = () => {} } = {}) {
  const guests = listGuests();
  mkdirSync(BUILD_DIR, { recursive: true });
  const stale = guests.filter(isStale);
  if (stale.length) {
    await checkToolchain(
      stale.some((g) => g.kind === 'c'),
      stale.some((g) => g.kind === 'asm'),
    );
  }
  const failures = [];
  let next = 0;
  async function worker() {
    while (next < stale.length) {
      const g = stale[next++];
      try {
        await buildOne(g);
        log(`built ${basename(g.path)}`);
      } catch (e) {
        failures.push(e.message);
      }
    }
  }
  await Promise.all(Array.from({ length: JOBS }, worker));
  if (failures.length) throw new Error(`${failures.length} guest program(s) failed to build:\n${failures.join('\n\n')}`);
  log(`${guests.length} guest programs ready (${stale.length} rebuilt) in ${BUILD_DIR}`);
  return guests.map((g) => g.path);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv.includes('--list')) {
    for (const g of listGuests()) {
      const extra = [g.args.length ? `args=${JSON.stringify(g.args)}` : '', g.stdin !== undefined ? `stdin=${JSON.stringify(g.stdin)}` : '']
        .filter(Boolean)
        .join(' ');
      console.log(`${g.name}${extra ? ' ' + extra : ''}${existsSync(g.path) ? '' : ' (not built)'}`);
    }
  } else {
    buildGuests({ log: (m) => console.log(m) }).catch((e) => {
      console.error(e.message);
      process.exit(1);
    });
  }
}
