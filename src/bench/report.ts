import type { BenchReport, Cell } from './bench.js';
import { type BenchEngine, isWasmvisor } from './engines.js';
import type { TimeBucket } from '../runtime/time-profile.js';

/** What the tables show for one cell. */
export interface CellSummary {
  workload: string;
  engine: BenchEngine;
  size: number;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Guest instructions per second (wasmvisor engines), millions. */
  mips?: number;
  vsNative?: number;
  vsQemu?: number;
  /** The interpreter's time over this engine's: what translation buys. */
  speedupOverInterp?: number;
  translatedShare?: number;
  /** Shares of the median run's wall time. */
  timeShare?: Record<TimeBucket, number>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const geomean = (xs: number[]): number => {
  const v = xs.filter((x) => Number.isFinite(x) && x > 0);
  return v.length ? Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length) : NaN;
};

export function summarise(cells: Cell[]): CellSummary[] {
  const medianOf = (workload: string, size: number, engine: BenchEngine) => {
    const c = cells.find((x) => x.workload === workload && x.size === size && x.engine === engine);
    return c && c.runs.length > 0 ? median(c.runs.map((r) => r.wallMs)) : undefined;
  };
  return cells
    .filter((c) => c.runs.length > 0)
    .map((c) => {
      const times = c.runs.map((r) => r.wallMs);
      const medianMs = median(times);
      // The run whose time is the median (or nearest): its counters and time split go with the median.
      const mid = c.runs.reduce((a, b) => (Math.abs(b.wallMs - medianMs) < Math.abs(a.wallMs - medianMs) ? b : a));
      const native = medianOf(c.workload, c.size, 'native');
      const qemu = medianOf(c.workload, c.size, 'qemu');
      const interp = medianOf(c.workload, c.size, 'interp');
      const s: CellSummary = {
        workload: c.workload,
        engine: c.engine,
        size: c.size,
        runs: c.runs.length,
        medianMs,
        minMs: Math.min(...times),
        maxMs: Math.max(...times),
        vsNative: native !== undefined && c.engine !== 'native' ? medianMs / native : undefined,
        vsQemu: qemu !== undefined && c.engine !== 'qemu' && c.engine !== 'native' ? medianMs / qemu : undefined,
      };
      if (isWasmvisor(c.engine) && mid.instructions !== undefined) {
        s.mips = mid.instructions / mid.wallMs / 1000;
        s.translatedShare = mid.instructions > 0 ? mid.translatedInstructions! / mid.instructions : 0;
        if (c.engine !== 'interp' && interp !== undefined) s.speedupOverInterp = interp / medianMs;
        if (mid.timeMs) {
          const t = mid.timeMs;
          const total = Object.values(t).reduce((a, b) => a + b, 0);
          s.timeShare = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v / total])) as Record<TimeBucket, number>;
        }
      }
      return s;
    });
}

