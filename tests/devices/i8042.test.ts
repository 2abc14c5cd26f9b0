import { describe, expect, test } from 'vitest';
import type { IrqLine } from '../../src/devices/device.js';
import { I8042 } from '../../src/devices/i8042.js';
import { IoBus } from '../../src/devices/io-bus.js';

const DATA = 0x60;
const CMD = 0x64;
const OBF = 0x01;
const AUXB = 0x20;

/** An IRQ line that records its transitions. */
function recordingIrq(): IrqLine & { log: string[]; edges(): number } {
  const log: string[] = [];
  return {
    log,
    raise: () => void log.push('raise'),
    lower: () => void log.push('lower'),
    edges: () => log.filter((e) => e === 'raise').length,
  };
}

function setup(opts: { withIrq12?: boolean } = {}) {
  const bus = new IoBus();
  const irq1 = recordingIrq();
  const irq12 = recordingIrq();
  let resets = 0;
  const kbc = new I8042(bus, irq1, { onReset: () => void resets++, irq12: opts.withIrq12 ? irq12 : undefined });
  return { bus, irq1, irq12, kbc, resets: () => resets };
}

/** Reads every waiting byte the way a polling driver does: status, then data while OBF is set. */
function drain(bus: IoBus): number[] {
  const out: number[] = [];
  for (let i = 0; i < 32 && bus.in8(CMD) & OBF; i++) out.push(bus.in8(DATA));
  return out;
}

function writeCommandByte(bus: IoBus, value: number): void {
  bus.out8(CMD, 0x60);
  bus.out8(DATA, value);
}

function readCommandByte(bus: IoBus): number {
  bus.out8(CMD, 0x20);
  expect(bus.in8(CMD) & OBF).toBe(OBF);
  return bus.in8(DATA);
}

