import { Cmos } from './cmos.js';
import { DebugPorts } from './debug-ports.js';
import type { Clock, Device, DeviceState } from './device.js';
import { ExitDevice } from './exit-device.js';
import { I8042 } from './i8042.js';
import { IoBus } from './io-bus.js';
import { PciHost } from './pci-host.js';
import { DualPic } from './pic.js';
import { Pit } from './pit.js';
import { Uart16550 } from './uart.js';

/** ISA interrupt lines of the PC's devices. */
export const IRQ_PIT = 0;
export const IRQ_KEYBOARD = 1;
export const IRQ_COM1 = 4;
export const IRQ_RTC = 8;
export const IRQ_MOUSE = 12;
export const COM1_BASE = 0x3f8;

export interface PcPlatformOptions {
  clock: Clock;
  /** Guest RAM, for the CMOS memory-size bytes. */
  memoryBytes: number;
  /** Each byte the guest sends out of COM1. */
  onSerial: (byte: number) => void;
  /** The guest asked to end the VM through the exit device (QEMU's isa-debug-exit status). */
  onExit: (status: number) => void;
  /** The guest pulsed the reset line (i8042 0xFE, output port bit 0). */
  onReset: () => void;
  /** Bytes written to the Bochs/QEMU debug port 0xE9. */
  onDebugChar?: (byte: number) => void;
  /** INTR may have changed (the CPU should look at `intr` before its next instruction). */
  onInterruptChange?: () => void;
}

/**
 * The devices of one PC, wired together: the 8259A pair takes the ISA
 * interrupt lines of the timer, the keyboard controller, COM1 and the RTC,
 * and presents INTR to the CPU. One instance per VM; the runtime calls
 * tick() between slices of guest code so timers fire while translated code
 * runs, and acknowledge() when the CPU takes an external interrupt.
 */
export class PcPlatform {
  readonly bus = new IoBus();
  readonly pic: DualPic;
  readonly pit: Pit;
  readonly com1: Uart16550;
  readonly cmos: Cmos;
  readonly keyboard: I8042;
  readonly pci: PciHost;
  readonly debug: DebugPorts;
  readonly exit: ExitDevice;
  private readonly devices: Device[];

  constructor(opts: PcPlatformOptions) {
    const bus = this.bus;
    this.pic = new DualPic(bus, opts.onInterruptChange);
    this.pit = new Pit(bus, opts.clock, this.pic.irq(IRQ_PIT));
    this.com1 = new Uart16550(bus, COM1_BASE, this.pic.irq(IRQ_COM1), { name: 'com1', onTransmit: opts.onSerial });
    this.cmos = new Cmos(bus, opts.clock, this.pic.irq(IRQ_RTC), { memoryBytes: opts.memoryBytes });
    this.keyboard = new I8042(bus, this.pic.irq(IRQ_KEYBOARD), { onReset: opts.onReset, irq12: this.pic.irq(IRQ_MOUSE) });
    this.pci = new PciHost(bus);
    this.debug = new DebugPorts(bus, { onDebugChar: opts.onDebugChar });
    this.exit = new ExitDevice(bus, { onExit: opts.onExit });
    this.devices = [this.pic, this.pit, this.com1, this.cmos, this.keyboard, this.pci, this.debug, this.exit];
  }

  /** An unmasked interrupt request is waiting for the CPU (taken when IF = 1). */
  get intr(): boolean {
    return this.pic.intr;
  }

  /** The CPU's interrupt acknowledge cycle: the vector of the highest-priority request. */
  acknowledge(): number {
    return this.pic.acknowledge();
  }

  /** Brings the timers up to the clock's present; returns the clock time (ns) of the next event. */
  tick(): number {
    let next = Infinity;
    for (const d of this.devices) if (d.tick) next = Math.min(next, d.tick());
    return next;
  }

  reset(): void {
    for (const d of this.devices) d.reset();
  }

  saveState(): DeviceState {
    return Object.fromEntries(this.devices.map((d) => [d.name, d.saveState()]));
  }

  restoreState(state: DeviceState): void {
    for (const d of this.devices) {
      const s = state[d.name];
      if (s === undefined) throw new Error(`platform state has no ${d.name} device`);
      d.restoreState(s as DeviceState);
    }
  }
}
