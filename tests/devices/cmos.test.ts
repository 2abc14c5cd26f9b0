import { describe, expect, test } from 'vitest';
import { Cmos } from '../../src/devices/cmos.js';
import { ManualClock, type IrqLine } from '../../src/devices/device.js';
import { IoBus } from '../../src/devices/io-bus.js';

/** An interrupt line that remembers its level and counts rising edges. */
class FakeIrq implements IrqLine {
  level = false;
  raises = 0;
  lowers = 0;
  raise(): void {
    if (!this.level) this.raises++;
    this.level = true;
  }
  lower(): void {
    if (this.level) this.lowers++;
    this.level = false;
  }
}

const MS = 1e6;
const SECOND = 1e9;
/** Wednesday 15 July 2026, 13:45:30 UTC. */
const EPOCH = Date.UTC(2026, 6, 15, 13, 45, 30);

function setup(opts: { epochMs?: number; memoryBytes?: number } = {}) {
  const bus = new IoBus();
  const clock = new ManualClock(0, opts.epochMs ?? EPOCH);
  const irq = new FakeIrq();
  const cmos = new Cmos(bus, clock, irq, { memoryBytes: opts.memoryBytes ?? 64 << 20 });
  const read = (index: number) => {
    bus.out8(0x70, index);
    return bus.in8(0x71);
  };
  const write = (index: number, value: number) => {
    bus.out8(0x70, index);
    bus.out8(0x71, value);
  };
  /** Runs the clock the way a VM would: to each time tick() asks for, servicing interrupts like Linux's rtc-cmos. */
  const run = (ns: number) => {
    let interrupts = 0;
    const end = clock.nowNs() + ns;
    for (;;) {
      const next = cmos.tick();
      if (irq.level) {
        read(0x0c);
        interrupts++;
        continue;
      }
      if (next > end) break;
      clock.advance(next - clock.nowNs());
    }
    clock.advance(end - clock.nowNs());
    cmos.tick();
    return interrupts;
  };
  return { bus, clock, irq, cmos, read, write, run };
}

const bcd = (v: number) => ((Math.floor(v / 10) << 4) | v % 10);

/** Time registers as Linux's mc146818_get_time reads them. */
function timeRegisters(read: (i: number) => number) {
  return [0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32].map(read);
}

