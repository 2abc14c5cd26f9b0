import type { Device, DeviceState, IrqLine } from './device.js';
import type { IoBus } from './io-bus.js';

/*
 * The PC's pair of Intel 8259A programmable interrupt controllers, plus the
 * PIIX-style ELCR (edge/level control registers). Names follow the 8259A
 * datasheet (Intel 231468) and the PIIX3/4 datasheets for the ELCR.
 */

export const PIC_MASTER_BASE = 0x20;
export const PIC_SLAVE_BASE = 0xa0;
export const ELCR_BASE = 0x4d0;
/** The slave's INT output is wired to the master's IR2 on every PC/AT. */
export const PIC_CASCADE_IR = 2;

// ICW1: a write to port +0 with D4 set (re)starts initialisation.
export const ICW1_INIT = 0x10;
/** ICW4 will follow (IC4). */
export const ICW1_IC4 = 0x01;
/** Single controller, no ICW3 (SNGL). */
export const ICW1_SNGL = 0x02;
/** Call address interval 4 (ADI; MCS-80/85 only). */
export const ICW1_ADI = 0x04;
/** Level-triggered mode (LTIM). */
export const ICW1_LTIM = 0x08;

// ICW2 holds the vector base: T7-T3, the low three bits come from the IR line.
export const ICW2_VECTOR_MASK = 0xf8;

// ICW4
/** 8086/8088 mode (uPM); when clear, MCS-80/85 mode. */
export const ICW4_UPM = 0x01;
/** Automatic end of interrupt (AEOI). */
export const ICW4_AEOI = 0x02;
/** Buffered-mode master/slave select (M/S). */
export const ICW4_MS = 0x04;
/** Buffered mode (BUF). */
export const ICW4_BUF = 0x08;
/** Special fully nested mode (SFNM). */
export const ICW4_SFNM = 0x10;

// OCW2 (port +0, D4 = 0, D3 = 0): R, SL, EOI in D7-D5, the level in D2-D0.
export const OCW2_LEVEL_MASK = 0x07;
export const OCW2_COMMAND_MASK = 0xe0;
export const OCW2_ROTATE_AEOI_CLEAR = 0x00;
export const OCW2_NON_SPECIFIC_EOI = 0x20;
export const OCW2_NOP = 0x40;
export const OCW2_SPECIFIC_EOI = 0x60;
export const OCW2_ROTATE_AEOI_SET = 0x80;
export const OCW2_ROTATE_NON_SPECIFIC_EOI = 0xa0;
export const OCW2_SET_PRIORITY = 0xc0;
export const OCW2_ROTATE_SPECIFIC_EOI = 0xe0;

// OCW3 (port +0, D4 = 0, D3 = 1).
export const OCW3_SELECT = 0x08;
/** Read ISR (rather than IRR) on the next read of port +0 (RIS); only with RR. */
export const OCW3_RIS = 0x01;
/** Read register command (RR): RIS selects which. */
export const OCW3_RR = 0x02;
/** Poll command (P). */
export const OCW3_P = 0x04;
/** Special mask mode value (SMM); only with ESMM. */
export const OCW3_SMM = 0x20;
/** Enable special mask mode change (ESMM). */
export const OCW3_ESMM = 0x40;
export const OCW3_READ_IRR = OCW3_SELECT | OCW3_RR;
export const OCW3_READ_ISR = OCW3_SELECT | OCW3_RR | OCW3_RIS;
export const OCW3_POLL = OCW3_SELECT | OCW3_P;

/** The poll word's "an interrupt is pending" bit (I). */
export const POLL_INTERRUPT = 0x80;

/*
 * ELCR bits that PIIX hard-wires to edge: IRQ 0 (timer), 1 (keyboard), 2
 * (cascade), 8 (RTC) and 13 (FPU error). Writes to them are ignored.
 */
export const ELCR_MASTER_WRITABLE = 0xf8;
export const ELCR_SLAVE_WRITABLE = 0xde;

