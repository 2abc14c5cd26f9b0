import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BenchSetupError } from './errors.js';
import { findBusybox } from './busybox.js';
import { BUILD_DIR, SUITE_DIR } from './paths.js';

/** One guest workload: a program, how its size parameter becomes a command line, and its sizes. */
export interface Workload {
  name: string;
  /** What it stresses, a few words. */
  stresses: string;
  /** Default size (a full run), quick size (a smoke test) and, for some, the sizes of the scaling sweep. */
  size: number;
  quick: number;
  sweep?: number[];
  /** What one unit of size is (for tables and charts). */
  unit: string;
  /** Why wasmvisor cannot run it yet (it is left out, and the report says why). */
  pending?: string;
  /** Builds or fetches what the workload needs and returns how to run it at `size`. */
  prepare(size: number): Prepared;
}

export interface Prepared {
  /** The i386 executable. */
  program: string;
  /** argv[1..]. */
  args: string[];
  cwd: string;
}

interface SuiteEntry {
  name: string;
  source: string;
  stresses: string;
  size: number;
  quick: number;
  sweep?: number[];
  unit?: string;
  pending?: string;
}

/** Reads bench/guest/suite.json; each entry is a C program built with gcc -m32 -O2 -static. */
function cWorkloads(): Workload[] {
  const manifest = join(SUITE_DIR, 'suite.json');
  if (!existsSync(manifest)) throw new BenchSetupError(`the workload suite is missing: ${manifest} does not exist`);
  const entries = JSON.parse(readFileSync(manifest, 'utf8')) as SuiteEntry[];
  return entries.map((e) => ({
    name: e.name,
    stresses: e.stresses,
    size: e.size,
    quick: e.quick,
    sweep: e.sweep,
    unit: e.unit ?? 'size',
    pending: e.pending,
    prepare: (size: number) => ({ program: buildC(e.source), args: [String(size)], cwd: BUILD_DIR }),
  }));
}

/** gcc -m32 -O2 -static, rebuilt when the source is newer than the binary. */
function buildC(source: string): string {
  mkdirSync(BUILD_DIR, { recursive: true });
  const src = join(SUITE_DIR, source);
  const out = join(BUILD_DIR, source.replace(/\.c$/, ''));
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  try {
    execFileSync('gcc', ['-m32', '-O2', '-static', '-fno-pie', '-no-pie', '-o', out, src, '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-3).join(' | ') ?? String(e);
    throw new BenchSetupError(
      `could not build ${source} with gcc -m32 -O2 -static (${stderr || 'gcc not found'}); ` +
        'install a 32-bit capable gcc: apt-get install gcc-multilib',
    );
  }
  return out;
}

/**
 * A deterministic text-like file of `kib` KiB (words and numbers from an
 * LCG), compressible the way real text is, so gzip does real matching work.
 */
function dataFile(kib: number): string {
  const dir = join(BUILD_DIR, 'data');
  const path = join(dir, `text-${kib}k.txt`);
  if (existsSync(path) && statSync(path).size === kib * 1024) return path;
  mkdirSync(dir, { recursive: true });
  const words = [
    'the', 'guest', 'block', 'translated', 'into', 'wasm', 'module', 'interpreter', 'register', 'flags', 'memory',
    'page', 'table', 'cache', 'branch', 'loop', 'kernel', 'process', 'signal', 'file', 'of', 'and', 'a', 'to',
  ];
  const out = Buffer.alloc(kib * 1024);
  let seed = 12345;
  let at = 0;
  while (at < out.length) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const r = seed >>> 8;
    const piece = r % 7 === 0 ? String(r % 100000) : words[r % words.length];
    const sep = r % 13 === 0 ? '\n' : ' ';
    at += out.write(piece + sep, at, 'latin1');
  }
  writeFileSync(path, out);
  return path;
}

/** Debian's busybox-static:i386 over a generated file: real programs nobody here wrote. */
function busyboxWorkloads(): Workload[] {
  const applet = (name: string, stresses: string, args: (file: string) => string[]): Workload => ({
    name,
    stresses,
    size: 16384,
    quick: 256,
    unit: 'KiB',
    prepare: (size: number) => {
      const file = dataFile(size);
      return { program: findBusybox(), args: args(file), cwd: dirname(file) };
    },
  });
  return [
    applet('busybox-sha256sum', 'a real program: hashing a file', (f) => ['sha256sum', f]),
    applet('busybox-gzip', 'a real program: deflate compression', (f) => ['gzip', '-c', f]),
  ];
}

/** Every workload of the suite, C programs first. */
export function loadSuite(): Workload[] {
  return [...cWorkloads(), ...busyboxWorkloads()];
}
