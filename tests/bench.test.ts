// `wasmvisor bench`: the quick run is a smoke test of the workload suite
// under every engine (checksums only: times on a shared machine are not
// something a test can assert), plus the command's error handling.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { i386Reference } from './lib/run.js';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const wasmvisor = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 170_000 });
const tmp = mkdtempSync(join(tmpdir(), 'wasmvisor-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Report {
  workloads: { name: string }[];
  cells: { workload: string; engine: string; runs: { status: number; outputHash: string; instructions?: number; translatedInstructions?: number }[] }[];
  skipped: string[];
  mismatches: string[];
}

describe('wasmvisor bench', () => {
  test('--quick runs every workload under every engine and their checksums agree', { timeout: 180_000 }, () => {
    const json = join(tmp, 'quick.json');
    const svg = join(tmp, 'quick.svg');
    // The reference is the host's CPU, or qemu-i386 where the host cannot run i386 executables (tests/lib/run.ts).
    const reference = i386Reference().name === 'native' ? 'native' : 'qemu';
    const r = wasmvisor('bench', '--quick', '--engines', `${reference},interp,jit,auto`, '--json', json, '--svg', svg);
    expect(r.stderr + r.stdout).not.toMatch(/CHECKSUM MISMATCH/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`checksums: every run of every engine printed what the ${reference} run printed`));
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const all = JSON.parse(readFileSync(join(ROOT, 'bench/guest/suite.json'), 'utf8')) as { name: string; pending?: string }[];
    // A workload wasmvisor cannot run yet is left out, and the report says why.
    for (const w of all.filter((x) => x.pending)) expect(report.skipped).toContain(`${w.name}: ${w.pending}`);
    const suite = all.filter((x) => !x.pending);
    expect(suite.length).toBeGreaterThanOrEqual(8);
    for (const { name } of suite) {
      for (const engine of [reference, 'interp', 'jit', 'auto']) {
        const cell = report.cells.find((c) => c.workload === name && c.engine === engine);
        expect(cell?.runs.length, `${name} under ${engine}`).toBe(1);
        expect(cell!.runs[0].status, `${name} under ${engine}`).toBe(0);
      }
      // The real engines ran: jit translated nearly everything, the interpreter nothing.
      const jit = report.cells.find((c) => c.workload === name && c.engine === 'jit')!.runs[0];
      expect(jit.translatedInstructions! / jit.instructions!, `${name}: share translated under jit`).toBeGreaterThan(0.5);
      const interp = report.cells.find((c) => c.workload === name && c.engine === 'interp')!.runs[0];
      expect(interp.translatedInstructions).toBe(0);
    }
    const chart = readFileSync(svg, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    // Times relative to native, or to qemu where there is no native run.
    expect(chart).toContain(reference === 'native' ? 'Time relative to native' : 'Time relative to qemu-user');
    for (const { name } of suite) expect(chart).toContain(`>${name}<`);
  });

  test('an unknown engine is a one-line error with exit status 2', () => {
    const r = wasmvisor('bench', '--engines', 'interp,bochs');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown engine bochs/);
  });

  test('an unknown workload is a one-line error with exit status 2', () => {
    const r = wasmvisor('bench', '--quick', 'no-such-workload');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown workload no-such-workload \(the suite has: .*sieve/);
  });

  test('a run whose output differs from the reference is reported as a mismatch', async () => {
    const { checkOutputs } = await import('../dist/bench/bench.js');
    const run = (hash: string, status = 0) => ({ wallMs: 1, status, outputHash: hash, firstLine: `x ${hash}` });
    const cells = [
      { workload: 'w', engine: 'native', size: 1, runs: [run('a')] },
      { workload: 'w', engine: 'jit', size: 1, runs: [run('a'), run('b')] },
      { workload: 'w', engine: 'interp', size: 1, runs: [run('a', 139)] },
    ];
    const m = checkOutputs(cells as never);
    expect(m).toHaveLength(2);
    expect(m[0]).toMatch(/under jit: exit status 0, output "x b"; native gave exit status 0, output "x a"/);
    expect(m[1]).toMatch(/under interp: exit status 139/);
  });
});
