// Differential corpus: every program built from tests/guest runs natively
// (the real CPU is the oracle; where the host cannot run i386 executables,
// qemu-i386 is, but for the programs of tests/guest/QEMU-DEVIATIONS, whose
// jit and auto runs are then compared with the interpreter's) and under `wasmvisor run` with each engine
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
import { exclusionOf, qemuDeviationOf } from './lib/excluded.js';
import { Pool, compareRuns, i386Reference, runNative, runWasmvisor } from './lib/run.js';

const guests = listGuests();
const pool = new Pool();
const referenceName = i386Reference().name;


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
    const deviation = referenceName === 'qemu-i386' ? qemuDeviationOf(g.name) : undefined;
    let native: ReturnType<typeof runNative> | undefined;
    for (const engine of ENGINES) {
      if (deviation && engine === 'interp') {
        test.skip(`${g.name} [interp] (no reference: ${deviation}; jit and auto are compared with interp)`, () => {});
        continue;
      }
      test(
        `${g.name} [${[engine, ...g.wasmvisor].join(' ')}]`,
        async () => {
          expect(existsSync(g.path), `${g.path} was not built`).toBe(true);
          const opts = { args: g.args, stdin: g.stdin };
          native ??= pool.run(() =>
            deviation ? runWasmvisor(g.path, { ...opts, engine: 'interp', options: g.wasmvisor }) : runNative(g.path, opts),
          );
          const emu = await pool.run(() => runWasmvisor(g.path, { ...opts, engine, options: g.wasmvisor }));
          const problems = compareRuns(await native, emu);
          const against = deviation ? 'wasmvisor --engine interp' : referenceName;
          if (problems.length) throw new Error(`${g.name}: wasmvisor --engine ${engine} differs from ${against}\n${problems.join('\n')}`);
        },
        TEST_TIMEOUT,
      );
    }
  }
});
