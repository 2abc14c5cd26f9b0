/**
 * Guest-visible CPU exceptions. Thrown by memory accesses and instruction
 * semantics; caught by the execution loop, which restores the faulting
 * instruction's EIP so every exception is precise. Not an Error subclass:
 * capturing a JavaScript stack trace on every guest page fault would cost
 * more than the fault.
 */
export const enum Vector {
  DE = 0, // divide error
  DB = 1,
  NMI = 2,
  BP = 3, // INT3
  OF = 4, // INTO
  BR = 5, // BOUND
  UD = 6, // invalid opcode
  NM = 7, // device not available
  DF = 8,
  TS = 10,
  NP = 11,
  SS = 12,
  GP = 13,
  PF = 14,
  MF = 16,
  AC = 17,
  MC = 18,
  XM = 19,
}

export class CpuException {
  constructor(
    readonly vector: number,
    readonly errorCode: number = -1,
    /** Faulting linear address for #PF (CR2). */
    readonly address: number = 0,
    /** Human-readable detail for diagnostics. */
    readonly detail: string = '',
  ) {}
}

export const VECTOR_NAMES: Record<number, string> = {
  0: '#DE divide error',
  1: '#DB debug',
  3: '#BP breakpoint',
  4: '#OF overflow',
  5: '#BR bound range exceeded',
  6: '#UD invalid opcode',
  7: '#NM device not available',
  8: '#DF double fault',
  10: '#TS invalid TSS',
  11: '#NP segment not present',
  12: '#SS stack fault',
  13: '#GP general protection',
  14: '#PF page fault',
  16: '#MF x87 error',
  17: '#AC alignment check',
  19: '#XM SIMD exception',
};
