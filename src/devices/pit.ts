import type { Clock, Device, DeviceState, IrqLine } from './device.js';
import type { IoBus } from './io-bus.js';

/*
 * The Intel 8254 programmable interval timer of the PC (Intel 231164) and
 * the PC/AT "system control port B" at 0x61 that gates its channel 2.
 *
 * Counters are not stepped: each channel remembers when it started counting
 * and derives its count and OUT from the clock's present, so a timer costs
 * nothing between guest accesses.
 */

/** The 8254's input clock on every PC: 14.31818 MHz / 12. */
export const PIT_FREQ_HZ = 1193182;
export const PIT_BASE = 0x40;
export const PIT_CONTROL_OFFSET = 3;
export const SYSTEM_CONTROL_PORT_B = 0x61;

// Control word (port 0x43): SC1 SC0 RW1 RW0 M2 M1 M0 BCD.
export const CW_SC_SHIFT = 6;
export const CW_RW_SHIFT = 4;
export const CW_M_SHIFT = 1;
export const CW_BCD = 0x01;
/** SC = 11: the read-back command. */
export const CW_SC_READ_BACK = 3;

// RW field values.
/** Counter latch command. */
export const RW_LATCH = 0;
export const RW_LSB = 1;
export const RW_MSB = 2;
export const RW_LSB_MSB = 3;

// Modes (M2 M1 M0; 6 and 7 are aliases of 2 and 3).
export const MODE_INTERRUPT_ON_TERMINAL_COUNT = 0;
export const MODE_HW_RETRIGGERABLE_ONE_SHOT = 1;
export const MODE_RATE_GENERATOR = 2;
export const MODE_SQUARE_WAVE = 3;
export const MODE_SW_TRIGGERED_STROBE = 4;
export const MODE_HW_TRIGGERED_STROBE = 5;

// Read-back command: 1 1 /COUNT /STATUS CNT2 CNT1 CNT0 0 (COUNT and STATUS active low).
export const RB_NOT_COUNT = 0x20;
export const RB_NOT_STATUS = 0x10;
export const RB_CNT0 = 0x02;
export const RB_CNT1 = 0x04;
export const RB_CNT2 = 0x08;

// Status byte: OUTPUT NULL_COUNT RW1 RW0 M2 M1 M0 BCD.
export const STATUS_OUTPUT = 0x80;
export const STATUS_NULL_COUNT = 0x40;

// Port 0x61.
/** Timer 2 gate (read/write). */
export const PORTB_TIMER2_GATE = 0x01;
/** Speaker data enable (read/write). */
export const PORTB_SPEAKER_DATA = 0x02;
/** Parity check / channel check enables (read/write, no effect here). */
export const PORTB_PARITY_CHECK_DISABLE = 0x04;
export const PORTB_CHANNEL_CHECK_DISABLE = 0x08;
/** Refresh request toggle (read-only). */
export const PORTB_REFRESH = 0x10;
/** Timer 2 OUT (read-only). */
export const PORTB_TIMER2_OUT = 0x20;
export const PORTB_WRITABLE =
  PORTB_TIMER2_GATE | PORTB_SPEAKER_DATA | PORTB_PARITY_CHECK_DISABLE | PORTB_CHANNEL_CHECK_DISABLE;

const NS_PER_S = 1e9;
const BINARY_MODULUS = 0x10000;
const BCD_MODULUS = 10000;

/** Whole input clocks in `ns` nanoseconds, exact up to 2^53 ns (floats would drift after seconds). */
export function pitClocks(ns: number): number {
  if (ns <= 0) return 0;
  const e = Math.floor(ns);
  const r = e % NS_PER_S;
  const x = r * PIT_FREQ_HZ; // < 1.2e15: exact
  return ((e - r) / NS_PER_S) * PIT_FREQ_HZ + (x - (x % NS_PER_S)) / NS_PER_S;
}