describe('i8042 controller', () => {
  test('claims ports 0x60 and 0x64 only', () => {
    const { bus } = setup();
    expect([bus.owner(0x60), bus.owner(0x64), bus.owner(0x61)]).toEqual(['i8042', 'i8042', undefined]);
  });

  test('self test answers 0x55 with OBF set, sets SYS, and OBF clears once read', () => {
    const { bus } = setup();
    expect(bus.in8(CMD) & (OBF | 0x04)).toBe(0);
    bus.out8(CMD, 0xaa);
    const status = bus.in8(CMD);
    expect(status & OBF).toBe(OBF);
    expect(status & 0x04).toBe(0x04); // SYS
    expect(status & 0x08).toBe(0x08); // A2: the last write was a command
    expect(status & 0x10).toBe(0x10); // keyboard not inhibited
    expect(status & 0x02).toBe(0); // IBF never set
    expect(bus.in8(DATA)).toBe(0x55);
    expect(bus.in8(CMD) & OBF).toBe(0);
    // Disabling an interface changes the command byte but leaves SYS alone.
    bus.out8(CMD, 0xad);
    expect(bus.in8(CMD) & 0x04).toBe(0x04);
  });

  test('interface tests answer 0x00', () => {
    const { bus } = setup();
    bus.out8(CMD, 0xab);
    bus.out8(CMD, 0xa9);
    expect(drain(bus)).toEqual([0x00, 0x00]);
  });

  test('command byte reads back what 0x60 wrote; SYS follows its bit 2; A2 tracks the port', () => {
    const { bus } = setup();
    expect(readCommandByte(bus)).toBe(0x03);
    bus.out8(CMD, 0x60);
    expect(bus.in8(CMD) & 0x08).toBe(0x08);
    bus.out8(DATA, 0x74);
    expect(bus.in8(CMD) & 0x08).toBe(0);
    expect(bus.in8(CMD) & 0x04).toBe(0x04);
    expect(readCommandByte(bus)).toBe(0x74);
    writeCommandByte(bus, 0x00);
    expect(bus.in8(CMD) & 0x04).toBe(0);
    expect(readCommandByte(bus)).toBe(0x00);
  });

  test('0xA7/0xA8 and 0xAD/0xAE toggle the command byte disable bits', () => {
    const { bus } = setup();
    writeCommandByte(bus, 0x00);
    bus.out8(CMD, 0xa7);
    expect(readCommandByte(bus)).toBe(0x20);
    bus.out8(CMD, 0xad);
    expect(readCommandByte(bus)).toBe(0x30);
    bus.out8(CMD, 0xa8);
    expect(readCommandByte(bus)).toBe(0x10);
    bus.out8(CMD, 0xae);
    expect(readCommandByte(bus)).toBe(0x00);
  });

  test('0xFE on port 0x64 calls onReset once per write; other pulses without bit 0 clear do not', () => {
    const { bus, resets } = setup();
    bus.out8(CMD, 0xfe);
    expect(resets()).toBe(1);
    bus.out8(CMD, 0xff);
    bus.out8(CMD, 0xfd);
    expect(resets()).toBe(1);
    bus.out8(CMD, 0xf0);
    expect(resets()).toBe(2);
  });

  test('0xD1 writes the output port: bit 0 clear resets, bit 0 set does not; 0xD0 reads it back', () => {
    const { bus, kbc, resets } = setup();
    bus.out8(CMD, 0xd0);
    expect(bus.in8(DATA)).toBe(0xcf);
    bus.out8(CMD, 0xd1);
    bus.out8(DATA, 0xcd); // A20 off, reset line high
    expect(resets()).toBe(0);
    expect(kbc.a20).toBe(false);
    bus.out8(CMD, 0xd0);
    expect(bus.in8(DATA)).toBe(0xcd);
    bus.out8(CMD, 0xd1);
    bus.out8(DATA, 0xce);
    expect(resets()).toBe(1);
  });

  test('0xC0 reads the input port', () => {
    const { bus } = setup();
    bus.out8(CMD, 0xc0);
    expect(drain(bus)).toEqual([0x80]);
  });

  test('0xD2 and 0xD3 echo a byte as keyboard and as aux data; 0xD4 times out with no mouse', () => {
    const { bus, irq12 } = setup({ withIrq12: true });
    bus.out8(CMD, 0xd2);
    bus.out8(DATA, 0x5a);
    expect(bus.in8(CMD) & (OBF | AUXB)).toBe(OBF);
    expect(bus.in8(DATA)).toBe(0x5a);
    bus.out8(CMD, 0xd3);
    bus.out8(DATA, 0xa5);
    expect(bus.in8(CMD) & (OBF | AUXB)).toBe(OBF | AUXB);
    expect(irq12.edges()).toBe(1);
    expect(bus.in8(DATA)).toBe(0xa5);
    bus.out8(CMD, 0xd4);
    bus.out8(DATA, 0xff);
    expect(bus.in8(CMD) & (OBF | AUXB | 0x40)).toBe(OBF | AUXB | 0x40);
    expect(bus.in8(DATA)).toBe(0xfe);
    expect(bus.in8(CMD) & (OBF | 0x40)).toBe(0);
  });

  test('port 0x60 with nothing waiting repeats the last byte read', () => {
    const { bus } = setup();
    bus.out8(CMD, 0xaa);
    expect(bus.in8(DATA)).toBe(0x55);
    expect(bus.in8(DATA)).toBe(0x55);
  });

  test('state survives save and restore, including bytes still queued', () => {
    const { bus, kbc } = setup();
    writeCommandByte(bus, 0x05);
    bus.out8(DATA, 0xf2);
    expect(bus.in8(DATA)).toBe(0xfa);
    const saved = JSON.parse(JSON.stringify(kbc.saveState()));
    const other = setup();
    other.kbc.restoreState(saved);
    expect(drain(other.bus)).toEqual([0xab, 0x83]);
    expect(readCommandByte(other.bus)).toBe(0x05);
    kbc.reset();
    expect(drain(bus)).toEqual([]);
    expect(readCommandByte(bus)).toBe(0x03);
  });
});