/** Lowest-priority-first search position for "no request" (one past IR7). */
const NONE = 8;

/** Where ICW writes to port +1 are in the initialisation sequence. */
const enum InitStep {
  Done = 0,
  Icw2 = 2,
  Icw3 = 3,
  Icw4 = 4,
}

/** One 8259A. Internal: the PC only ever has the cascaded pair, see DualPic. */
class Pic8259 {
  irr = 0;
  isr = 0;
  imr = 0;
  /** The IR input wires as driven now (not chip state: kept across resets). */
  levels = 0;
  /** Lines that follow their input (level mode) rather than latch rising edges. */
  elcr = 0;
  vectorBase = 0;
  icw3 = 0;
  single = false;
  icw4Needed = false;
  initStep = InitStep.Done;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialFullyNested = false;
  microprocessorMode = false;
  bufferedMode = 0;
  ltim = false;
  readIsr = false;
  pollPending = false;
  specialMask = false;
  /**
   * The IR line that currently has the highest priority: 0 in the fixed
   * scheme; rotation makes the line after the last one serviced highest.
   */
  priorityBase = 0;

  constructor(
    readonly elcrWritable: number,
    /** Lines that always follow their input, whatever the ELCR says (the master's cascade input). */
    readonly forcedLevel: number,
  ) {}

  get levelMask(): number {
    return this.elcr | this.forcedLevel;
  }

  /** Power-on state. */
  reset(): void {
    this.initialise(0);
    this.initStep = InitStep.Done;
    this.vectorBase = 0;
    this.icw3 = 0;
    this.elcr = 0;
    this.irr = this.levels & this.levelMask;
  }

  /** What ICW1 does (datasheet "Initialization Command Words"). */
  initialise(icw1: number): void {
    this.icw4Needed = (icw1 & ICW1_IC4) !== 0;
    this.single = (icw1 & ICW1_SNGL) !== 0;
    // PIIX ignores LTIM: the ELCR decides per line. Kept for snapshots only.
    this.ltim = (icw1 & ICW1_LTIM) !== 0;
    this.initStep = InitStep.Icw2;
    this.imr = 0;
    this.isr = 0;
    // The edge sense latches are reset: an edge-mode line that is high now
    // must go low and high again to request. Level-mode lines still request.
    this.irr = this.levels & this.levelMask;
    this.priorityBase = 0;
    this.readIsr = false;
    this.pollPending = false;
    this.specialMask = false;
    // Without IC4 every ICW4 function is zero.
    this.autoEoi = false;
    this.rotateOnAutoEoi = false;
    this.specialFullyNested = false;
    this.microprocessorMode = false;
    this.bufferedMode = 0;
  }

  setLevel(line: number, high: boolean): void {
    const bit = 1 << line;
    const wasHigh = (this.levels & bit) !== 0;
    if (high) this.levels |= bit;
    else this.levels &= ~bit;
    if (this.levelMask & bit) {
      if (high) this.irr |= bit;
      else this.irr &= ~bit;
    } else if (high && !wasHigh) {
      // Edge mode latches the rising edge; a later fall does not withdraw it.
      this.irr |= bit;
    }
  }

  setElcr(value: number): void {
    this.elcr = value & this.elcrWritable;
    // Lines now in level mode show their input at once.
    const level = this.levelMask;
    this.irr = (this.irr & ~level) | (this.levels & level);
  }

  /** Priority rank of the highest-priority line in `mask` (0 = highest), NONE if empty. */
  private rank(mask: number): number {
    if ((mask & 0xff) === 0) return NONE;
    let r = 0;
    while ((mask & (1 << ((r + this.priorityBase) & 7))) === 0) r++;
    return r;
  }

  private lineOfRank(r: number): number {
    return (r + this.priorityBase) & 7;
  }

