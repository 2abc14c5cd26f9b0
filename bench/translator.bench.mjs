// Translator (jit) versus interpreter, side by side, in one run:
//   1. bare-machine loops: guest MIPS under interp and jit (translations warm);
//   2. the corpus' compute programs (gcc -m32 -O2 -static, the corpus' flags):
//      wall time natively, under qemu-i386 (when installed) and in-process
//      under wasmvisor interp / jit / auto, VM creation and compilation
//      included; plus compile cost and the translated-code-only rate of jit;
//   3. jit with one optimisation switched off (register caching, flag
//      liveness, inline TLB) on a few programs;
//   4. geometric means against native and qemu.
// Prints Markdown and writes bench/results/translator.md and translator.json.
// Also: a cold `wasmvisor run` process per engine on two programs (what a CLI user waits for).
// Takes about 2 minutes on an idle 2-core machine (longer, and noisier, on a busy one).
// Run with `npm run bench:jit` (builds first) or `node bench/translator.bench.mjs`.
//
// Every wasmvisor run's stdout and exit status are compared with the native
// run's; a case that differs or throws is left out of the tables and listed
// under "Failures".
import b from 'benny';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  GUEST_SRC,
  ROOT,
  assemble,
  buildCorpusO2,
  geomean,
  loopCase,
  markdownTable,
  runProcess,
  runProgramInProcess,
  saveResults,
  skipPreparation,
} from './lib.mjs';
import { parseHeader } from '../tests/guest/build.mjs';

const benchStarted = performance.now();
const loadAtStart = os.loadavg()[0];
// Loading wasmvisor includes instantiating Binaryen; a CLI user pays this once per process.
const loadStarted = performance.now();
const dist = await import('../dist/index.js');
const linux = await import('../dist/linux/index.js');
const moduleLoadMs = performance.now() - loadStarted;
const { Machine } = dist;
// The translator's defaults (asyncCompile decides whether auto's engine compiles block the run loop).
const translatorDefaults = await import('../dist/translator/translator.js')
  .then((m) => ({ ...m.DEFAULT_TRANSLATOR_OPTIONS }))
  .catch(() => null);
const asyncByDefault = translatorDefaults?.asyncCompile === true;

/** Compute programs of tests/guest (those present are used). */
const PROGRAMS = ['sieve', 'hash', 'matrix', 'bigint', 'int64', 'recursion', 'bytecode', 'strings', 'structs', 'malloc_stress'];
/**
 * Each compute program also runs with a repeat count (its first argument): at the corpus' size
 * they take 3-80 ms natively, which measures start-up (process creation natively, VM creation,
 * ELF loading, interpreting and compiling cold code here) more than code speed. These counts
 * make each take about 250 ms natively (measured 2026-11-24), so the same work is repeated
 * long enough to measure steady-state speed.
 */
const SCALES = { sieve: 20, hash: 20, matrix: 300, bigint: 200, int64: 600, recursion: 500, bytecode: 100, strings: 450, structs: 30000, malloc_stress: 4 };
/** Programs the switch-off variants run on: ones that spend their time in hot loops, not in start-up. */
const VARIANT_PROGRAMS = ['sieve', 'hash', 'bytecode'];
/** Programs also timed as a cold `node dist/cli/main.js run` process per engine. */
const CLI_PROGRAMS = ['sieve', 'bytecode'];
const VARIANTS = {
  'no register caching': { registerCaching: false },
  'no flag liveness': { flagLiveness: false },
  'no inline TLB': { inlineTlb: false },
  'TLB misses call a helper': { slowPathExits: false },
};
const ENGINES = ['interp', 'jit', 'auto'];
/** Programs slower than this natively are not "quick" and are skipped (keeps the bench ~3 minutes). */
const NATIVE_LIMIT_MS = 1000;

