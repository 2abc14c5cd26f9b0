import type { Device, DeviceState, IrqLine } from './device.js';
import type { IoBus } from './io-bus.js';

// Register offsets from the base port (NS16550A datasheet names). Offsets 0
// and 1 are the divisor latch while LCR.DLAB is set.
const RBR = 0; // read, DLAB = 0
const THR = 0; // write, DLAB = 0
const DLL = 0; // DLAB = 1
const IER = 1; // DLAB = 0
const DLM = 1; // DLAB = 1
const IIR = 2; // read
const FCR = 2; // write
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;
const REGISTER_COUNT = 8;

// IER: only the low four bits exist on a 16550A. Linux writes bit 6 (the
// XScale UUE bit) and takes a read-back of 1 as "XScale", so the rest read 0.
const IER_ERBFI = 0x01; // received data available
const IER_ETBEI = 0x02; // transmitter holding register empty
const IER_ELSI = 0x04; // receiver line status
const IER_EDSSI = 0x08; // modem status
const IER_MASK = 0x0f;

// IIR: bit 0 set means nothing pending; bits 1-3 name the source.
const IIR_NO_INT = 0x01;
const IIR_MODEM_STATUS = 0x00;
const IIR_THRE = 0x02;
const IIR_RDA = 0x04;
const IIR_RLS = 0x06;
const IIR_CTI = 0x0c;
// Both bits set only on a 16550A with FIFOs on: the 16550 (no A) sets just
// bit 7, the 16450 neither. Linux's autoconfig switches on exactly this.
const IIR_FIFOS_ENABLED = 0xc0;

const FCR_FIFO_ENABLE = 0x01;
const FCR_RCVR_FIFO_RESET = 0x02;
const FCR_DMA_MODE = 0x08;
const FCR_RCVR_TRIGGER_SHIFT = 6;
const FCR_RCVR_TRIGGER_MASK = 0xc0;
/** Receive FIFO trigger levels selected by FCR bits 6-7. */
const RCVR_TRIGGER_LEVELS = [1, 4, 8, 14] as const;
const FIFO_DEPTH = 16;

const LCR_DLAB = 0x80;

const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
const MCR_MASK = 0x1f; // bits 5-7 are always 0 on a 16550A

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_PE = 0x04;
const LSR_FE = 0x08;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

const MSR_DCTS = 0x01;
const MSR_DDSR = 0x02;
const MSR_TERI = 0x04;
const MSR_DDCD = 0x08;
const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;
const MSR_DELTAS = MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD;
/** Modem inputs outside loopback: a terminal is attached and ready, not ringing. */
const MSR_TERMINAL_CONNECTED = MSR_CTS | MSR_DSR | MSR_DCD;

/** 115200 / 12 = 9600 baud, what a PC BIOS leaves COM1 at. */
const RESET_DIVISOR = 12;

export interface UartOptions {
  /** Device and port-claim name (default 'uart'). */
  name?: string;
  /** Receives each byte the guest transmits (not called in loopback mode). */
  onTransmit: (byte: number) => void;
}

/**
 * A National Semiconductor 16550A UART as a PC serial port.
 *
 * The line is infinitely fast: a byte written to THR is handed to
 * onTransmit at once, so THR and the transmitter are always empty (THRE and
 * TEMT read 1) and no transmit FIFO is ever needed. Received bytes come from
 * the host through receive(). Baud rate, word length, parity and breaks are
 * stored for read-back but have no effect.
 */
export class Uart16550 implements Device {
  readonly name: string;
  private readonly irq: IrqLine;
  private readonly onTransmit: (byte: number) => void;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private dll = RESET_DIVISOR;
  private dlm = 0;
  private fifoEnabled = false;
  /** FCR's DMA-mode and trigger bits, as last programmed with FIFOs enabled. */
  private fcr = 0;
  /** Receive FIFO, oldest first (at most one entry in 16450 mode). */
  private rx: number[] = [];
  /** What RBR returns once the FIFO is empty: the last byte read. */
  private rbr = 0;
  /** LSR error bits latched until LSR is read. */
  private lsrErrors = 0;
  /** MSR bits 4-7: the modem inputs as the chip sees them now. */
  private msrLines = MSR_TERMINAL_CONNECTED;
  /** MSR bits 0-3: changes of the inputs since MSR was last read. */
  private msrDeltas = 0;
  /** A THR-empty event not yet acknowledged (by an IIR read reporting it, or a THR write). */
  private threPending = false;
  /** Whether we are driving the IRQ line high. */
  private irqLevel = false;
  private sent = 0;

  constructor(bus: IoBus, base: number, irq: IrqLine, opts: UartOptions) {
    this.name = opts.name ?? 'uart';
    this.irq = irq;
    this.onTransmit = opts.onTransmit;
    bus.register(this.name, base, REGISTER_COUNT, {
      read8: (offset) => this.read(offset),
      write8: (offset, value) => this.write(offset, value),
    });
    this.reset();
  }

  /** Bytes the guest has transmitted since construction (loopback included). */
  get transmitted(): number {
    return this.sent;
  }

