import type { BenchReport } from './bench.js';
import type { BenchEngine } from './engines.js';
import { summarise } from './report.js';

/** Colour-blind-safe colours (Okabe–Ito), one per engine. */
const COLOURS: Record<BenchEngine, string> = { native: '#555555', qemu: '#e69f00', interp: '#cc79a7', jit: '#0072b2', auto: '#009e73' };
/** Text attributes; each element names its font once (a repeated attribute makes the file invalid XML). */
const font = (size = 11) => `font-family="system-ui, sans-serif" font-size="${size}"`;
const FONT = font();

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmtTimes = (x: number) => `${x < 1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : x.toFixed(0)}×`;

/** The largest of 1, 2, 5 times a power of ten at or below `v`. */
function floorTick(v: number): number {
  const decade = 10 ** Math.floor(Math.log10(v));
  return [5, 2, 1].map((m) => m * decade).find((t) => t <= v * 1.001) ?? decade;
}

/** 1, 2, 5, 10, 20, 50... up to the first at or above `max`. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(min)); decade <= max * 10; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const t = decade * m;
      if (t >= min * 0.999) ticks.push(t);
      if (t >= max) return ticks;
    }
  }
  return ticks;
}

function legend(engines: BenchEngine[], x: number, y: number): string {
  return engines
    .map((e, i) => `<rect x="${x + i * 90}" y="${y - 9}" width="10" height="10" fill="${COLOURS[e]}"/><text x="${x + i * 90 + 14}" y="${y}" ${FONT}>${e}</text>`)
    .join('');
}

/**
 * Horizontal bars, one group per workload: each engine's median time over
 * native's, on a log scale (interpretation is tens of times slower than
 * translation, which a linear axis would flatten). Without a native run (a
 * host that cannot run i386 programs) the baseline is qemu-user's time.
 */
export function timeChart(report: BenchReport): string {
  const all = summarise(report.cells);
  const baseline: BenchEngine = all.some((s) => s.vsNative !== undefined) ? 'native' : 'qemu';
  const ratio = (s: (typeof all)[number]) => (baseline === 'native' ? s.vsNative : s.vsQemu);
  const rows = all.filter((s) => ratio(s) !== undefined);
  const engines = report.options.engines.filter((e) => e !== 'native' && e !== baseline && rows.some((r) => r.engine === e));
  const workloads = report.workloads.map((w) => w.name).filter((w) => rows.some((r) => r.workload === w));
  const max = Math.max(2, ...rows.map((r) => ratio(r)!));
  const min = Math.min(1, ...rows.map((r) => ratio(r)!));
  const ticks = logTicks(floorTick(min), max);
  const lo = ticks[0], hi = ticks[ticks.length - 1];
  const left = 150, plotW = 560, bar = 12, gap = 12, top = 56;
  const groupH = engines.length * bar + gap;
  const height = top + workloads.length * groupH + 40;
  const width = left + plotW + 70;
  const xOf = (v: number) => left + (Math.log(Math.max(v, lo) / lo) / Math.log(hi / lo)) * plotW;
  const what = baseline === 'native' ? 'native (log scale; 1× = the real CPU; shorter is faster)' : 'qemu-user (log scale; 1× = qemu-i386; shorter is faster)';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" ${font(14)} font-weight="bold">Time relative to ${what}</text>`,
    legend(engines, left, 40),
  ];
  const plotBottom = top + workloads.length * groupH;
  for (const t of ticks) {
    const x = xOf(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${plotBottom}" stroke="${t === 1 ? '#000' : '#ddd'}"/>`);
    out.push(`<text x="${x}" y="${plotBottom + 14}" text-anchor="middle" ${FONT}>${t}×</text>`);
  }
  workloads.forEach((w, gi) => {
    const y0 = top + gi * groupH;
    out.push(`<text x="${left - 8}" y="${y0 + (engines.length * bar) / 2 + 4}" text-anchor="end" ${FONT}>${esc(w)}</text>`);
    engines.forEach((e, ei) => {
      const r = rows.find((s) => s.workload === w && s.engine === e);
      if (!r) return;
      const y = y0 + ei * bar;
      const x1 = xOf(ratio(r)!);
      out.push(
        `<rect x="${left}" y="${y}" width="${Math.max(1, x1 - left).toFixed(1)}" height="${bar - 2}" fill="${COLOURS[e]}">` +
          `<title>${esc(`${w}, ${e}: ${fmtTimes(ratio(r)!)} ${baseline} (${(r.medianMs / 1000).toFixed(3)} s)`)}</title></rect>`,
      );
      out.push(`<text x="${(x1 + 4).toFixed(1)}" y="${y + bar - 3}" ${font(9)}>${fmtTimes(ratio(r)!)}</text>`);
    });
  });
  out.push(`<text x="${left}" y="${height - 8}" ${FONT} fill="#666">${esc(machineLine(report))}</text>`, '</svg>');
  return out.join('\n');
}