// benny (benchmark.js) options. The loops and child processes take milliseconds: normal sampling.
// A whole program under wasmvisor takes 0.2-4 s (jit compiles every block it meets, ~13-18k
// instructions, mostly libc start-up), so full sampling would take many minutes: those cases take
// a few samples each (minSamples 2-3, maxTime 0: no more than that), and skipPreparation keeps
// benny from running them during suite preparation. Noise on a shared machine only ever adds
// time, so these cases report the fastest sample (benny's details.min); the millisecond cases
// report benny's median.
const LOOP_OPTS = { minSamples: 5, maxTime: 1, initCount: 1 };
const PROCESS_OPTS = { minSamples: 5, maxTime: 0.5, initCount: 1 };
/** interp and auto runs (0.05-2.5 s). */
const PROGRAM_OPTS = { minSamples: 3, maxTime: 0, initCount: 1 };
/** jit runs, its switch-off variants, cold CLI processes (1-4 s). */
const JIT_OPTS = { minSamples: 2, maxTime: 0, initCount: 1 };
/** The interpreter on the repeated programs (5-30 s each): one sample. */
const SCALED_INTERP_OPTS = { minSamples: 1, maxTime: 0, initCount: 1 };

const qemu = ['/usr/bin/qemu-i386', '/usr/bin/qemu-i386-static'].find((p) => existsSync(p));
let qemuVersion = null;
if (qemu) {
  try {
    qemuVersion = execFileSync(qemu, ['--version']).toString().split('\n')[0].trim();
  } catch {
    qemuVersion = 'unknown';
  }
}

// ------------------------------------------------------------------ cases
//
// Two benny suites, in this order:
//   A. interp loops, and per program native, qemu and interp;
//   B. jit loops (and their variants), and per program jit (+ variants) and auto; cold CLI runs.
// interp is timed before anything is translated in this process, as in an `--engine interp`
// process: once the translator has run, V8 has seen more shapes and call targets in the shared
// runtime code, which could slow the interpreter down. One "interp after translation" case in
// suite B checks whether it does (auto runs both in one process, so it pays that for real).

/** name -> { run, opts, meta }. */
const cases = new Map();
/** name -> own measurements of each timed run of an in-process program case. */
const records = new Map();
const failures = [];

function addCase(list, name, run, opts, async, meta) {
  cases.set(name, { run: skipPreparation(run, { async }), opts, meta });
  list.push(name);
}
const suiteA = [];
const suiteB = [];

// 1. Loops: code assembled now, machines made when their suite starts.
const LOOPS = {
  'add, dec, jnz': 'mov ecx, 5000000\nxor eax, eax\n1: add eax, ecx\ndec ecx\njnz 1b\nint 0x80',
  'add, xor, dec, jnz': 'mov ecx, 2500000\nxor eax, eax\n1: add eax, ecx\nxor edx, eax\ndec ecx\njnz 1b\nint 0x80',
  'load, add, store, dec, jnz': 'mov ecx, 2000000\nmov ebx, 0x3000\n1: mov eax, [ebx]\nadd eax, ecx\nmov [ebx+4], eax\ndec ecx\njnz 1b\nint 0x80',
};
const loopCode = Object.entries(LOOPS).map(([label, source], i) => ({ label, code: assemble(`translator-loop${i}`, source) }));
const loopNames = loopCode.map((l) => l.label);
function addLoopCases(list, configs) {
  for (const { label, code } of loopCode) {
    for (const [config, engine, translator] of configs) {
      // Synchronous compiles: loopCase's warm-up run translates everything before timing starts.
      const c = loopCase(dist, code, engine, { ...translator, asyncCompile: false });
      addCase(list, `loop ${label} [${config}]`, c.run, LOOP_OPTS, false, { kind: 'loop', label, config, instructions: c.instructions });
    }
  }
}

