// The embedding API against `wasmvisor run`, and the fuzz example's cycle.
//
// 1. The same guest code, longest_chain(LIMIT) from examples/guest/collatz.c,
//    run two ways under engine auto, in this process, each from a fresh VM:
//    - through the API: new Emulator, map and write the image, run({ until });
//    - as `wasmvisor run` runs a program: runLinuxProgram on a freestanding
//      static ELF whose _start calls longest_chain and exits (no libc, so no
//      start-up code the API run would not have).
//    The two alternate, which goes first alternating too, after a warm-up of
//    each; the medians are compared (plain timing rather than benny, whose
//    cases run one after the other: on a shared machine a load change between
//    them skews the ratio).
// 2. The fuzz harness' cycle (examples/fuzz.mjs): restoreContext, write a
//    16-byte input, run parse() to its return; cycles per second over 20,000
//    cycles, and restoreContext alone per second.
// Writes bench/results/embed.md. Uses dist/ (build first; `npm run bench:embed` does).
// Usage: node bench/embed.bench.mjs [--rounds R] [--limit N] (defaults 7, 300000).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BUILD_DIR, RESULTS_DIR, ROOT, markdownTable } from './lib.mjs';

const { Emulator, Prot, runLinuxProgram } = await import('../dist/index.js');
const { BASE, RETURN, STACK_TOP, buildGuest, prepareCall } = await import('../examples/lib/guest.mjs');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const rounds = arg('--rounds', 7);
const limit = arg('--limit', 300000);

/** examples/guest/collatz.c with a _start that calls longest_chain(limit) and exits with the result's low byte. */
function buildProgram() {
  mkdirSync(BUILD_DIR, { recursive: true });
  const start = join(BUILD_DIR, 'collatz-start.s');
  const program = join(BUILD_DIR, 'collatz-run');
  writeFileSync(start, `.section .note.GNU-stack,"",@progbits\n.text\n.intel_syntax noprefix\n.globl _start\n_start:\n  push ${limit}\n  call longest_chain\n  mov ebx, eax\n  mov eax, 1\n  int 0x80\n`);
  execFileSync('gcc', ['-m32', '-O2', '-ffreestanding', '-fno-pic', '-fno-pie', '-no-pie', '-fno-stack-protector', '-nostdlib', '-static', '-o', program, start, join(ROOT, 'examples', 'guest', 'collatz.c')]);
  return program;
}

const guest = buildGuest('collatz');
const program = buildProgram();

function viaApi() {
  const emu = new Emulator({ engine: 'auto' });
  emu.map(BASE, Math.ceil(guest.image.length / 4096) * 4096, Prot.READ | Prot.EXEC);
  emu.writeMemory(BASE, guest.image);
  emu.map(STACK_TOP - 0x10000, 0x10000, Prot.READ | Prot.WRITE);
  prepareCall(emu, guest.symbols.get('longest_chain'), [limit]);
  const stop = emu.run({ until: RETURN });
  if (stop.reason !== 'until') throw new Error(`API run ended with ${JSON.stringify(stop)}`);
  return emu.readRegister('eax') & 0xff;
}

async function viaRun() {
  return runLinuxProgram({ program, args: [program], engine: 'auto', stdio: { stdin: new Uint8Array(0), stdout: () => {}, stderr: () => {} }, diag: () => {} });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const api = [], run = [];
if (viaApi() !== (await viaRun())) throw new Error('the API run and wasmvisor run disagree on the result');
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [['run', viaRun], ['api', viaApi]] : [['api', viaApi], ['run', viaRun]];
  for (const [name, fn] of order) {
    const t0 = performance.now();
    await fn();
    (name === 'api' ? api : run).push(performance.now() - t0);
  }
}

// The fuzz cycle, as examples/fuzz.mjs does it.
const parser = buildGuest('parser');
const INPUT = 0x400000;
const emu = new Emulator({ engine: 'auto' });
emu.map(BASE, Math.ceil(parser.image.length / 4096) * 4096, Prot.READ | Prot.EXEC);
emu.writeMemory(BASE, parser.image);
emu.map(STACK_TOP - 0x10000, 0x10000, Prot.READ | Prot.WRITE);
emu.map(INPUT, 0x1000, Prot.READ);
prepareCall(emu, parser.symbols.get('parse'), [INPUT, 16]);
const context = emu.saveContext();
const input = Uint8Array.of(1, 3, 10, 20, 30, 2, 2, 7, 9, 3, 3, 1, 5, 6, 4, 0);
const CYCLES = 20000;
let t0 = performance.now();
for (let i = 0; i < CYCLES; i++) {
  emu.restoreContext(context);
  input[2] = i & 0xff;
  emu.writeMemory(INPUT, input);
  if (emu.run({ until: RETURN }).reason !== 'until') throw new Error('parse() did not return');
}
const cycleS = (performance.now() - t0) / 1000;
t0 = performance.now();
for (let i = 0; i < CYCLES; i++) emu.restoreContext(context);
const restoreS = (performance.now() - t0) / 1000;

const apiMs = median(api), runMs = median(run);
const rows = [
  ['longest_chain via the Emulator API (auto)', apiMs.toFixed(1), `${(apiMs / runMs).toFixed(2)}×`],
  ['the same code via runLinuxProgram (`wasmvisor run`, auto)', runMs.toFixed(1), '1.00×'],
];
const cycleRows = [
  ['restoreContext + 16-byte input + parse() to its return', String(Math.round(CYCLES / cycleS))],
  ['restoreContext alone', String(Math.round(CYCLES / restoreS))],
];
const header = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}; ${new Date().toISOString()}; load ${os.loadavg()[0].toFixed(1)}`;
const text = [
  `# Embedding API (bench/embed.bench.mjs)`,
  '',
  header,
  '',
  `longest_chain(${limit}), ${rounds} alternating rounds, median wall time per run (VM creation, translation and compiling included):`,
  '',
  markdownTable(['run', 'ms', 'vs wasmvisor run'], rows),
  '',
  `The fuzz example's cycle, ${CYCLES} cycles:`,
  '',
  markdownTable(['cycle', 'per second'], cycleRows),
  '',
].join('\n');
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(join(RESULTS_DIR, 'embed.md'), text);
console.log(text);
