import os from 'node:os';
import { BenchSetupError } from './errors.js';
import { type BenchEngine, type RunResult, runOnce } from './engines.js';
import { findQemu, hostRunsI386 } from './host-i386.js';
import { type Prepared, type Workload, loadSuite } from './suite.js';

export interface BenchOptions {
  /** Workload names (default: the whole suite). */
  workloads?: string[];
  engines: BenchEngine[];
  /** Runs per workload and engine (at most; see maxCellSeconds). */
  runs: number;
  /** A cell stops repeating once its runs took this long (one run is always made; a quarter of it for the sweep's cells). */
  maxCellSeconds: number;
  /** Quick sizes and one run: a smoke test of every engine's checksums. */
  quick: boolean;
  /** Workloads whose size sweep runs too (they must have sweep sizes). */
  sweep: string[];
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
}

/** All runs of one workload at one size under one engine. */
export interface Cell {
  workload: string;
  engine: BenchEngine;
  size: number;
  runs: RunResult[];
}

export interface BenchReport {
  startedAt: string;
  durationS: number;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string; loadAtStart: number; loadAtEnd: number };
  options: { engines: BenchEngine[]; runs: number; quick: boolean; maxCellSeconds: number };
  workloads: { name: string; stresses: string; size: number; unit: string }[];
  cells: Cell[];
  sweep: Cell[];
  /** Engines or workloads left out, and why. */
  skipped: string[];
  /** Runs whose output or exit status differed from the reference run's: the bench fails. */
  mismatches: string[];
}

interface Job {
  workload: Workload;
  prepared: Prepared;
  engines: BenchEngine[];
  size: number;
  into: Cell[];
}

/** Runs the suite; every run's output is checked against the reference (native when it ran). */
export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const progress = opts.progress ?? (() => {});
  const loadAtStart = os.loadavg()[0];
  const suite = loadSuite();
  const unknown = (opts.workloads ?? []).filter((n) => !suite.some((w) => w.name === n));
  if (unknown.length > 0) {
    throw new BenchSetupError(`unknown workload ${unknown.join(', ')} (the suite has: ${suite.map((w) => w.name).join(', ')})`);
  }
  const chosen = opts.workloads?.length ? suite.filter((w) => opts.workloads!.includes(w.name)) : suite;
  const skipped: string[] = [];
  let engines = [...opts.engines];
  let qemu: string | null = null;
  if (engines.includes('qemu')) {
    qemu = findQemu();
    if (qemu === null) {
      skipped.push('qemu: qemu-i386 is not installed (apt-get install qemu-user)');
      engines = engines.filter((e) => e !== 'qemu');
    }
  }

  if (engines.includes('native') && !hostRunsI386()) {
    skipped.push('native: this host cannot run i386 executables (its kernel has no IA-32 emulation)');
    engines = engines.filter((e) => e !== 'native');
  }

  const jobs: Job[] = [];
  const cells: Cell[] = [];
  const sweepCells: Cell[] = [];
  const workloads: BenchReport['workloads'] = [];
  for (const w of chosen) {
    if (w.pending) {
      skipped.push(`${w.name}: ${w.pending}`);
      continue;
    }
    let prepared: Prepared;
    const size = opts.quick ? w.quick : w.size;
    try {
      prepared = w.prepare(size);
    } catch (e) {
      if (!(e instanceof BenchSetupError)) throw e;
      // A C workload that cannot be built stops the bench; a download that fails only leaves that workload out.
      if (!w.name.startsWith('busybox')) throw e;
      skipped.push(`${w.name}: ${e.message}`);
      continue;
    }
    workloads.push({ name: w.name, stresses: w.stresses, size, unit: w.unit });
    jobs.push({ workload: w, prepared, engines, size, into: cells });
  }
  for (const name of opts.quick ? [] : opts.sweep) {
    const w = chosen.find((x) => x.name === name) ?? suite.find((x) => x.name === name);
    if (!w?.sweep) throw new BenchSetupError(`workload ${name} has no sweep sizes (those that do: ${suite.filter((x) => x.sweep).map((x) => x.name).join(', ')})`);
    for (const size of w.sweep) jobs.push({ workload: w, prepared: w.prepare(size), engines, size, into: sweepCells });
  }

  const runs = opts.quick ? 1 : Math.max(1, opts.runs);
  const mismatches: string[] = [];
  for (const [j, job] of jobs.entries()) {
    const jobCells = job.engines.map((engine) => ({ workload: job.workload.name, engine, size: job.size, runs: [] as RunResult[] }));
    job.into.push(...jobCells);
    const spentMs = new Map<BenchEngine, number>();
    // The sweep's points only draw a curve: a quarter of the time budget each keeps the interpreter's large sizes to one run.
    const limitMs = (job.into === sweepCells ? opts.maxCellSeconds / 4 : opts.maxCellSeconds) * 1000;
    // Engines take turns run by run, so a slow spell of a shared machine does not land on one engine.
    for (let r = 0; r < runs; r++) {
      for (const cell of jobCells) {
        const spent = spentMs.get(cell.engine) ?? 0;
        if (r > 0 && spent > limitMs) continue;
        const result = await runOnce(cell.engine, job.prepared, qemu);
        cell.runs.push(result);
        spentMs.set(cell.engine, spent + result.wallMs);
        progress(
          `[${j + 1}/${jobs.length}] ${job.workload.name} ${job.size} ${job.workload.unit}: ${cell.engine} ` +
            `run ${r + 1}: ${(result.wallMs / 1000).toFixed(3)} s${result.status !== 0 ? ` (exit status ${result.status})` : ''}`,
        );
      }
    }
    mismatches.push(...checkOutputs(jobCells));
  }

  return {
    startedAt,
    durationS: (performance.now() - started) / 1000,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAtStart,
      loadAtEnd: os.loadavg()[0],
    },
    options: { engines, runs, quick: opts.quick, maxCellSeconds: opts.maxCellSeconds },
    workloads,
    cells,
    sweep: sweepCells,
    skipped: [...new Set(skipped)],
    mismatches,
  };
}

/** Every run must print what the reference printed (native's first run when there is one, else qemu's) and exit alike. */
export function checkOutputs(cells: Cell[]): string[] {
  const all = cells.flatMap((c) => c.runs.map((r) => ({ engine: c.engine, r, c })));
  if (all.length === 0) return [];
  const ref = all.find((x) => x.engine === 'native') ?? all.find((x) => x.engine === 'qemu') ?? all[0];
  const out: string[] = [];
  for (const x of all) {
    if (x.r.outputHash === ref.r.outputHash && x.r.status === ref.r.status) continue;
    out.push(
      `${x.c.workload} (size ${x.c.size}) under ${x.engine}: exit status ${x.r.status}, output "${x.r.firstLine}"; ` +
        `${ref.engine} gave exit status ${ref.r.status}, output "${ref.r.firstLine}"`,
    );
  }
  return [...new Set(out)];
}