// 2. Programs, at the corpus' size and repeated (SCALES).
const programs = [];
const scaledPrograms = [];
for (const name of PROGRAMS) {
  const src = join(GUEST_SRC, `${name}.c`);
  if (!existsSync(src)) continue;
  const path = buildCorpusO2(name);
  const { args, stdin } = parseHeader(src);
  const t = performance.now();
  const expected = runProcess([path, ...args], stdin);
  const nativeOnceMs = performance.now() - t;
  if (nativeOnceMs > NATIVE_LIMIT_MS) {
    console.log(`skipping ${name}: ${nativeOnceMs.toFixed(0)} ms natively`);
    continue;
  }
  const image = linux.readElfFile(path);
  programs.push({ name, path, args, stdin, expected, image, scaled: false });
  if (SCALES[name]) {
    const scaledArgs = [...args, String(SCALES[name])];
    const t2 = performance.now();
    const scaledExpected = runProcess([path, ...scaledArgs], stdin);
    scaledPrograms.push({ name: `${name} ×${SCALES[name]}`, path, args: scaledArgs, stdin, expected: scaledExpected, image, scaled: true, nativeOnceMs: performance.now() - t2 });
  }
}
const variantPrograms = programs.filter((p) => VARIANT_PROGRAMS.includes(p.name));
const cliPrograms = programs.filter((p) => CLI_PROGRAMS.includes(p.name));

