import type { LinuxProcess } from './process.js';

/**
 * A syscall handler: the process and the six i386 argument registers
 * (EBX, ECX, EDX, ESI, EDI, EBP) as signed 32-bit values. Returns the
 * value for EAX: a result, or -errno.
 */
export type SyscallFn = (p: LinuxProcess, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number) => number;

export interface SyscallDef {
  nr: number;
  name: string;
  fn: SyscallFn;
}

export function sys(nr: number, name: string, fn: SyscallFn): SyscallDef {
  return { nr, name, fn };
}

/** A 64-bit argument passed in two registers (low, high) as a JS number. */
export function arg64(lo: number, hi: number): number {
  return (hi | 0) * 0x100000000 + (lo >>> 0);
}
