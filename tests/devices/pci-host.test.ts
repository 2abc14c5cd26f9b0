import { describe, expect, test } from 'vitest';
import { IoBus } from '../../src/devices/io-bus.js';
import { PciHost } from '../../src/devices/pci-host.js';

const ADDR = 0xcf8;
const DATA = 0xcfc;

function cfg(bus: number, dev: number, fn: number, reg: number): number {
  return (0x80000000 | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xfc)) >>> 0;
}

function setup() {
  const bus = new IoBus();
  const pci = new PciHost(bus);
  return { bus, pci };
}

describe('PCI host (configuration mechanism #1)', () => {
  test("Linux's pci_check_type1() probe finds mechanism #1 and restores the address", () => {
    const { bus } = setup();
    bus.out8(0xcfb, 0x01);
    const saved = bus.in32(ADDR);
    bus.out32(ADDR, 0x80000000);
    expect(bus.in32(ADDR)).toBe(0x80000000);
    bus.out32(ADDR, saved);
    expect(bus.in32(ADDR)).toBe(saved);
  });

  test("Linux's pci_check_type2() probe fails (byte reads of 0xCF8/0xCFA are not registers)", () => {
    const { bus } = setup();
    bus.out8(0xcfb, 0x00);
    bus.out8(0xcf8, 0x00);
    bus.out8(0xcfa, 0x00);
    expect([bus.in8(0xcf8), bus.in8(0xcfa)]).toEqual([0xff, 0xff]);
  });

  test('CONFIG_ADDRESS keeps enable, bus, device, function and register; reserved bits read 0', () => {
    const { bus } = setup();
    bus.out32(ADDR, 0xffffffff);
    expect(bus.in32(ADDR)).toBe(0x80fffffc);
  });

  test('00:00.0 is an 82441FX: vendor/device as a dword, as words and as bytes', () => {
    const { bus } = setup();
    bus.out32(ADDR, cfg(0, 0, 0, 0x00));
    expect(bus.in32(DATA)).toBe(0x12378086);
    expect([bus.in16(DATA), bus.in16(DATA + 2)]).toEqual([0x8086, 0x1237]);
    expect([bus.in8(DATA), bus.in8(DATA + 1), bus.in8(DATA + 2), bus.in8(DATA + 3)]).toEqual([0x86, 0x80, 0x37, 0x12]);
  });

  test('class code, revision, header type, command and status', () => {
    const { bus } = setup();
    bus.out32(ADDR, cfg(0, 0, 0, 0x08));
    expect(bus.in32(DATA)).toBe(0x06000002);
    expect(bus.in16(DATA + 2)).toBe(0x0600); // what pci_sanity_check() reads at PCI_CLASS_DEVICE
    bus.out32(ADDR, cfg(0, 0, 0, 0x0c));
    expect(bus.in8(DATA + 2)).toBe(0x00);
    bus.out32(ADDR, cfg(0, 0, 0, 0x04));
    expect(bus.in32(DATA)).toBe(0x02800006);
  });

  test('a missing device or function reads all ones at each width and ignores writes', () => {
    const { bus, pci } = setup();
    const before = JSON.stringify(pci.saveState());
    for (const a of [cfg(0, 1, 0, 0), cfg(0, 0, 1, 0), cfg(1, 0, 0, 0), cfg(0, 31, 7, 0x3c)]) {
      bus.out32(ADDR, a);
      expect(bus.in32(DATA)).toBe(0xffffffff);
      expect([bus.in16(DATA), bus.in16(DATA + 2)]).toEqual([0xffff, 0xffff]);
      expect([bus.in8(DATA), bus.in8(DATA + 1), bus.in8(DATA + 2), bus.in8(DATA + 3)]).toEqual([0xff, 0xff, 0xff, 0xff]);
      bus.out32(DATA, 0x12345678);
      bus.out8(DATA, 0x12);
    }
    expect(JSON.stringify(pci.saveState()).replace(/"address":\d+/, '')).toBe(before.replace(/"address":\d+/, ''));
  });

  test('with the enable bit clear CONFIG_DATA reads all ones and writes are ignored', () => {
    const { bus } = setup();
    bus.out32(ADDR, 0x0000003c);
    expect(bus.in32(DATA)).toBe(0xffffffff);
    expect(bus.in16(DATA)).toBe(0xffff);
    expect(bus.in8(DATA)).toBe(0xff);
    bus.out8(DATA, 0x0b);
    bus.out32(ADDR, cfg(0, 0, 0, 0x3c));
    expect(bus.in8(DATA)).toBe(0x00);
  });

  test('ID fields ignore writes while writable registers keep their value', () => {
    const { bus } = setup();
    bus.out32(ADDR, cfg(0, 0, 0, 0x00));
    bus.out32(DATA, 0xdeadbeef);
    bus.out16(DATA + 2, 0x1111);
    bus.out8(DATA, 0x22);
    expect(bus.in32(DATA)).toBe(0x12378086);
    bus.out32(ADDR, cfg(0, 0, 0, 0x08));
    bus.out32(DATA, 0xffffffff);
    expect(bus.in32(DATA)).toBe(0x06000002);
    // Latency timer (0x0D) is writable; header type (0x0E) is not.
    bus.out32(ADDR, cfg(0, 0, 0, 0x0c));
    bus.out8(DATA + 1, 0x40);
    bus.out8(DATA + 2, 0x80);
    expect(bus.in32(DATA)).toBe(0x00004000);
    // Interrupt line (0x3C) is writable; interrupt pin (0x3D) is not.
    bus.out32(ADDR, cfg(0, 0, 0, 0x3c));
    bus.out32(DATA, 0xffff010b);
    expect(bus.in32(DATA)).toBe(0x0000000b);
    // Device-specific registers (PAM at 0x59) are writable.
    bus.out32(ADDR, cfg(0, 0, 0, 0x58));
    bus.out16(DATA + 2, 0x3311);
    expect(bus.in32(DATA)).toBe(0x33110000);
  });

  test('BAR and expansion ROM sizing finds nothing', () => {
    const { bus } = setup();
    for (let reg = 0x10; reg <= 0x30; reg += 4) {
      bus.out32(ADDR, cfg(0, 0, 0, reg));
      bus.out32(DATA, 0xffffffff);
      expect(bus.in32(DATA)).toBe(0);
    }
  });

  test('reset and save/restore', () => {
    const { bus, pci } = setup();
    bus.out32(ADDR, cfg(0, 0, 0, 0x3c));
    bus.out8(DATA, 0x0b);
    const saved = JSON.parse(JSON.stringify(pci.saveState()));
    pci.reset();
    expect(bus.in32(ADDR)).toBe(0);
    bus.out32(ADDR, cfg(0, 0, 0, 0x3c));
    expect(bus.in8(DATA)).toBe(0x00);
    const other = setup();
    other.pci.restoreState(saved);
    expect(other.bus.in32(ADDR)).toBe(cfg(0, 0, 0, 0x3c));
    expect(other.bus.in8(DATA)).toBe(0x0b);
  });
});
