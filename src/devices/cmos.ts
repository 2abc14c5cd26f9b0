import type { Clock, Device, DeviceState, IrqLine } from './device.js';
import type { IoBus } from './io-bus.js';

/** Index port; the data port follows it. */
const PORT_INDEX = 0x70;
const PORT_COUNT = 2;
const INDEX_NMI_DISABLE = 0x80;
const INDEX_MASK = 0x7f;
const CMOS_BYTES = 128;

// MC146818 registers.
const REG_SECONDS = 0x00;
const REG_SECONDS_ALARM = 0x01;
const REG_MINUTES = 0x02;
const REG_MINUTES_ALARM = 0x03;
const REG_HOURS = 0x04;
const REG_HOURS_ALARM = 0x05;
const REG_DAY_OF_WEEK = 0x06;
const REG_DAY_OF_MONTH = 0x07;
const REG_MONTH = 0x08;
const REG_YEAR = 0x09;
const REG_A = 0x0a;
const REG_B = 0x0b;
const REG_C = 0x0c;
const REG_D = 0x0d;
/** The PC's century byte: plain CMOS RAM on the real chip, kept here with the clock. */
const REG_CENTURY = 0x32;

const A_UIP = 0x80;
const A_DV_MASK = 0x70;
const A_RS_MASK = 0x0f;
/** Divider 010 (32.768 kHz time base), rate 6 (1024 Hz): what a PC BIOS programs. */
const A_RESET = 0x26;

const B_SET = 0x80;
const B_PIE = 0x40;
const B_AIE = 0x20;
const B_UIE = 0x10;
const B_DM = 0x04; // 1 = binary, 0 = BCD
const B_24_12 = 0x02; // 1 = 24-hour
/** BCD, 24-hour, no interrupts: Linux's rtc-cmos refuses a 12-hour RTC. */
const B_RESET = B_24_12;

const C_IRQF = 0x80;
const C_PF = 0x40;
const C_AF = 0x20;
const C_UF = 0x10;

const D_VRT = 0x80;

const HOURS_PM = 0x80;
/** An alarm byte with both top bits set matches any value. */
const ALARM_DONT_CARE = 0xc0;

/** t_BUC: UIP rises this long before the update at each second boundary. */
const UIP_LEAD_NS = 244_000;
const NS_PER_SECOND = 1e9;
const SECONDS_PER_DAY = 86_400;
/** Periodic interrupt rates with the 32.768 kHz time base, by register A's RS bits (0: none). */
const PERIODIC_HZ = [0, 256, 128, 8192, 4096, 2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4, 2] as const;

// The PC's (IBM AT) CMOS RAM layout.
const CMOS_FLOPPY_TYPES = 0x10;
const CMOS_EQUIPMENT = 0x14;
const EQUIPMENT_FPU = 0x02;
const CMOS_BASE_MEMORY = 0x15; // KiB, low byte first
const CMOS_EXTENDED_MEMORY = 0x17; // KiB above 1 MiB
const CMOS_CHECKSUM = 0x2e; // high byte first, over CHECKSUM_FIRST..CHECKSUM_LAST
const CMOS_EXTENDED_MEMORY_POST = 0x30; // the same, as counted by POST
const CMOS_MEMORY_ABOVE_16M = 0x34; // 64 KiB units
const CHECKSUM_FIRST = 0x10;
const CHECKSUM_LAST = 0x2d;
const BASE_MEMORY_KIB = 640;
const KIB = 1024;
const MIB = 1 << 20;

/** Broken-down RTC time, canonical (binary, 24-hour, full year), whatever format the guest reads it in. */
interface RtcTime {
  sec: number;
  min: number;
  hour: number;
  /** 1 = Sunday, as PC BIOSes count. */
  dow: number;
  dom: number;
  /** 1-12 */
  mon: number;
  year: number;
}

export interface CmosOptions {
  /** Guest RAM size, for the BIOS memory-size bytes. */
  memoryBytes: number;
}

/**
 * The PC's Motorola MC146818 real-time clock and its 128 bytes of CMOS RAM
 * (index port 0x70, data port 0x71, interrupt on IRQ 8).
 *
 * Time keeping: the clock's wall time is sampled once (at reset and
 * restore) and then advanced with the clock's monotonic nowNs, like the
 * chip's oscillator: seconds, the UIP window, update and periodic
 * interrupts then all agree with each other and with the guest's other
 * timers, which a millisecond wall clock sampled per access could not
 * promise (a 244 µs UIP window does not fit in its resolution). Guest
 * writes of the time keep a whole-second offset from that.
 *
 * The time is kept canonically, so switching DM or 12/24-hour mode changes
 * how the registers read rather than leaving them to be rewritten as on the
 * real chip; invalid dates written outside SET mode are normalised. The
 * divider bits, SQWE and DSE are stored but not modelled (the oscillator
 * always runs; no daylight-saving jumps).
 */
