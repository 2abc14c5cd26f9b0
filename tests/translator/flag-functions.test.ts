// The translator's wasm flag functions against the interpreter's
// (runtime/flags.ts): EFLAGS and all 16 conditions from random lazy records
// of every operation and width.
import { describe, expect, test } from 'vitest';
import { lazyCode, readFlags, testCondition } from '../../src/runtime/flags.js';
import { Slot, STATE_SIZE } from '../../src/runtime/layout.js';
import { instantiateFlagFunctions } from '../../src/translator/flag-functions.js';

/** xorshift32: reproducible operands. */
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x | 0;
  };
}

describe('wasm flag functions', () => {
  test('flags() and cond() agree with the interpreter on every lazy operation and width', () => {
    const fns = instantiateFlagFunctions();
    const next = random(0x5eed);
    const s = new Int32Array(STATE_SIZE / 4);
    let compared = 0;
    for (let op = 0; op <= 6; op++) {
      for (const bits of [8, 16, 32]) {
        for (let i = 0; i < 300; i++) {
          const lop = op === 0 ? 0 : lazyCode(op, bits);
          // Small operands too, so zero and carry cases occur.
          const pick = () => (i % 3 === 0 ? next() & 3 : next());
          const [dst, src, res, fl] = [pick(), pick(), i % 5 === 0 ? 0 : pick(), (next() & 0x8d5) | 2];
          s[Slot.LAZY_OP] = lop;
          s[Slot.LAZY_DST] = dst;
          s[Slot.LAZY_SRC] = src;
          s[Slot.LAZY_RES] = res;
          s[Slot.FLAGS] = fl;
          const record = `op ${op} bits ${bits} dst ${dst} src ${src} res ${res} flags ${fl}`;
          expect(fns.flags(lop, dst, src, res, fl) >>> 0, record).toBe(readFlags(s) >>> 0);
          for (let cc = 0; cc < 16; cc++) {
            expect(fns.cond(cc, lop, dst, src, res, fl), `${record} cc ${cc}`).toBe(testCondition(s, cc) ? 1 : 0);
          }
          compared++;
        }
      }
    }
    expect(compared).toBe(7 * 3 * 300);
  });
});