  /** The line the priority resolver would present on INTA now, or -1 (INT low). */
  highestRequest(isMaster: boolean): number {
    const pending = this.irr & ~this.imr;
    if (pending === 0) return -1;
    if (this.specialMask) {
      // Special mask mode: a line in service blocks only itself (software
      // masks it), so lower-priority lines may interrupt its handler.
      const r = this.rank(pending & ~this.isr);
      return r === NONE ? -1 : this.lineOfRank(r);
    }
    let inService = this.isr;
    // SFNM: the cascade line being in service must not block a
    // higher-priority request from the same slave (the slave resolves those).
    if (this.specialFullyNested && isMaster && !this.single) inService &= ~this.icw3;
    const r = this.rank(pending);
    return r < this.rank(inService) ? this.lineOfRank(r) : -1;
  }

  /** The INTA cycle's effect on this chip for `line`. */
  intack(line: number): void {
    const bit = 1 << line;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityBase = (line + 1) & 7;
    } else {
      this.isr |= bit;
    }
    // A level-mode request stays until the device lowers its line.
    if ((this.levelMask & bit) === 0) this.irr &= ~bit;
  }

  writeCommand(value: number): void {
    if (value & ICW1_INIT) {
      this.initialise(value);
    } else if (value & OCW3_SELECT) {
      this.writeOcw3(value);
    } else {
      this.writeOcw2(value);
    }
  }

  private writeOcw2(value: number): void {
    const level = value & OCW2_LEVEL_MASK;
    switch (value & OCW2_COMMAND_MASK) {
      case OCW2_NON_SPECIFIC_EOI:
      case OCW2_ROTATE_NON_SPECIFIC_EOI: {
        const r = this.rank(this.isr);
        if (r === NONE) break;
        const line = this.lineOfRank(r);
        this.isr &= ~(1 << line);
        if ((value & OCW2_COMMAND_MASK) === OCW2_ROTATE_NON_SPECIFIC_EOI) this.priorityBase = (line + 1) & 7;
        break;
      }
      case OCW2_SPECIFIC_EOI:
        this.isr &= ~(1 << level);
        break;
      case OCW2_ROTATE_SPECIFIC_EOI:
        this.isr &= ~(1 << level);
        this.priorityBase = (level + 1) & 7;
        break;
      case OCW2_SET_PRIORITY:
        // `level` becomes the lowest priority.
        this.priorityBase = (level + 1) & 7;
        break;
      case OCW2_ROTATE_AEOI_SET:
        this.rotateOnAutoEoi = true;
        break;
      case OCW2_ROTATE_AEOI_CLEAR:
        this.rotateOnAutoEoi = false;
        break;
      case OCW2_NOP:
        break;
    }
  }

  private writeOcw3(value: number): void {
    if (value & OCW3_ESMM) this.specialMask = (value & OCW3_SMM) !== 0;
    if (value & OCW3_RR) this.readIsr = (value & OCW3_RIS) !== 0;
    if (value & OCW3_P) this.pollPending = true;
  }

  /** A write to port +1: the next ICW while initialising, else OCW1 (the IMR). */
  writeData(value: number): void {
    switch (this.initStep) {
      case InitStep.Icw2:
        this.vectorBase = value & ICW2_VECTOR_MASK;
        this.initStep = this.single ? this.afterIcw3() : InitStep.Icw3;
        break;
      case InitStep.Icw3:
        this.icw3 = value;
        this.initStep = this.afterIcw3();
        break;
      case InitStep.Icw4:
        this.microprocessorMode = (value & ICW4_UPM) !== 0;
        this.autoEoi = (value & ICW4_AEOI) !== 0;
        this.bufferedMode = value & (ICW4_BUF | ICW4_MS);
        this.specialFullyNested = (value & ICW4_SFNM) !== 0;
        this.initStep = InitStep.Done;
        break;
      case InitStep.Done:
        this.imr = value;
        break;
    }
  }

  private afterIcw3(): InitStep {
    return this.icw4Needed ? InitStep.Icw4 : InitStep.Done;
  }

  /** True if `line` is this (master) chip's input from a slave. */
  isCascade(line: number): boolean {
    return !this.single && (this.icw3 & (1 << line)) !== 0;
  }

  save(): DeviceState {
    return {
      irr: this.irr,
      isr: this.isr,
      imr: this.imr,
      levels: this.levels,
      elcr: this.elcr,
      vectorBase: this.vectorBase,
      icw3: this.icw3,
      single: this.single,
      icw4Needed: this.icw4Needed,
      initStep: this.initStep,
      autoEoi: this.autoEoi,
      rotateOnAutoEoi: this.rotateOnAutoEoi,
      specialFullyNested: this.specialFullyNested,
      microprocessorMode: this.microprocessorMode,
      bufferedMode: this.bufferedMode,
      ltim: this.ltim,
      readIsr: this.readIsr,
      pollPending: this.pollPending,
      specialMask: this.specialMask,
      priorityBase: this.priorityBase,
    };
  }

  restore(s: DeviceState): void {
    const num = (k: string): number => {
      const v = s[k];
      if (typeof v !== 'number') throw new Error(`pic: bad snapshot field ${k}`);
      return v;
    };
    const bool = (k: string): boolean => {
      const v = s[k];
      if (typeof v !== 'boolean') throw new Error(`pic: bad snapshot field ${k}`);
      return v;
    };
    this.irr = num('irr') & 0xff;
    this.isr = num('isr') & 0xff;
    this.imr = num('imr') & 0xff;
    this.levels = num('levels') & 0xff;
    this.elcr = num('elcr') & this.elcrWritable;
    this.vectorBase = num('vectorBase') & ICW2_VECTOR_MASK;
    this.icw3 = num('icw3') & 0xff;
    this.single = bool('single');
    this.icw4Needed = bool('icw4Needed');
    const step = num('initStep');
    this.initStep =
      step === InitStep.Icw2 || step === InitStep.Icw3 || step === InitStep.Icw4 ? step : InitStep.Done;
    this.autoEoi = bool('autoEoi');
    this.rotateOnAutoEoi = bool('rotateOnAutoEoi');
    this.specialFullyNested = bool('specialFullyNested');
    this.microprocessorMode = bool('microprocessorMode');
    this.bufferedMode = num('bufferedMode');
    this.ltim = bool('ltim');
    this.readIsr = bool('readIsr');
    this.pollPending = bool('pollPending');
    this.specialMask = bool('specialMask');
    this.priorityBase = num('priorityBase') & 7;
  }
}

