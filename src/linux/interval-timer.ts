/**
 * One POSIX interval timer on the host's monotonic clock (ITIMER_REAL,
 * alarm): a deadline and a reload interval, in nanoseconds.
 */
export class IntervalTimer {
  /** When it next fires (hrtime ns), or 0n when disarmed. */
  private deadline = 0n;
  private interval = 0n;

  /** Arms it `valueNs` from `now` (0: disarm), reloading with `intervalNs`; returns the old [remaining, interval]. */
  set(now: bigint, valueNs: bigint, intervalNs: bigint): [bigint, bigint] {
    const old = this.get(now);
    this.deadline = valueNs > 0n ? now + valueNs : 0n;
    this.interval = valueNs > 0n ? intervalNs : 0n;
    return old;
  }

  /** [time until it fires, interval]; [0, 0] when disarmed. */
  get(now: bigint): [bigint, bigint] {
    if (this.deadline === 0n) return [0n, this.interval];
    const left = this.deadline - now;
    // An expired timer still waiting for its poll reads as about to fire, never as disarmed.
    return [left > 0n ? left : 1000n, this.interval];
  }

  get armed(): boolean {
    return this.deadline !== 0n;
  }

  /** Nanoseconds from `now` until it fires (0n if due), or null when disarmed. */
  untilDue(now: bigint): bigint | null {
    if (this.deadline === 0n) return null;
    return this.deadline > now ? this.deadline - now : 0n;
  }

  /** Whether it fired by `now`; reloads or disarms it if so (overruns collapse into one signal, like the kernel's). */
  due(now: bigint): boolean {
    if (this.deadline === 0n || now < this.deadline) return false;
    if (this.interval > 0n) {
      const missed = (now - this.deadline) / this.interval;
      this.deadline += (missed + 1n) * this.interval;
    } else {
      this.deadline = 0n;
    }
    return true;
  }
}
