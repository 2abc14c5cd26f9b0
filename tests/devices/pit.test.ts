import { describe, expect, test } from 'vitest';
import { ManualClock, type IrqLine } from '../../src/devices/device.js';
import { IoBus } from '../../src/devices/io-bus.js';
import { DualPic } from '../../src/devices/pic.js';
import { PIT_FREQ_HZ, Pit, pitClocks, pitNs } from '../../src/devices/pit.js';

/** Counts rising edges; an edge is only seen if the line was lowered in between. */
class FakeIrq implements IrqLine {
  level = false;
  pulses = 0;
  raise(): void {
    if (!this.level) this.pulses++;
    this.level = true;
  }
  lower(): void {
    this.level = false;
  }
}

const CH0 = 0x40;
const CH1 = 0x41;
const CH2 = 0x42;
const MODE = 0x43;
const PORT_B = 0x61;
/** Linux's LATCH for HZ=250: (PIT_TICK_RATE + HZ/2) / HZ. */
const LATCH = 4772;

function setup(startNs = 0) {
  const bus = new IoBus();
  const clock = new ManualClock(startNs);
  const irq = new FakeIrq();
  const pit = new Pit(bus, clock, irq);
  const program = (channel: number, controlWord: number, count?: number): void => {
    bus.out8(MODE, controlWord);
    if (count !== undefined) {
      bus.out8(CH0 + channel, count & 0xff);
      bus.out8(CH0 + channel, count >> 8);
    }
  };
  /** Linux's clocksource read: latch, then LSB and MSB. */
  const latched = (channel: number): number => {
    bus.out8(MODE, channel << 6);
    return bus.in8(CH0 + channel) | (bus.in8(CH0 + channel) << 8);
  };
  /** Moves the clock to `clocks` input clocks after `from` ns. */
  const at = (from: number, clocks: number): void => {
    clock.advance(from + pitNs(clocks) - clock.nowNs());
  };
  return { bus, clock, irq, pit, program, latched, at };
}

describe('clock conversion', () => {
  test('pitNs is the exact inverse of pitClocks, also after hours', () => {
    for (const k of [1, 2, 4772, 65535, PIT_FREQ_HZ, PIT_FREQ_HZ + 1, 3600 * PIT_FREQ_HZ + 4771, 86400 * PIT_FREQ_HZ * 7 + 12345]) {
      const ns = pitNs(k);
      expect(pitClocks(ns)).toBe(k);
      expect(pitClocks(ns - 1)).toBe(k - 1);
    }
    expect(pitClocks(1e9)).toBe(PIT_FREQ_HZ);
  });
});