/** The fewest nanoseconds that contain `clocks` input clocks (inverse of pitClocks). */
export function pitNs(clocks: number): number {
  if (clocks <= 0) return 0;
  const b = clocks % PIT_FREQ_HZ;
  const y = b * NS_PER_S; // < 1.2e15: exact
  const rem = y % PIT_FREQ_HZ;
  return ((clocks - b) / PIT_FREQ_HZ) * NS_PER_S + (y - rem) / PIT_FREQ_HZ + (rem === 0 ? 0 : 1);
}

function bcdToBinary(v: number): number {
  return ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 + (v & 0xf);
}

function binaryToBcd(v: number): number {
  return (Math.floor(v / 1000) % 10 << 12) | (Math.floor(v / 100) % 10 << 8) | (Math.floor(v / 10) % 10 << 4) | v % 10;
}

/**
 * One counter. Time is measured in input clocks `d` since the counting
 * element was last loaded: d = dOffset + clocks since runStart while
 * counting, dOffset while stopped (gate low, or waiting for a count).
 */
class Channel {
  /** The mode field as written (status read-back shows it), and its effective mode 0..5. */
  modeBits = MODE_SQUARE_WAVE;
  mode = MODE_SQUARE_WAVE;
  access = RW_LSB_MSB;
  bcd = false;
  /** The count register as last written (BCD digits in BCD mode). */
  countReg = 0;
  /** The count the counting element runs with (0 written means the full modulus). */
  n = BINARY_MODULUS;
  /** Modes 2/3: a count written while counting takes effect at the end of the current cycle, d = reloadD. */
  pending = false;
  reloadD = 0;
  /** After a control word, until the count is complete: not counting, OUT at its initial level. */
  waiting = true;
  /** Modes 1/5: a gate rising edge has started the count. */
  triggered = false;
  running = false;
  dOffset = 0;
  runStart = 0;
  /** The count shown while waiting/untriggered (the counting element keeps its last value). */
  frozen = 0;
  nullCount = true;
  /** Two-byte writes: the LSB has been written and the MSB is next. */
  writeMsbNext = false;
  writeLsb = 0;
  /** Two-byte reads: the MSB is next (a separate flip-flop from writes: the 8254 allows interleaving). */
  readMsbNext = false;
  latchedCount: number | null = null;
  latchedStatus: number | null = null;
  gate: boolean;
  /** Channel 0 only: d of the next OUT rising edge not yet delivered as an IRQ. */
  nextIrqD = Infinity;

  constructor(gate: boolean) {
    this.gate = gate;
  }

  get modulus(): number {
    return this.bcd ? BCD_MODULUS : BINARY_MODULUS;
  }

  private effective(raw: number): number {
    const v = this.bcd ? bcdToBinary(raw) : raw;
    return v === 0 ? this.modulus : v;
  }

  /** Brings d to `now`, applying a mode 2/3 count that was waiting for the cycle's end. */
  sync(now: number): number {
    let d = this.running ? this.dOffset + pitClocks(now - this.runStart) : this.dOffset;
    if (this.pending && this.running && d >= this.reloadD) {
      const shift = this.reloadD;
      this.dOffset -= shift;
      d -= shift;
      this.nextIrqD -= shift;
      this.n = this.effective(this.countReg);
      this.pending = false;
      this.nullCount = false;
    }
    return d;
  }

  private freeze(d: number): void {
    this.dOffset = d;
    this.running = false;
  }

  private start(now: number): void {
    this.dOffset = 0;
    this.runStart = now;
    this.running = true;
  }

  /** The counting element's value at d, as a read would see it (BCD-encoded in BCD mode). */
  count(d: number): number {
    if (this.waiting) return this.frozen;
    const n = this.n;
    let v: number;
    switch (this.mode) {
      case MODE_HW_RETRIGGERABLE_ONE_SHOT:
      case MODE_HW_TRIGGERED_STROBE:
        if (!this.triggered) return this.frozen;
        v = n - d;
        break;
      case MODE_RATE_GENERATOR:
        v = n - (d % n);
        break;
      case MODE_SQUARE_WAVE: {
        // Counts down by two through each half; an odd count spends one clock longer high.
        const p = d % n;
        const high = (n + 1) >> 1;
        v = (n & ~1) - 2 * (p < high ? p : p - high);
        break;
      }
      default:
        v = n - d;
        break;
    }
    const m = this.modulus;
    v = ((v % m) + m) % m;
    return this.bcd ? binaryToBcd(v) : v;
  }

