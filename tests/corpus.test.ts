// Differential corpus: every program built from tests/guest runs natively
// (the real CPU is the oracle) and under `wasmvisor run` with each engine
// (interp, jit: every block translated, auto: hot code translated),
// with the same arguments, stdin, cwd and a clean environment; stdout,
// stderr and the exit status must be identical.  A native death by signal N
// expects status 128+N from wasmvisor, the same stdout, and exactly one
// non-empty line on wasmvisor's stderr.
//
// tests/guest/EXCLUDED lists programs to skip (see tests/lib/excluded.ts).
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { listGuests } from './guest/build.mjs';
import { exclusionOf } from './lib/excluded.js';
import { Pool, compareRuns, runNative, runWasmvisor } from './lib/run.js';

const guests = listGuests();
const pool = new Pool();


// native run + emulated run, plus the time waiting for a pool slot
const TEST_TIMEOUT = 300_000;
const ENGINES = ['interp', 'jit', 'auto'] as const;

describe.concurrent('corpus', () => {
  test('the corpus is not empty', () => {
    expect(guests.length).toBeGreaterThanOrEqual(44);
  });

  for (const g of guests) {
    const reason = exclusionOf(g.name);
    if (reason) {
      test.skip(`${g.name} (excluded: ${reason})`, () => {});
      continue;
    }
    let native: ReturnType<typeof runNative> | undefined;
    for (const engine of ENGINES) {
      test(
        `${g.name} [${[engine, ...g.wasmvisor].join(' ')}]`,
        async () => {
          expect(existsSync(g.path), `${g.path} was not built`).toBe(true);
          const opts = { args: g.args, stdin: g.stdin };
          native ??= pool.run(() => runNative(g.path, opts));
          const emu = await pool.run(() => runWasmvisor(g.path, { ...opts, engine, options: g.wasmvisor }));
          const problems = compareRuns(await native, emu);
          if (problems.length) throw new Error(`${g.name}: wasmvisor --engine ${engine} differs from native\n${problems.join('\n')}`);
        },
        TEST_TIMEOUT,
      );
    }
  }
});
