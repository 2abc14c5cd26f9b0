/**
 * What translated code shares with JavaScript besides the CPU state block:
 * the dispatch cache (guest EIP → table index, looked up inside wasm), and
 * the exit codes a region returns with.
 */

/** Byte offset of the dispatch cache, between the soft-TLB and the frame pool. */
export const DISPATCH_BASE = 0x410000;
export const DISPATCH_BITS = 12;
export const DISPATCH_ENTRIES = 1 << DISPATCH_BITS;
/** Each entry is [eip, table index]: 8 bytes. */
export const DISPATCH_BYTES = DISPATCH_ENTRIES * 8;

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
}