  out(d: number): boolean {
    if (this.waiting) return this.mode !== MODE_INTERRUPT_ON_TERMINAL_COUNT;
    const n = this.n;
    switch (this.mode) {
      case MODE_INTERRUPT_ON_TERMINAL_COUNT:
        return d >= n;
      case MODE_HW_RETRIGGERABLE_ONE_SHOT:
        return !this.triggered || d >= n;
      case MODE_RATE_GENERATOR:
        // Low for the one clock during which the count is 1.
        return !this.gate || d % n !== n - 1;
      case MODE_SQUARE_WAVE:
        return !this.gate || d % n < (n + 1) >> 1;
      case MODE_SW_TRIGGERED_STROBE:
        return d !== n;
      case MODE_HW_TRIGGERED_STROBE:
        return !this.triggered || d !== n;
      default:
        return true;
    }
  }

  /** The d of the first OUT rising edge after d (Infinity: none without reprogramming). */
  nextRisingEdge(d: number): number {
    if (this.waiting) return Infinity;
    const n = this.n;
    switch (this.mode) {
      case MODE_INTERRUPT_ON_TERMINAL_COUNT:
        return d < n ? n : Infinity;
      case MODE_HW_RETRIGGERABLE_ONE_SHOT:
        return this.triggered && d < n ? n : Infinity;
      case MODE_RATE_GENERATOR:
      case MODE_SQUARE_WAVE:
        // Both rise when the counter reloads, every n clocks.
        return this.pending ? this.reloadD : d - (d % n) + n;
      case MODE_SW_TRIGGERED_STROBE:
        return d <= n ? n + 1 : Infinity;
      case MODE_HW_TRIGGERED_STROBE:
        return this.triggered && d <= n ? n + 1 : Infinity;
      default:
        return Infinity;
    }
  }

  /** Clock time of d = target, or Infinity if not counting. */
  nsAt(target: number): number {
    if (!this.running || target === Infinity) return Infinity;
    return this.runStart + pitNs(target - this.dOffset);
  }

  status(d: number): number {
    return (
      (this.out(d) ? STATUS_OUTPUT : 0) |
      (this.nullCount ? STATUS_NULL_COUNT : 0) |
      (this.access << CW_RW_SHIFT) |
      (this.modeBits << CW_M_SHIFT) |
      (this.bcd ? CW_BCD : 0)
    );
  }

  latchCount(d: number): void {
    // A second latch before the first is read is ignored.
    if (this.latchedCount === null) this.latchedCount = this.count(d);
  }

  latchStatus(d: number): void {
    if (this.latchedStatus === null) this.latchedStatus = this.status(d);
  }

  writeControl(value: number, now: number): void {
    const d = this.sync(now);
    this.frozen = this.count(d);
    this.access = (value >> CW_RW_SHIFT) & 3;
    this.modeBits = (value >> CW_M_SHIFT) & 7;
    this.mode = this.modeBits > MODE_HW_TRIGGERED_STROBE ? this.modeBits & 3 : this.modeBits;
    this.bcd = (value & CW_BCD) !== 0;
    this.waiting = true;
    this.triggered = false;
    this.pending = false;
    this.nullCount = true;
    this.freeze(0);
    this.writeMsbNext = false;
    this.readMsbNext = false;
    this.latchedCount = null;
    this.latchedStatus = null;
  }

