// The pending-signal set and the interval timer behind alarm/setitimer,
// checked against the kernel's rules (the corpus' signals_frame compares
// whole programs with the real kernel).
import { describe, expect, test } from 'vitest';
import { PendingSignals } from '../../src/linux/signal-delivery.js';
import { IntervalTimer } from '../../src/linux/interval-timer.js';

const ALL = (1n << 64n) - 1n;

describe('pending signals', () => {
  test('a standard signal is pending once however often it is sent; real-time signals queue', () => {
    const p = new PendingSignals();
    p.add({ signo: 10, code: 0, value: 1 });
    p.add({ signo: 10, code: 0, value: 2 });
    p.add({ signo: 34, code: -1, value: 1 });
    p.add({ signo: 34, code: -1, value: 2 });
    expect(p.take(10).value).toBe(1);
    expect(p.next(ALL)).toBe(34);
    expect(p.take(34).value).toBe(1);
    expect(p.take(34).value).toBe(2);
    expect(p.mask).toBe(0n);
  });

  test('synchronous signals go first, then the lowest number; blocked ones wait', () => {
    const p = new PendingSignals();
    for (const signo of [2, 14, 11, 10]) p.add({ signo, code: 0 });
    expect(p.next(ALL)).toBe(11);
    p.take(11);
    expect(p.next(ALL)).toBe(2);
    expect(p.next(ALL & ~(1n << 1n))).toBe(10);
    p.discard(2);
    expect(p.next(ALL)).toBe(10);
  });
});

describe('interval timer', () => {
  test('fires once at its deadline, reloads by its interval and collapses overruns into one', () => {
    const t = new IntervalTimer();
    expect(t.set(0n, 100n, 30n)).toEqual([0n, 0n]);
    expect(t.due(99n)).toBe(false);
    expect(t.due(100n)).toBe(true);
    expect(t.get(100n)).toEqual([30n, 30n]);
    // Three periods missed: one expiry, the next deadline in the future.
    expect(t.due(200n)).toBe(true);
    expect(t.due(200n)).toBe(false);
    expect(t.untilDue(200n)).toBe(20n);
  });

  test('a one-shot timer disarms; setting 0 disarms and returns what was left', () => {
    const t = new IntervalTimer();
    t.set(0n, 50n, 0n);
    expect(t.set(20n, 0n, 0n)).toEqual([30n, 0n]);
    expect(t.armed).toBe(false);
    t.set(0n, 10n, 0n);
    expect(t.due(10n)).toBe(true);
    expect(t.armed).toBe(false);
    expect(t.untilDue(11n)).toBeNull();
  });
});