/** One panel per swept workload: median seconds against size, both on log scales, a line per engine. */
export function sweepChart(report: BenchReport): string {
  const workloads = [...new Set(report.sweep.map((c) => c.workload))];
  const engines = report.options.engines.filter((e) => report.sweep.some((c) => c.engine === e && c.runs.length));
  const panelW = 380, panelH = 260, padL = 56, padB = 36, top = 56;
  const width = workloads.length * (panelW + 20) + 20;
  const height = top + panelH + padB + 30;
  const unitOf = (w: string) => report.workloads.find((x) => x.name === w)?.unit ?? 'size';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" ${font(14)} font-weight="bold">How time grows with the workload's size (median wall time, log–log)</text>`,
    legend(engines, 20, 40),
  ];
  const summaries = summarise(report.sweep);
  workloads.forEach((w, pi) => {
    const mine = summaries.filter((s) => s.workload === w);
    const sizes = [...new Set(mine.map((s) => s.size))].sort((a, b) => a - b);
    const ys = mine.map((s) => s.medianMs / 1000);
    const yTicks = logTicks(10 ** Math.floor(Math.log10(Math.min(...ys))), Math.max(...ys));
    const yLo = yTicks[0], yHi = yTicks[yTicks.length - 1];
    const x0 = 20 + pi * (panelW + 20) + padL, x1 = 20 + pi * (panelW + 20) + panelW;
    const y0 = top + panelH, y1 = top + 10;
    const xOf = (size: number) => x0 + (sizes.length > 1 ? (Math.log(size / sizes[0]) / Math.log(sizes[sizes.length - 1] / sizes[0])) * (x1 - x0) : 0);
    const yOf = (sec: number) => y0 - (Math.log(sec / yLo) / Math.log(yHi / yLo)) * (y0 - y1);
    out.push(`<text x="${(x0 + x1) / 2}" y="${top}" text-anchor="middle" ${FONT} font-weight="bold">${esc(w)}</text>`);
    for (const t of yTicks) {
      const y = yOf(t).toFixed(1);
      out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#ddd"/><text x="${x0 - 4}" y="${y}" text-anchor="end" dy="4" ${FONT}>${t} s</text>`);
    }
    for (const size of sizes) {
      out.push(`<text x="${xOf(size).toFixed(1)}" y="${y0 + 14}" text-anchor="middle" ${FONT}>${size}</text>`);
    }
    out.push(`<text x="${(x0 + x1) / 2}" y="${y0 + 30}" text-anchor="middle" ${FONT}>size (${esc(unitOf(w))})</text>`);
    out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#000"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#000"/>`);
    for (const e of engines) {
      const pts = mine.filter((s) => s.engine === e).sort((a, b) => a.size - b.size);
      if (pts.length === 0) continue;
      const path = pts.map((p) => `${xOf(p.size).toFixed(1)},${yOf(p.medianMs / 1000).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${path}" fill="none" stroke="${COLOURS[e]}" stroke-width="2"/>`);
      for (const p of pts) {
        out.push(
          `<circle cx="${xOf(p.size).toFixed(1)}" cy="${yOf(p.medianMs / 1000).toFixed(1)}" r="3" fill="${COLOURS[e]}">` +
            `<title>${esc(`${w} ${p.size}, ${e}: ${(p.medianMs / 1000).toFixed(3)} s`)}</title></circle>`,
        );
      }
    }
  });
  out.push(`<text x="20" y="${height - 8}" ${FONT} fill="#666">${esc(machineLine(report))}</text>`, '</svg>');
  return out.join('\n');
}

function machineLine(r: BenchReport): string {
  return `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.startedAt.slice(0, 10)}; ${r.options.runs} runs, median`;
}