export class Cmos implements Device {
  readonly name = 'cmos';
  private readonly clock: Clock;
  private readonly irq: IrqLine;
  private readonly memoryBytes: number;

  private readonly ram = new Uint8Array(CMOS_BYTES);
  private index = 0;
  /** Port 0x70 bit 7. Kept for snapshots; the NMI line is not wired. */
  private nmiDisabled = false;
  private regA = A_RESET;
  private regB = B_RESET;
  /** Register C's PF/AF/UF (IRQF is derived from them and B). */
  private flags = 0;
  private alarmSeconds = 0;
  private alarmMinutes = 0;
  private alarmHours = 0;

  // The oscillator: at clock.nowNs() === anchorNs the divider was
  // anchorPhaseNs into second anchorSec (Unix seconds, UTC).
  private anchorNs = 0;
  private anchorSec = 0;
  private anchorPhaseNs = 0;
  /** RTC seconds minus oscillator seconds: what guest time writes changed. */
  private offsetSec = 0;
  /** Day-of-week register minus the weekday of the date (mod 7): the chip counts it independently. */
  private dowDelta = 0;
  /** While SET is on: the registers as frozen and then written by the guest. */
  private frozen: RtcTime | null = null;
  // Divider time (seconds since the anchor, ns into that second) sampled by
  // sample(), and how far the flags have been brought up to date.
  private nowS = 0;
  private nowP = 0;
  private doneS = 0;
  private doneP = 0;
  private irqLevel = false;

  constructor(bus: IoBus, clock: Clock, irq8: IrqLine, opts: CmosOptions) {
    this.clock = clock;
    this.irq = irq8;
    this.memoryBytes = opts.memoryBytes;
    bus.register(this.name, PORT_INDEX, PORT_COUNT, {
      // The index register is write-only on the PC.
      read8: (offset) => (offset === 0 ? 0xff : this.readData()),
      write8: (offset, value) => (offset === 0 ? this.writeIndex(value) : this.writeData(value)),
    });
    this.reset();
  }

  /**
   * The power-on state of a freshly built PC: RAM holding what a BIOS POST
   * would leave (memory sizes, equipment, checksum), register A/B at BIOS
   * defaults, and the time following the clock's wall time with no offset.
   */
  reset(): void {
    this.ram.fill(0);
    this.fillPcConfiguration();
    this.index = 0;
    this.nmiDisabled = false;
    this.regA = A_RESET;
    this.regB = B_RESET;
    this.flags = 0;
    this.alarmSeconds = this.alarmMinutes = this.alarmHours = 0;
    this.offsetSec = 0;
    this.dowDelta = 0;
    this.frozen = null;
    this.anchor();
    this.updateIrq();
  }

  saveState(): DeviceState {
    return {
      ram: Array.from(this.ram),
      index: this.index,
      nmiDisabled: this.nmiDisabled,
      regA: this.regA,
      regB: this.regB,
      flags: this.flags,
      alarms: [this.alarmSeconds, this.alarmMinutes, this.alarmHours],
      offsetSec: this.offsetSec,
      dowDelta: this.dowDelta,
      frozen: this.frozen ? { ...this.frozen } : null,
    };
  }

  /** The clock follows the restoring clock's wall time plus the saved guest offset (as after a suspend). */
  restoreState(state: DeviceState): void {
    const ram = state.ram;
    if (!Array.isArray(ram) || ram.length !== CMOS_BYTES) throw new Error('cmos: bad saved RAM');
    this.ram.set(ram.map((b) => Number(b) & 0xff));
    this.index = intField(state, 'index') & INDEX_MASK;
    this.nmiDisabled = state.nmiDisabled === true;
    this.regA = intField(state, 'regA') & ~A_UIP & 0xff;
    this.regB = intField(state, 'regB') & 0xff;
    this.flags = intField(state, 'flags') & (C_PF | C_AF | C_UF);
    const alarms = state.alarms;
    if (!Array.isArray(alarms) || alarms.length !== 3) throw new Error('cmos: bad saved alarms');
    [this.alarmSeconds, this.alarmMinutes, this.alarmHours] = alarms.map((b) => Number(b) & 0xff);
    this.offsetSec = intField(state, 'offsetSec');
    this.dowDelta = intField(state, 'dowDelta') % 7;
    const f = state.frozen;
    if (f !== null && (typeof f !== 'object' || Array.isArray(f))) throw new Error('cmos: bad saved frozen time');
    this.frozen = f === null ? null : rtcTimeFrom(f as DeviceState);
    this.anchor();
    // Drive the wire to the restored level whatever we last drove: the
    // interrupt controller may have been restored with either.
    this.irqLevel = this.irqf();
    if (this.irqLevel) this.irq.raise();
    else this.irq.lower();
  }