describe('8254 PIT', () => {
  test('claims 0x40-0x43 and 0x61; after reset channel 0 runs mode 3 with count 65536 (18.2 Hz)', () => {
    const { bus, pit } = setup();
    expect([0x40, 0x41, 0x42, 0x43, 0x61].map((p) => bus.owner(p))).toEqual(Array(5).fill('pit'));
    expect(pit.tick()).toBe(pitNs(65536));
  });

  test('mode 2 with LATCH 4772 gives 250 interrupts per simulated second', () => {
    const { irq, pit, program, clock } = setup();
    program(0, 0x34, LATCH);
    for (let ms = 0; ms < 1000; ms++) {
      clock.advance(1_000_000);
      pit.tick();
    }
    expect(irq.pulses).toBe(250);
    expect(irq.level).toBe(false);
    // And on through a second second: no drift.
    for (let ms = 0; ms < 1000; ms++) {
      clock.advance(1_000_000);
      pit.tick();
    }
    expect(irq.pulses).toBe(Math.floor((2 * PIT_FREQ_HZ) / LATCH));
  });

  test("following tick()'s deadline gives one pulse per period, 4772 clocks apart", () => {
    const { irq, pit, program, clock } = setup(777);
    program(0, 0x34, LATCH);
    let next = pit.tick();
    const deadlines: number[] = [];
    while (next <= 777 + 1e9) {
      deadlines.push(next);
      clock.advance(next - clock.nowNs());
      const before = irq.pulses;
      next = pit.tick();
      expect(irq.pulses).toBe(before + 1);
    }
    expect(irq.pulses).toBe(250);
    deadlines.forEach((t, i) => expect(t).toBe(777 + pitNs((i + 1) * LATCH)));
    // Just before a deadline nothing fires.
    clock.advance(next - 1 - clock.nowNs());
    expect(pit.tick()).toBe(next);
    expect(irq.pulses).toBe(250);
  });

  test('missed periods are coalesced into one interrupt', () => {
    const { irq, pit, program, clock } = setup();
    program(0, 0x34, LATCH);
    clock.advance(100_000_000);
    const next = pit.tick();
    expect(irq.pulses).toBe(1);
    expect(next).toBeGreaterThan(clock.nowNs());
    expect(next).toBe(pitNs(LATCH * (Math.floor(pitClocks(100_000_000) / LATCH) + 1)));
  });

  test('mode 2 counts down across reads and reloads', () => {
    const { program, latched, at } = setup();
    program(0, 0x34, 1000);
    const seen = [0, 1, 500, 999, 1000, 1001, 1500, 2999].map((d) => {
      at(0, d);
      return latched(0);
    });
    expect(seen).toEqual([1000, 999, 500, 1, 1000, 999, 500, 1]);
  });

  test('a latched count stays stable while time moves, until fully read; a second latch is ignored', () => {
    const { bus, clock, program, at } = setup();
    program(0, 0x34, LATCH);
    at(0, 1000);
    bus.out8(MODE, 0x00);
    clock.advance(1_000_000);
    bus.out8(MODE, 0x00); // ignored: the first latch is unread
    expect(bus.in8(CH0)).toBe(3772 & 0xff);
    clock.advance(1_000_000);
    expect(bus.in8(CH0 + 0)).toBe(3772 >> 8);
    // Unlatched now: the live count.
    const d = pitClocks(clock.nowNs());
    const live = LATCH - (d % LATCH);
    expect(bus.in8(CH0) | (bus.in8(CH0) << 8)).toBe(live);
    // The latch command did not change the mode or access.
    bus.out8(MODE, 0xe2);
    expect(bus.in8(CH0) & 0x3f).toBe(0x34);
  });

  test('LSB-only and MSB-only access', () => {
    const { bus, at, clock } = setup();
    bus.out8(MODE, 0x54); // channel 1, LSB only, mode 2
    bus.out8(CH1, 100);
    const t0 = clock.nowNs();
    expect(bus.in8(CH1)).toBe(100);
    at(t0, 30);
    expect(bus.in8(CH1)).toBe(70);
    expect(bus.in8(CH1)).toBe(70); // no toggle in single-byte mode
    bus.out8(MODE, 0x64); // channel 1, MSB only, mode 2
    bus.out8(CH1, 0x12);
    const t1 = clock.nowNs();
    expect(bus.in8(CH1)).toBe(0x12);
    at(t1, 0x101);
    expect(bus.in8(CH1)).toBe(0x10);
    // Latched in MSB-only mode: one byte, then live again.
    bus.out8(MODE, 0x40);
    at(t1, 0x301);
    expect(bus.in8(CH1)).toBe(0x10);
    expect(bus.in8(CH1)).toBe(0x0e);
  });

  test('mode 0 one-shot: one interrupt at terminal count, then the counter wraps silently', () => {
    const { bus, irq, pit, program, clock, latched } = setup(5000);
    program(0, 0x30, 1000);
    expect(pit.tick()).toBe(5000 + pitNs(1000));
    clock.advance(pitNs(1000) - 1);
    pit.tick();
    expect(irq.pulses).toBe(0);
    bus.out8(MODE, 0xe2);
    expect(bus.in8(CH0) & 0x80).toBe(0); // OUT low while counting
    clock.advance(1);
    expect(pit.tick()).toBe(Infinity);
    expect(irq.pulses).toBe(1);
    bus.out8(MODE, 0xe2);
    expect(bus.in8(CH0) & 0x80).toBe(0x80);
    clock.advance(1_000_000_000);
    expect(pit.tick()).toBe(Infinity);
    expect(irq.pulses).toBe(1);
    clock.advance(pitNs(pitClocks(clock.nowNs() - 5000) + 1) - (clock.nowNs() - 5000));
    const d = pitClocks(clock.nowNs() - 5000);
    expect(latched(0)).toBe((((1000 - d) % 65536) + 65536) % 65536);
  });

  test('mode 0: writing the LSB stops the count and drops OUT; the MSB restarts it', () => {
    const { bus, irq, pit, program, at, latched } = setup();
    program(0, 0x30, 100);
    at(0, 150);
    pit.tick();
    expect(irq.pulses).toBe(1);
    bus.out8(CH0, 0x00);
    bus.out8(MODE, 0xe2);
    expect(bus.in8(CH0) & 0x80).toBe(0);
    const frozen = latched(0);
    at(0, 400);
    expect(latched(0)).toBe(frozen);
    expect(pit.tick()).toBe(Infinity);
    bus.out8(CH0, 0x01); // count 256 from now
    expect(pit.tick()).toBe(pitNs(400) + pitNs(256));
  });

  test('Linux periodic then one-shot: mode 4 re-armed on every tick', () => {
    const { bus, irq, pit, program, clock } = setup();
    program(0, 0x34, LATCH);
    clock.advance(10_000_000);
    pit.tick();
    expect(irq.pulses).toBe(1);
    // clockevent set_state_oneshot: 0x38; set_next_event: LSB, MSB.
    bus.out8(MODE, 0x38);
    expect(pit.tick()).toBe(Infinity);
    for (let i = 0; i < 100; i++) {
      const now = clock.nowNs();
      bus.out8(CH0, LATCH & 0xff);
      bus.out8(CH0, LATCH >> 8);
      const next = pit.tick();
      // OUT pulses low at count 0 and rises one clock later.
      expect(next).toBe(now + pitNs(LATCH + 1));
      clock.advance(next - now);
      pit.tick();
      expect(irq.pulses).toBe(2 + i);
      expect(pit.tick()).toBe(Infinity);
    }
  });

  test('a new mode 2 count takes effect at the end of the current cycle', () => {
    const { bus, pit, program, at, latched } = setup();
    program(0, 0x34, 1000);
    at(0, 300);
    bus.out8(CH0, 500 & 0xff);
    bus.out8(CH0, 500 >> 8);
    bus.out8(MODE, 0xe2);
    expect(bus.in8(CH0) & 0x40).toBe(0x40); // null count: not loaded yet
    expect(latched(0)).toBe(700);
    expect(pit.tick()).toBe(pitNs(1000));
    at(0, 1000);
    expect(pit.tick()).toBe(pitNs(1500));
    expect(latched(0)).toBe(500);
    bus.out8(MODE, 0xe2);
    expect(bus.in8(CH0) & 0x40).toBe(0);
    at(0, 1700);
    expect(latched(0)).toBe(300);
  });

  test('TSC calibration: channel 2 mode 0 gated by port 0x61, OUT in bit 5', () => {
    const start = 123_456;
    const { bus, clock } = setup(start);
    // pit_calibrate_tsc / quick_pit_calibrate.
    bus.out8(PORT_B, (bus.in8(PORT_B) & ~0x02) | 0x01);
    bus.out8(MODE, 0xb0);
    bus.out8(CH2, 0xff);
    bus.out8(CH2, 0xff);
    expect(bus.in8(PORT_B) & 0x20).toBe(0);
    // pit_expect_msb: LSB then MSB, unlatched.
    const msbs: number[] = [];
    let polls = 0;
    while ((bus.in8(PORT_B) & 0x20) === 0) {
      bus.in8(CH2);
      msbs.push(bus.in8(CH2));
      clock.advance(10_000);
      polls++;
    }
    const expire = start + pitNs(0xffff);
    expect(clock.nowNs()).toBeGreaterThanOrEqual(expire);
    expect(clock.nowNs()).toBeLessThan(expire + 10_000);
    expect(polls).toBe(Math.ceil((expire - start) / 10_000));
    // The MSB walks down from 0xff without skipping backwards.
    expect(msbs[0]).toBe(0xff);
    expect(msbs.at(-1)).toBe(0x00);
    for (let i = 1; i < msbs.length; i++) expect(msbs[i]).toBeLessThanOrEqual(msbs[i - 1]);
    // Exactly at the edge.
    clock.advance(expire - 1 - clock.nowNs());
    expect(bus.in8(PORT_B) & 0x20).toBe(0);
    clock.advance(1);
    expect(bus.in8(PORT_B) & 0x20).toBe(0x20);
    // OUT stays high in mode 0.
    clock.advance(1e9);
    expect(bus.in8(PORT_B) & 0x20).toBe(0x20);
  });

  test('channel 2 gate low holds the count in mode 0; port 0x61 bits read back', () => {
    const { bus, clock, at } = setup();
    bus.out8(PORT_B, 0x00);
    bus.out8(MODE, 0xb0);
    bus.out8(CH2, 100);
    bus.out8(CH2, 0);
    const read = (): number => {
      bus.out8(MODE, 0x80);
      return bus.in8(CH2) | (bus.in8(CH2) << 8);
    };
    clock.advance(1_000_000);
    expect(read()).toBe(100);
    const t = clock.nowNs();
    bus.out8(PORT_B, 0x03);
    at(t, 40);
    expect(read()).toBe(60);
    bus.out8(PORT_B, 0x02);
    clock.advance(1_000_000);
    expect(read()).toBe(60);
    const t2 = clock.nowNs();
    bus.out8(PORT_B, 0x03);
    at(t2, 60);
    expect(read()).toBe(0);
    expect(bus.in8(PORT_B) & 0x20).toBe(0x20);
    // Writable bits 0-3 read back; 6-7 read 0.
    bus.out8(PORT_B, 0xff);
    expect(bus.in8(PORT_B) & 0xcf).toBe(0x0f);
  });

  test('the refresh bit toggles between reads so delay loops end', () => {
    const { bus } = setup();
    const a = bus.in8(PORT_B) & 0x10;
    const b = bus.in8(PORT_B) & 0x10;
    const c = bus.in8(PORT_B) & 0x10;
    expect(a).not.toBe(b);
    expect(c).toBe(a);
  });

  test('channel 2 mode 3 square wave: OUT high for the first half, low for the second; gate low forces it high', () => {
    const { bus, at, clock } = setup();
    bus.out8(PORT_B, 0x03);
    const t = clock.nowNs();
    bus.out8(MODE, 0xb6);
    bus.out8(CH2, 100);
    bus.out8(CH2, 0);
    const out = (d: number): number => {
      at(t, d);
      return (bus.in8(PORT_B) >> 5) & 1;
    };
    expect([0, 49, 50, 99, 100, 149, 150].map(out)).toEqual([1, 1, 0, 0, 1, 1, 0]);
    bus.out8(MODE, 0x80);
    expect(bus.in8(CH2) | (bus.in8(CH2) << 8)).toBe(100);
    bus.out8(PORT_B, 0x02);
    expect((bus.in8(PORT_B) >> 5) & 1).toBe(1);
  });

  test('modes 1 and 5 on channel 2 start on a gate rising edge; mode 1 retriggers', () => {
    const { bus, clock, at } = setup();
    const out = (): number => (bus.in8(PORT_B) >> 5) & 1;
    bus.out8(PORT_B, 0x00);
    bus.out8(MODE, 0xb2); // mode 1
    bus.out8(CH2, 100);
    bus.out8(CH2, 0);
    clock.advance(1_000_000);
    expect(out()).toBe(1);
    const t = clock.nowNs();
    bus.out8(PORT_B, 0x01);
    expect(out()).toBe(0);
    at(t, 50);
    bus.out8(PORT_B, 0x00); // a low gate does not stop a one-shot
    bus.out8(PORT_B, 0x01); // but the next rising edge restarts it
    const t2 = clock.nowNs();
    at(t2, 99);
    expect(out()).toBe(0);
    at(t2, 100);
    expect(out()).toBe(1);

    bus.out8(PORT_B, 0x00);
    bus.out8(MODE, 0xba); // mode 5
    bus.out8(CH2, 10);
    bus.out8(CH2, 0);
    bus.out8(PORT_B, 0x01);
    const t3 = clock.nowNs();
    const seen = [9, 10, 11].map((d) => {
      at(t3, d);
      return out();
    });
    expect(seen).toEqual([1, 0, 1]);
  });

  test('read-back status: OUT, null count, access, mode and BCD bits; status before count', () => {
    const { bus, program, at, clock } = setup();
    bus.out8(MODE, 0x34);
    bus.out8(MODE, 0xe2); // status only, channel 0
    expect(bus.in8(CH0)).toBe(0x80 | 0x40 | 0x30 | 0x04);
    bus.out8(CH0, 10);
    bus.out8(CH0, 0);
    bus.out8(MODE, 0xe2);
    expect(bus.in8(CH0)).toBe(0x80 | 0x30 | 0x04);

    // Mode 0 on channel 2: OUT low until terminal count.
    bus.out8(PORT_B, 0x01);
    bus.out8(MODE, 0xb1); // BCD
    bus.out8(MODE, 0xe8);
    expect(bus.in8(CH2)).toBe(0x40 | 0x30 | 0x01);
    bus.out8(CH2, 0x00);
    bus.out8(CH2, 0x10); // 1000 decimal in BCD
    const t = clock.nowNs();
    bus.out8(MODE, 0xe8);
    expect(bus.in8(CH2)).toBe(0x30 | 0x01);
    at(t, 1000);
    // Status and count of two channels at once.
    bus.out8(MODE, 0xc0 | 0x08 | 0x02);
    expect(bus.in8(CH2)).toBe(0x80 | 0x30 | 0x01);
    expect(bus.in8(CH2) | (bus.in8(CH2) << 8)).toBe(0x0000);
    expect(bus.in8(CH0)).toBe(0x80 | 0x30 | 0x04);
    const d = pitClocks(clock.nowNs());
    expect(bus.in8(CH0) | (bus.in8(CH0) << 8)).toBe(10 - (d % 10));

    // Mode 6 is mode 2; the status shows the bits as written.
    program(1, 0x7c, 5);
    bus.out8(MODE, 0xe4);
    expect(bus.in8(CH1)).toBe(0x80 | 0x30 | 0x0c);
    // Count only (/STATUS set).
    bus.out8(MODE, 0xd4);
    expect(bus.in8(CH1)).toBe(5);
  });

  test('BCD counting: digits, wrap at 10000, count 0 is 10000', () => {
    const { bus, irq, pit, program, at, latched } = setup();
    program(0, 0x31, 0x1000);
    at(0, 1);
    expect(latched(0)).toBe(0x0999);
    at(0, 999);
    expect(latched(0)).toBe(0x0001);
    pit.tick();
    expect(irq.pulses).toBe(0);
    at(0, 1000);
    pit.tick();
    expect(irq.pulses).toBe(1);
    at(0, 1001);
    expect(latched(0)).toBe(0x9999);

    const t = pitNs(1001);
    bus.out8(MODE, 0x35); // mode 2, BCD
    bus.out8(CH0, 0);
    bus.out8(CH0, 0);
    at(t, 1);
    expect(latched(0)).toBe(0x9999);
    expect(pit.tick()).toBe(t + pitNs(10000));
  });

  test('IRQ 0 through the real PIC arrives as vector 0x30', () => {
    const bus = new IoBus();
    const clock = new ManualClock();
    const pic = new DualPic(bus);
    const pit = new Pit(bus, clock, pic.irq(0));
    const linuxPicInit = [
      [0x20, 0x11], [0x21, 0x30], [0x21, 0x04], [0x21, 0x01],
      [0xa0, 0x11], [0xa1, 0x38], [0xa1, 0x02], [0xa1, 0x01],
      [0x21, 0xfa], [0xa1, 0xff],
    ];
    for (const [port, value] of linuxPicInit) bus.out8(port, value);
    bus.out8(MODE, 0x34);
    bus.out8(CH0, LATCH & 0xff);
    bus.out8(CH0, LATCH >> 8);
    let taken = 0;
    for (let ms = 0; ms < 1000; ms++) {
      clock.advance(1_000_000);
      pit.tick();
      if (pic.intr) {
        expect(pic.acknowledge()).toBe(0x30);
        bus.out8(0x20, 0x60);
        taken++;
      }
    }
    expect(taken).toBe(250);
  });

  test('saveState/restoreState continue the count on a clock with another origin', () => {
    const a = setup();
    a.program(0, 0x34, LATCH);
    a.program(2, 0xb0, 0x8000);
    a.at(0, 1234);
    a.pit.tick();
    a.bus.out8(MODE, 0x00); // a pending latch travels too
    const state = JSON.parse(JSON.stringify(a.pit.saveState()));

    const b = setup(5_000_000_000);
    b.pit.restoreState(state);
    expect(b.bus.in8(CH0) | (b.bus.in8(CH0) << 8)).toBe(LATCH - 1234);
    const next = b.pit.tick();
    expect(next - 5_000_000_000).toBe(a.pit.tick() - a.clock.nowNs());
    b.clock.advance(next - b.clock.nowNs());
    b.pit.tick();
    expect(b.irq.pulses).toBe(1);
    // Channel 2's gate was low: it has not moved.
    expect(b.latched(2)).toBe(0x8000);

    b.pit.reset();
    expect(b.pit.tick()).toBe(b.clock.nowNs() + pitNs(65536));
  });
});
