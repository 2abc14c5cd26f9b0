// Parallel VMs: kernels booted by runVms (dist/system/vm-pool.js) as 1 VM, and as
// N VMs in parallel (N = the machine's cores, at least 2), each in its own worker
// thread. One op = one runVms call, worker start-up and module loading included
// (what `wasmvisor boot --vms N` costs). Two workloads:
//   - hello: the bundled hello-kernel (guests/hello-kernel: prints its banner,
//     counts the primes below 2,000,000, halts), about 27 M guest instructions;
//     a fresh worker's start-up (loading and warming up the emulator) is most of it;
//   - spin: tests/guest/system/spin.S (inc; jmp forever, assembled with as/ld into
//     a temporary directory) stopped by --max-instructions (status 124 expected):
//     guest execution dominates.
// Reports VMs completed per second for each case, and the ratio N vs 1 (N VMs on
// N idle cores would ideally give N).
//
// Plain timing, not benny: benny runs one case after the other, so on a shared
// machine a load that comes or goes between the two cases skews their ratio. Here
// 1 VM and N VMs alternate, op by op (which goes first alternates too), after a
// warm-up op of each, and each case's median is used. CPU time (every thread of
// this process) per VM is reported too: when the N-VM case's wall time is about
// its CPU time, the VMs did not get N cores (another job had them) and the ratio
// says so. Prints a table; writes nothing but the temporary kernel. Uses the
// compiled JavaScript in dist/ (build first; `npm run bench:vms` does).
// Usage: node bench/vms.bench.mjs [--rounds R] (default 6; about 25 s on a 2-core machine).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { GUEST_SRC, ROOT, markdownTable } from './lib.mjs';

const { runVms } = await import('../dist/system/vm-pool.js');

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg !== -1 ? Number(process.argv[roundsArg + 1]) : 6;
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: "${process.argv[roundsArg + 1]}" is not a positive integer`);
const cores = os.availableParallelism();
const parallel = Math.max(2, cores);
const hello = { append: '', memory: 128 << 20, engine: 'auto' };
const SPIN_INSTRUCTIONS = 2_000_000_000;

/** tests/guest/system/spin.S as a multiboot kernel, linked as the tests link theirs. */
function buildSpinKernel() {
  const dir = mkdtempSync(join(os.tmpdir(), 'wasmvisor-vms-bench-'));
  const systemGuests = join(GUEST_SRC, 'system');
  execFileSync('as', ['--32', '-I', systemGuests, '-o', join(dir, 'spin.o'), join(systemGuests, 'spin.S')]);
  execFileSync('ld', ['-m', 'elf_i386', '-T', join(ROOT, 'guests', 'hello-kernel', 'link.ld'), '--no-warn-rwx-segments', '-o', join(dir, 'spin.elf'), join(dir, 'spin.o')]);
  return join(dir, 'spin.elf');
}
const workloads = [
  { name: 'hello', boot: hello, status: 0 },
  { name: 'spin', boot: { ...hello, kernel: buildSpinKernel(), maxInstructions: SPIN_INSTRUCTIONS }, status: 124 },
];
const loadAtStart = os.loadavg()[0];

/** One runVms call of `count` VMs of a workload: its wall and CPU time, each VM checked to have ended as expected. */
async function op(workload, count) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await runVms({ count, boot: workload.boot, onOutput: () => {} });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (const r of results) {
    if (r.status !== workload.status) throw new Error(`${workload.name}: vm${r.vm} ended with status ${r.status}${r.message ? `: ${r.message}` : ''}`);
  }
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, instructions: results.reduce((s, r) => s + r.instructions, 0) };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const counts = [1, parallel];
const rows = [];
const ratios = [];
for (const w of workloads) {
  const samples = new Map(counts.map((c) => [c, []]));
  // Warm-up: the file system cache, and this thread's own code for runVms.
  for (const c of counts) await op(w, c);
  for (let round = 0; round < rounds; round++) {
    for (const c of round % 2 ? [...counts].reverse() : counts) samples.get(c).push(await op(w, c));
  }
  const rate = new Map();
  for (const c of counts) {
    const s = samples.get(c);
    const wall = median(s.map((x) => x.wallMs));
    rate.set(c, (c * 1000) / wall);
    rows.push([
      `${w.name}, ${c === 1 ? '1 VM' : `${c} VMs in parallel`}`,
      wall.toFixed(0),
      `${Math.min(...s.map((x) => x.wallMs)).toFixed(0)}–${Math.max(...s.map((x) => x.wallMs)).toFixed(0)}`,
      rate.get(c).toFixed(2),
      (median(s.map((x) => x.cpuMs)) / c).toFixed(0),
      (s[0].instructions / c / 1e6).toFixed(1),
    ]);
  }
  ratios.push(`${w.name}: ${(rate.get(parallel) / rate.get(1)).toFixed(2)}×`);
}
console.log(
  `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.version}; ${rounds} rounds; ` +
    `1-minute load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end.\n`,
);
console.log(markdownTable(['case', 'ms per op (median)', 'range ms', 'VMs per second', 'CPU ms per VM (median)', 'M guest instructions per VM'], rows));
console.log(`\nthroughput ratio (VMs per second), ${parallel} VMs vs 1 (ideal ${Math.min(parallel, cores)}×): ${ratios.join(', ')}`);