function processRun(argv, stdin) {
  return async () => {
    const r = runProcess(argv, stdin);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} ended with status ${r.status}`);
  };
}

function wasmvisorRun(prog, engine, translator, key) {
  const rec = { runs: [], failure: null };
  records.set(key, rec);
  return async () => {
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      const r = await runProgramInProcess(linux, Machine, prog, engine, translator);
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (r.status !== prog.expected.status || r.stdout !== prog.expected.stdout) {
        const why =
          r.status !== prog.expected.status
            ? `exit status ${r.status}, native ${prog.expected.status}`
            : `stdout differs from native (${r.stdout.length} vs ${prog.expected.stdout.length} bytes)`;
        throw new Error(why);
      }
      rec.runs.push({ ms, cpuMs, icount: r.vm.icount, stats: r.vm.stats() });
    } catch (e) {
      if (!rec.failure) {
        rec.failure = e instanceof Error ? e.message.split('\n')[0] : String(e);
        failures.push({ program: prog.name, engine: key.replace(/^.*\[|\]$/g, ''), error: rec.failure });
      }
    }
  };
}

function addProgramCases(list, prog, engine) {
  const key = `${prog.name} [${engine}]`;
  const withVariants = engine === 'jit' && variantPrograms.includes(prog);
  const opts = engine === 'jit' || prog.scaled ? (engine === 'interp' ? SCALED_INTERP_OPTS : JIT_OPTS) : PROGRAM_OPTS;
  addCase(list, key, wasmvisorRun(prog, engine, {}, key), opts, true, { kind: 'wasmvisor', prog: prog.name, engine });
  if (!withVariants) return;
  // 3. The switch-off variants right after the default jit run, so that both see the same machine load.
  for (const [variant, translator] of Object.entries(VARIANTS)) {
    const vkey = `${prog.name} [jit, ${variant}]`;
    addCase(list, vkey, wasmvisorRun(prog, 'jit', translator, vkey), JIT_OPTS, true, { kind: 'variant', prog: prog.name, variant });
  }
}

// A cold `wasmvisor run` process per engine on a few programs: what a CLI user waits for,
// including Node start-up, loading Binaryen, and the first-use costs (Binaryen and the translator
// not yet optimised by V8) the in-process runs
// (after their warm-up) no longer pay.
const cli = join(ROOT, 'dist', 'cli', 'main.js');
function addCliCase(list, prog, engine) {
  const key = `${prog.name} [cli ${engine}]`;
  const rec = { runs: [], failure: null };
  records.set(key, rec);
  const argv = [process.execPath, cli, 'run', '--engine', engine, prog.path, ...prog.args];
  const run = async () => {
    const t = performance.now();
    const r = runProcess(argv, prog.stdin);
    const ms = performance.now() - t;
    if (r.status !== prog.expected.status || r.stdout !== prog.expected.stdout) {
      if (!rec.failure) {
        rec.failure = `wasmvisor run: status ${r.status} (native ${prog.expected.status}), stdout ${r.stdout === prog.expected.stdout ? 'same' : 'differs'}`;
        failures.push({ program: prog.name, engine: `cli ${engine}`, error: rec.failure });
      }
      return;
    }
    rec.runs.push({ ms });
  };
  addCase(list, key, run, JIT_OPTS, true, { kind: 'cli', prog: prog.name, engine });
}

// Warm-up (untimed): the first in-process run of each configuration is slower (V8 has not
// optimised the Linux personality, the translator or Binaryen yet), which would penalise
// whichever program comes first. One run of the smallest program per configuration takes that
// hit before its suite starts.
const warmProg = programs.find((p) => p.name === 'structs') ?? programs[0];
async function warmUp(configs) {
  if (!warmProg) return;
  const started = performance.now();
  for (const [engine, translator] of configs) {
    await runProgramInProcess(linux, Machine, warmProg, engine, translator).catch(() => {});
  }
  console.log(`warm-up: ${warmProg.name} under ${configs.length} configuration(s) in ${(performance.now() - started).toFixed(0)} ms`);
}

// ------------------------------------------------------------------ timing

/** name -> ms per run (see the benny options above: median or fastest sample) and benny's summary. */
const timed = new Map();
async function runSuite(title, names) {
  console.log(`${title}: ${names.length} cases`);
  await b.suite(
    title,
    ...names.map((name) => b.add(name, cases.get(name).run, cases.get(name).opts)),
    b.cycle((r) => {
      const c = cases.get(r.name);
      const ms = (['loop', 'native', 'qemu'].includes(c.meta.kind) ? r.details.median : r.details.min) * 1000;
      timed.set(r.name, { ms, samples: r.samples, margin: r.margin, ops: r.ops });
      const rec = records.get(r.name);
      let extra = '';
      if (c.meta.kind === 'loop') extra = ` = ${(c.meta.instructions / ms / 1000).toFixed(1)} MIPS`;
      if (rec?.failure) extra = ` FAILED: ${rec.failure}`;
      console.log(`  ${r.name}: ${ms.toFixed(2)} ms (${r.samples} samples)${extra}`);
    }),
    b.complete(),
  );
}

console.log(`${programs.length} programs (and ${scaledPrograms.length} repeated), qemu: ${qemu ?? 'not installed'}`);
// Suite A: nothing has been translated in this process yet.
addLoopCases(suiteA, [['interp', 'interp', {}]]);
for (const prog of [...programs, ...scaledPrograms]) {
  addCase(suiteA, `${prog.name} [native]`, processRun([prog.path, ...prog.args], prog.stdin), PROCESS_OPTS, true, { kind: 'native', prog: prog.name });
  if (qemu) addCase(suiteA, `${prog.name} [qemu]`, processRun([qemu, prog.path, ...prog.args], prog.stdin), PROCESS_OPTS, true, { kind: 'qemu', prog: prog.name });
  addProgramCases(suiteA, prog, 'interp');
}
await warmUp([['interp', {}]]);
await runSuite('A: interpreter, native, qemu-i386', suiteA);

// Suite B: the translator.
addLoopCases(suiteB, [['jit', 'jit', {}], ...Object.entries(VARIANTS).map(([v, t]) => [`jit, ${v}`, 'jit', t])]);
for (const prog of [...programs, ...scaledPrograms]) {
  addProgramCases(suiteB, prog, 'jit');
  addProgramCases(suiteB, prog, 'auto');
}
// The interpreter again, now that translation has happened in this process (see above).
const reinterp = programs.find((p) => p.name === 'bytecode') ?? programs[0];
if (reinterp) {
  const key = `${reinterp.name} [interp after translation]`;
  addCase(suiteB, key, wasmvisorRun(reinterp, 'interp', {}, key), PROGRAM_OPTS, true, { kind: 'reinterp', prog: reinterp.name });
}
for (const prog of cliPrograms) for (const engine of ENGINES) addCliCase(suiteB, prog, engine);
await warmUp([['jit', {}], ['auto', {}], ...(variantPrograms.length ? Object.values(VARIANTS).map((t) => ['jit', t]) : [])]);
await runSuite('B: translator (jit, auto), cold CLI processes', suiteB);

// ------------------------------------------------------------------ results

const msOf = (name) => timed.get(name)?.ms ?? NaN;
const ok = (key) => {
  const rec = records.get(key);
  return rec !== undefined && !rec.failure && rec.runs.length > 0;
};
const lastRun = (key) => records.get(key)?.runs.at(-1);
/** Minima over a case's own timed runs (as for benny's time): wall ms, codegen + compile ms, and the rest. */
function ownTimes(key) {
  const runs = records.get(key).runs;
  const compile = (r) => (r.stats.translator ? r.stats.translator.codegenMs + r.stats.translator.compileMs : 0);
  return {
    ownMs: Math.min(...runs.map((r) => r.ms)),
    cpuMs: Math.min(...runs.map((r) => r.cpuMs)),
    compileMs: Math.min(...runs.map(compile)),
    execMs: Math.min(...runs.map((r) => r.ms - compile(r))),
  };
}
const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : 'n/a');
const fmtX = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×` : 'n/a');
const fmtN = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');

