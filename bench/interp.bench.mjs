// Interpreter speed: guest instructions per second on a simple loop and on
// the corpus' compute programs. Run with `npm run bench` (builds first).
// benny times each case; guest instructions per case are counted by the VM,
// so MIPS = instructions per run × runs per second.
import b from 'benny';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { createBareMachine, Machine } from '../dist/index.js';
import { LinuxProcess, readElfFile } from '../dist/linux/index.js';
import { BENCH_DIR as here, assemble, buildGuest } from './lib.mjs';

/** A bare-machine loop: returns a runner and the instructions one run retires. */
function loopCase(source) {
  const code = assemble('loop', source);
  const { vm } = createBareMachine({ code, address: 0x1000, map: [[0x1000, 0x1000], [0x3000, 0x1000]] });
  const run = () => {
    vm.cpu.eip = 0x1000;
    vm.run();
  };
  run(); // warm: decode blocks once
  const before = vm.icount;
  run();
  return { run, instructions: vm.icount - before };
}

/** A corpus program under the Linux personality with its output discarded. */
function programCase(path) {
  const image = readElfFile(path);
  const once = () => {
    const proc = new LinuxProcess({ program: path, stdio: { stdout: () => {}, stderr: () => {} }, diag: () => {} });
    const vm = new Machine({ memoryBytes: 256 << 20, mapper: proc.mm, personality: proc });
    proc.attach(vm);
    proc.exec(image, [path], []);
    const r = vm.run();
    proc.dispose();
    if (r.kind !== 'exit' || r.status !== 0) throw new Error(`${path} ended with ${JSON.stringify(r)}`);
    return vm.icount;
  };
  const instructions = once();
  return { run: once, instructions };
}

const cases = {
  'simple loop (add, xor, dec, jnz)': loopCase(
    'mov ecx, 2500000\nxor eax, eax\n1: add eax, ecx\nxor edx, eax\ndec ecx\njnz 1b\nint 0x80',
  ),
  'loop with loads and stores': loopCase(
    'mov ecx, 1000000\nmov ebx, 0x3000\n1: mov eax, [ebx]\nadd eax, ecx\nmov [ebx+4], eax\ncmp ecx, 7\njb 2f\n2: dec ecx\njnz 1b\nint 0x80',
  ),
};
/** The same program as a child process (natively, or under qemu-user when the host has it). */
function processCase(argv, instructions) {
  return {
    run: () => {
      const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${argv.join(' ')} ended with status ${r.status}`);
    },
    instructions,
  };
}

const qemu = ['/usr/bin/qemu-i386', '/usr/bin/qemu-i386-static'].find((p) => existsSync(p));
const comparisons = [];
for (const name of ['sieve', 'matrix', 'hash', 'strings']) {
  if (!existsSync(join(here, '..', 'tests', 'guest', `${name}.c`))) continue;
  const path = buildGuest(name);
  const label = `${name}.c -O2`;
  const wv = programCase(path);
  cases[`corpus ${label}`] = wv;
  cases[`native ${label}`] = processCase([path], wv.instructions);
  if (qemu) cases[`qemu-i386 ${label}`] = processCase([qemu, path], wv.instructions);
  comparisons.push(label);
}

console.log('cases ready');
const results = [];
await b.suite(
  'wasmvisor interpreter (guest MIPS)',
  // Few, long samples: each run is a whole guest program (and a fresh VM).
  ...Object.entries(cases).map(([name, c]) => b.add(name, () => c.run(), { minSamples: 3, maxTime: 3, initCount: 1 })),
  b.cycle((r) => {
    const c = cases[r.name];
    const mips = (r.ops * c.instructions) / 1e6;
    results.push({ name: r.name, runsPerSecond: r.ops, instructionsPerRun: c.instructions, mips, margin: r.margin });
    console.log(`  ${r.name}: ${mips.toFixed(1)} MIPS (${c.instructions} instructions per run, ±${r.margin}%)`);
  }),
  b.complete(),
);

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`;
const out = join(here, 'results', 'interp.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2) + '\n');
console.log(`\nwritten ${out}`);
console.log('\n| workload | guest MIPS | instructions per run |\n| --- | ---: | ---: |');
for (const r of results) {
  if (r.name.startsWith('native ') || r.name.startsWith('qemu-i386 ')) continue;
  console.log(`| ${r.name} | ${r.mips.toFixed(1)} | ${r.instructionsPerRun.toLocaleString('en-US')} |`);
}
console.log(`\nMachine: ${machine}`);

// Whole-program wall time, one run each measured above (processes include their start-up).
const byName = Object.fromEntries(results.map((r) => [r.name, r]));
const ms = (r) => (r ? 1000 / r.runsPerSecond : NaN);
console.log('\n| program | wasmvisor interp | native | qemu-i386 | interp / native | interp / qemu |\n| --- | ---: | ---: | ---: | ---: | ---: |');
for (const label of comparisons) {
  const w = ms(byName[`corpus ${label}`]), n = ms(byName[`native ${label}`]), q = ms(byName[`qemu-i386 ${label}`]);
  const f = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');
  const ratio = (x) => (Number.isFinite(x) ? `${(w / x).toFixed(1)}×` : 'n/a');
  console.log(`| ${label} | ${f(w)} | ${f(n)} | ${f(q)} | ${ratio(n)} | ${ratio(q)} |`);
}