  /**
   * Sets PF/UF/AF for every periodic edge and update cycle up to now,
   * raises IRQ 8 if an enabled one is set, and returns when the next
   * enabled interrupt is due (Infinity with none enabled).
   */
  tick(): number {
    this.catchUp();
    const rate = PERIODIC_HZ[this.regA & A_RS_MASK];
    const now = this.clock.nowNs();
    let next = Infinity;
    if (this.regB & B_PIE && rate !== 0) {
      const nextEdgeP = ((Math.floor((this.nowP * rate) / NS_PER_SECOND) + 1) * NS_PER_SECOND) / rate;
      next = now + (nextEdgeP - this.nowP);
    }
    if (this.regB & (B_UIE | B_AIE) && !(this.regB & B_SET)) next = Math.min(next, now + (NS_PER_SECOND - this.nowP));
    // Edges can fall between nanoseconds (1024 Hz is 976562.5 ns): ask to be
    // called no earlier than the edge has passed.
    return Math.ceil(next);
  }

  private writeIndex(value: number): void {
    this.index = value & INDEX_MASK;
    this.nmiDisabled = (value & INDEX_NMI_DISABLE) !== 0;
  }

  private readData(): number {
    this.catchUp();
    switch (this.index) {
      case REG_SECONDS:
      case REG_MINUTES:
      case REG_HOURS:
      case REG_DAY_OF_WEEK:
      case REG_DAY_OF_MONTH:
      case REG_MONTH:
      case REG_YEAR:
      case REG_CENTURY:
        return this.timeRegister(this.index, this.currentTime());
      case REG_SECONDS_ALARM:
        return this.alarmSeconds;
      case REG_MINUTES_ALARM:
        return this.alarmMinutes;
      case REG_HOURS_ALARM:
        return this.alarmHours;
      case REG_A:
        return this.regA | (this.updateInProgress() ? A_UIP : 0);
      case REG_B:
        return this.regB;
      case REG_C: {
        const c = this.flags | (this.irqf() ? C_IRQF : 0);
        this.flags = 0;
        this.updateIrq();
        return c;
      }
      case REG_D:
        // The battery never runs down.
        return D_VRT;
      default:
        return this.ram[this.index];
    }
  }

  private writeData(value: number): void {
    this.catchUp();
    switch (this.index) {
      case REG_SECONDS:
      case REG_MINUTES:
      case REG_HOURS:
      case REG_DAY_OF_WEEK:
      case REG_DAY_OF_MONTH:
      case REG_MONTH:
      case REG_YEAR:
      case REG_CENTURY:
        this.writeTimeRegister(this.index, value);
        break;
      case REG_SECONDS_ALARM:
        this.alarmSeconds = value;
        break;
      case REG_MINUTES_ALARM:
        this.alarmMinutes = value;
        break;
      case REG_HOURS_ALARM:
        this.alarmHours = value;
        break;
      case REG_A:
        // A rate change takes effect from now: catchUp() counted the old
        // rate's edges, and edges are positions on the divider, not a count.
        this.regA = value & (A_DV_MASK | A_RS_MASK);
        break;
      case REG_B:
        this.writeB(value);
        break;
      case REG_C:
      case REG_D:
        break; // read-only
      default:
        this.ram[this.index] = value;
    }
    this.updateIrq();
  }

  private writeB(value: number): void {
    const wasSet = (this.regB & B_SET) !== 0;
    // SET stops update cycles, and with them update-ended interrupts (the
    // datasheet clears UIE; QEMU does the same).
    if (value & B_SET) value &= ~B_UIE;
    if (!wasSet && value & B_SET) this.frozen = this.currentTime();
    this.regB = value;
    if (wasSet && !(value & B_SET) && this.frozen) {
      // The guest's time starts counting now, from the start of the
      // oscillator's current second.
      this.setTime(this.frozen);
      this.frozen = null;
    }
  }

