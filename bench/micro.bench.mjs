// Micro benchmarks of wasmvisor's parts, each a benny case:
//   1. decoder: guest instructions decoded per second, a linear sweep over the
//      .text of a gcc -m32 -O2 -static program (tests/guest/bytecode.c);
//   2. interpreter dispatch: bare-machine loops of register ALU instructions
//      under engine 'interp' (sub+jnz alone, and 16 ALU instructions + sub+jnz):
//      the difference gives the cost per instruction, the rest the cost per block;
//   3. translation cost per guest instruction, by stage, over every region the
//      jit compiles for tests/guest/sieve.c (corpus -O2 flags, captured through
//      the onModule option): compileRegion (region-compiler.ts) driven through its
//      `codegen` factory option with subclasses of WasmModule (the direct encoder)
//      and BinaryenModule that time emitBinary (and Binaryen's validate) in place,
//      so build = total − encode; then the engine: new WebAssembly.Module (what the
//      translator does; lazy), WebAssembly.compile, eager Liftoff, eager TurboFan
//      (V8 flags switched around the case), and new WebAssembly.Instance. This
//      section runs in a fresh child process (the same file, --translation-stages);
//   4. block dispatch: a loop of 8 blocks joined by jumps under 'jit' (one region:
//      structured branches; one block per region, maxRegionBlocks 1: dispatch
//      cache + tail call in wasm; the same with chaining: false (no dispatch cache): every
//      transition returns to JavaScript) and under 'interp', against the same
//      instructions as one block;
//   5. soft TLB: loops of 8 loads or 8 stores to mapped memory under 'jit' with
//      the inline TLB, with inlineTlb: false (a helper call per access), and
//      'interp', against the same loop with register moves.
// Derived figures (per block, per access, per transition) are differences of two
// loops' times; the table at the end says which. Prints a table (name, value, unit,
// note) and writes bench/results/micro.json and micro.md. Uses the compiled
// JavaScript in dist/ (build first). Takes about a minute on a 2-core machine.
// Run with `node bench/micro.bench.mjs`.
import b from 'benny';
import os from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { assemble, buildCorpusO2, buildGuest, loopCase, markdownTable, runProgramInProcess, saveResults, skipPreparation } from './lib.mjs';
import { FreshBinaries, elfSection } from './micro/helpers.mjs';

const benchStarted = performance.now();
const loadAtStart = os.loadavg()[0];