// Loops.
const loopResults = loopNames.map((label) => {
  const row = { loop: label, variants: {} };
  for (const config of ['interp', 'jit', ...Object.keys(VARIANTS)]) {
    const name = config in VARIANTS ? `loop ${label} [jit, ${config}]` : `loop ${label} [${config}]`;
    const c = cases.get(name);
    const r = { msPerRun: msOf(name), instructionsPerRun: c.meta.instructions, mips: c.meta.instructions / msOf(name) / 1000 };
    if (config in VARIANTS) row.variants[config] = r;
    else row[config] = r;
  }
  return row;
});

// Programs.
const allResults = [...programs, ...scaledPrograms].map((prog) => {
  const res = { program: prog.name, args: prog.args, native: { ms: msOf(`${prog.name} [native]`) }, qemu: qemu ? { ms: msOf(`${prog.name} [qemu]`) } : null };
  for (const engine of ENGINES) {
    const key = `${prog.name} [${engine}]`;
    if (!ok(key)) {
      res[engine] = { failure: records.get(key)?.failure ?? 'no run' };
      continue;
    }
    const run = lastRun(key);
    const t = run.stats.translator;
    const own = ownTimes(key);
    const e = { ms: msOf(key), ownMs: own.ownMs, cpuMs: own.cpuMs, instructions: run.icount, mips: run.icount / msOf(key) / 1000 };
    if (t) {
      e.translator = t;
      e.compileMs = own.compileMs;
      e.usPerCompiledInstruction = t.instructionsCompiled ? (own.compileMs * 1000) / t.instructionsCompiled : NaN;
      e.translatedShare = t.translatedInstructions / run.icount;
      // Translated-code-only rate: the run's own wall time minus the time spent generating and
      // compiling code (only meaningful for jit, where nothing is interpreted).
      e.execMs = own.execMs;
      e.execMips = run.icount / e.execMs / 1000;
    }
    res[engine] = e;
  }
  res.variants = {};
  for (const variant of Object.keys(VARIANTS)) {
    const key = `${prog.name} [jit, ${variant}]`;
    if (!records.has(key)) continue;
    if (!ok(key)) {
      res.variants[variant] = { failure: records.get(key).failure };
      continue;
    }
    const own = ownTimes(key);
    res.variants[variant] = { ms: msOf(key), ...own, translator: lastRun(key).stats.translator };
  }
  res.scaled = prog.scaled;
  return res;
});
const programResults = allResults.filter((r) => !r.scaled);
const scaledResults = allResults.filter((r) => r.scaled);

const good = (r, engine) => r[engine] && !r[engine].failure && Number.isFinite(r[engine].ms);
const md = [];
const machineInfo = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  qemu: qemuVersion,
  date: new Date().toISOString(),
  // Wall times suffer when other work shares the CPUs: the 1-minute load average around the run.
  loadAverage1m: { start: loadAtStart, end: os.loadavg()[0] },
};
md.push(`# wasmvisor translator benchmark\n`);
md.push(`${machineInfo.date} — ${machineInfo.cpu}, ${machineInfo.cores} cores, Node ${machineInfo.node}, ${machineInfo.qemu ?? 'no qemu-i386'}.`);
md.push(`1-minute load average ${machineInfo.loadAverage1m.start.toFixed(1)} at the start, ${machineInfo.loadAverage1m.end.toFixed(1)} at the end (${machineInfo.cores} CPUs: above that, wall times are inflated).`);
if (translatorDefaults) {
  const shown = ['threshold', 'maxRegionBlocks', 'asyncCompile', 'registerCaching', 'flagLiveness', 'inlineTlb', 'slowPathExits'].filter((k) => k in translatorDefaults);
  md.push(`Translator defaults: ${shown.map((k) => `${k} ${translatorDefaults[k]}`).join(', ')}.`);
}
md.push(`Loading wasmvisor took ${moduleLoadMs.toFixed(0)} ms once per process; it is not in the times below.\n`);