  /**
   * How many bytes receive() can take now without overrunning: the free
   * receive FIFO space (0 in loopback, where the serial input is
   * disconnected). A host feeding keyboard input should wait for room.
   */
  get receiveRoom(): number {
    return this.mcr & MCR_LOOP ? 0 : this.rxCapacity() - this.rx.length;
  }

  /**
   * Bytes arriving on the serial input. Returns how many were taken; once
   * the FIFO is full the rest are lost and LSR.OE is set, like a real
   * overrun. In loopback mode the input is disconnected and nothing is taken
   * (and no overrun is flagged).
   */
  receive(bytes: Uint8Array | readonly number[]): number {
    if (this.mcr & MCR_LOOP) return 0;
    let taken = 0;
    while (taken < bytes.length && this.pushRx(bytes[taken] & 0xff)) taken++;
    this.updateIrq();
    return taken;
  }

  reset(): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.scr = 0;
    this.dll = RESET_DIVISOR;
    this.dlm = 0;
    this.fifoEnabled = false;
    this.fcr = 0;
    this.rx = [];
    this.rbr = 0;
    this.lsrErrors = 0;
    this.msrLines = MSR_TERMINAL_CONNECTED;
    this.msrDeltas = 0;
    this.threPending = false;
    this.updateIrq();
  }

  saveState(): DeviceState {
    return {
      ier: this.ier,
      lcr: this.lcr,
      mcr: this.mcr,
      scr: this.scr,
      dll: this.dll,
      dlm: this.dlm,
      fifoEnabled: this.fifoEnabled,
      fcr: this.fcr,
      rx: [...this.rx],
      rbr: this.rbr,
      lsrErrors: this.lsrErrors,
      msrDeltas: this.msrDeltas,
      threPending: this.threPending,
      sent: this.sent,
    };
  }

  restoreState(state: DeviceState): void {
    this.ier = byteField(state, 'ier') & IER_MASK;
    this.lcr = byteField(state, 'lcr');
    this.mcr = byteField(state, 'mcr') & MCR_MASK;
    this.scr = byteField(state, 'scr');
    this.dll = byteField(state, 'dll');
    this.dlm = byteField(state, 'dlm');
    this.fifoEnabled = state.fifoEnabled === true;
    this.fcr = byteField(state, 'fcr') & (FCR_DMA_MODE | FCR_RCVR_TRIGGER_MASK);
    const rx = state.rx;
    if (!Array.isArray(rx) || rx.length > this.rxCapacity()) throw new Error(`${this.name}: bad saved receive FIFO`);
    this.rx = rx.map((b) => Number(b) & 0xff);
    this.rbr = byteField(state, 'rbr');
    this.lsrErrors = byteField(state, 'lsrErrors') & LSR_ERRORS;
    this.msrDeltas = byteField(state, 'msrDeltas') & MSR_DELTAS;
    this.msrLines = this.modemInputs();
    this.threPending = state.threPending === true;
    this.sent = typeof state.sent === 'number' ? state.sent : 0;
    // Drive the wire to the restored level whatever we last drove: the
    // interrupt controller may have been restored with either.
    this.irqLevel = this.irqWanted();
    if (this.irqLevel) this.irq.raise();
    else this.irq.lower();
  }

  private read(offset: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case RBR:
        return dlab ? this.dll : this.readRbr();
      case IER:
        return dlab ? this.dlm : this.ier;
      case IIR:
        return this.readIir();
      case LCR:
        return this.lcr;
      case MCR:
        return this.mcr;
      case LSR:
        return this.readLsr();
      case MSR:
        return this.readMsr();
      case SCR:
        return this.scr;
      default:
        return 0xff;
    }
  }

  private write(offset: number, value: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case THR:
        if (dlab) this.dll = value;
        else this.transmit(value);
        return;
      case IER:
        if (dlab) this.dlm = value;
        else this.writeIer(value);
        return;
      case FCR:
        this.writeFcr(value);
        return;
      case LCR:
        this.lcr = value;
        return;
      case MCR:
        this.writeMcr(value);
        return;
      case SCR:
        this.scr = value;
        return;
      // LSR and MSR writes are reserved for factory test on the real part.
    }
  }

  private readRbr(): number {
    const byte = this.rx.shift();
    if (byte !== undefined) {
      this.rbr = byte;
      this.updateIrq();
    }
    return this.rbr;
  }

  private readIir(): number {
    const source = this.interruptSource();
    // Reading IIR acknowledges a THR-empty interrupt only when it is the one
    // reported; the other sources clear by servicing their register.
    if (source === IIR_THRE) {
      this.threPending = false;
      this.updateIrq();
    }
    return source | (this.fifoEnabled ? IIR_FIFOS_ENABLED : 0);
  }

  private readLsr(): number {
    const lsr = (this.rx.length > 0 ? LSR_DR : 0) | this.lsrErrors | LSR_THRE | LSR_TEMT;
    if (this.lsrErrors !== 0) {
      this.lsrErrors = 0;
      this.updateIrq();
    }
    return lsr;
  }

  private readMsr(): number {
    const msr = this.msrLines | this.msrDeltas;
    if (this.msrDeltas !== 0) {
      this.msrDeltas = 0;
      this.updateIrq();
    }
    return msr;
  }

  private transmit(byte: number): void {
    // Writing THR acknowledges the THR-empty interrupt; the byte then leaves
    // at once, and that emptying of THR is a new THR-empty event. Lowering and
    // raising again gives the edge the real chip gives when the byte drains:
    // Linux's interrupt handler fills the FIFO and relies on the next
    // interrupt to send more.
    this.threPending = false;
    this.updateIrq();
    if (this.mcr & MCR_LOOP) this.pushRx(byte);
    else this.onTransmit(byte);
    this.sent++;
    this.threPending = true;
    this.updateIrq();
  }

  private writeIer(value: number): void {
    const enabling = value & ~this.ier & IER_ETBEI;
    this.ier = value & IER_MASK;
    // Enabling the THR-empty interrupt while THR is empty (always, here)
    // interrupts at once: Linux's 8250 start_tx sets IER.ETBEI and waits for
    // that interrupt before sending anything, and its startup probe checks it.
    if (enabling) this.threPending = true;
    this.updateIrq();
  }

  private writeFcr(value: number): void {
    const enable = (value & FCR_FIFO_ENABLE) !== 0;
    // Switching between 16450 and FIFO mode empties the FIFOs (datasheet).
    if (enable !== this.fifoEnabled) this.rx = [];
    this.fifoEnabled = enable;
    // The other FCR bits are only programmed while bit 0 is written as 1.
    if (enable) {
      this.fcr = value & (FCR_DMA_MODE | FCR_RCVR_TRIGGER_MASK);
      if (value & FCR_RCVR_FIFO_RESET) this.rx = [];
      // FCR_XMIT_FIFO_RESET: nothing is ever waiting to be sent.
    }
    this.updateIrq();
  }

  private writeMcr(value: number): void {
    this.mcr = value & MCR_MASK;
    const lines = this.modemInputs();
    const changed = lines ^ this.msrLines;
    if (changed & MSR_CTS) this.msrDeltas |= MSR_DCTS;
    if (changed & MSR_DSR) this.msrDeltas |= MSR_DDSR;
    // TERI flags only the trailing edge of ring (RI going inactive).
    if (changed & this.msrLines & MSR_RI) this.msrDeltas |= MSR_TERI;
    if (changed & MSR_DCD) this.msrDeltas |= MSR_DDCD;
    this.msrLines = lines;
    this.updateIrq();
  }

  /** MSR bits 4-7 for the current MCR: in loopback the outputs feed the inputs. */
  private modemInputs(): number {
    if (!(this.mcr & MCR_LOOP)) return MSR_TERMINAL_CONNECTED;
    return (
      (this.mcr & MCR_RTS ? MSR_CTS : 0) |
      (this.mcr & MCR_DTR ? MSR_DSR : 0) |
      (this.mcr & MCR_OUT1 ? MSR_RI : 0) |
      (this.mcr & MCR_OUT2 ? MSR_DCD : 0)
    );
  }

  private rxCapacity(): number {
    return this.fifoEnabled ? FIFO_DEPTH : 1;
  }

  /** Queues one received byte; false (and LSR.OE) when there is no room. */
  private pushRx(byte: number): boolean {
    if (this.rx.length >= this.rxCapacity()) {
      this.lsrErrors |= LSR_OE;
      return false;
    }
    this.rx.push(byte);
    return true;
  }

  /** The IIR source code of the highest-priority pending interrupt, or IIR_NO_INT. */
  private interruptSource(): number {
    const ier = this.ier;
    if (ier & IER_ELSI && this.lsrErrors !== 0) return IIR_RLS;
    if (ier & IER_ERBFI && this.rx.length > 0) {
      // Simplification: the real chip reports a character timeout only after
      // four character times without FIFO activity; with an infinitely fast
      // line there is nothing to wait for, so data below the trigger level is
      // reported as a timeout at once (Linux services both the same way).
      const trigger = this.fifoEnabled ? RCVR_TRIGGER_LEVELS[this.fcr >> FCR_RCVR_TRIGGER_SHIFT] : 1;
      return this.rx.length >= trigger ? IIR_RDA : IIR_CTI;
    }
    if (ier & IER_ETBEI && this.threPending) return IIR_THRE;
    if (ier & IER_EDSSI && this.msrDeltas !== 0) return IIR_MODEM_STATUS;
    return IIR_NO_INT;
  }

  /**
   * On a PC, OUT2 enables the buffer between the UART's INTR pin and the
   * PIC. In loopback the datasheet forces the output pins, OUT2 included,
   * inactive, so the interrupt stays internal (visible in IIR) then too.
   */
  private irqWanted(): boolean {
    return (this.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2 && this.interruptSource() !== IIR_NO_INT;
  }

  private updateIrq(): void {
    const want = this.irqWanted();
    if (want === this.irqLevel) return;
    this.irqLevel = want;
    if (want) this.irq.raise();
    else this.irq.lower();
  }
}

function byteField(state: DeviceState, key: string): number {
  const v = state[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xff) throw new Error(`uart: bad saved field ${key}`);
  return v;
}
