// The region's shape: natural loops found, laid out contiguously with the
// header first, and every branch classified as a plain br, a loop's back
// edge, an entry into a loop, or a trip through the dispatcher.
import { describe, expect, test } from 'vitest';
import type { Block } from '../../src/runtime/block-cache.js';
import { RegionShape } from '../../src/translator/region-layout.js';

/** Blocks named by their address; `edges[a]` = the addresses block a may go to; `calls` end with a CALL. */
function shapeOf(edges: Record<number, number[]>, calls: number[] = []) {
  const blocks = Object.keys(edges).map(
    (a) => ({ eip: Number(a), insns: [{ entry: { control: calls.includes(Number(a)) ? 'call' : 'jcc' } }] }) as unknown as Block,
  );
  const shape = new RegionShape(blocks, (b) => edges[b.eip]);
  const at = (eip: number) => shape.order.findIndex((b) => b.eip === eip);
  return { shape, at, order: shape.order.map((b) => b.eip) };
}

describe('region shape', () => {
  // 1 → 2; loop 2..6 with an inner loop 3..4 and a diamond 5/6 → 2; 2 → 7 (exit).
  const nested = { 1: [2], 2: [3, 7], 3: [4], 4: [3, 5], 5: [6, 8], 8: [2], 6: [2], 7: [] };

  test('nested loops are contiguous, headers first, inner inside outer', () => {
    const { shape, order, at } = shapeOf(nested);
    expect(shape.loops).toBe(2);
    expect(order[0]).toBe(1);
    const outer = [2, 3, 4, 5, 6, 8].map(at).sort((a, b) => a - b);
    expect(outer[outer.length - 1] - outer[0]).toBe(outer.length - 1); // contiguous
    expect(at(2)).toBe(outer[0]); // header first
    expect(at(4)).toBe(at(3) + 1); // the inner loop: 3 then 4
    expect(at(7)).toBeGreaterThan(outer[outer.length - 1]); // the exit after the loop
  });

  test('branches: back edges to loop tops, entries into loops, forward brs, the rest dispatched', () => {
    const { shape, at } = shapeOf(nested);
    expect(shape.jump(at(1), at(2))).toMatchObject({ kind: 'enter', fallThrough: true });
    expect(shape.jump(at(4), at(3))).toMatchObject({ kind: 'back' });
    expect(shape.jump(at(6), at(2))).toMatchObject({ kind: 'back' });
    expect(shape.jump(at(8), at(2))).toMatchObject({ kind: 'back' });
    expect(shape.jump(at(2), at(3))).toMatchObject({ kind: 'enter' });
    expect(shape.jump(at(2), at(7))).toMatchObject({ kind: 'forward' });
    expect(shape.jump(at(4), at(5))).toMatchObject({ kind: 'forward' });
    expect(shape.jump(at(3), at(3))).toEqual({ kind: 'self' });
    // Into the middle of a loop from outside it: only the dispatcher can get there.
    expect(shape.jump(at(1), at(4))).toEqual({ kind: 'dispatch' });
    expect(shape.jump(at(7), at(5))).toEqual({ kind: 'dispatch' });
  });

  test('a loop whose body calls out is left to the dispatcher (returns come back into it)', () => {
    const { shape, at } = shapeOf({ 1: [2], 2: [3, 4], 3: [2], 4: [] }, [3]);
    expect(shape.loops).toBe(0);
    expect(shape.jump(at(3), at(2))).toEqual({ kind: 'dispatch' });
  });

  test('a call inside the region: the callee after the call, the return block after the callee, both forward branches', () => {
    // 1 calls 10 (its successors as successors() gives them: the callee, then the return block 2); 10 → 11, which returns to 2.
    const { shape, at } = shapeOf({ 1: [10, 2], 10: [11], 11: [], 2: [3], 3: [] }, [1]);
    expect(at(10)).toBeGreaterThan(at(1));
    expect(at(2)).toBeGreaterThan(at(11));
    expect(shape.jump(at(1), at(10))).toMatchObject({ kind: 'forward' });
    expect(shape.jump(at(11), at(2))).toMatchObject({ kind: 'forward' });
  });

  test('an irreducible cycle (two ways in) is no loop; its blocks still get a place', () => {
    const { shape, order } = shapeOf({ 1: [2, 3], 2: [3], 3: [2, 4], 4: [] });
    expect(shape.loops).toBe(0);
    expect([...order].sort()).toEqual([1, 2, 3, 4]);
  });

  test('blocks the seed does not reach are laid out and their loops found', () => {
    // 5 ↔ 6 is a loop only reachable by dispatch (an absorbed region).
    const { shape, order, at } = shapeOf({ 1: [2], 2: [], 5: [6], 6: [5, 7], 7: [] });
    expect(order).toHaveLength(5);
    expect(shape.loops).toBe(1);
    expect(shape.jump(at(6), at(5))).toMatchObject({ kind: 'back' });
  });
});
