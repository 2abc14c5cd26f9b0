import { describe, expect, test } from 'vitest';
import { DebugPorts } from '../../src/devices/debug-ports.js';
import { ExitDevice } from '../../src/devices/exit-device.js';
import { IoBus } from '../../src/devices/io-bus.js';

describe('debug ports', () => {
  test('0xE9 reads back 0xE9 and each written byte reaches onDebugChar', () => {
    const bus = new IoBus();
    const chars: number[] = [];
    new DebugPorts(bus, { onDebugChar: (b) => void chars.push(b) });
    expect(bus.in8(0xe9)).toBe(0xe9);
    for (const c of 'hi\n') bus.out8(0xe9, c.charCodeAt(0));
    expect(String.fromCharCode(...chars)).toBe('hi\n');
  });

  test('0xE9 writes without a listener are accepted', () => {
    const bus = new IoBus();
    new DebugPorts(bus, {});
    expect(() => bus.out8(0xe9, 0x41)).not.toThrow();
  });

  test('port 0x80 remembers the last POST code; reset clears it; state round-trips', () => {
    const bus = new IoBus();
    const dbg = new DebugPorts(bus, {});
    expect(dbg.lastPostCode).toBe(0);
    for (let i = 0; i < 900; i++) bus.out8(0x80, i);
    expect(dbg.lastPostCode).toBe(899 & 0xff);
    expect(bus.in8(0x80)).toBe(899 & 0xff);
    const saved = JSON.parse(JSON.stringify(dbg.saveState()));
    dbg.reset();
    expect(dbg.lastPostCode).toBe(0);
    dbg.restoreState(saved);
    expect(dbg.lastPostCode).toBe(0x83);
  });

  test('0xF0/0xF1 accept writes and read 0xFF; neighbours stay unclaimed', () => {
    const bus = new IoBus();
    new DebugPorts(bus, {});
    bus.out8(0xf0, 0);
    bus.out8(0xf1, 0);
    expect([bus.in8(0xf0), bus.in8(0xf1)]).toEqual([0xff, 0xff]);
    expect([bus.owner(0xf0), bus.owner(0xf1), bus.owner(0xf2), bus.owner(0x81)]).toEqual(['debug-ports', 'debug-ports', undefined, undefined]);
  });

  test('debug ports and the exit device fit side by side at their defaults', () => {
    const bus = new IoBus();
    expect(() => {
      new DebugPorts(bus, {});
      new ExitDevice(bus, { onExit: () => {} });
    }).not.toThrow();
  });
});

describe('exit device (isa-debug-exit)', () => {
  function setup(port?: number) {
    const bus = new IoBus();
    const statuses: number[] = [];
    const dev = new ExitDevice(bus, { port, onExit: (s) => void statuses.push(s) });
    return { bus, statuses, dev };
  }

  test('a byte to 0xF4 exits with (value << 1) | 1', () => {
    const { bus, statuses } = setup();
    bus.out8(0xf4, 0x10);
    expect(statuses).toEqual([0x21]);
    bus.out8(0xf4, 0);
    expect(statuses).toEqual([0x21, 1]);
    bus.out8(0xf4, 0x1ff); // the bus delivers only the low byte of an 8-bit access
    expect(statuses).toEqual([0x21, 1, 0x1ff]);
  });

  test('16- and 32-bit writes are delivered whole, once', () => {
    const { bus, statuses } = setup();
    bus.out16(0xf4, 0x1234);
    expect(statuses).toEqual([0x2469]);
    bus.out32(0xf4, 0x12345678);
    expect(statuses).toEqual([0x2469, 0x2468acf1]);
    bus.out32(0xf4, 0xffffffff);
    expect(statuses[2]).toBe(0x1ffffffff); // not truncated, never negative
  });

  test('reads return all ones', () => {
    const { bus } = setup();
    expect([bus.in8(0xf4), bus.in16(0xf4), bus.in32(0xf4)]).toEqual([0xff, 0xffff, 0xffffffff]);
  });

  test('the port is configurable (QEMU default 0x501)', () => {
    const { bus, statuses } = setup(0x501);
    bus.out8(0xf4, 1);
    expect(statuses).toEqual([]);
    bus.out8(0x501, 1);
    expect(statuses).toEqual([3]);
    expect(bus.owner(0x501)).toBe('exit');
  });
});