  writeData(value: number, now: number): void {
    switch (this.access) {
      case RW_LSB:
        this.loadCount(value, now);
        break;
      case RW_MSB:
        this.loadCount(value << 8, now);
        break;
      default:
        if (!this.writeMsbNext) {
          this.writeLsb = value;
          this.writeMsbNext = true;
          // Mode 0: the first byte stops the count and drops OUT until the second arrives.
          if (this.mode === MODE_INTERRUPT_ON_TERMINAL_COUNT && !this.waiting) {
            const d = this.sync(now);
            this.frozen = this.count(d);
            this.waiting = true;
            this.freeze(0);
          }
        } else {
          this.writeMsbNext = false;
          this.loadCount(this.writeLsb | (value << 8), now);
        }
        break;
    }
  }

  /** A complete count was written: when it reaches the counting element depends on the mode. */
  private loadCount(raw: number, now: number): void {
    const d = this.sync(now);
    this.countReg = raw & 0xffff;
    const fresh = this.waiting;
    this.waiting = false;
    switch (this.mode) {
      case MODE_HW_RETRIGGERABLE_ONE_SHOT:
      case MODE_HW_TRIGGERED_STROBE:
        // Loaded by the next gate trigger; a running one-shot is not disturbed.
        this.nullCount = true;
        break;
      case MODE_RATE_GENERATOR:
      case MODE_SQUARE_WAVE:
        if (fresh) {
          this.n = this.effective(this.countReg);
          this.nullCount = false;
          this.start(now);
          if (!this.gate) this.freeze(0);
        } else {
          // The current cycle finishes with the old count (or a gate edge reloads).
          this.nullCount = true;
          if (this.running) {
            this.pending = true;
            this.reloadD = d - (d % this.n) + this.n;
          }
        }
        break;
      default:
        // Modes 0 and 4 load at once and restart; gate low holds the count.
        this.n = this.effective(this.countReg);
        this.nullCount = false;
        this.start(now);
        if (!this.gate) this.freeze(0);
        break;
    }
  }

  read(now: number): number {
    if (this.latchedStatus !== null) {
      const s = this.latchedStatus;
      this.latchedStatus = null;
      return s;
    }
    const value = this.latchedCount ?? this.count(this.sync(now));
    switch (this.access) {
      case RW_LSB:
        this.latchedCount = null;
        return value & 0xff;
      case RW_MSB:
        this.latchedCount = null;
        return value >> 8;
      default:
        if (!this.readMsbNext) {
          this.readMsbNext = true;
          return value & 0xff;
        }
        this.readMsbNext = false;
        this.latchedCount = null;
        return value >> 8;
    }
  }

  setGate(high: boolean, now: number): void {
    if (high === this.gate) return;
    const d = this.sync(now);
    this.gate = high;
    if (this.waiting) return;
    switch (this.mode) {
      case MODE_HW_RETRIGGERABLE_ONE_SHOT:
      case MODE_HW_TRIGGERED_STROBE:
        // Edge-sensitive: a rising edge (re)starts with the count register; a low gate does not stop it.
        if (high) {
          this.n = this.effective(this.countReg);
          this.nullCount = false;
          this.triggered = true;
          this.start(now);
        }
        break;
      case MODE_RATE_GENERATOR:
      case MODE_SQUARE_WAVE:
        // Low stops counting (OUT forced high); the rising edge reloads and resynchronises.
        if (high) {
          this.n = this.effective(this.countReg);
          this.pending = false;
          this.nullCount = false;
          this.start(now);
        } else {
          this.freeze(d);
        }
        break;
      default:
        // Modes 0 and 4: the gate only suspends counting.
        if (high) {
          this.runStart = now;
          this.running = true;
        } else {
          this.freeze(d);
        }
        break;
    }
  }

  save(now: number): DeviceState {
    return {
      modeBits: this.modeBits,
      access: this.access,
      bcd: this.bcd,
      countReg: this.countReg,
      n: this.n,
      pending: this.pending,
      reloadD: this.reloadD,
      waiting: this.waiting,
      triggered: this.triggered,
      running: this.running,
      dOffset: this.dOffset,
      // Relative to the present: a restored VM's clock may start from zero.
      runStartAgoNs: now - this.runStart,
      frozen: this.frozen,
      nullCount: this.nullCount,
      writeMsbNext: this.writeMsbNext,
      writeLsb: this.writeLsb,
      readMsbNext: this.readMsbNext,
      latchedCount: this.latchedCount,
      latchedStatus: this.latchedStatus,
      gate: this.gate,
      nextIrqD: Number.isFinite(this.nextIrqD) ? this.nextIrqD : null,
    };
  }

