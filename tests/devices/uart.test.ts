import { describe, expect, test } from 'vitest';
import type { IrqLine } from '../../src/devices/device.js';
import { IoBus } from '../../src/devices/io-bus.js';
import { Uart16550 } from '../../src/devices/uart.js';

const COM1 = 0x3f8;
const RBR = COM1 + 0;
const THR = COM1 + 0;
const DLL = COM1 + 0;
const IER = COM1 + 1;
const DLM = COM1 + 1;
const IIR = COM1 + 2;
const FCR = COM1 + 2;
const LCR = COM1 + 3;
const MCR = COM1 + 4;
const LSR = COM1 + 5;
const MSR = COM1 + 6;
const SCR = COM1 + 7;

/** An interrupt line that remembers its level and every change. */
class FakeIrq implements IrqLine {
  level = false;
  log: string[] = [];
  raise(): void {
    this.level = true;
    this.log.push('raise');
  }
  lower(): void {
    this.level = false;
    this.log.push('lower');
  }
}

function setup() {
  const bus = new IoBus();
  const irq = new FakeIrq();
  const out: number[] = [];
  const uart = new Uart16550(bus, COM1, irq, { name: 'uart0', onTransmit: (b) => void out.push(b) });
  return { bus, irq, out, uart };
}

/** What Linux 8250's serial8250_do_startup leaves: FIFOs at trigger 8, 8N1, DTR|RTS|OUT2, RX interrupts on. */
function linuxStartup(bus: IoBus): void {
  bus.out8(FCR, 0x01);
  bus.out8(FCR, 0x07);
  bus.out8(FCR, 0x00);
  bus.out8(LCR, 0x03);
  bus.out8(MCR, 0x0b);
  bus.out8(FCR, 0x81);
  bus.in8(LSR);
  bus.in8(RBR);
  bus.in8(IIR);
  bus.in8(MSR);
  bus.out8(IER, 0x05);
}