/**
 * The master/slave 8259A pair of the PC/AT (master at 0x20, slave at 0xA0,
 * slave INT into master IR2) and the ELCR at 0x4D0/0x4D1.
 *
 * The CPU side: `intr` is the master's INT output; when the CPU takes the
 * interrupt (IF=1, at an instruction boundary) it calls `acknowledge()` for
 * the vector. `onChange` fires whenever `intr` changes value, so a runtime
 * can cache it and wake a halted CPU.
 *
 * Modelling choice: the master's cascade input follows the slave's INT
 * output as a level (its IRR bit is the slave's output), not as a latched
 * edge. On real hardware the edge latch can leave IRR2 set after the slave's
 * request went away (spurious IRQ 15), and can miss a slave request when the
 * slave's INT stays high across an INTA (slave in AEOI with two requests).
 * Emulating the former buys nothing and the latter loses interrupts, so the
 * slave-spurious path (vector base + 7 of the slave) exists but only
 * triggers if the slave's ICW3/single-mode wiring is inconsistent.
 */
export class DualPic implements Device {
  readonly name = 'pic';
  private readonly master = new Pic8259(ELCR_MASTER_WRITABLE, 1 << PIC_CASCADE_IR);
  private readonly slave = new Pic8259(ELCR_SLAVE_WRITABLE, 0);
  private readonly lines: IrqLine[] = [];
  private output = false;