const pct = (x: number | undefined) => (x === undefined ? '' : `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`);
const times = (x: number | undefined) => (x === undefined ? '' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)}×`);
const secs = (ms: number) => (ms / 1000).toFixed(3);

/** Rows of the main table: one per workload and engine. */
export function mainTable(report: BenchReport): { header: string[]; rows: string[][] } {
  const header = ['workload', 'engine', 'median s', 'min–max s', 'MIPS', '× native', '× qemu', '× faster than interp', 'in translated code', 'compiling'];
  const rows = summarise(report.cells).map((s) => [
    s.workload,
    s.engine,
    secs(s.medianMs),
    s.runs > 1 ? `${secs(s.minMs)}–${secs(s.maxMs)}` : '(1 run)',
    s.mips !== undefined ? s.mips.toFixed(0) : '',
    times(s.vsNative),
    times(s.vsQemu),
    times(s.speedupOverInterp),
    s.engine === 'interp' ? '' : pct(s.translatedShare),
    s.timeShare && s.engine !== 'interp' ? pct(s.timeShare.compile) : '',
  ]);
  return { header, rows };
}

/** One row per workload: native's median time, then each engine's time relative to native. */
export function ratioTable(report: BenchReport): { header: string[]; rows: string[][] } {
  const all = summarise(report.cells);
  const others = report.options.engines.filter((e) => e !== 'native');
  const hasNative = report.options.engines.includes('native');
  const header = ['workload', hasNative ? 'native s' : '', ...others.map((e) => (hasNative ? `${e} × native` : `${e} s`))];
  const rows = report.workloads.map((w) => {
    const of = (e: BenchEngine) => all.find((s) => s.workload === w.name && s.engine === e);
    return [
      w.name,
      hasNative ? (of('native') ? secs(of('native')!.medianMs) : '') : '',
      ...others.map((e) => (hasNative ? times(of(e)?.vsNative) : of(e) ? secs(of(e)!.medianMs) : '')),
    ];
  });
  return { header, rows };
}

/** Where each wasmvisor engine's time went, as shares of wall time. */
export function timeTable(report: BenchReport): { header: string[]; rows: string[][] } {
  const header = ['workload', 'engine', 'interpreter', 'translated code', 'compiling', 'syscalls', 'start-up and other'];
  const rows = summarise(report.cells)
    .filter((s) => s.timeShare)
    .map((s) => [
      s.workload,
      s.engine,
      pct(s.timeShare!.interpreter),
      pct(s.timeShare!.translated),
      pct(s.timeShare!.compile),
      pct(s.timeShare!.runtime),
      pct(s.timeShare!.outside),
    ]);
  return { header, rows };
}

/** Geometric means per engine: against native, against qemu, and the speed-up over the interpreter. */
export function summaryTable(report: BenchReport): { header: string[]; rows: string[][] } {
  const all = summarise(report.cells);
  const header = ['engine', 'geomean × native', 'geomean × qemu', 'geomean × faster than interp', 'workloads'];
  const rows = report.options.engines
    .filter((e) => e !== 'native')
    .map((e) => {
      const mine = all.filter((s) => s.engine === e);
      return [
        e,
        times(geomean(mine.map((s) => s.vsNative ?? NaN))),
        e === 'qemu' ? '' : times(geomean(mine.map((s) => s.vsQemu ?? NaN))),
        times(geomean(mine.map((s) => s.speedupOverInterp ?? NaN))),
        String(mine.length),
      ].map((x) => (x === 'NaN×' ? '' : x));
    });
  return { header, rows };
}

/** Names go left, numbers right. */
const isTextColumn = (h: string) => h === 'workload' || h === 'engine';

export function textTable({ header, rows }: { header: string[]; rows: string[][] }): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (isTextColumn(header[i]) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable({ header, rows }: { header: string[]; rows: string[][] }): string {
  const align = header.map((h) => (isTextColumn(h) ? '---' : '---:'));
  return [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The sweep as rows: workload, size, then each engine's median seconds. */
export function sweepTable(report: BenchReport): { header: string[]; rows: string[][] } {
  const engines = report.options.engines;
  const header = ['workload', 'size', ...engines.map((e) => `${e} s`)];
  const keys = [...new Set(report.sweep.map((c) => `${c.workload}\u0000${c.size}`))];
  const rows = keys.map((k) => {
    const [workload, size] = k.split('\u0000');
    return [
      workload,
      size,
      ...engines.map((e) => {
        const c = report.sweep.find((x) => x.workload === workload && String(x.size) === size && x.engine === e);
        return c && c.runs.length ? secs(median(c.runs.map((r) => r.wallMs))) : '';
      }),
    ];
  });
  return { header, rows };
}

/** The whole report as text: tables, what was skipped, and the mismatches. */
export function formatReport(report: BenchReport, markdown = false): string {
  const fmt = markdown ? markdownTable : textTable;
  const m = report.machine;
  const parts = [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}; load ${m.loadAtStart.toFixed(1)} at the start, ` +
      `${m.loadAtEnd.toFixed(1)} at the end; ${report.durationS.toFixed(0)} s` +
      (report.options.quick ? ' (quick: small sizes, one run each; the times are start-up, only the checksums count)' : ''),
    fmt(ratioTable(report)),
    fmt(summaryTable(report)),
    'Each run (median of the runs; MIPS = guest instructions per second):',
    fmt(mainTable(report)),
  ];
  if (report.cells.some((c) => isWasmvisor(c.engine))) parts.push('Where the time goes (median run):', fmt(timeTable(report)));
  if (report.sweep.length > 0) parts.push('Scaling (median wall time by size):', fmt(sweepTable(report)));
  for (const s of report.skipped) parts.push(`skipped: ${s}`);
  if (report.mismatches.length > 0) parts.push(...report.mismatches.map((x) => `CHECKSUM MISMATCH: ${x}`));
  else {
    const ran = (e: string) => report.cells.some((c) => c.engine === e);
    parts.push(`checksums: every run of every engine printed what the ${ran('native') ? 'native' : ran('qemu') ? 'qemu' : 'first engine\'s'} run printed`);
  }
  return parts.join('\n\n');
}
