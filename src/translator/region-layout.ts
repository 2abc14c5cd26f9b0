import { endsWithCall, type Block } from '../runtime/block-cache.js';
import { Expr, IrBuilder, Ty } from './ir.js';

/**
 * The shape of a region's code: its blocks in layout order and the loops
 * among them, so that a loop of the guest's becomes a wasm `loop` and its
 * back edges plain branches (TurboFan then allocates registers for the loop
 * itself instead of for a dispatcher that every back edge went through).
 *
 * Loops are natural loops (a back edge u → h where h dominates u, from the
 * seed and any block the seed does not reach), merged by header; natural
 * loops nest. A loop whose body calls out is left to the dispatcher: the
 * callee's return comes back into the body, and a dispatch into a loop
 * passes through the br_table at the top of every loop around the target
 * (recursion 8 -> 24x native when fib's nested loops were wasm loops). Blocks are laid out in reverse post-order with each loop's
 * blocks contiguous and its header first. A loop is one item of its parent's
 * sequence; a sequence of items is the flat scheme of nested blocks:
 *
 *     block $I{p-1} … block $I1 block $I0 <top> end code(I0) end code(I1) … end code(I{p-1})
 *
 * so a branch to a later item of the same sequence, or of an enclosing one,
 * is a `br`. The top of the region's sequence is the dispatcher's br_table
 * (entries, backward branches the structure cannot express); the top of a
 * loop's sequence routes a dispatch into the loop's body. `next` is -1 on
 * every ordinary arrival at a loop's top (branches into a loop and back
 * edges set it), so the loop's br_table falls through to its header there.
 */
export interface Loop {
  /** Layout index of the header, which is the first block of the loop. */
  header: number;
  /** Layout index of the loop's last block: the loop is header..last. */
  last: number;
  parent: Loop | null;
  children: Loop[];
}

/** How a branch between two blocks of the region is emitted. */
export type Jump =
  | { kind: 'self' }
  /** Back edge to the top of a loop: `next` = -1, br to the loop label. */
  | { kind: 'back'; label: string }
  /** Forward into a loop from before it: `next` = -1, br to the label that ends before the loop. */
  | { kind: 'enter'; label: string; fallThrough: boolean }
  /** Forward to a block of a sequence enclosing the branch. */
  | { kind: 'forward'; label: string; fallThrough: boolean }
  /** Anything else goes through the region's dispatcher. */
  | { kind: 'dispatch' };

export class RegionShape {
  /** Blocks in layout order. */
  readonly order: Block[];
  /** Loops by header (layout index). */
  private readonly loopAt = new Map<number, Loop>();
  /** Innermost loop holding each block (layout index), or null. */
  private readonly innermost: Array<Loop | null>;
  private readonly topLevel: Loop[];
  /** Blocks (layout index) that branch to themselves: loops of one block, which are not among `loops`. */
  private readonly selfLoops: boolean[];
  /** Blocks of the region with a direct branch (or fall-through) to each block (layout index). */
  private readonly predecessorCount: number[];

  constructor(blocks: Block[], successors: (b: Block) => number[]) {
    const shape = analyse(blocks, successors);
    this.order = shape.order;
    this.innermost = shape.innermost;
    this.topLevel = shape.topLevel;
    for (const loop of shape.loops) this.loopAt.set(loop.header, loop);
    this.selfLoops = this.order.map((b) => successors(b).includes(b.eip));
    this.predecessorCount = shape.predecessors;
  }

  /** Blocks of the region that branch or fall through to block k (layout index); indirect jumps not counted. */
  predecessors(k: number): number {
    return this.predecessorCount[k];
  }

  /** Block k (layout index) heads one of the region's loops, or loops to itself. */
  headsLoop(k: number): boolean {
    return this.loopAt.has(k) || this.selfLoops[k];
  }

  get loops(): number {
    return this.loopAt.size;
  }

  /** Block k (layout index) is inside one of the region's loops, or loops to itself. */
  inLoop(k: number): boolean {
    return this.innermost[k] !== null || this.selfLoops[k];
  }

  /** Some block of the region is inside a loop (inLoop). */
  get hasLoops(): boolean {
    return this.loopAt.size > 0 || this.selfLoops.includes(true);
  }