  private writeTimeRegister(index: number, value: number): void {
    const t = { ...this.currentTime() };
    switch (index) {
      case REG_SECONDS:
        t.sec = this.decode(value);
        break;
      case REG_MINUTES:
        t.min = this.decode(value);
        break;
      case REG_HOURS:
        t.hour = this.decodeHours(value);
        break;
      case REG_DAY_OF_WEEK:
        t.dow = this.decode(value);
        break;
      case REG_DAY_OF_MONTH:
        t.dom = this.decode(value);
        break;
      case REG_MONTH:
        t.mon = this.decode(value);
        break;
      case REG_YEAR:
        t.year = Math.floor(t.year / 100) * 100 + this.decode(value);
        break;
      case REG_CENTURY:
        t.year = this.decode(value) * 100 + (t.year % 100);
        break;
    }
    // Under SET the fields are kept as written, so a guest may pass through
    // an invalid date (31 February) on its way to a valid one.
    if (this.regB & B_SET) this.frozen = t;
    else this.setTime(t);
  }

  /** Makes `t` the RTC time of the current oscillator second. */
  private setTime(t: RtcTime): void {
    const sec = secondsOf(t);
    this.offsetSec = sec - (this.anchorSec + this.nowS);
    this.dowDelta = mod(t.dow - weekday(sec), 7);
  }

  private currentTime(): RtcTime {
    if (this.frozen) return this.frozen;
    const sec = this.anchorSec + this.nowS + this.offsetSec;
    const d = new Date(sec * 1000);
    return {
      sec: d.getUTCSeconds(),
      min: d.getUTCMinutes(),
      hour: d.getUTCHours(),
      dow: mod(weekday(sec) - 1 + this.dowDelta, 7) + 1,
      dom: d.getUTCDate(),
      mon: d.getUTCMonth() + 1,
      year: d.getUTCFullYear(),
    };
  }

  private timeRegister(index: number, t: RtcTime): number {
    switch (index) {
      case REG_SECONDS:
        return this.encode(t.sec);
      case REG_MINUTES:
        return this.encode(t.min);
      case REG_HOURS:
        return this.encodeHours(t.hour);
      case REG_DAY_OF_WEEK:
        return this.encode(t.dow);
      case REG_DAY_OF_MONTH:
        return this.encode(t.dom);
      case REG_MONTH:
        return this.encode(t.mon);
      case REG_YEAR:
        return this.encode(mod(t.year, 100));
      default:
        return this.encode(Math.floor(t.year / 100));
    }
  }

  private encode(v: number): number {
    return (this.regB & B_DM ? v : toBcd(v)) & 0xff;
  }

  private decode(v: number): number {
    return this.regB & B_DM ? v : fromBcd(v);
  }

  private encodeHours(hour: number): number {
    if (this.regB & B_24_12) return this.encode(hour);
    return this.encode(hour % 12 || 12) | (hour >= 12 ? HOURS_PM : 0);
  }

  private decodeHours(v: number): number {
    if (this.regB & B_24_12) return this.decode(v);
    return (this.decode(v & ~HOURS_PM) % 12) + (v & HOURS_PM ? 12 : 0);
  }

  /** UIP: set for the last 244 µs before each update (never while SET holds updates off). */
  private updateInProgress(): boolean {
    return !(this.regB & B_SET) && this.nowP >= NS_PER_SECOND - UIP_LEAD_NS;
  }

  /** Restarts the oscillator from the clock's wall time. */
  private anchor(): void {
    const wallMs = this.clock.wallMs();
    this.anchorNs = this.clock.nowNs();
    this.anchorSec = Math.floor(wallMs / 1000);
    this.anchorPhaseNs = (wallMs - this.anchorSec * 1000) * 1e6;
    this.sample();
    this.doneS = this.nowS;
    this.doneP = this.nowP;
  }

  /** Reads the divider's position from the clock. */
  private sample(): void {
    const t = this.anchorPhaseNs + (this.clock.nowNs() - this.anchorNs);
    this.nowS = Math.floor(t / NS_PER_SECOND);
    this.nowP = t - this.nowS * NS_PER_SECOND;
  }

  /**
   * Sets the flags for what happened since the last call. The flags are set
   * whether or not their interrupts are enabled (the datasheet's rule, and
   * guests poll UF), so this runs on every guest access too.
   */
  private catchUp(): void {
    this.sample();
    const s = this.nowS;
    const p = this.nowP;
    if (s > this.doneS || (s === this.doneS && p > this.doneP)) {
      const rate = PERIODIC_HZ[this.regA & A_RS_MASK];
      if (rate !== 0 && edges(s, p, rate) > edges(this.doneS, this.doneP, rate)) this.flags |= C_PF;
      if (s > this.doneS && !(this.regB & B_SET)) {
        this.flags |= C_UF;
        if (this.alarmMatchedAfter(this.doneS, s)) this.flags |= C_AF;
      }
      this.doneS = s;
      this.doneP = p;
    }
    this.updateIrq();
  }

