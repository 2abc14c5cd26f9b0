import { writeFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { runBench } from '../bench/bench.js';
import { BENCH_ENGINES, type BenchEngine } from '../bench/engines.js';
import { BenchSetupError } from '../bench/errors.js';
import { formatReport } from '../bench/report.js';
import { loadSuite } from '../bench/suite.js';
import { sweepChart, timeChart } from '../bench/svg.js';

export interface BenchCommandOptions {
  engines: string;
  runs: number;
  maxTime: number;
  quick?: boolean;
  sweep: string | false;
  json?: string;
  svg?: string;
  sweepSvg?: string;
  markdown?: string;
  list?: boolean;
}

/** Exit statuses of `wasmvisor bench`. */
const EXIT_MISMATCH = 1;
const EXIT_SETUP = 2;

function parseEngines(list: string): BenchEngine[] {
  const engines = list.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = engines.filter((e) => !BENCH_ENGINES.includes(e as BenchEngine));
  if (bad.length > 0 || engines.length === 0) {
    throw new InvalidArgumentError(`--engines: unknown engine ${bad.join(', ') || '(none given)'} (choose from ${BENCH_ENGINES.join(', ')})`);
  }
  return engines as BenchEngine[];
}

export async function runBenchCommand(workloads: string[], opts: BenchCommandOptions): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    if (opts.list) {
      for (const w of loadSuite()) {
        const sweep = w.sweep ? `; sweep ${w.sweep.join(', ')}` : '';
        const pending = w.pending ? ` — not run yet: ${w.pending}` : '';
        process.stdout.write(`${w.name.padEnd(18)} ${w.stresses} (size ${w.size} ${w.unit}, quick ${w.quick}${sweep})${pending}\n`);
      }
      return 0;
    }
    if (opts.runs < 1) throw new InvalidArgumentError('--runs must be at least 1');
    const report = await runBench({
      workloads,
      engines: parseEngines(opts.engines),
      runs: opts.runs,
      maxCellSeconds: opts.maxTime,
      quick: !!opts.quick,
      sweep: opts.sweep === false ? [] : opts.sweep.split(',').map((s) => s.trim()).filter(Boolean),
      progress: say,
    });
    process.stdout.write(`${formatReport(report)}\n`);
    if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 1)}\n`);
    if (opts.markdown) writeFileSync(opts.markdown, `${formatReport(report, true)}\n`);
    if (opts.svg) writeFileSync(opts.svg, timeChart(report));
    if (opts.sweepSvg && report.sweep.length > 0) writeFileSync(opts.sweepSvg, sweepChart(report));
    if (report.mismatches.length > 0) {
      say(`wasmvisor: bench FAILED: ${report.mismatches.length} run(s) disagreed with the reference (see CHECKSUM MISMATCH above)`);
      return EXIT_MISMATCH;
    }
    return 0;
  } catch (e) {
    if (e instanceof BenchSetupError || e instanceof InvalidArgumentError) {
      say(`wasmvisor: ${e.message}`);
      return EXIT_SETUP;
    }
    throw e;
  }
}