  /** How block `from` goes to block `to` (layout indices). */
  jump(from: number, to: number): Jump {
    if (from === to) return { kind: 'self' };
    const loop = this.loopAt.get(to);
    if (loop !== undefined) {
      if (from >= loop.header && from <= loop.last) return { kind: 'back', label: loopLabel(to) };
      if (from < to && contains(loop.parent, from)) return { kind: 'enter', label: preLoopLabel(to), fallThrough: from + 1 === to };
      return { kind: 'dispatch' };
    }
    if (from < to && contains(this.innermost[to], from)) return { kind: 'forward', label: blockLabel(to), fallThrough: from + 1 === to };
    return { kind: 'dispatch' };
  }

  /**
   * The region's code: `codes[k]` is block k's, `next` reads the dispatch
   * target; the top of the region routes any block index.
   */
  tree(m: IrBuilder, codes: Expr[], next: () => Expr): Expr {
    const n = this.order.length;
    const route = (lo: number, hi: number, level: Loop | null): Expr => {
      const labels: string[] = [];
      for (let k = lo; k <= hi; k++) labels.push(this.itemLabel(k, level));
      const index = lo === 0 ? next() : m.i32.sub(next(), m.i32.const(lo));
      const routed = m.switch(labels, labels[0], index);
      // A loop's top is reached mostly by its back edges (next = -1): one sign test skips the br_table, which
      // the engine compiles as a subtract and a compare chain on every iteration.
      return level === null ? routed : m.if(m.i32.ge_s(next(), m.i32.const(0)), routed);
    };
    const sequence = (lo: number, hi: number, level: Loop | null, children: Loop[]): Expr => {
      // Items: single blocks and child loops, in layout order.
      const items: Array<{ label: string; code: () => Expr }> = [];
      for (let k = lo; k <= hi; ) {
        const child = children.find((c) => c.header === k);
        if (child !== undefined && k !== level?.header) {
          items.push({ label: preLoopLabel(k), code: () => m.loop(loopLabel(child.header), sequence(child.header, child.last, child, child.children)) });
          k = child.last + 1;
        } else {
          const block = k;
          items.push({ label: blockLabel(k), code: () => codes[block] });
          k++;
        }
      }
      let tree = m.block(items[0].label, [route(lo, hi, level)], Ty.none);
      for (let q = 0; q < items.length; q++) {
        tree = m.block(q + 1 < items.length ? items[q + 1].label : null, [tree, items[q].code()], Ty.none);
      }
      return tree;
    };
    return sequence(0, n - 1, null, this.topLevel);
  }

  /** Label of the item of `level`'s sequence that holds block k (the dispatcher's target for k there). */
  private itemLabel(k: number, level: Loop | null): string {
    let loop = this.innermost[k];
    let item: Loop | null = null;
    while (loop !== level && loop !== null) {
      item = loop;
      loop = loop.parent;
    }
    return item === null ? blockLabel(k) : preLoopLabel(item.header);
  }
}

/** Label of the wasm block whose end is where region block `k`'s code starts. */
export function blockLabel(k: number): string {
  return `B${k}`;
}

function loopLabel(header: number): string {
  return `H${header}`;
}

function preLoopLabel(header: number): string {
  return `P${header}`;
}

function contains(loop: Loop | null, k: number): boolean {
  return loop === null || (k >= loop.header && k <= loop.last);
}

interface Analysis {
  order: Block[];
  loops: Loop[];
  topLevel: Loop[];
  innermost: Array<Loop | null>;
  /** Blocks of the region branching or falling through to each block (layout order). */
  predecessors: number[];
}