describe('16550A UART', () => {
  test('claims eight ports under its name', () => {
    const { bus } = setup();
    expect(bus.owner(COM1)).toBe('uart0');
    expect(bus.owner(COM1 + 7)).toBe('uart0');
    expect(bus.owner(COM1 + 8)).toBeUndefined();
  });

  test("passes Linux's autoconfig as a 16550A", () => {
    const { bus, irq } = setup();
    // IER read-back tests: nothing there would read 0xFF.
    const savedIer = bus.in8(IER);
    bus.out8(IER, 0);
    expect(bus.in8(IER) & 0x0f).toBe(0);
    bus.out8(IER, 0x0f);
    expect(bus.in8(IER) & 0x0f).toBe(0x0f);
    bus.out8(IER, savedIer);

    // Loopback test: RTS|OUT2 come back as CTS|DCD.
    const savedMcr = bus.in8(MCR);
    bus.out8(MCR, 0x10 | 0x0a);
    expect(bus.in8(MSR) & 0xf0).toBe(0x90);
    bus.out8(MCR, savedMcr);

    // EFR probing (LCR 0xBF) writes 0 to FCR; then the FIFO test proper.
    bus.out8(LCR, 0xbf);
    bus.out8(FCR, 0);
    bus.out8(LCR, 0);
    bus.out8(FCR, 0x01);
    expect(bus.in8(IIR) >> 6).toBe(3);
    // With no interrupt pending and FIFOs on, IIR is the 16550A signature.
    bus.out8(FCR, 0x07);
    expect(bus.in8(IIR)).toBe(0xc1);
    // Not a 16750: IIR bit 5 (64-byte FIFO) stays clear when asked for.
    bus.out8(FCR, 0x21);
    expect(bus.in8(IIR) & 0x20).toBe(0);
    // Not an XScale: IER bit 6 does not stick.
    bus.out8(IER, 0x40);
    expect(bus.in8(IER)).toBe(0);

    expect(bus.in8(LSR)).toBe(0x60);
    expect(irq.log).toEqual([]);
  });

  test('divisor latch, LCR and scratch read back', () => {
    const { bus } = setup();
    bus.out8(IER, 0x05);
    bus.out8(LCR, 0x80 | 0x03);
    bus.out8(DLL, 0x01);
    bus.out8(DLM, 0x00);
    expect([bus.in8(DLL), bus.in8(DLM), bus.in8(LCR)]).toEqual([0x01, 0x00, 0x83]);
    bus.out8(LCR, 0x03);
    // With DLAB clear the same offsets are IER and RBR again.
    expect(bus.in8(IER)).toBe(0x05);
    expect(bus.in8(LCR)).toBe(0x03);
    bus.out8(SCR, 0x5a);
    expect(bus.in8(SCR)).toBe(0x5a);
    expect(bus.in8(LSR)).toBe(0x60);
  });

  test("THR-empty interrupt: armed by enabling it, cleared by reading IIR, lowered without OUT2 (Linux's startup THRE test)", () => {
    const { bus, irq } = setup();
    // Before OUT2 is set the interrupt is visible in IIR but never reaches the PIC.
    bus.out8(IER, 0x02);
    expect(bus.in8(IIR)).toBe(0x02);
    expect(bus.in8(IIR)).toBe(0x01);
    bus.out8(IER, 0);
    bus.out8(IER, 0x02);
    expect(bus.in8(IIR)).toBe(0x02);
    bus.out8(IER, 0);
    expect(irq.log).toEqual([]);

    linuxStartup(bus);
    expect(irq.log).toEqual([]);
    // start_tx: set IER.ETBEI with THR empty and the interrupt fires.
    bus.out8(IER, 0x05 | 0x02);
    expect(irq.level).toBe(true);
    expect(bus.in8(IIR)).toBe(0xc2);
    expect(irq.level).toBe(false);
    expect(bus.in8(IIR)).toBe(0xc1);
    // Writing IER again with ETBEI already set does not re-arm it.
    bus.out8(IER, 0x07);
    expect(irq.level).toBe(false);
    expect(irq.log).toEqual(['raise', 'lower']);
  });

  test('writing THR transmits at once and the next THR-empty interrupt follows (interrupt-driven output)', () => {
    const { bus, irq, out, uart } = setup();
    linuxStartup(bus);
    const message = [...Buffer.from('hello from /init\n')];
    const queue = [...message];
    bus.out8(IER, 0x07); // start_tx
    // The guest's interrupt handler: read IIR, send up to a FIFO's worth, stop when done.
    let interrupts = 0;
    while (irq.level && interrupts < 10) {
      interrupts++;
      const iir = bus.in8(IIR);
      expect(iir).toBe(0xc2);
      expect(bus.in8(LSR) & 0x20).toBe(0x20);
      for (let n = 0; n < 16 && queue.length > 0; n++) bus.out8(THR, queue.shift()!);
      if (queue.length === 0) bus.out8(IER, 0x05); // stop_tx
    }
    expect(out).toEqual(message);
    expect(interrupts).toBe(2);
    expect(uart.transmitted).toBe(message.length);
    expect(irq.level).toBe(false);
    expect(bus.in8(LSR)).toBe(0x60);
  });

  test('polled console output: THR writes with interrupts off', () => {
    const { bus, irq, out } = setup();
    for (const b of Buffer.from('Linux version')) {
      while (!(bus.in8(LSR) & 0x20));
      bus.out8(THR, b);
    }
    expect(Buffer.from(out).toString()).toBe('Linux version');
    expect(irq.log).toEqual([]);
  });

  test('receive: trigger level, timeout indication, LSR.DR and draining RBR', () => {
    const { bus, irq, uart } = setup();
    linuxStartup(bus);
    bus.out8(FCR, 0x41); // FIFOs on, trigger 4
    expect(uart.receive([0x61, 0x62])).toBe(2);
    // Below the trigger level: reported as a character timeout straight away.
    expect(irq.level).toBe(true);
    expect(bus.in8(IIR)).toBe(0xcc);
    expect(uart.receive(new Uint8Array([0x63, 0x64]))).toBe(2);
    expect(bus.in8(IIR)).toBe(0xc4);
    expect(bus.in8(LSR)).toBe(0x61);
    const got: number[] = [];
    while (bus.in8(LSR) & 0x01) got.push(bus.in8(RBR));
    expect(got).toEqual([0x61, 0x62, 0x63, 0x64]);
    expect(irq.level).toBe(false);
    expect(bus.in8(IIR)).toBe(0xc1);
    expect(bus.in8(LSR)).toBe(0x60);
    // An empty RBR reads the last byte again.
    expect(bus.in8(RBR)).toBe(0x64);
  });

  test('trigger level 14 and a 1-byte holding register in 16450 mode', () => {
    const { bus, uart } = setup();
    bus.out8(IER, 0x01);
    bus.out8(FCR, 0xc1);
    uart.receive(new Array(13).fill(0x41));
    expect(bus.in8(IIR)).toBe(0xcc);
    uart.receive([0x42]);
    expect(bus.in8(IIR)).toBe(0xc4);
    // Leaving FIFO mode empties the FIFO; then one byte fills the receiver.
    bus.out8(FCR, 0);
    expect(bus.in8(LSR)).toBe(0x60);
    expect(uart.receiveRoom).toBe(1);
    expect(uart.receive([1, 2])).toBe(1);
    expect(bus.in8(IIR)).toBe(0x04);
    expect(bus.in8(LSR)).toBe(0x63);
  });

  test('no interrupt reaches the PIC without OUT2, though IIR shows it', () => {
    const { bus, irq, uart } = setup();
    bus.out8(FCR, 0x01);
    bus.out8(IER, 0x01);
    uart.receive([0x31]);
    expect(bus.in8(IIR)).toBe(0xc4);
    expect(irq.log).toEqual([]);
    // Setting OUT2 connects the pending interrupt; clearing it disconnects it.
    bus.out8(MCR, 0x08);
    expect(irq.level).toBe(true);
    bus.out8(MCR, 0x00);
    expect(irq.level).toBe(false);
  });

  test('overrun sets LSR.OE, drops the extra bytes and raises a line-status interrupt until LSR is read', () => {
    const { bus, irq, uart } = setup();
    bus.out8(MCR, 0x08);
    bus.out8(FCR, 0x01);
    bus.out8(IER, 0x05);
    const bytes = Array.from({ length: 20 }, (_, i) => i);
    expect(uart.receiveRoom).toBe(16);
    expect(uart.receive(bytes)).toBe(16);
    expect(uart.receiveRoom).toBe(0);
    expect(irq.level).toBe(true);
    // Line status outranks received data.
    expect(bus.in8(IIR)).toBe(0xc6);
    expect(bus.in8(LSR)).toBe(0x63);
    expect(bus.in8(LSR)).toBe(0x61);
    expect(bus.in8(IIR)).toBe(0xc4);
    const got: number[] = [];
    while (bus.in8(LSR) & 0x01) got.push(bus.in8(RBR));
    expect(got).toEqual(bytes.slice(0, 16));
    expect(irq.level).toBe(false);
  });

  test('interrupt priority: line status > received data > THR empty > modem status', () => {
    const { bus, uart } = setup();
    bus.out8(FCR, 0x01);
    bus.out8(IER, 0x0f);
    // Entering loopback changes the modem inputs: a modem-status event.
    bus.out8(MCR, 0x10);
    uart.receive([]);
    expect(bus.in8(IIR)).toBe(0xc2); // THR empty, armed by enabling IER
    expect(bus.in8(IIR)).toBe(0xc0); // then modem status (IIR code 0)
    bus.out8(THR, 0x55); // loopback: back into the receiver, THR empty again
    expect(bus.in8(IIR)).toBe(0xc4);
    expect(bus.in8(RBR)).toBe(0x55);
    expect(bus.in8(IIR)).toBe(0xc2);
    expect(bus.in8(MSR) & 0x0f).not.toBe(0);
    expect(bus.in8(IIR)).toBe(0xc1);
  });

  test('loopback: MSR mirrors the MCR outputs with delta bits; transmitted bytes are received; the line is held off', () => {
    const { bus, irq, out, uart } = setup();
    expect(bus.in8(MSR)).toBe(0xb0); // CTS, DSR, DCD: a terminal is connected
    bus.out8(MCR, 0x10 | 0x01); // DTR only
    expect(bus.in8(MSR)).toBe(0x20 | 0x01 | 0x08); // DSR; CTS and DCD dropped
    expect(bus.in8(MSR)).toBe(0x20);
    bus.out8(MCR, 0x10 | 0x0f);
    expect(bus.in8(MSR)).toBe(0xf0 | 0x01 | 0x08);
    bus.out8(MCR, 0x10 | 0x0b); // RI falls: trailing edge
    expect(bus.in8(MSR)).toBe(0xb0 | 0x04);

    bus.out8(IER, 0x01);
    bus.out8(THR, 0x7e);
    expect(out).toEqual([]);
    expect(uart.transmitted).toBe(1);
    expect(bus.in8(LSR)).toBe(0x61);
    expect(bus.in8(IIR)).toBe(0x04);
    // OUT2 is set but loopback forces the OUT2 pin inactive: no IRQ.
    expect(irq.log).toEqual([]);
    // The serial input is disconnected in loopback.
    expect(uart.receive([1])).toBe(0);
    expect(bus.in8(RBR)).toBe(0x7e);
    bus.out8(MCR, 0x0b);
    expect(bus.in8(MSR) & 0xf0).toBe(0xb0);
  });

  test('FCR bit 1 clears the receive FIFO', () => {
    const { bus, uart } = setup();
    bus.out8(FCR, 0x01);
    uart.receive([1, 2, 3]);
    expect(bus.in8(LSR) & 0x01).toBe(1);
    bus.out8(FCR, 0x03);
    expect(bus.in8(LSR)).toBe(0x60);
  });

  test('saveState/restoreState round-trips and re-drives the IRQ; reset returns to idle', () => {
    const a = setup();
    linuxStartup(a.bus);
    a.bus.out8(SCR, 0x42);
    a.uart.receive([9, 8, 7]);
    expect(a.irq.level).toBe(true);
    const saved = JSON.parse(JSON.stringify(a.uart.saveState()));

    const b = setup();
    b.uart.restoreState(saved);
    expect(b.irq.level).toBe(true);
    expect(b.bus.in8(SCR)).toBe(0x42);
    expect(b.bus.in8(IIR)).toBe(0xcc);
    expect([b.bus.in8(RBR), b.bus.in8(RBR), b.bus.in8(RBR)]).toEqual([9, 8, 7]);
    expect(b.irq.level).toBe(false);

    a.uart.reset();
    expect(a.irq.level).toBe(false);
    expect([a.bus.in8(IER), a.bus.in8(IIR), a.bus.in8(LCR), a.bus.in8(MCR), a.bus.in8(LSR), a.bus.in8(MSR)]).toEqual([
      0, 0x01, 0, 0, 0x60, 0xb0,
    ]);
  });
});