md.push('## Simple loops (bare machine, translations warm)\n');
md.push(
  markdownTable(
    ['loop', 'instructions/run', 'interp MIPS', 'jit MIPS', 'jit / interp', ...Object.keys(VARIANTS).map((v) => `jit, ${v}: MIPS (slow-down)`)],
    loopResults.map((r) => [
      r.loop, fmtInt(r.interp.instructionsPerRun), fmtN(r.interp.mips), fmtN(r.jit.mips), fmtX(r.jit.mips / r.interp.mips),
      ...Object.keys(VARIANTS).map((v) => `${fmtN(r.variants[v].mips)} (${fmtX(r.jit.mips / r.variants[v].mips)})`),
    ]),
  ),
);

md.push('\n## Compute programs at the corpus size: wall time per run (ms)\n');
md.push('In-process wasmvisor runs include VM creation, ELF loading, translation and compilation; native and qemu runs include process start-up. Ratios are time ratios (× slower); "speed-up" is interp time / engine time. interp was timed before anything was translated in this process (like an `--engine interp` process).\n');
const okRows = programResults;
const timeTable = (rows) =>
  markdownTable(
    ['program', 'guest instructions', 'native', 'qemu', 'interp', 'jit', 'auto', 'jit/native', 'auto/native', 'jit/qemu', 'auto/qemu', 'jit speed-up', 'auto speed-up'],
    rows.map((r) => {
      const e = (k) => (good(r, k) ? r[k].ms : NaN);
      const ins = good(r, 'interp') ? r.interp.instructions : good(r, 'jit') ? r.jit.instructions : NaN;
      const cell = (k) => (good(r, k) ? fmtMs(r[k].ms) : 'FAILED');
      return [
        r.program, fmtInt(ins), fmtMs(r.native.ms), r.qemu ? fmtMs(r.qemu.ms) : 'n/a', cell('interp'), cell('jit'), cell('auto'),
        fmtX(e('jit') / r.native.ms), fmtX(e('auto') / r.native.ms),
        fmtX(e('jit') / (r.qemu?.ms ?? NaN)), fmtX(e('auto') / (r.qemu?.ms ?? NaN)),
        fmtX(e('interp') / e('jit')), fmtX(e('interp') / e('auto')),
      ];
    }),
  );
md.push(timeTable(okRows));
if (scaledResults.length) {
  md.push('\n## Compute programs repeated (steady state): wall time per run (ms)\n');
  md.push('The same programs with a repeat count (first argument, see SCALES) so each runs about 250 ms natively: start-up is a small part. interp: one sample.\n');
  md.push(timeTable(scaledResults));
}

if (reinterp) {
  const key = `${reinterp.name} [interp after translation]`;
  const before = programResults.find((r) => r.program === reinterp.name);
  if (ok(key) && good(before, 'interp')) {
    md.push(
      `\nThe interpreter in a process where the translator has run: ${reinterp.name} [interp] took ${fmtMs(msOf(key))} ms after the jit and auto runs, ` +
        `${fmtMs(before.interp.ms)} ms before them (${fmtX(msOf(key) / before.interp.ms)}).`,
    );
  }
}

