import type { Machine, Personality } from './machine.js';

/** Where a VM's time goes; `outside` is whatever happens between Machine.run calls. */
export type TimeBucket = 'interpreter' | 'translated' | 'compile' | 'runtime' | 'outside';

export const TIME_BUCKETS: readonly TimeBucket[] = ['interpreter', 'translated', 'compile', 'runtime', 'outside'];

/**
 * Splits a VM's wall time into buckets by reading the clock only where the
 * VM changes what it is doing (entering translated code, compiling, a
 * syscall), never per instruction or per interpreted block: the interpreter's
 * time is what remains between those switches. Each switch costs two clock
 * reads (~0.1 µs), so a profiled run of a program that enters translated code
 * from JavaScript millions of times is measurably slower than an unprofiled
 * one; `switches` says how many there were.
 */
export class TimeProfile {
  readonly ms: Record<TimeBucket, number> = { interpreter: 0, translated: 0, compile: 0, runtime: 0, outside: 0 };
  switches = 0;
  private current: TimeBucket = 'outside';
  private since = performance.now();

  /** Charges the time since the last switch to the current bucket and moves to `next`; returns the bucket left. */
  switchTo(next: TimeBucket): TimeBucket {
    const now = performance.now();
    const left = this.current;
    this.ms[left] += now - this.since;
    this.since = now;
    this.current = next;
    this.switches++;
    return left;
  }

  /** The bucket the clock is charging now. */
  get bucket(): TimeBucket {
    return this.current;
  }

  /** Charges the running stretch (call before reading `ms` from outside). */
  settle(): void {
    this.switchTo(this.current);
  }
}

/** `personality` with the time of each syscall and exception it handles charged to 'runtime'. */
export function profiledPersonality(personality: Personality, profile: TimeProfile): Personality {
  const inRuntime = (handle: () => void): void => {
    const left = profile.switchTo('runtime');
    try {
      handle();
    } finally {
      profile.switchTo(left);
    }
  };
  return {
    onInterrupt: (vm: Machine, vector: number) => inRuntime(() => personality.onInterrupt(vm, vector)),
    onException: (vm: Machine, e) => inRuntime(() => personality.onException(vm, e)),
  };
}