  restore(s: DeviceState, now: number): void {
    const num = (k: string): number => {
      const v = s[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`pit: bad snapshot field ${k}`);
      return v;
    };
    const bool = (k: string): boolean => {
      const v = s[k];
      if (typeof v !== 'boolean') throw new Error(`pit: bad snapshot field ${k}`);
      return v;
    };
    const numOrNull = (k: string): number | null => (s[k] === null ? null : num(k));
    this.modeBits = num('modeBits') & 7;
    this.mode = this.modeBits > MODE_HW_TRIGGERED_STROBE ? this.modeBits & 3 : this.modeBits;
    this.access = num('access') & 3 || RW_LSB_MSB;
    this.bcd = bool('bcd');
    this.countReg = num('countReg') & 0xffff;
    this.n = Math.max(1, num('n'));
    this.pending = bool('pending');
    this.reloadD = num('reloadD');
    this.waiting = bool('waiting');
    this.triggered = bool('triggered');
    this.running = bool('running');
    this.dOffset = num('dOffset');
    this.runStart = now - num('runStartAgoNs');
    this.frozen = num('frozen');
    this.nullCount = bool('nullCount');
    this.writeMsbNext = bool('writeMsbNext');
    this.writeLsb = num('writeLsb') & 0xff;
    this.readMsbNext = bool('readMsbNext');
    this.latchedCount = numOrNull('latchedCount');
    this.latchedStatus = numOrNull('latchedStatus');
    this.gate = bool('gate');
    this.nextIrqD = numOrNull('nextIrqD') ?? Infinity;
  }
}

/**
 * The 8254 at 0x40-0x43 and port 0x61. Channel 0's OUT is IRQ 0: each OUT
 * rising edge becomes a raise-then-lower pulse on `irq0` (the PIC latches
 * it as an edge). Channel 1 (DRAM refresh on old PCs) counts but drives
 * nothing. Channel 2's gate and OUT are bits 0 and 5 of port 0x61.
 *
 * Edges are delivered by tick(), and also before any reprogramming of a
 * channel (so a write never loses an edge that was already due). A runtime
 * should call tick() again after the guest writes the PIT: a new count may
 * bring the next edge forward.
 */
export class Pit implements Device {
  readonly name = 'pit';
  private readonly channels: [Channel, Channel, Channel] = [new Channel(true), new Channel(true), new Channel(false)];
  private portB = 0;
  private refresh = false;

  constructor(
    bus: IoBus,
    private readonly clock: Clock,
    private readonly irq0: IrqLine,
  ) {
    bus.register('pit', PIT_BASE, 4, {
      read8: (offset) => (offset === PIT_CONTROL_OFFSET ? 0xff : this.readCounter(offset)),
      write8: (offset, value) => (offset === PIT_CONTROL_OFFSET ? this.writeControl(value) : this.writeCounter(offset, value)),
    });
    bus.register('pit', SYSTEM_CONTROL_PORT_B, 1, {
      read8: () => this.readPortB(),
      write8: (_offset, value) => this.writePortB(value),
    });
    this.reset();
  }

  /**
   * Delivers channel 0's OUT rising edges up to now and returns the clock
   * time of the next one (Infinity: none until reprogrammed). Edges since
   * the previous call are coalesced into one pulse: the PIC's edge latch
   * would merge them anyway unless the CPU acknowledged between them, and a
   * late tick should not cause an interrupt storm (Linux counts ticks by
   * reading the time, not by counting interrupts).
   */
  tick(): number {
    const now = this.clock.nowNs();
    this.deliver(now);
    return this.channels[0].nsAt(this.channels[0].nextIrqD);
  }