describe('MC146818 RTC and CMOS RAM', () => {
  test('claims ports 0x70 and 0x71', () => {
    const { bus } = setup();
    expect(bus.owner(0x70)).toBe('cmos');
    expect(bus.owner(0x71)).toBe('cmos');
    expect(bus.owner(0x72)).toBeUndefined();
  });

  test("BCD 24-hour time (the power-on format) matches the clock's UTC time", () => {
    const { read, clock } = setup();
    expect(read(0x0b)).toBe(0x02);
    expect(timeRegisters(read)).toEqual([0x30, 0x45, 0x13, 4, 0x15, 0x07, 0x26, 0x20]);
    // And keeps doing so as the clock runs (over a day, month and year boundary here).
    clock.advance((Date.UTC(2027, 0, 1, 0, 0, 5) - EPOCH) * MS + 500 * MS);
    const d = new Date(clock.wallMs());
    expect(timeRegisters(read)).toEqual([
      bcd(d.getUTCSeconds()),
      bcd(d.getUTCMinutes()),
      bcd(d.getUTCHours()),
      d.getUTCDay() + 1,
      bcd(d.getUTCDate()),
      bcd(d.getUTCMonth() + 1),
      bcd(d.getUTCFullYear() % 100),
      0x20,
    ]);
    expect(timeRegisters(read)).toEqual([0x05, 0x00, 0x00, 6, 0x01, 0x01, 0x27, 0x20]);
  });

  test('binary mode', () => {
    const { read, write } = setup();
    write(0x0b, 0x02 | 0x04);
    expect(timeRegisters(read)).toEqual([30, 45, 13, 4, 15, 7, 26, 20]);
  });

  test('12-hour mode: PM in bit 7, midnight and noon are 12', () => {
    const { read, write, clock } = setup({ epochMs: Date.UTC(2026, 0, 1, 0, 0, 0) });
    write(0x0b, 0x00);
    expect(read(0x04)).toBe(0x12); // 12 AM
    clock.advance(12 * 3600 * SECOND);
    expect(read(0x04)).toBe(0x80 | 0x12); // 12 PM
    clock.advance(1 * 3600 * SECOND);
    expect(read(0x04)).toBe(0x80 | 0x01);
    write(0x0b, 0x04); // binary, 12-hour
    clock.advance(10 * 3600 * SECOND);
    expect(read(0x04)).toBe(0x80 | 11); // 23:00
  });

  test('UIP is set only in the 244 µs before each second boundary', () => {
    const { read, clock } = setup();
    const uip = () => (read(0x0a) & 0x80) !== 0;
    expect(read(0x0a)).toBe(0x26);
    clock.advance(SECOND - 244_000 - 1);
    expect(uip()).toBe(false);
    clock.advance(1);
    expect(uip()).toBe(true);
    expect(read(0x00)).toBe(0x30); // the old second until the update
    clock.advance(243_999);
    expect(uip()).toBe(true);
    clock.advance(1);
    expect(uip()).toBe(false);
    expect(read(0x00)).toBe(0x31);
    // Linux's mc146818_get_time: wait while UIP, read, check UIP again.
    clock.advance(SECOND - 100_000);
    let polls = 0;
    while (uip()) {
      clock.advance(10_000);
      polls++;
    }
    expect(polls).toBeGreaterThan(0);
    expect(polls).toBeLessThan(20);
    expect(read(0x00)).toBe(0x32);
    // Writing UIP has no effect.
    const other = setup();
    other.write(0x0a, 0xa6);
    expect(other.read(0x0a)).toBe(0x26);
  });

  test('register C: read-to-clear, and reading it lowers IRQ 8', () => {
    const { read, write, clock, irq, cmos } = setup();
    write(0x0b, 0x02 | 0x10); // UIE
    clock.advance(SECOND);
    cmos.tick();
    expect(irq.level).toBe(true);
    // PF is there too: rate 6 runs whether or not PIE is set.
    expect(read(0x0c)).toBe(0x80 | 0x40 | 0x10);
    expect(irq.level).toBe(false);
    expect(read(0x0c)).toBe(0);
    // Flags are set even with their interrupt off, and then do not interrupt.
    write(0x0b, 0x02);
    clock.advance(SECOND);
    expect(cmos.tick()).toBe(Infinity);
    expect(irq.level).toBe(false);
    expect(read(0x0c)).toBe(0x40 | 0x10); // PF (rate 6 runs) and UF, no IRQF
    // Enabling an interrupt whose flag is already set interrupts at once.
    clock.advance(SECOND / 2);
    write(0x0b, 0x02 | 0x40);
    expect(irq.level).toBe(true);
    expect(read(0x0c)).toBe(0x80 | 0x40);
  });

  test('periodic interrupt at rate 6 delivers ~1024 interrupts in a simulated second', () => {
    const { read, write, run, irq } = setup();
    read(0x0c);
    write(0x0a, 0x26);
    write(0x0b, 0x02 | 0x40);
    const n = run(SECOND);
    expect(n).toBeGreaterThanOrEqual(1023);
    expect(n).toBeLessThanOrEqual(1025);
    expect(irq.raises).toBe(n);
    // Rate 15 is 2 Hz; rate 0 turns it off.
    write(0x0a, 0x2f);
    expect(run(10 * SECOND)).toBe(20);
    write(0x0a, 0x20);
    expect(run(SECOND)).toBe(0);
  });

  test('update-ended interrupt once per second, at the second boundary', () => {
    const { read, write, run, clock, cmos } = setup();
    write(0x0b, 0x02 | 0x10);
    expect(cmos.tick()).toBe(SECOND);
    expect(run(5 * SECOND + SECOND / 2)).toBe(5);
    expect(read(0x00)).toBe(0x35);
    expect(cmos.tick()).toBe(6 * SECOND);
    expect(clock.nowNs()).toBe(5.5 * SECOND);
  });

  test('alarm interrupt when the time matches, with 0xC0-0xFF as "don\'t care"', () => {
    const { write, run, read } = setup();
    write(0x01, 0x35); // xx:xx:35
    write(0x03, 0xff);
    write(0x05, 0xc0);
    write(0x0b, 0x02 | 0x20);
    expect(run(4 * SECOND)).toBe(0);
    expect(run(SECOND)).toBe(1);
    expect(read(0x00)).toBe(0x35);
    expect(run(59 * SECOND)).toBe(0);
    expect(run(SECOND)).toBe(1);
    // A specific hour: 14:00:00 comes round after the clock passes it.
    write(0x01, 0x00);
    write(0x03, 0x00);
    write(0x05, 0x14);
    expect(run(13 * 60 * SECOND)).toBe(0);
    expect(run(60 * SECOND)).toBe(1);
    expect(read(0x04)).toBe(0x14);
  });

  test('alarm flag is found over a long gap without ticks', () => {
    const { write, read, clock } = setup();
    write(0x01, 0x00);
    write(0x03, 0x00);
    write(0x05, 0x03); // 03:00:00, long after the clock's 13:45
    read(0x0c);
    clock.advance(3 * 86_400 * SECOND);
    expect(read(0x0c) & 0x20).toBe(0x20);
  });

  test('PC memory-size bytes for 64 MiB', () => {
    const { read } = setup({ memoryBytes: 64 << 20 });
    expect([read(0x15), read(0x16)]).toEqual([0x80, 0x02]); // 640 KiB
    expect([read(0x17), read(0x18)]).toEqual([0x00, 0xfc]); // 63 MiB = 64512 KiB
    expect([read(0x30), read(0x31)]).toEqual([0x00, 0xfc]);
    expect([read(0x34), read(0x35)]).toEqual([0x00, 0x03]); // 48 MiB / 64 KiB = 768
    expect(read(0x10)).toBe(0);
    expect(read(0x14) & 0x02).toBe(0x02);
  });

  test('PC memory-size bytes for 1 GiB are capped', () => {
    const { read } = setup({ memoryBytes: 1 << 30 });
    expect([read(0x17), read(0x18)]).toEqual([0xff, 0xff]);
    expect([read(0x30), read(0x31)]).toEqual([0xff, 0xff]);
    expect([read(0x34), read(0x35)]).toEqual([0x00, 0x3f]); // 1008 MiB / 64 KiB = 16128
  });

  test('checksum at 0x2E/0x2F covers 0x10-0x2D', () => {
    for (const memoryBytes of [64 << 20, 1 << 30]) {
      const { read } = setup({ memoryBytes });
      let sum = 0;
      for (let i = 0x10; i <= 0x2d; i++) sum += read(i);
      expect(sum).toBeGreaterThan(0);
      expect((read(0x2e) << 8) | read(0x2f)).toBe(sum);
    }
  });

  test('CMOS RAM 0x0E-0x7F is readable and writable; D reads VRT', () => {
    const { read, write } = setup();
    for (const i of [0x0e, 0x0f, 0x40, 0x7f]) {
      write(i, i ^ 0xa5);
      expect(read(i)).toBe(i ^ 0xa5);
    }
    expect(read(0x0d)).toBe(0x80);
    write(0x0d, 0);
    expect(read(0x0d)).toBe(0x80);
  });

  test("guest write of the time sticks (Linux's mc146818_set_time sequence)", () => {
    // Friday 31 July 2026.
    const { read, write, clock } = setup({ epochMs: Date.UTC(2026, 6, 31, 13, 45, 30) });
    clock.advance(SECOND / 4);
    const b = read(0x0b);
    write(0x0b, b | 0x80); // SET: updates stop
    const a = read(0x0a);
    write(0x0a, a | 0x70); // divider reset
    expect(read(0x0a) & 0x80).toBe(0);
    write(0x09, 0x99);
    write(0x08, 0x02); // 31 July -> 31 February on the way...
    write(0x07, 0x28); // ...to 28 February 2099
    write(0x04, 0x23);
    write(0x02, 0x59);
    write(0x00, 0x58);
    clock.advance(3 * SECOND); // frozen while SET
    expect(timeRegisters(read)).toEqual([0x58, 0x59, 0x23, 6, 0x28, 0x02, 0x99, 0x20]);
    write(0x0b, b);
    write(0x0a, a);
    expect(read(0x00)).toBe(0x58);
    clock.advance(2 * SECOND);
    // The chip counts the day of week on its own: Friday (not written) becomes
    // Saturday, though 1 March 2099 is really a Sunday.
    expect(timeRegisters(read)).toEqual([0x00, 0x00, 0x00, 7, 0x01, 0x03, 0x99, 0x20]);

    // Without SET a single write sticks too.
    write(0x02, 0x10);
    clock.advance(SECOND);
    expect([read(0x00), read(0x02), read(0x04)]).toEqual([0x01, 0x10, 0x00]);
  });

  test('NMI-disable bit on the index port does not change the register selected', () => {
    const { bus, read } = setup();
    bus.out8(0x70, 0x80 | 0x0b);
    expect(bus.in8(0x71)).toBe(0x02);
    bus.out8(0x70, 0x80 | 0x00);
    expect(bus.in8(0x71)).toBe(0x30);
    bus.out8(0x70, 0x80 | 0x15);
    expect(bus.in8(0x71)).toBe(read(0x15));
  });

  test('saveState/restoreState keep RAM, registers and the guest offset; reset returns to power-on', () => {
    const a = setup();
    a.write(0x40, 0x77);
    a.write(0x04, 0x02); // 02:45:30
    a.write(0x0b, 0x02 | 0x10);
    a.clock.advance(SECOND);
    a.cmos.tick();
    expect(a.irq.level).toBe(true);
    const saved = JSON.parse(JSON.stringify(a.cmos.saveState()));

    const b = setup();
    b.cmos.restoreState(saved);
    expect(b.irq.level).toBe(true);
    expect(b.read(0x40)).toBe(0x77);
    expect([b.read(0x00), b.read(0x02), b.read(0x04)]).toEqual([0x30, 0x45, 0x02]);
    expect(b.read(0x0c)).toBe(0xd0);
    expect(b.irq.level).toBe(false);

    a.cmos.reset();
    expect(a.irq.level).toBe(false);
    expect([a.read(0x0a), a.read(0x0b), a.read(0x0c), a.read(0x40)]).toEqual([0x26, 0x02, 0, 0]);
    expect(a.read(0x04)).toBe(0x13);
  });
});
