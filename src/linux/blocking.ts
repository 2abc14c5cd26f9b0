/**
 * Thrown by a syscall that has to wait for another process (a read of an
 * empty pipe, wait4 for a running child). The process is parked with its
 * EIP back on the INT 0x80, and the scheduler runs the syscall again once
 * `ready()` holds (or a signal is to be delivered): a restart, as Linux
 * does for SA_RESTART handlers. With no other process that could make it
 * ready, the syscall's caller reports a deadlock instead.
 */
export class WouldBlock {
  constructor(
    readonly ready: () => boolean,
    /** What the process waits for, for the deadlock message. */
    readonly what: string,
    /**
     * For a wait whose syscall already returned (suspendUntil): the value
     * EAX gets when the wait ends, if not the one it returned (a futex
     * wait that timed out); null keeps it.
     */
    readonly outcome: (() => number | null) | null = null,
    /** When the wait gives up by itself (hrtime ns), so a scheduler with nothing else to run can sleep until then. */
    readonly deadline: bigint | null = null,
  ) {}
}

/** How a process ended, as wait4 reports it. */
export type Termination = { code: number } | { signal: number; core: boolean };

/**
 * The wait status word: exit code << 8, or the signal. The core-dump bit
 * stays clear: no core file is written (RLIMIT_CORE is 0 by default, so
 * the kernel writes none either).
 */
export function waitStatus(t: Termination): number {
  return 'code' in t ? (t.code & 0xff) << 8 : t.signal;
}
