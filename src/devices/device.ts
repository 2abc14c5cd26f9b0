/**
 * What every platform device implements (one device, one file, one
 * interface): it claims its I/O ports on the VM's IoBus in its constructor,
 * raises interrupts through an IrqLine it was given, reads time from the
 * VM's Clock, and can be reset and snapshotted. Devices never reach into
 * globals: two VMs in one process share nothing.
 */
export interface Device {
  /** Short name for logs and snapshots ('pic', 'pit', 'uart0', ...). */
  readonly name: string;
  /** Back to the power-on state. */
  reset(): void;
  /** The device's state as plain JSON data (numbers, strings, arrays, objects). */
  saveState(): DeviceState;
  /** Restores what saveState() returned (from this build of wasmvisor). */
  restoreState(state: DeviceState): void;
  /**
   * Brings time-driven state up to the clock's present (timers firing,
   * transmit shifts completing). Called between slices of guest execution;
   * returns the clock time in ns at which the device next needs a call
   * (Infinity: not until a guest access).
   */
  tick?(): number;
}

export type DeviceState = { [key: string]: unknown };

/** Handlers of an I/O port range; `offset` is the port minus the range's first port. */
export interface PortHandler {
  read8?(offset: number): number;
  write8?(offset: number, value: number): void;
  /** 16- and 32-bit accesses: without these the bus splits them into byte accesses, low byte first. */
  read16?(offset: number): number;
  write16?(offset: number, value: number): void;
  read32?(offset: number): number;
  write32?(offset: number, value: number): void;
}

/** One interrupt request wire into an interrupt controller (level semantics; an edge is a raise after a lower). */
export interface IrqLine {
  raise(): void;
  lower(): void;
}

/** Virtual time. Tied to the host clock in a VM; tests drive a manual one. */
export interface Clock {
  /** Nanoseconds since the VM was created (monotonic). */
  nowNs(): number;
  /** Milliseconds since the Unix epoch of the guest's wall clock (the RTC's time). */
  wallMs(): number;
}

/** The host's clock: virtual time follows real time from the moment it is created. */
export class HostClock implements Clock {
  private readonly origin = performance.now();
  nowNs(): number {
    return Math.round((performance.now() - this.origin) * 1e6);
  }
  wallMs(): number {
    return Date.now();
  }
}

/** A clock that moves only when told to (tests, deterministic runs). */
export class ManualClock implements Clock {
  constructor(
    private ns = 0,
    private readonly epochMs = Date.UTC(2026, 0, 1),
  ) {}
  nowNs(): number {
    return this.ns;
  }
  wallMs(): number {
    return this.epochMs + Math.floor(this.ns / 1e6);
  }
  advance(ns: number): void {
    this.ns += ns;
  }
}
