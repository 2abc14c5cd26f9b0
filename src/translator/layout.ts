import { DISPATCH_BITS, DISPATCH_ENTRIES } from '../runtime/layout.js';

/**
 * What translated code shares with JavaScript besides the state block: how
 * the dispatch cache (runtime/layout.ts places it) is indexed, and the exit
 * codes a region returns with. An entry is [eip, table index], 8 bytes.
 */

/** Dispatch-cache slot of `eip` (the same hash in wasm and in JavaScript). */
export function dispatchSlot(eip: number): number {
  return (eip ^ (eip >>> DISPATCH_BITS)) & (DISPATCH_ENTRIES - 1);
}

/** Table slot 0 holds a function that only returns Exit.MISS: an empty dispatch entry points at it. */
export const MISS_INDEX = 0;

/** Why translated code returned to JavaScript (state is written back; EIP is where to go on). */
export const enum Exit {
  /** The next block has no translation the dispatch cache knows. */
  MISS = 0,
  /** The instruction budget ran out. */
  BUDGET = 1,
  /** A helper asked to stop: a stop request, a write to code, a CS reload. */
  ATTENTION = 2,
  /** A helper met a guest exception (Slot.FAULT is set; EIP is the faulting instruction). */
  FAULT = 3,
  /** A load or store missed the inline soft-TLB: the interpreter runs the instruction at EIP first. */
  RETRY = 4,
}
