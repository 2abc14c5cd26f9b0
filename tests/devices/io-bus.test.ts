import { describe, expect, test } from 'vitest';
import { IoBus } from '../../src/devices/io-bus.js';

describe('I/O bus', () => {
  test('unclaimed ports read all ones at every width and ignore writes', () => {
    const bus = new IoBus();
    bus.out8(0x1234, 0);
    expect([bus.in8(0x1234), bus.in16(0x1234), bus.in32(0x1234)]).toEqual([0xff, 0xffff, 0xffffffff]);
  });

  test('a device sees offsets from its first port; byte-only devices get wide accesses split low byte first', () => {
    const bus = new IoBus();
    const log: string[] = [];
    const regs = [0x11, 0x22, 0x33, 0x44];
    bus.register('dev', 0x3f8, 4, {
      read8: (o) => regs[o],
      write8: (o, v) => void log.push(`${o}=${v.toString(16)}`),
    });
    expect(bus.in8(0x3f9)).toBe(0x22);
    expect(bus.in16(0x3f8)).toBe(0x2211);
    expect(bus.in32(0x3f8)).toBe(0x44332211);
    bus.out32(0x3f8, 0xa1b2c3d4);
    expect(log).toEqual(['0=d4', '1=c3', '2=b2', '3=a1']);
    // The split crosses into unclaimed space: the high byte floats.
    expect(bus.in16(0x3fb)).toBe(0xff44);
    expect(bus.owner(0x3fa)).toBe('dev');
  });

  test('a device with wide handlers gets the access whole', () => {
    const bus = new IoBus();
    let last = 0;
    bus.register('pci', 0xcf8, 8, { read32: () => 0x12345678, write32: (o, v) => void (last = v + o) });
    expect(bus.in32(0xcf8)).toBe(0x12345678);
    bus.out32(0xcfc, 0x80000000);
    expect(last).toBe(0x80000004);
  });

  test('claiming a port twice is refused with both names', () => {
    const bus = new IoBus();
    bus.register('pic', 0x20, 2, {});
    expect(() => bus.register('other', 0x21, 1, {})).toThrow(/0x21 is already claimed by pic/);
  });
});