/** Dominators, natural loops and the loop-contiguous reverse post-order (indices into `blocks` until the end). */
function analyse(blocks: Block[], successorsOf: (b: Block) => number[]): Analysis {
  const n = blocks.length;
  const byEip = new Map<number, number>();
  blocks.forEach((b, i) => byEip.set(b.eip, i));
  const succ = blocks.map((b) => [...new Set(successorsOf(b).map((eip) => byEip.get(eip)).filter((i): i is number => i !== undefined))]);
  const pred: number[][] = blocks.map(() => []);
  succ.forEach((ss, i) => ss.forEach((s) => pred[s].push(i)));

  // A call's return block is searched before its callee, so reverse post-order puts the callee first and the
  // block its RET comes back to after it: both the call and the return are then forward branches. (Callee first
  // put the return block before the callee, and every return from a call inside the region took the dispatcher.)
  const searchOrder = succ.map((ss, b) => (endsWithCall(blocks[b]) ? [...ss].reverse() : ss));

  // Depth-first from the seed, then from blocks it does not reach: post-order.
  const visited = new Uint8Array(n);
  const post: number[] = [];
  const roots: number[] = [];
  for (let root = 0; root < n; root++) {
    if (visited[root]) continue;
    roots.push(root);
    visited[root] = 1;
    const stack: Array<{ b: number; i: number }> = [{ b: root, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i < searchOrder[top.b].length) {
        const s = searchOrder[top.b][top.i++];
        if (!visited[s]) {
          visited[s] = 1;
          stack.push({ b: s, i: 0 });
        }
      } else {
        post.push(top.b);
        stack.pop();
      }
    }
  }
  const rpo = post.slice().reverse();
  const rpoNumber = new Int32Array(n);
  rpo.forEach((b, i) => (rpoNumber[b] = i));

  // Immediate dominators (Cooper, Harvey, Kennedy) below a virtual root over the DFS roots.
  const ROOT = -1;
  const idom = new Int32Array(n).fill(-2);
  for (const r of roots) idom[r] = ROOT;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      if (a === ROOT || b === ROOT) return ROOT;
      while (a !== ROOT && b !== ROOT && rpoNumber[a] > rpoNumber[b]) a = idom[a];
      while (a !== ROOT && b !== ROOT && rpoNumber[b] > rpoNumber[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of rpo) {
      if (idom[b] === ROOT) continue;
      let d = -2;
      for (const p of pred[b]) if (idom[p] !== -2) d = d === -2 ? p : intersect(p, d);
      if (d !== idom[b]) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  const dominates = (a: number, b: number): boolean => {
    for (let x = b; x !== ROOT; x = idom[x]) if (x === a) return true;
    return false;
  };

  // Natural loops, merged by header: the header plus what reaches a back edge's source without passing it.
  const bodies = new Map<number, Set<number>>();
  for (let u = 0; u < n; u++) {
    for (const h of succ[u]) {
      if (h === u || !dominates(h, u)) continue;
      let body = bodies.get(h);
      if (body === undefined) bodies.set(h, (body = new Set([h])));
      const work = [u];
      while (work.length > 0) {
        const x = work.pop()!;
        if (body.has(x)) continue;
        body.add(x);
        work.push(...pred[x]);
      }
    }
  }
  const bySize = [...bodies].filter(([, body]) => ![...body].some((b) => endsWithCall(blocks[b]))).sort((a, b) => a[1].size - b[1].size);
  const innermostHeader = new Int32Array(n).fill(-1);
  const parentHeader = new Map<number, number>();
  // Smallest first: a block's innermost loop is the first that holds it (a header's is its own loop).
  for (const [h, body] of bySize) for (const x of body) if (innermostHeader[x] === -1) innermostHeader[x] = h;
  // Natural loops with different headers are disjoint or nested, so the smallest enclosing one is the parent.
  for (const [h, body] of bySize) {
    const enclosing = bySize.find(([h2, b2]) => h2 !== h && b2.size > body.size && b2.has(h));
    if (enclosing !== undefined) parentHeader.set(h, enclosing[0]);
  }

  // Layout: a sequence's members (blocks and child loops) in reverse post-order, each loop expanded in place.
  const order: number[] = [];
  const layOut = (header: number | null): void => {
    const members: number[] = [];
    for (let b = 0; b < n; b++) {
      const home = innermostHeader[b];
      const owner = home === b ? (parentHeader.get(b) ?? null) : home === -1 ? null : home;
      if (b === header) continue;
      if (owner === header) members.push(b);
    }
    if (header !== null) order.push(header);
    members.sort((a, b) => rpoNumber[a] - rpoNumber[b]);
    for (const b of members) {
      if (innermostHeader[b] === b) layOut(b);
      else order.push(b);
    }
  };
  layOut(null);

  const position = new Int32Array(n);
  order.forEach((b, k) => (position[b] = k));
  const loops = new Map<number, Loop>();
  for (const [h, body] of bySize) {
    loops.set(h, { header: position[h], last: position[h] + body.size - 1, parent: null, children: [] });
  }
  for (const [h, loop] of loops) {
    const p = parentHeader.get(h);
    if (p !== undefined) {
      loop.parent = loops.get(p)!;
      loop.parent.children.push(loop);
    }
  }
  const innermost: Array<Loop | null> = order.map((b) => (innermostHeader[b] === -1 ? null : loops.get(innermostHeader[b])!));
  return {
    order: order.map((b) => blocks[b]),
    loops: [...loops.values()],
    topLevel: [...loops.values()].filter((l) => l.parent === null),
    innermost,
    predecessors: order.map((b) => pred[b].length),
  };
}
