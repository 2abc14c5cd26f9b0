// Helpers shared by the benchmarks in bench/: building guests, bare-machine
// loops, running corpus programs in-process, child processes, formatting.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(BENCH_DIR, '..');
export const BUILD_DIR = join(BENCH_DIR, '.build');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const GUEST_SRC = join(ROOT, 'tests', 'guest');

/** Assembles Intel-syntax 32-bit code (`as --32`) into a flat binary. */
export function assemble(name, source) {
  mkdirSync(BUILD_DIR, { recursive: true });
  const s = join(BUILD_DIR, `${name}.s`), o = join(BUILD_DIR, `${name}.o`), bin = join(BUILD_DIR, `${name}.bin`);
  writeFileSync(s, `.intel_syntax noprefix\n.text\n${source}\n`);
  execFileSync('as', ['--32', '-o', o, s]);
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', o, bin]);
  return new Uint8Array(readFileSync(bin));
}

/**
 * Compiles tests/guest/NAME.c into bench/.build (rebuilt when the source is newer).
 * `flags` defaults to what interp.bench.mjs has always used.
 */
export function buildGuest(name, { flags = ['-m32', '-static', '-O2'], suffix = 'O2', libs = [] } = {}) {
  mkdirSync(BUILD_DIR, { recursive: true });
  const src = join(GUEST_SRC, `${name}.c`);
  const out = join(BUILD_DIR, `${name}.${suffix}`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    execFileSync('gcc', [...flags, '-o', out, src, ...libs]);
  }
  return out;
}

/** The corpus' own -O2 build flags (tests/guest/build.mjs), into bench/.build/corpus-O2. */
export function buildCorpusO2(name) {
  return buildGuest(name, { flags: ['-m32', '-static', '-fno-pie', '-no-pie', '-O2'], suffix: 'corpus-O2', libs: ['-lm'] });
}

/**
 * A bare machine (flat segments, no OS; INT n ends the run) running `code`
 * at 0x1000 with [0x3000, 0x4000) mapped for data, under `engine`.
 */
export function loopMachine(dist, code, engine = 'interp', translator = {}) {
  const opts = { code, address: 0x1000, map: [[0x1000, 0x1000], [0x3000, 0x1000]], engine, translator };
  const { vm } = dist.createBareMachine(opts);
  if (engine !== 'interp' && vm.translator === null) {
    throw new Error('createBareMachine ignored the engine option: this wasmvisor build cannot run the jit bench');
  }
  return vm;
}

/**
 * A loop case: runs the code from its start each time (translations stay
 * cached in the VM). Returns a runner and the instructions one run retires.
 */
export function loopCase(dist, code, engine, translator) {
  const vm = loopMachine(dist, code, engine, translator);
  const run = () => {
    vm.cpu.eip = 0x1000;
    const r = vm.run();
    if (r.kind !== 'exit') throw new Error(`loop ended with ${JSON.stringify(r)}`);
  };
  run(); // warm: decode (and translate) the blocks once
  const before = vm.icount;
  run();
  return { run, instructions: vm.icount - before, vm };
}

/** Instructions per vm.run() slice and the shorter slice while compiles are in flight (as src/linux/run.ts). */
const SLICE = 2_000_000;
const BUSY_SLICE = 100_000;

/**
 * Runs a Linux program to completion in-process, the way src/linux/run.ts
 * does (the event loop turns between slices while async compiles are in
 * flight). Resolves to { status, stdout, vm }; stdout is captured (small).
 */
export async function runProgramInProcess(linux, Machine, prog, engine, translator = {}) {
  const chunks = [];
  const proc = new linux.LinuxProcess({
    program: prog.path,
    stdio: { stdin: prog.stdin ?? '', stdout: (d) => chunks.push(Buffer.from(d)), stderr: () => {} },
    diag: () => {},
  });
  const vm = new Machine({ memoryBytes: 256 << 20, mapper: proc.mm, personality: proc, engine, translator });
  proc.attach(vm);
  let status;
  try {
    proc.exec(prog.image, [prog.path, ...prog.args], []);
    for (;;) {
      if (vm.translator?.busy) await new Promise((resolve) => setImmediate(resolve));
      const r = vm.run(vm.translator?.busy ? BUSY_SLICE : SLICE);
      if (r.kind === 'exit') {
        status = r.status;
        break;
      }
      if (r.kind === 'error') throw new Error(`guest error (status ${r.status}): ${r.message}`);
    }
  } finally {
    proc.dispose();
  }
  return { status, stdout: Buffer.concat(chunks).toString('latin1'), vm };
}

/** Runs argv as a child process; returns { status, stdout }. */
export function runProcess(argv, stdin) {
  const r = spawnSync(argv[0], argv.slice(1), {
    input: stdin ?? '',
    stdio: ['pipe', 'pipe', 'ignore'],
    env: {},
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.toString('latin1') };
}

/**
 * benny's b.add calls the case function while preparing the suite, to learn
 * whether it is sync or async (prepareCaseFn: once for a sync function,
 * twice for an async one), before any sampling. For cases that take seconds
 * those calls would double the bench time, so this wrapper answers them
 * without running anything: calls before `skip` return at once.
 */
export function skipPreparation(fn, { async = false } = {}) {
  let calls = 0;
  const skip = async ? 2 : 1;
  if (async) {
    return () => (++calls <= skip ? Promise.resolve() : fn());
  }
  return () => (++calls <= skip ? undefined : fn());
}

// The geometric mean `wasmvisor bench` uses (finite positive values only).
export { geomean } from '../dist/bench/report.js';

export function markdownTable(header, rows, align) {
  const a = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r'));
  const lines = [`| ${header.join(' | ')} |`, `| ${a.map((x) => (x === 'l' ? '---' : '---:')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** Prints a bench's Markdown and writes it and its raw data to bench/results/NAME.md and NAME.json. */
export function saveResults(name, markdown, data) {
  console.log('\n' + markdown);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.md`), markdown);
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
  console.log(`written ${join(RESULTS_DIR, `${name}.md`)} and ${name}.json`);
}