  /**
   * Power-on state as a BIOS leaves it: every channel in mode 3 with count
   * 0 (65536), so channel 0 runs at 18.2 Hz; channel 2's gate (port 0x61) low.
   */
  reset(): void {
    const now = this.clock.nowNs();
    this.portB = 0;
    this.refresh = false;
    this.channels.forEach((ch, i) => {
      ch.gate = i !== 2;
      ch.writeControl((RW_LSB_MSB << CW_RW_SHIFT) | (MODE_SQUARE_WAVE << CW_M_SHIFT), now);
      ch.frozen = 0;
      ch.writeData(0, now);
      ch.writeData(0, now);
    });
    this.channels[0].nextIrqD = this.channels[0].nextRisingEdge(0);
  }

  saveState(): DeviceState {
    const now = this.clock.nowNs();
    return {
      channels: this.channels.map((ch) => ch.save(now)),
      portB: this.portB,
      refresh: this.refresh,
    };
  }

  restoreState(state: DeviceState): void {
    const now = this.clock.nowNs();
    const { channels, portB, refresh } = state;
    if (
      !Array.isArray(channels) ||
      channels.length !== 3 ||
      !channels.every((c) => typeof c === 'object' && c !== null) ||
      typeof portB !== 'number' ||
      typeof refresh !== 'boolean'
    ) {
      throw new Error('pit: bad snapshot');
    }
    channels.forEach((s, i) => this.channels[i].restore(s as DeviceState, now));
    this.portB = portB & PORTB_WRITABLE;
    this.refresh = refresh;
  }

  private deliver(now: number): void {
    const ch = this.channels[0];
    if (ch.nextIrqD === Infinity) return;
    const d = ch.sync(now);
    if (d >= ch.nextIrqD) {
      this.irq0.raise();
      this.irq0.lower();
      ch.nextIrqD = ch.nextRisingEdge(d);
    }
  }

  /** Runs after any change to channel 0: its next edge is counted from its new state. */
  private rearm(now: number): void {
    const ch = this.channels[0];
    ch.nextIrqD = ch.nextRisingEdge(ch.sync(now));
  }

  private readCounter(c: number): number {
    return this.channels[c].read(this.clock.nowNs());
  }

  private writeCounter(c: number, value: number): void {
    const now = this.clock.nowNs();
    this.deliver(now);
    this.channels[c].writeData(value, now);
    if (c === 0) this.rearm(now);
  }

  private writeControl(value: number): void {
    const now = this.clock.nowNs();
    const sc = value >> CW_SC_SHIFT;
    if (sc === CW_SC_READ_BACK) {
      this.channels.forEach((ch, i) => {
        if ((value & (RB_CNT0 << i)) === 0) return;
        const d = ch.sync(now);
        // Both may be latched; the status byte is read first.
        if ((value & RB_NOT_STATUS) === 0) ch.latchStatus(d);
        if ((value & RB_NOT_COUNT) === 0) ch.latchCount(d);
      });
      return;
    }
    const ch = this.channels[sc];
    if (((value >> CW_RW_SHIFT) & 3) === RW_LATCH) {
      ch.latchCount(ch.sync(now));
      return;
    }
    this.deliver(now);
    ch.writeControl(value, now);
    if (sc === 0) this.rearm(now);
  }

  private readPortB(): number {
    const ch = this.channels[2];
    const out = ch.out(ch.sync(this.clock.nowNs()));
    // Real hardware toggles this every 15 us; toggling per read lets delay
    // loops that wait for a change finish however time advances.
    this.refresh = !this.refresh;
    return this.portB | (this.refresh ? PORTB_REFRESH : 0) | (out ? PORTB_TIMER2_OUT : 0);
  }

  private writePortB(value: number): void {
    this.portB = value & PORTB_WRITABLE;
    this.channels[2].setGate((value & PORTB_TIMER2_GATE) !== 0, this.clock.nowNs());
  }
}