  constructor(
    bus: IoBus,
    private readonly onChange?: () => void,
  ) {
    bus.register('pic', PIC_MASTER_BASE, 2, this.chipPorts(this.master));
    bus.register('pic', PIC_SLAVE_BASE, 2, this.chipPorts(this.slave));
    bus.register('pic', ELCR_BASE, 2, {
      read8: (offset) => (offset === 0 ? this.master : this.slave).elcr,
      write8: (offset, value) => {
        (offset === 0 ? this.master : this.slave).setElcr(value);
        this.update();
      },
    });
    for (let n = 0; n < 16; n++) {
      const chip = n < 8 ? this.master : this.slave;
      const line = n & 7;
      this.lines.push({
        raise: () => {
          chip.setLevel(line, true);
          this.update();
        },
        lower: () => {
          chip.setLevel(line, false);
          this.update();
        },
      });
    }
    this.reset();
  }

  /**
   * The request wire of ISA IRQ `n` (0..15). IRQ 2 has no wire of its own on
   * an AT (it is the cascade): as on the AT's ISA bus, the IRQ 2 pin is IRQ 9,
   * and irq(2) returns the same line as irq(9).
   */
  irq(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n > 15) throw new RangeError(`pic: no IRQ ${n}`);
    return this.lines[n === PIC_CASCADE_IR ? 9 : n];
  }

  /** The master's INT output: an unmasked request outranks everything in service. */
  get intr(): boolean {
    return this.output;
  }

  /**
   * The CPU's INTA cycle: returns the vector and updates IRR/ISR. With no
   * request left (it went away after INTR was sampled), the 8259A answers
   * with IR7's vector without setting ISR: the spurious interrupt.
   */
  acknowledge(): number {
    const line = this.master.highestRequest(true);
    let vector: number;
    if (line < 0) {
      vector = this.master.vectorBase + 7;
    } else {
      if (this.master.isCascade(line)) {
        const slaveLine = this.slave.highestRequest(false);
        if (slaveLine < 0) {
          vector = this.slave.vectorBase + 7;
        } else {
          this.slave.intack(slaveLine);
          vector = this.slave.vectorBase + slaveLine;
        }
      } else {
        vector = this.master.vectorBase + line;
      }
      this.master.intack(line);
    }
    this.update();
    return vector;
  }

  reset(): void {
    this.master.reset();
    this.slave.reset();
    this.update();
  }

  saveState(): DeviceState {
    return { master: this.master.save(), slave: this.slave.save() };
  }

  restoreState(state: DeviceState): void {
    const { master, slave } = state;
    if (typeof master !== 'object' || master === null || typeof slave !== 'object' || slave === null) {
      throw new Error('pic: bad snapshot');
    }
    this.master.restore(master as DeviceState);
    this.slave.restore(slave as DeviceState);
    this.update();
  }

  private chipPorts(chip: Pic8259) {
    return {
      read8: (offset: number): number => {
        if (chip.pollPending) return this.poll(chip);
        if (offset === 0) return chip.readIsr ? chip.isr : chip.irr;
        return chip.imr;
      },
      write8: (offset: number, value: number): void => {
        if (offset === 0) chip.writeCommand(value);
        else chip.writeData(value);
        this.update();
      },
    };
  }

  /**
   * The poll command's read (either port): acknowledges like INTA, without
   * a cascade cycle (software polls the slave itself after seeing IR2).
   */
  private poll(chip: Pic8259): number {
    chip.pollPending = false;
    const line = chip.highestRequest(chip === this.master);
    if (line < 0) return 0;
    chip.intack(line);
    this.update();
    return POLL_INTERRUPT | line;
  }

  /** Propagates the slave's INT into the master and reports a change of INTR. */
  private update(): void {
    this.master.setLevel(PIC_CASCADE_IR, this.slave.highestRequest(false) >= 0);
    const out = this.master.highestRequest(true) >= 0;
    if (out !== this.output) {
      this.output = out;
      this.onChange?.();
    }
  }
}