/** dist/ may be in the middle of a rebuild: retry a failed import a few times. */
async function importDist(path) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await import(path);
    } catch (e) {
      if (attempt >= 3) throw e;
      console.log(`import ${path} failed (${e.message.split('\n')[0]}); retrying in 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 20_000));
    }
  }
}
const dist = await importDist('../dist/index.js');
const linux = await importDist('../dist/linux/index.js');
const { decode } = await importDist('../dist/decoder/index.js');
const { compileRegion } = await importDist('../dist/translator/region-compiler.js');
const { WasmModule } = await importDist('../dist/translator/wasm-builder.js');
const { BinaryenModule } = await importDist('../dist/translator/binaryen-backend.js');
const { DEFAULT_TRANSLATOR_OPTIONS } = await importDist('../dist/translator/translator.js');

// benny (benchmark.js) options. Loops and the decoder sweep take milliseconds: normal sampling,
// median reported. Translation stages take 10-700 ms per op (every region of a program): a few
// samples after an untimed warm-up (compileRegion's code is still being optimised for the first
// second or so), and the fastest sample is reported for the region compiler runs (noise on a
// shared machine only adds time; as translator.bench.mjs does). Eager TurboFan: two samples.
const FAST = { minSamples: 5, maxTime: 1, initCount: 1 };
const SLOW = { minSamples: 3, maxTime: 1, initCount: 1 };
const SLOWEST = { minSamples: 2, maxTime: 0, initCount: 1 };

/** name -> { seconds (per op: the median, or the fastest sample for stat min), stat, min, median, samples, margin, meta }. */
const measured = new Map();
const log = (s) => console.log(s);

/**
 * Runs one benny suite. cases: [{ name, fn, opts, async?, heavy?, meta }]; heavy cases are not
 * run by benny's preparation (skipPreparation). meta.per / meta.unit: what one op does, for the log.
 */
async function runSuite(title, list) {
  log(`\n${title}: ${list.length} cases`);
  const byName = new Map(list.map((c) => [c.name, c]));
  await b.suite(
    title,
    ...list.map((c) => b.add(c.name, c.heavy ? skipPreparation(c.fn, { async: !!c.async }) : c.fn, c.opts)),
    b.cycle((r) => {
      const c = byName.get(r.name);
      const seconds = c.stat === 'min' ? r.details.min : r.details.median;
      measured.set(r.name, { seconds, stat: c.stat ?? 'median', min: r.details.min, median: r.details.median, samples: r.samples, margin: r.margin, meta: c.meta ?? {} });
      const per = c.meta?.per ? `, ${((seconds * 1e9) / c.meta.per).toFixed(2)} ns per ${c.meta.unit}` : '';
      log(`  ${r.name}: ${(seconds * 1000).toFixed(3)} ms per op (${r.samples} samples, ±${r.margin}%)${per}`);
    }),
    b.complete(),
  );
}
const sec = (name) => measured.get(name)?.seconds ?? NaN;

// ------------------------------------------------------------------ 3. translation stages

/**
 * Section 3, run in a child process (`--translation-stages`) so that the heap the other
 * sections leave behind does not change the numbers: compileRegion allocates its IR as it goes,
 * and in a process whose heap had grown during the loop suites its runs took 2-3× longer
 * (more of the IR was promoted and collected by full GCs) than in a fresh one.
 */
async function translationStages() {
  // Every region the jit compiles for one real program, captured through the onModule hook.
  const regionProgram = 'sieve';
  const regionPath = buildCorpusO2(regionProgram);
  const captured = [];
  const captureRun = await runProgramInProcess(
    linux,
    dist.Machine,
    { path: regionPath, image: linux.readElfFile(regionPath), args: [] },
    'jit',
    { asyncCompile: false, onModule: (_id, binary, region) => captured.push({ binary, region }) },
  );
  if (captureRun.status !== 0) throw new Error(`${regionProgram} under jit ended with status ${captureRun.status}`);
  const translatorOpts = { ...captureRun.vm.translator.opts, onModule: undefined };
  const memoryPages = captureRun.vm.mem.memory.buffer.byteLength / 65536;
  const regions = captured.map((c) => c.region.blocks);
  const regionInsns = captured.reduce((s, c) => s + c.region.instructions, 0);
  const regionBlocks = regions.reduce((s, r) => s + r.length, 0);
  const assumptions = { flatData: true };
  /** compileRegion over every captured region with a codegen factory (the translator's `codegen` seam). */
  function compileAll(codegen) {
    const opts = { ...translatorOpts, codegen };
    let bytes = 0;
    for (const blocks of regions) bytes += compileRegion(blocks, opts, memoryPages, assumptions).binary.length;
    return bytes;
  }

  /**
   * Time spent inside emitBinary (and Binaryen's validate) while compileRegion runs, accumulated
   * per case. The encoding is timed in place, right after its module was built (the IR still in
   * cache), through subclasses of the two IrModule classes handed to compileRegion as `codegen`.
   * A case's stage share = stage time / the case's own total over all its runs.
   */
  class StageTimes {
    constructor() {
      this.totalMs = 0;
      this.validateMs = 0;
      this.emitMs = 0;
    }
    share(stage) {
      return this.totalMs > 0 ? this[`${stage}Ms`] / this.totalMs : NaN;
    }
    /** Runs fn() (one compileAll) and adds its time to the total. */
    time(fn) {
      const t = performance.now();
      fn();
      this.totalMs += performance.now() - t;
    }
  }
  const directTimes = new StageTimes();
  const binaryenTimes = new StageTimes();
  class TimedWasmModule extends WasmModule {
    emitBinary() {
      const t = performance.now();
      const out = super.emitBinary();
      directTimes.emitMs += performance.now() - t;
      return out;
    }
  }
  /** The direct encoder without its encoding step: compileRegion's build alone (a cross-check). */
  class BuildOnlyWasmModule extends WasmModule {
    emitBinary() {
      return new Uint8Array(0);
    }
  }
  /** Binaryen as the translator uses it by default (validate, then emit), each timed. */
  class TimedBinaryenModule extends BinaryenModule {
    constructor() {
      super(false);
    }
    emitBinary() {
      const inner = this.m; // BinaryenModule's binaryen.Module (private in TypeScript)
      const t0 = performance.now();
      if (!inner.validate()) throw new Error('Binaryen rejected a module');
      const t1 = performance.now();
      const out = super.emitBinary();
      binaryenTimes.validateMs += t1 - t0;
      binaryenTimes.emitMs += performance.now() - t1;
      return out;
    }
  }
  {
    const probe = new TimedBinaryenModule();
    const ok = typeof probe.m?.validate === 'function';
    probe.dispose();
    if (!ok) throw new Error('BinaryenModule.m (the binaryen.Module) not found');
  }
  const binaries = captured.map((c) => c.binary);
  const binaryBytes = binaries.reduce((s, x) => s + x.length, 0);
  const fresh = new FreshBinaries(binaries);
  const modules = binaries.map((x) => new WebAssembly.Module(x));
  const imports = {
    env: {
      memory: captureRun.vm.mem.memory,
      table: new WebAssembly.Table({ initial: 1024, element: 'anyfunc' }),
      firstSlot: 0,
      ...Object.fromEntries(['rd8', 'rd16', 'rd32', 'interp'].map((f) => [f, () => 0])),
      ...Object.fromEntries(['wr8', 'wr16', 'wr32'].map((f) => [f, () => 0])),
    },
  };
  function compileFreshAll() {
    for (let i = 0; i < fresh.length; i++) new WebAssembly.Module(fresh.get(i));
  }
  /** Compiles every binary with V8 flags set, then puts the flags back. */
  function withV8Flags(on, off, fn) {
    return () => {
      for (const f of on) v8.setFlagsFromString(f);
      try {
        fn();
      } finally {
        for (const f of off) v8.setFlagsFromString(f);
      }
    };
  }
  log(`\n${regionProgram}: ${regions.length} regions, ${regionBlocks} blocks, ${regionInsns} guest instructions, ${binaryBytes} bytes of wasm (direct encoder)`);

  const perInsn = { per: regionInsns, unit: 'guest instruction' };
  const translationCases = [
    // Direct encoder cases first: compileRegion's call sites then see only WasmModule classes while they are timed.
    { name: 'translate: direct, compileRegion (emit timed inside)', fn: () => directTimes.time(() => compileAll(() => new TimedWasmModule())), opts: SLOW, heavy: true, stat: 'min', meta: { ...perInsn, stage: 'total' } },
    { name: 'translate: direct, build only (emitBinary skipped)', fn: () => compileAll(() => new BuildOnlyWasmModule()), opts: SLOW, heavy: true, stat: 'min', meta: { ...perInsn, stage: 'build' } },
    { name: 'engine: new WebAssembly.Module (lazy, as the translator)', fn: compileFreshAll, opts: SLOW, meta: { ...perInsn, stage: 'compile' } },
    { name: 'engine: WebAssembly.compile (async, one at a time)', fn: async () => {
      for (let i = 0; i < fresh.length; i++) await WebAssembly.compile(fresh.get(i));
    }, opts: SLOW, async: true, heavy: true, meta: { ...perInsn, stage: 'compile' } },
    { name: 'engine: new WebAssembly.Module, eager Liftoff', fn: withV8Flags(['--no-wasm-lazy-compilation'], ['--wasm-lazy-compilation'], compileFreshAll), opts: SLOW, heavy: true, meta: { ...perInsn, stage: 'compile' } },
    { name: 'engine: new WebAssembly.Module, eager TurboFan', fn: withV8Flags(['--no-wasm-lazy-compilation', '--no-liftoff'], ['--liftoff', '--wasm-lazy-compilation'], compileFreshAll), opts: SLOWEST, heavy: true, meta: { ...perInsn, stage: 'compile' } },
    { name: 'engine: new WebAssembly.Instance', fn: () => {
      for (const mod of modules) new WebAssembly.Instance(mod, imports);
    }, opts: SLOW, meta: { ...perInsn, stage: 'instantiate' } },
  ];
  // Untimed warm-up: compileRegion and the encoder reach their optimised code. The Binaryen backend
  // runs only after the direct encoder's cases: once compileRegion's call sites have seen Binaryen's
  // builder they are polymorphic, which a process using the default --codegen direct never sees.
  function warmUp(label, runs, codegen, times) {
    const t = performance.now();
    for (let i = 0; i < runs; i++) compileAll(codegen);
    times.validateMs = times.emitMs = 0;
    log(`${label} warm-up: ${(performance.now() - t).toFixed(0)} ms`);
  }
  warmUp('direct encoder', 6, () => new TimedWasmModule(), directTimes);
  await runSuite('3a. translation stages: direct encoder, engine', translationCases);
  const binaryenCases = [
    { name: 'translate: binaryen, compileRegion (validate, emit timed inside)', fn: () => binaryenTimes.time(() => compileAll(() => new TimedBinaryenModule())), opts: SLOW, heavy: true, stat: 'min', meta: { ...perInsn, stage: 'total' } },
  ];
  warmUp('Binaryen', 1, () => new TimedBinaryenModule(), binaryenTimes);
  await runSuite('3b. translation stages: Binaryen', binaryenCases);

  return {
    program: regionProgram, regions: regions.length, blocks: regionBlocks, instructions: regionInsns, wasmBytes: binaryBytes,
    shares: { direct: { emit: directTimes.share('emit') }, binaryen: { validate: binaryenTimes.share('validate'), emit: binaryenTimes.share('emit') } },
  };
}

const CHILD_FLAG = '--translation-stages';
const JSON_MARK = '@@micro-json@@ ';
if (process.argv.includes(CHILD_FLAG)) {
  const info = await translationStages();
  console.log(JSON_MARK + JSON.stringify({ info, measured: [...measured.entries()] }));
  process.exit(0);
}

/** Runs section 3 in a fresh node process (its output goes through) and takes its measurements. */
async function translationStagesInChild() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG], { stdio: ['ignore', 'pipe', 'inherit'] });
  let info = null;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (!line.startsWith(JSON_MARK)) return console.log(line);
    const got = JSON.parse(line.slice(JSON_MARK.length));
    info = got.info;
    for (const [name, m] of got.measured) measured.set(name, m);
  });
  const status = await new Promise((resolve) => child.on('close', resolve));
  if (status !== 0 || info === null) throw new Error(`the translation-stages child process failed (status ${status})`);
  return info;
}

// ------------------------------------------------------------------ 1. decoder

const decoderProgram = 'bytecode';
const text = elfSection(buildGuest(decoderProgram), '.text');
/** Decodes the whole section front to back (an undecodable byte is skipped). Returns instructions decoded. */
function sweep() {
  const bytes = text.bytes, n = bytes.length;
  let off = 0, count = 0;
  while (off < n) {
    const r = decode(bytes, off, n - off, (text.addr + off) | 0, 4);
    if (r.ok) {
      count++;
      off += r.insn.length;
    } else off += Math.max(1, r.length);
  }
  return count;
}
const decodedPerSweep = sweep();
const decoderCases = [
  {
    name: 'decoder: linear sweep of .text',
    fn: () => {
      sweep();
    },
    opts: FAST,
    meta: { per: decodedPerSweep, unit: 'instruction', bytes: text.bytes.length, program: `${decoderProgram}.c -m32 -O2 -static` },
  },
];

// ------------------------------------------------------------------ loops

/**
 * `iterations` of `body` and the loop control (sub ecx, 1; jnz), then INT 0x80 (ends the bare
 * machine's run). sub, not dec: dec keeps CF, and a jit loop whose only flag writer is dec
 * carries the flags through memory each iteration (the 'dec' loop below shows what that costs).
 */
function loopSource(body, iterations, control = 'sub ecx, 1') {
  return `mov ecx, ${iterations}\nmov ebx, 0x3000\nxor eax, eax\nxor edx, edx\n1:\n${body}\n${control}\njnz 1b\nint 0x80`;
}
/** The loops, by key: body instructions per iteration and blocks per iteration are noted for the math. */
const ALU16 = [
  'add eax, edx', 'xor esi, eax', 'sub edi, esi', 'or edx, 3', 'and esi, 0x7fff', 'lea eax, [eax+edx*2+1]', 'shl edi, 1', 'mov ebp, eax',
  'add ebp, esi', 'xor eax, ebp', 'sub edx, 7', 'or edi, eax', 'inc esi', 'neg ebp', 'mov edx, ebp', 'add esi, edi',
];
const ALU8 = ['add eax, 1', 'add edx, eax', 'xor esi, edx', 'sub edi, esi', 'add eax, edi', 'or esi, 5', 'xor edx, esi', 'add edi, edx'];
/** 8 blocks per iteration: 7 end with a jmp to the next, the last with the loop control. */
const BLOCKS8 = ALU8.map((insn, k) => (k < 7 ? `${insn}\njmp 2${k}f\n2${k}:` : insn)).join('\n');
const LOADS8 = [0, 4, 8, 12, 16, 20, 24, 28].map((d, k) => `mov ${['eax', 'edx', 'esi', 'edi'][k % 4]}, [ebx+${d}]`);
const STORES8 = [0, 4, 8, 12, 16, 20, 24, 28].map((d, k) => `mov [ebx+${d + 32}], ${['eax', 'edx', 'esi', 'edi'][k % 4]}`);
const MOVES8 = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => `mov ${['eax', 'edx', 'esi', 'edi'][k % 4]}, ${['ebx', 'ecx', 'ebp', 'ebx'][k % 4]}`);

const LOOPS = {
  tight: { body: '', bodyInsns: 0, note: 'sub ecx, 1; jnz (1 instruction + jcc)' },
  tightDec: { body: '', bodyInsns: 0, control: 'dec ecx', note: 'dec ecx; jnz (dec keeps CF)' },
  alu16: { body: ALU16.join('\n'), bodyInsns: 16, note: '16 register ALU instructions + sub; jnz' },
  straight8: { body: ALU8.join('\n'), bodyInsns: 8, note: '8 ALU instructions + sub; jnz, one block' },
  blocks8: { body: BLOCKS8, bodyInsns: 15, blocks: 8, note: 'the same 8 ALU instructions as 8 blocks joined by 7 jmps' },
  loads8: { body: LOADS8.join('\n'), bodyInsns: 8, accesses: 8, note: '8 32-bit loads from one mapped page + sub; jnz' },
  stores8: { body: STORES8.join('\n'), bodyInsns: 8, accesses: 8, note: '8 32-bit stores to one mapped page + sub; jnz' },
  moves8: { body: MOVES8.join('\n'), bodyInsns: 8, note: '8 register moves + sub; jnz (baseline for loads8/stores8)' },
};
const codeCache = new Map();
function loopCode(key, iterations) {
  const id = `micro-${key}-${iterations}`;
  if (!codeCache.has(id)) codeCache.set(id, assemble(id, loopSource(LOOPS[key].body, iterations, LOOPS[key].control)));
  return codeCache.get(id);
}

/** A loop case: a bare machine made now (and warmed: decoded, translated), timed per run. */
function loopBench(name, key, iterations, engine, translator = {}) {
  const c = loopCase(dist, loopCode(key, iterations), engine, { ...translator, asyncCompile: false });
  const stats0 = c.vm.stats().translator;
  const icount0 = c.vm.icount;
  c.run();
  const stats1 = c.vm.stats().translator;
  const perRun = stats0 && {
    entries: stats1.entries - stats0.entries,
    chainHits: stats1.chainHits - stats0.chainHits,
    dispatchMisses: stats1.dispatchMisses - stats0.dispatchMisses,
    slowMemoryAccesses: stats1.slowMemoryAccesses - stats0.slowMemoryAccesses,
    helperInstructions: stats1.helperInstructions - stats0.helperInstructions,
  };
  const L = LOOPS[key];
  const instructions = c.vm.icount - icount0;
  const itersPerRun = iterations;
  return {
    name,
    fn: () => {
      c.run();
    },
    opts: FAST,
    meta: {
      loop: key, engine, translator, iterations: itersPerRun, instructions, perRunTranslatorStats: perRun,
      per: itersPerRun, unit: 'iteration', insnsPerIteration: L.bodyInsns + 2,
    },
  };
}

// Iteration counts: about 5-30 ms per run on a 2-core machine of 2026 for each engine.
const N_INTERP = 200_000;
const N_JIT = 2_000_000;
const N_JIT_JS = 100_000; // every block transition returns to JavaScript

const interpCases = [
  loopBench('interp: sub; jnz', 'tight', N_INTERP, 'interp'),
  loopBench('interp: 16 ALU + sub; jnz', 'alu16', N_INTERP, 'interp'),
  loopBench('interp: 8 ALU + sub; jnz, 1 block', 'straight8', N_INTERP, 'interp'),
  loopBench('interp: 8 ALU + sub; jnz, 8 blocks', 'blocks8', N_INTERP, 'interp'),
  loopBench('interp: 8 loads + sub; jnz', 'loads8', N_INTERP, 'interp'),
  loopBench('interp: 8 stores + sub; jnz', 'stores8', N_INTERP, 'interp'),
  loopBench('interp: 8 moves + sub; jnz', 'moves8', N_INTERP, 'interp'),
];

// interp is timed before anything is translated in this process (see translator.bench.mjs).
await runSuite('1-2. decoder and interpreter', [...decoderCases, ...interpCases]);
// Then translation stages (3, in a child process), then the jit loops (4-5). The interpreter's machines can go now.
interpCases.length = 0;
const tr = await translationStagesInChild();

// ------------------------------------------------------------------ jit loops

const ONE_BLOCK = { maxRegionBlocks: 1 };
const jitCases = [
  loopBench('jit: sub; jnz', 'tight', N_JIT, 'jit'),
  loopBench('jit: dec; jnz', 'tightDec', N_JIT, 'jit'),
  loopBench('jit: 8 ALU + sub; jnz, 1 block', 'straight8', N_JIT, 'jit'),
  loopBench('jit: 8 blocks, one region', 'blocks8', N_JIT, 'jit'),
  loopBench('jit: 8 blocks, a region each (dispatch cache)', 'blocks8', N_JIT / 10, 'jit', ONE_BLOCK),
  loopBench('jit: 8 blocks, a region each, no dispatch cache (via JS)', 'blocks8', N_JIT_JS, 'jit', { ...ONE_BLOCK, chaining: false }),
  loopBench('jit: 8 loads + sub; jnz', 'loads8', N_JIT, 'jit'),
  loopBench('jit: 8 stores + sub; jnz', 'stores8', N_JIT, 'jit'),
  loopBench('jit: 8 moves + sub; jnz', 'moves8', N_JIT, 'jit'),
  loopBench('jit inlineTlb false: 8 loads + sub; jnz', 'loads8', N_JIT / 5, 'jit', { inlineTlb: false }),
  loopBench('jit inlineTlb false: 8 stores + sub; jnz', 'stores8', N_JIT / 5, 'jit', { inlineTlb: false }),
];
await runSuite('4-5. jit loops: block dispatch, soft TLB', jitCases);

// ------------------------------------------------------------------ results

const rows = [];
const results = [];
/** A table row (and JSON entry): value in unit, with how it was obtained. */
function row(section, name, value, unit, note, digits = 2) {
  results.push({ section, name, value, unit, note });
  const v = Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(digits)) : 'n/a';
  rows.push([name, v, unit, note]);
}
const ns = (name, per) => (sec(name) * 1e9) / per;
const perIter = (name) => ns(name, measured.get(name).meta.iterations);

// 1. decoder
{
  const s = sec(decoderCases[0].name);
  row('decoder', 'decoder throughput', decodedPerSweep / s / 1e6, 'M insn/s',
    `${decodedPerSweep.toLocaleString('en-US')} instructions (${(text.bytes.length / 1024).toFixed(0)} KiB .text of ${decoderProgram}.c -O2 -static) per sweep`);
  row('decoder', 'decoder time per instruction', (s * 1e9) / decodedPerSweep, 'ns/insn', `${((text.bytes.length / s) / 1e6).toFixed(1)} MB/s`);
}

// 2. interpreter
{
  const t0 = perIter('interp: sub; jnz');
  const t16 = perIter('interp: 16 ALU + sub; jnz');
  const perInsnNs = (t16 - t0) / 16;
  row('interp', 'interp: sub; jnz loop', 2e3 / t0, 'MIPS', `${t0.toFixed(1)} ns per iteration (the pair runs as one fused op)`);
  row('interp', 'interp: 16 ALU + sub; jnz loop', 18e3 / t16, 'MIPS', `${t16.toFixed(1)} ns per iteration`);
  row('interp', 'interp: cost per ALU instruction', perInsnNs, 'ns/insn', '(16-ALU loop − sub;jnz loop) / 16');
  row('interp', 'interp: cost per block (dispatch + fused sub;jnz)', t0, 'ns/block', 'the sub;jnz loop: one block per iteration');
  const s8 = perIter('interp: 8 ALU + sub; jnz, 1 block'), b8 = perIter('interp: 8 ALU + sub; jnz, 8 blocks');
  row('interp', 'interp: block transition (jmp to next block)', (b8 - s8) / 7, 'ns/transition', '(8 blocks − 1 block) / 7; each jmp is also an instruction');
}

// 3. translation
{
  const us = (name) => (sec(name) * 1e6) / tr.instructions;
  const note = `${tr.regions} regions / ${tr.instructions} insns of ${tr.program}.c`;
  const dTotal = us('translate: direct, compileRegion (emit timed inside)');
  const dEmit = dTotal * tr.shares.direct.emit;
  const dBuild = dTotal - dEmit;
  row('translate', 'direct: compileRegion total', dTotal, 'µs/insn', `${note}; the translator's codegenMs`);
  row('translate', 'direct: build (region compiler → IR)', dBuild, 'µs/insn',
    `total − emit; build-only run (emitBinary skipped): ${us('translate: direct, build only (emitBinary skipped)').toFixed(2)}`);
  row('translate', 'direct: emitBinary (encode)', dEmit, 'µs/insn', `timed inside compileRegion (${(100 * tr.shares.direct.emit).toFixed(0)}%); ${(tr.wasmBytes / tr.instructions).toFixed(0)} bytes of wasm per insn`);
  const bTotal = us('translate: binaryen, compileRegion (validate, emit timed inside)');
  const bValidate = bTotal * tr.shares.binaryen.validate;
  const bEmit = bTotal * tr.shares.binaryen.emit;
  const bBuild = bTotal - bValidate - bEmit;
  row('translate', 'binaryen: compileRegion total', bTotal, 'µs/insn', `--codegen binaryen (validating); ${fmtX(bTotal / dTotal)} direct`);
  row('translate', 'binaryen: build (region compiler → Binaryen IR)', bBuild, 'µs/insn', `total − validate − emit; ${fmtX(bBuild / dBuild)} the direct build`);
  row('translate', 'binaryen: validate', bValidate, 'µs/insn', `timed inside (${(100 * tr.shares.binaryen.validate).toFixed(0)}%); skipped with WV_NOVALIDATE=1`);
  row('translate', 'binaryen: emitBinary', bEmit, 'µs/insn', `timed inside (${(100 * tr.shares.binaryen.emit).toFixed(0)}%); ${fmtX(bEmit / dEmit)} the direct emit`);
  row('translate', 'engine: new WebAssembly.Module (lazy)', us('engine: new WebAssembly.Module (lazy, as the translator)'), 'µs/insn', "what the translator does (compileMs); functions compile on first call");
  row('translate', 'engine: WebAssembly.compile (async)', us('engine: WebAssembly.compile (async, one at a time)'), 'µs/insn', 'wall time, awaited one module at a time (asyncCompile)');
  row('translate', 'engine: eager Liftoff compile', us('engine: new WebAssembly.Module, eager Liftoff'), 'µs/insn', '--no-wasm-lazy-compilation: every function by the baseline compiler');
  row('translate', 'engine: eager TurboFan compile', us('engine: new WebAssembly.Module, eager TurboFan'), 'µs/insn', '--no-liftoff: every function optimised (tier-up does only hot ones)');
  row('translate', 'engine: new WebAssembly.Instance', us('engine: new WebAssembly.Instance'), 'µs/insn', 'one instance per region, as install() does');
}

// jit loop control
{
  const sub = perIter('jit: sub; jnz'), dec = perIter('jit: dec; jnz');
  row('jit', 'jit: sub ecx, 1; jnz loop', sub, 'ns/iteration', `${(2 / sub).toFixed(2)} G insn/s`);
  row('jit', 'jit: dec ecx; jnz loop', dec, 'ns/iteration', `${fmtX(dec / sub)} the sub loop: dec keeps CF, which goes through memory each iteration`);
}

// 4. block dispatch
{
  const straight = perIter('jit: 8 ALU + sub; jnz, 1 block');
  const transitions = 8; // 7 jmps + the back edge, per iteration
  const one = perIter('jit: 8 blocks, one region');
  const cache = perIter('jit: 8 blocks, a region each (dispatch cache)');
  const viaJs = perIter('jit: 8 blocks, a region each, no dispatch cache (via JS)');
  const st = (name) => measured.get(name).meta.perRunTranslatorStats;
  const hits = st('jit: 8 blocks, a region each (dispatch cache)');
  const misses = st('jit: 8 blocks, a region each, no dispatch cache (via JS)');
  row('dispatch', 'jit: 8 ALU + sub; jnz as one block', straight, 'ns/iteration', `${(10e3 / straight).toFixed(0)} MIPS (baseline)`);
  row('dispatch', 'jit: block transition inside a region', (one - straight) / transitions, 'ns/transition', `(8-block loop − 1-block loop) / 8; jmps become structured branches; ${one.toFixed(2)} ns/iteration`);
  row('dispatch', 'jit: block transition via dispatch cache (wasm)', (cache - straight) / transitions, 'ns/transition',
    `maxRegionBlocks 1: write-back, cache probe, return_call_indirect; ${(hits.chainHits / (measured.get('jit: 8 blocks, a region each (dispatch cache)').meta.iterations * transitions) * 100).toFixed(0)}% of transitions were chain hits`);
  row('dispatch', 'jit: block transition via JavaScript', (viaJs - straight) / transitions, 'ns/transition',
    `maxRegionBlocks 1, dispatch cache disabled: Exit.MISS, run loop, Map lookup, entry; ${misses.dispatchMisses} misses per ${measured.get('jit: 8 blocks, a region each, no dispatch cache (via JS)').meta.iterations * transitions} transitions`);
}

// 5. soft TLB
{
  const net = (mem, base) => (perIter(mem) - perIter(base)) / 8;
  const raw = (mem) => perIter(mem) / 8;
  const cases5 = [
    ['jit, inline TLB', 'jit: 8 loads + sub; jnz', 'jit: 8 stores + sub; jnz', 'jit: 8 moves + sub; jnz'],
    ['jit, inlineTlb false (helper call)', 'jit inlineTlb false: 8 loads + sub; jnz', 'jit inlineTlb false: 8 stores + sub; jnz', 'jit: 8 moves + sub; jnz'],
    ['interp', 'interp: 8 loads + sub; jnz', 'interp: 8 stores + sub; jnz', 'interp: 8 moves + sub; jnz'],
  ];
  for (const [label, loads, stores, base] of cases5) {
    const slow = measured.get(loads).meta.perRunTranslatorStats?.slowMemoryAccesses;
    const slowNote = slow !== undefined ? `; ${slow} helper accesses per run of ${measured.get(loads).meta.iterations * 8}` : '';
    row('tlb', `${label}: load`, net(loads, base), 'ns/access', `(8-load loop − 8-move loop) / 8; raw ${raw(loads).toFixed(2)}${slowNote}`);
    row('tlb', `${label}: store`, net(stores, base), 'ns/access', `(8-store loop − 8-move loop) / 8; raw ${raw(stores).toFixed(2)}; stores also check for writes to code`);
  }
}

function fmtX(x) {
  return Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×` : 'n/a';
}

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  loadAverage1m: { start: loadAtStart, end: os.loadavg()[0] },
};
const totalS = (performance.now() - benchStarted) / 1000;
const md = [
  '# wasmvisor micro benchmarks\n',
  `${machine.date} — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}. ` +
    `1-minute load average ${machine.loadAverage1m.start.toFixed(1)} at the start, ${machine.loadAverage1m.end.toFixed(1)} at the end.`,
  `Bench time ${totalS.toFixed(0)} s. Values are from benny medians (fastest sample for the compileRegion runs); derived rows (differences of two loops) say how. See bench/micro.bench.mjs.\n`,
  markdownTable(['name', 'value', 'unit', 'note'], rows, ['l', 'r', 'l', 'l']),
  '\n## Cases (time per op used above: benny median, or fastest sample where marked min)\n',
  markdownTable(
    ['case', 'ms per op', 'stat', 'median ms', 'samples', '±%'],
    [...measured.entries()].map(([name, m]) => [name, (m.seconds * 1000).toFixed(3), m.stat, (m.median * 1000).toFixed(3), String(m.samples), String(m.margin)]),
  ),
];
const mdText = md.join('\n') + '\n';
saveResults('micro', mdText, {
  machine,
  benchSeconds: totalS,
  benny: { fast: FAST, slow: SLOW, slowest: SLOWEST },
  translatorDefaults: Object.fromEntries(Object.entries(DEFAULT_TRANSLATOR_OPTIONS).filter(([, v]) => typeof v !== 'function')),
  loops: Object.fromEntries(Object.entries(LOOPS).map(([k, l]) => [k, { note: l.note, source: loopSource(l.body, 'N', l.control) }])),
  decoder: { program: decoderProgram, textBytes: text.bytes.length, instructionsPerSweep: decodedPerSweep },
  translation: tr,
  results,
  cases: Object.fromEntries([...measured.entries()].map(([name, m]) => [name, { msPerOp: m.seconds * 1000, stat: m.stat, minMs: m.min * 1000, medianMs: m.median * 1000, samples: m.samples, margin: m.margin, ...m.meta }])),
    });