  /** Whether the alarm matched at any update from oscillator second `from` (exclusive) to `to`. */
  private alarmMatchedAfter(from: number, to: number): boolean {
    // The alarm is a time of day, so the last day of a longer gap has seen every match.
    const first = Math.max(from + 1, to - SECONDS_PER_DAY + 1);
    for (let s = first; s <= to; s++) {
      const tod = mod(this.anchorSec + s + this.offsetSec, SECONDS_PER_DAY);
      const hour = Math.floor(tod / 3600);
      if (
        alarmMatches(this.alarmSeconds, this.encode(tod % 60)) &&
        alarmMatches(this.alarmMinutes, this.encode(Math.floor(tod / 60) % 60)) &&
        alarmMatches(this.alarmHours, this.encodeHours(hour))
      ) {
        return true;
      }
    }
    return false;
  }

  private irqf(): boolean {
    const b = this.regB;
    const f = this.flags;
    return ((b & B_PIE && f & C_PF) || (b & B_AIE && f & C_AF) || (b & B_UIE && f & C_UF)) !== 0;
  }

  /** IRQ 8 follows IRQF: it stays asserted until the guest reads register C. */
  private updateIrq(): void {
    const want = this.irqf();
    if (want === this.irqLevel) return;
    this.irqLevel = want;
    if (want) this.irq.raise();
    else this.irq.lower();
  }

  private fillPcConfiguration(): void {
    const ram = this.ram;
    const bytes = Math.max(0, this.memoryBytes);
    ram[CMOS_FLOPPY_TYPES] = 0; // no floppy drives
    ram[CMOS_EQUIPMENT] = EQUIPMENT_FPU;
    put16(ram, CMOS_BASE_MEMORY, Math.min(BASE_MEMORY_KIB, Math.floor(bytes / KIB)));
    const extendedKib = Math.min(0xffff, Math.max(0, Math.floor((bytes - MIB) / KIB)));
    put16(ram, CMOS_EXTENDED_MEMORY, extendedKib);
    put16(ram, CMOS_EXTENDED_MEMORY_POST, extendedKib);
    const above16M = Math.min(0xffff, Math.max(0, Math.floor((bytes - 16 * MIB) / (64 * KIB))));
    put16(ram, CMOS_MEMORY_ABOVE_16M, above16M);
    let sum = 0;
    for (let i = CHECKSUM_FIRST; i <= CHECKSUM_LAST; i++) sum += ram[i];
    ram[CMOS_CHECKSUM] = (sum >> 8) & 0xff;
    ram[CMOS_CHECKSUM + 1] = sum & 0xff;
  }
}

/** Periodic-interrupt edges from the oscillator's origin to divider time (s, p). */
function edges(s: number, p: number, rate: number): number {
  return s * rate + Math.floor((p * rate) / NS_PER_SECOND);
}

function alarmMatches(alarm: number, value: number): boolean {
  return (alarm & ALARM_DONT_CARE) === ALARM_DONT_CARE || alarm === value;
}

function toBcd(v: number): number {
  return (Math.floor(v / 10) << 4) | v % 10;
}

function fromBcd(v: number): number {
  return (v >> 4) * 10 + (v & 0x0f);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** 1 = Sunday ... 7 = Saturday, for Unix seconds `sec`. */
function weekday(sec: number): number {
  // 1 January 1970 was a Thursday.
  return mod(Math.floor(sec / SECONDS_PER_DAY) + 4, 7) + 1;
}

/** Unix seconds of `t`, normalising out-of-range fields as Date does (years below 100 stay literal). */
function secondsOf(t: RtcTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.mon - 1, t.dom);
  d.setUTCHours(t.hour, t.min, t.sec, 0);
  return Math.floor(d.getTime() / 1000);
}

function put16(ram: Uint8Array, at: number, v: number): void {
  ram[at] = v & 0xff;
  ram[at + 1] = (v >> 8) & 0xff;
}

function intField(state: DeviceState, key: string): number {
  const v = state[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`cmos: bad saved field ${key}`);
  return v;
}

function rtcTimeFrom(s: DeviceState): RtcTime {
  return {
    sec: intField(s, 'sec'),
    min: intField(s, 'min'),
    hour: intField(s, 'hour'),
    dow: intField(s, 'dow'),
    dom: intField(s, 'dom'),
    mon: intField(s, 'mon'),
    year: intField(s, 'year'),
  };
}
