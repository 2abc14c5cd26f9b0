import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/devices/device.js';
import { PcPlatform } from '../../src/devices/pc-platform.js';
import { IoBus } from '../../src/devices/io-bus.js';
import { createBareMachine } from '../../src/runtime/bare.js';
import { Slot } from '../../src/runtime/layout.js';
import { assemble } from '../runtime/asm.js';

function platform() {
  const clock = new ManualClock();
  const serial: number[] = [];
  const exits: number[] = [];
  let resets = 0;
  const pc = new PcPlatform({
    clock, memoryBytes: 64 << 20, onSerial: (b) => void serial.push(b), onExit: (s) => void exits.push(s), onReset: () => void resets++,
  });
  return { pc, clock, serial, exits, resets: () => resets };
}

/** Linux's 8259A set-up: vectors 0x30 and 0x38, cascade on IR2, 8086 mode, everything masked but what is asked. */
function initPic(bus: IoBus, unmaskedMaster: number): void {
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x30], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x38], [0xa1, 0x02], [0xa1, 0x01]]) bus.out8(port, v);
  bus.out8(0x21, ~unmaskedMaster & 0xff);
  bus.out8(0xa1, 0xff);
}

describe('PC platform', () => {
  test('every device answers on its ports, and nothing claims a port twice', () => {
    const { pc } = platform();
    expect(['pic', 'pit', 'com1', 'cmos', 'i8042', 'pci', 'debug-ports', 'exit'].every((n) => [0x20, 0x40, 0x3f8, 0x70, 0x60, 0xcf8, 0x80, 0xf4].some((p) => pc.bus.owner(p) === n))).toBe(true);
    expect(pc.bus.in8(0x3fd)).toBe(0x60); // UART LSR idle
    expect(pc.bus.in8(0xe9)).toBe(0xe9);
    expect(pc.bus.in8(0x1f0)).toBe(0xff); // no IDE controller
  });

  test('the timer programmed as Linux does at HZ=250 interrupts through the PIC 250 times a second', () => {
    const { pc, clock } = platform();
    initPic(pc.bus, 0x01);
    pc.bus.out8(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2
    pc.bus.out8(0x40, 4772 & 0xff);
    pc.bus.out8(0x40, 4772 >> 8);
    let taken = 0;
    for (let ms = 0; ms < 1000; ms++) {
      clock.advance(1_000_000);
      pc.tick();
      while (pc.intr) {
        expect(pc.acknowledge()).toBe(0x30);
        taken++;
        pc.bus.out8(0x20, 0x20); // non-specific EOI
      }
    }
    expect(taken).toBe(250);
  });

  test('COM1 output, its THRE interrupt on IRQ 4, the exit device and the reset line reach the VM', () => {
    const { pc, serial, exits, resets } = platform();
    initPic(pc.bus, 1 << 4);
    for (const c of 'hi') pc.bus.out8(0x3f8, c.charCodeAt(0));
    expect(String.fromCharCode(...serial)).toBe('hi');
    pc.bus.out8(0x3fc, 0x08); // OUT2 connects the UART's interrupt to the PIC
    pc.bus.out8(0x3f9, 0x02); // THRE interrupt
    expect(pc.intr).toBe(true);
    expect(pc.acknowledge()).toBe(0x34);
    pc.bus.out8(0xf4, 3);
    expect(exits).toEqual([7]);
    pc.bus.out8(0x64, 0xfe);
    expect(resets()).toBe(1);
  });

  test('a snapshot of every device restores into a fresh platform', () => {
    const a = platform();
    initPic(a.pc.bus, 0x01);
    a.pc.bus.out8(0x70, 0x40);
    a.pc.bus.out8(0x71, 0x5a); // CMOS RAM byte
    const b = platform();
    b.pc.restoreState(JSON.parse(JSON.stringify(a.pc.saveState())));
    b.pc.bus.out8(0x70, 0x40);
    expect(b.pc.bus.in8(0x71)).toBe(0x5a);
    b.pc.bus.out8(0x20, 0x0b); // OCW3: read ISR
    expect(b.pc.bus.in8(0x21)).toBe(0xfe); // IMR as Linux left it
  });

  test('a guest at IOPL 3 drives COM1 and ends the VM through the exit port (interpreter and translated code)', () => {
    for (const engine of ['interp', 'jit'] as const) {
      const { pc, serial, exits } = platform();
      const source = `mov ecx, 3\nmov dx, 0x3f8\n1: mov al, 0x30\nadd al, cl\nout dx, al\nloop 1b\nmov al, 10\nout dx, al\nmov al, 0x2a\nout 0xf4, al\n2: jmp 2b`;
      const { vm } = createBareMachine({ code: assemble(source), address: 0x1000, map: [[0x1000, 0x1000]], engine, io: pc.bus, translator: { asyncCompile: false, threshold: 1 } });
      vm.cpu.s[Slot.FLAGS] |= 3 << 12;
      let steps = 0;
      while (exits.length === 0 && steps++ < 100) vm.run(1);
      expect(String.fromCharCode(...serial)).toBe('321\n');
      expect(exits).toEqual([0x55]);
    }
  });
});
