#!/usr/bin/env node
// Differential fuzzing of the interpreter against the real CPU (longer runs
// than tests/fuzz/interp-fuzz.test.ts).
//
//   node scripts/interp-fuzz.mjs [seed] [cases] [options]
//
//   seed      first seed (default 1)
//   cases     total number of cases (default 20000), split over programs of
//             --chunk cases (default 2500) with consecutive seeds
//   --jobs N  programs run at once (default 2)
//   --filter  REGEX   only rows whose name ("shld Ev,Gv,CL (0F A5)") matches
//   --keep    keep the build directory (printed)
//   --reports N  divergences minimised and printed per program (default 10)
//   --sequences P  share of cases that are sequences of 2-4 instructions
//             (default 0.35)
//
// Needs a built project (npx tsc -p tsconfig.json): it uses dist/decoder and
// dist/cli/main.js. The generator and the harness are the TypeScript files of
// tests/fuzz/, transpiled on the fly with the project's TypeScript. Prints
// every divergence (minimised to one instruction where possible) and a
// coverage summary; exits with status 1 when there is any divergence.

import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = { seed: 1, cases: 20000, chunk: 2500, jobs: 2, filter: null, keep: false, reports: 10, sequences: undefined };
  const pos = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--chunk') o.chunk = Number(argv[++i]);
    else if (a === '--jobs') o.jobs = Number(argv[++i]);
    else if (a === '--filter') o.filter = new RegExp(argv[++i]);
    else if (a === '--keep') o.keep = true;
    else if (a === '--reports') o.reports = Number(argv[++i]);
    else if (a === '--sequences') o.sequences = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else pos.push(a);
  }
  if (pos[0] !== undefined) o.seed = Number(pos[0]);
  if (pos[1] !== undefined) o.cases = Number(pos[1]);
  return o;
}

/** Transpiles tests/fuzz/{generate,harness}.ts into a temporary ES module directory. */
async function loadHarness() {
  const out = mkdtempSync(join(tmpdir(), 'wasmvisor-fuzz-js-'));
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  for (const name of ['generate', 'harness']) {
    const src = readFileSync(join(ROOT, 'tests/fuzz', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: `${name}.ts`,
    }).outputText;
    writeFileSync(join(out, `${name}.js`), js);
  }
  const harness = await import(pathToFileURL(join(out, 'harness.js')).href);
  const generate = await import(pathToFileURL(join(out, 'generate.js')).href);
  rmSync(out, { recursive: true, force: true });
  return { harness, generate };
}

const opts = parseArgs(process.argv.slice(2));
const host = await import(pathToFileURL(join(ROOT, 'dist/bench/host-i386.js')).href);
if (!host.hostRunsI386()) {
  console.error('interp-fuzz: this host cannot run i386 executables (its kernel has no IA-32 emulation); the fuzzer needs the real CPU as its oracle');
  process.exit(2);
}
const decoder = await import(pathToFileURL(join(ROOT, 'dist/decoder/index.js')).href);
const { harness, generate } = await loadHarness();

const deps = {
  table: decoder.ISA_TABLE,
  cli: join(ROOT, 'dist/cli/main.js'),
  decode(bytes) {
    const r = decoder.decode(bytes, 0, bytes.length, 0, 4);
    return r.ok ? { row: r.insn.entry, length: r.insn.length, text: decoder.formatInstruction(r.insn) } : null;
  },
};

const sel = generate.selectRows(decoder.ISA_TABLE);
if (sel.unmodelled.length) {
  console.error(`rows neither fuzzed nor excluded:\n  ${sel.unmodelled.map(generate.rowName).join('\n  ')}`);
  process.exit(2);
}
const rowFilter = opts.filter ? (row) => opts.filter.test(generate.rowName(row)) : undefined;

const seeds = [];
for (let done = 0, s = opts.seed; done < opts.cases; done += opts.chunk, s++) seeds.push([s, Math.min(opts.chunk, opts.cases - done)]);
const dir = opts.keep ? mkdtempSync(join(tmpdir(), 'wasmvisor-fuzz-')) : undefined;
if (dir) console.log(`build directory: ${dir}`);

const results = [];
let next = 0;
async function worker() {
  while (next < seeds.length) {
    const [seed, count] = seeds[next++];
    const r = await harness.fuzzSeed(deps, seed, count, { rowFilter, maxReports: opts.reports, dir, keep: opts.keep, sequenceRate: opts.sequences });
    results.push(r);
    const status = r.nativeError ? `NATIVE FAILED: ${r.nativeError}`
      : r.differing ? `${r.differing} differing case(s)${r.emuExit ? `; wasmvisor ${r.emuExit}` : ''}`
      : r.emuExit ? `wasmvisor ${r.emuExit}` : 'ok';
    console.log(`seed ${seed}: ${r.cases} cases, ${r.instructions} instructions, ${r.ms} ms: ${status}`);
    for (const e of r.encodingErrors.slice(0, 10)) console.log(`  encoding self-check: ${e}`);
    if (r.strayWrite) console.log(`  ${r.strayWrite}`);
    for (const d of r.divergences) console.log(d.report.replace(/^/gm, '  ') + '\n');
  }
}
await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
results.sort((a, b) => a.seed - b.seed);

console.log('\n' + harness.summary(results, decoder.ISA_TABLE, rowFilter ? sel.included.filter(rowFilter) : sel.included));
const excludedByReason = new Map();
for (const { reason } of sel.excluded) excludedByReason.set(reason, (excludedByReason.get(reason) ?? 0) + 1);
console.log(`excluded rows: ${sel.excluded.length}`);
for (const [reason, n] of excludedByReason) console.log(`  ${n} ${reason}`);
for (const r of generate.rowRestrictions()) console.log(`  restricted: ${r.reason}`);

const failing = results.filter((r) => r.nativeError || r.differing || r.encodingErrors.length || r.emuExit);
const differing = results.reduce((n, r) => n + r.differing, 0);
console.log(`\n${failing.length ? `FAILING seeds: ${failing.map((r) => r.seed).join(' ')}` : 'no divergence'}; ${differing} differing case(s)`);
process.exit(failing.length ? 1 : 0);