md.push('\n## Compute programs: translation cost and translated-code rate\n');
md.push(
  'compile = codegen (the direct wasm encoder) + WebAssembly compile (stats().translator); µs/insn per compiled guest instruction. "jit exec" = the jit run time minus codegen and compile time: the rate of translated code, which still pays for block decoding, module instantiation, syscalls and returns to JavaScript. ' +
    (asyncByDefault
      ? 'auto compiles asynchronously by default: its WebAssembly compile time is off the main thread and not counted.\n'
      : 'auto compiles synchronously by default (asyncCompile false), like jit.\n'),
);
md.push(
  markdownTable(
    ['program', 'jit compiled insns', 'jit compile ms', 'µs/insn', 'compile % of jit time', 'jit exec MIPS', 'interp MIPS', 'jit exec / interp', 'helper insns %', 'auto compiled insns', 'auto compile ms', 'auto % translated'],
    allResults.map((r) => {
      const j = good(r, 'jit') ? r.jit : null;
      const a = good(r, 'auto') ? r.auto : null;
      const i = good(r, 'interp') ? r.interp : null;
      return [
        r.program,
        j ? fmtInt(j.translator.instructionsCompiled) : 'FAILED',
        j ? fmtMs(j.compileMs) : '–',
        j ? fmtN(j.usPerCompiledInstruction, 0) : '–',
        j ? `${fmtN((100 * j.compileMs) / j.ownMs, 0)}%` : '–',
        j ? fmtN(j.execMips) : '–',
        i ? fmtN(i.mips) : 'FAILED',
        j && i ? fmtX(j.execMips / i.mips) : '–',
        j ? `${fmtN((100 * j.translator.helperInstructions) / Math.max(1, j.translator.translatedInstructions), 2)}%` : '–',
        a ? fmtInt(a.translator.instructionsCompiled) : 'FAILED',
        a ? fmtMs(a.compileMs) : '–',
        a ? `${fmtN(100 * a.translatedShare, 1)}%` : '–',
      ];
    }),
  ),
);

if (variantPrograms.length) {
  md.push('\n## jit with one optimisation switched off (ratio to default jit; >1 = slower without it)\n');
  md.push('"total" compares whole-run times (dominated by compilation); "exec" compares run time minus compile time, i.e. the translated code itself.\n');
  const vnames = Object.keys(VARIANTS);
  md.push(
    markdownTable(
      ['program', 'jit total ms', 'jit exec ms', ...vnames.flatMap((v) => [`${v}: total`, `${v}: exec`])],
      programResults
        .filter((r) => variantPrograms.some((p) => p.name === r.program))
        .map((r) => {
          const j = good(r, 'jit') ? r.jit : null;
          return [
            r.program,
            j ? fmtMs(j.ms) : 'FAILED',
            j ? fmtMs(j.execMs) : '–',
            ...vnames.flatMap((v) => {
              const x = r.variants[v];
              if (!x || x.failure) return ['FAILED', 'FAILED'];
              return [j ? fmtX(x.ms / j.ms) : '–', j ? fmtX(x.execMs / j.execMs) : '–'];
            }),
          ];
        }),
    ),
  );
}

if (cliPrograms.length) {
  md.push('\n## Cold `wasmvisor run` process (CLI), wall time per run (ms)\n');
  md.push('A fresh `node dist/cli/main.js run --engine E PROGRAM` each time: Node start-up, loading wasmvisor and first-use costs (code V8 has not optimised yet) included.\n');
  const cliRow = (prog) => {
    const ms = (e) => (ok(`${prog.name} [cli ${e}]`) ? msOf(`${prog.name} [cli ${e}]`) : NaN);
    const r = programResults.find((x) => x.program === prog.name);
    return [prog.name, fmtMs(r.native.ms), ...ENGINES.map((e) => (Number.isFinite(ms(e)) ? fmtMs(ms(e)) : 'FAILED')),
      ...ENGINES.map((e) => fmtX(ms(e) / r.native.ms)), ...ENGINES.map((e) => (good(r, e) ? fmtMs(ms(e) - r[e].ms) : '–'))];
  };
  md.push(markdownTable(['program', 'native', ...ENGINES.map((e) => `cli ${e}`), ...ENGINES.map((e) => `${e}/native`), ...ENGINES.map((e) => `${e}: cli − in-process`)], cliPrograms.map(cliRow)));
}