describe('i8042 keyboard', () => {
  test('reset 0xFF answers ACK then BAT passed, in order, each byte an IRQ 1 edge when enabled', () => {
    const { bus, irq1 } = setup();
    writeCommandByte(bus, 0x01);
    irq1.log.length = 0;
    bus.out8(DATA, 0xff);
    expect(irq1.log).toEqual(['raise', 'lower']);
    expect(bus.in8(DATA)).toBe(0xfa);
    // The next byte moves into the output buffer as the first is read: a second edge.
    expect(irq1.log).toEqual(['raise', 'lower', 'raise', 'lower']);
    expect(bus.in8(DATA)).toBe(0xaa);
    expect(bus.in8(CMD) & OBF).toBe(0);
    expect(irq1.edges()).toBe(2);
  });

  test('no IRQ 1 when the command byte disables keyboard interrupts, but polling still works', () => {
    const { bus, irq1 } = setup();
    writeCommandByte(bus, 0x00);
    irq1.log.length = 0;
    bus.out8(DATA, 0xff);
    expect(drain(bus)).toEqual([0xfa, 0xaa]);
    expect(irq1.log).toEqual([]);
  });

  test('enabling keyboard interrupts with a byte waiting is an edge', () => {
    const { bus, irq1 } = setup();
    writeCommandByte(bus, 0x00);
    bus.out8(DATA, 0xee);
    expect(irq1.edges()).toBe(0);
    writeCommandByte(bus, 0x01);
    expect(irq1.edges()).toBe(1);
    expect(drain(bus)).toEqual([0xee]);
  });

  test('identify answers ACK, 0xAB, 0x83 (0x41 through XLAT translation)', () => {
    const { bus } = setup();
    bus.out8(DATA, 0xf2);
    expect(drain(bus)).toEqual([0xfa, 0xab, 0x83]);
    writeCommandByte(bus, 0x41);
    bus.out8(DATA, 0xf2);
    expect(drain(bus)).toEqual([0xfa, 0xab, 0x41]);
  });

  test('set LEDs takes two bytes, each acknowledged', () => {
    const { bus, kbc } = setup();
    bus.out8(DATA, 0xed);
    expect(drain(bus)).toEqual([0xfa]);
    bus.out8(DATA, 0x07);
    expect(drain(bus)).toEqual([0xfa]);
    expect((kbc.saveState() as { leds: number }).leds).toBe(7);
    // The argument is consumed: the next byte is a command again.
    bus.out8(DATA, 0x07);
    expect(drain(bus)).toEqual([0xfe]);
  });

  test('a command byte in place of an argument starts that command', () => {
    const { bus } = setup();
    bus.out8(DATA, 0xed);
    bus.out8(DATA, 0xee);
    expect(drain(bus)).toEqual([0xfa, 0xee]);
  });

  test('scan code set: query answers the current set, a set number switches', () => {
    const { bus } = setup();
    bus.out8(DATA, 0xf0);
    bus.out8(DATA, 0x00);
    expect(drain(bus)).toEqual([0xfa, 0xfa, 0x02]);
    bus.out8(DATA, 0xf0);
    bus.out8(DATA, 0x01);
    bus.out8(DATA, 0xf0);
    bus.out8(DATA, 0x00);
    expect(drain(bus)).toEqual([0xfa, 0xfa, 0xfa, 0xfa, 0x01]);
  });

  test('typematic, enable, disable and defaults are acknowledged', () => {
    const { bus } = setup();
    for (const b of [0xf3, 0x20, 0xf4, 0xf5, 0xf6]) bus.out8(DATA, b);
    expect(drain(bus)).toEqual([0xfa, 0xfa, 0xfa, 0xfa, 0xfa]);
  });

  test('echo answers 0xEE without an ACK; an unknown command answers resend', () => {
    const { bus } = setup();
    bus.out8(DATA, 0xee);
    expect(drain(bus)).toEqual([0xee]);
    bus.out8(DATA, 0x42);
    expect(drain(bus)).toEqual([0xfe]);
    bus.out8(DATA, 0xe8);
    expect(drain(bus)).toEqual([0xfe]);
  });

  test('host keystrokes queue behind a disabled interface, and are dropped while scanning is off', () => {
    const { bus, kbc, irq1 } = setup();
    bus.out8(CMD, 0xad);
    kbc.keyPress([0x1c, 0xf0, 0x1c]);
    expect(bus.in8(CMD) & OBF).toBe(0);
    // Controller replies are not held back by the disabled keyboard.
    bus.out8(CMD, 0xaa);
    expect(drain(bus)).toEqual([0x55]);
    irq1.log.length = 0;
    bus.out8(CMD, 0xae);
    expect(irq1.edges()).toBe(1);
    expect(drain(bus)).toEqual([0x1c, 0xf0, 0x1c]);
    bus.out8(DATA, 0xf5);
    expect(drain(bus)).toEqual([0xfa]);
    kbc.keyPress([0x1c]);
    expect(drain(bus)).toEqual([]);
    bus.out8(DATA, 0xf4);
    kbc.keyPress([0x1c]);
    expect(drain(bus)).toEqual([0xfa, 0x1c]);
  });

  test('writing to the keyboard re-enables a disabled keyboard interface', () => {
    const { bus } = setup();
    bus.out8(CMD, 0xad);
    bus.out8(DATA, 0xf2);
    expect(drain(bus)).toEqual([0xfa, 0xab, 0x83]);
    expect(readCommandByte(bus) & 0x10).toBe(0);
  });

  test('two controllers share nothing', () => {
    const a = setup();
    const b = setup();
    a.bus.out8(DATA, 0xf2);
    expect(drain(b.bus)).toEqual([]);
    expect(drain(a.bus)).toEqual([0xfa, 0xab, 0x83]);
  });
});
