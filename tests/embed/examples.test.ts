// The examples in examples/ run as a user would run them (node, importing
// the built package by its name), and print what their guest computes: the
// expected values are computed here in JavaScript.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../lib/run.js';

function example(name: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, 'examples', name), ...args], { encoding: 'utf8', timeout: 120_000 });
}

function collatzSteps(n: number): number {
  let steps = 0;
  while (n !== 1) {
    n = n % 2 ? 3 * n + 1 : n / 2;
    steps++;
  }
  return steps;
}

describe('examples', () => {
  test('tracer.mjs prints the blocks of collatz_steps(27) it ran, each once per time it ran', () => {
    const r = example('tracer.mjs', '27');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [first, ...blocks] = r.stdout.trim().split('\n');
    expect(first).toBe(`collatz_steps(27) = ${collatzSteps(27)}`);
    const parsed = blocks.map((l) => /^ {2}block collatz_steps\+0x([0-9a-f]+) +(\d+) bytes {2}ran (\d+) times$/.exec(l));
    expect(parsed.every((m) => m !== null)).toBe(true);
    expect(parsed[0]![1]).toBe('00'); // the entry block first, once
    expect(parsed[0]![3]).toBe('1');
    // The loop's blocks: the loop test runs once per step; the odd and even arms add up to the steps.
    const runs = parsed.map((m) => Number(m![3]));
    expect(runs).toContain(collatzSteps(27));
    expect(new Set(parsed.map((m) => m![1])).size).toBe(parsed.length);
  });

  test('count-engines.mjs: interp, jit and auto agree on the result and the instruction count', () => {
    const limit = 20000;
    let best = 1, bestSteps = 0;
    for (let n = 1; n < limit; n++) {
      const s = collatzSteps(n);
      if (s > bestSteps) [best, bestSteps] = [n, s];
    }
    const r = example('count-engines.mjs', String(limit));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^(interp|jit|auto) /.test(l)).map((l) => l.trim().split(/\s+/));
    expect(rows.map((x) => x[0])).toEqual(['interp', 'jit', 'auto']);
    for (const row of rows) expect(Number(row[1])).toBe(best);
    expect(new Set(rows.map((x) => x[2])).size).toBe(1);
    expect(rows[0][5]).toBe('0.0%'); // the interpreter translated nothing; jit nearly everything
    expect(parseFloat(rows[1][5])).toBeGreaterThan(99);
    expect(r.stdout).toContain('all engines agree');
  });

  test('fuzz.mjs finds the parser\'s wild call and reports it as a guest fault, restoring the context before each run', () => {
    const r = example('fuzz.mjs', '3000', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = /^3000 runs in [\d.]+ s \((\d+) runs\/s, each restoring the saved context\): (\d+) returned, (\d+) crashed$/m.exec(r.stdout);
    expect(summary).not.toBeNull();
    expect(Number(summary![2]) + Number(summary![3])).toBe(3000);
    expect(Number(summary![3])).toBeGreaterThan(0);
    // Each crash: a page fault (vector 14) on an instruction fetch (error code bit 4) through the wild handler pointer.
    expect(r.stdout).toMatch(/^ {2}#14@[0-9a-f]+: unmapped \(vector 14, error code (20|16), address 0x[0-9a-f]+\); input (03[0-9a-f]*|[0-9a-f]*03[0-9a-f]*)$/m);
  });
});