// 4. Geometric means over the programs every compared engine ran correctly.
function geomeans(results) {
  const geo = {};
  const geoRows = [];
  for (const engine of ENGINES) {
    const rows = results.filter((r) => good(r, engine));
    geo[engine] = {
      programs: rows.length,
      vsNative: geomean(rows.map((r) => r[engine].ms / r.native.ms)),
      vsQemu: qemu ? geomean(rows.map((r) => r[engine].ms / r.qemu.ms)) : NaN,
      speedupOverInterp: engine === 'interp' ? 1 : geomean(rows.filter((r) => good(r, 'interp')).map((r) => r.interp.ms / r[engine].ms)),
    };
    geoRows.push([engine, String(rows.length), fmtX(geo[engine].vsNative), fmtX(geo[engine].vsQemu), fmtX(geo[engine].speedupOverInterp)]);
  }
  const jitExec = results.filter((r) => good(r, 'jit') && good(r, 'interp'));
  geo.jitExec = {
    vsNative: geomean(jitExec.map((r) => r.jit.execMs / r.native.ms)),
    vsQemu: qemu ? geomean(jitExec.map((r) => r.jit.execMs / r.qemu.ms)) : NaN,
    speedupOverInterp: geomean(jitExec.map((r) => r.interp.ms / r.jit.execMs)),
  };
  geoRows.push(['jit exec only (compile time removed)', String(jitExec.length), fmtX(geo.jitExec.vsNative), fmtX(geo.jitExec.vsQemu), fmtX(geo.jitExec.speedupOverInterp)]);
  if (qemu) geoRows.push(['qemu-i386', String(results.length), fmtX(geomean(results.map((r) => r.qemu.ms / r.native.ms))), '1×', '–']);
  return { geo, geoRows };
}
const corpusGeo = geomeans(programResults);
const geo = corpusGeo.geo;
md.push('\n## Geometric means over the compute programs at the corpus size (time ratios)\n');
md.push(markdownTable(['engine', 'programs', 'vs native', 'vs qemu-i386', 'speed-up over interp'], corpusGeo.geoRows));
const scaledGeo = scaledResults.length ? geomeans(scaledResults) : null;
if (scaledGeo) {
  md.push('\n## Geometric means over the repeated compute programs (steady state, time ratios)\n');
  md.push(markdownTable(['engine', 'programs', 'vs native', 'vs qemu-i386', 'speed-up over interp'], scaledGeo.geoRows));
}

if (failures.length) {
  md.push('\n## Failures (left out of the tables and means)\n');
  md.push(markdownTable(['program', 'engine', 'error'], failures.map((f) => [f.program, f.engine, f.error.replace(/\|/g, '\\|')])));
}
const totalS = (performance.now() - benchStarted) / 1000;
md.push(
  `\nBench time: ${totalS.toFixed(0)} s. Whole-program wasmvisor cases: the fastest of ${PROGRAM_OPTS.minSamples} benny samples ` +
    `(${JIT_OPTS.minSamples} for jit, its variants and the CLI), after an untimed warm-up run per configuration; loops, native and qemu: benny's median. ` +
    'See the comments in bench/translator.bench.mjs.',
);

const text = md.join('\n') + '\n';
saveResults('translator', text, {
  machine: machineInfo,
  moduleLoadMs,
  translatorDefaults: translatorDefaults && Object.fromEntries(Object.entries(translatorDefaults).filter(([, v]) => typeof v !== 'function')),
  benchSeconds: totalS,
  benny: { loops: LOOP_OPTS, processes: PROCESS_OPTS, programs: PROGRAM_OPTS, jit: JIT_OPTS },
  loops: loopResults,
  programs: programResults,
  scaledPrograms: scaledResults,
  scales: SCALES,
  cli: Object.fromEntries(cliPrograms.flatMap((p) => ENGINES.map((e) => [`${p.name} [cli ${e}]`, ok(`${p.name} [cli ${e}]`) ? msOf(`${p.name} [cli ${e}]`) : null]))),
  interpAfterTranslation: reinterp ? { program: reinterp.name, ms: msOf(`${reinterp.name} [interp after translation]`) } : null,
  geomeans: geo,
  scaledGeomeans: scaledGeo?.geo ?? null,
  failures,
  cases: Object.fromEntries([...timed.entries()]),
    });
