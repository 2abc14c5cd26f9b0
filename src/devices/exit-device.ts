import type { Device, DeviceState } from './device.js';
import type { IoBus } from './io-bus.js';

/** The port test kernels conventionally give QEMU (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`). */
const DEFAULT_PORT = 0xf4;
/** Four ports, so the bus hands 16- and 32-bit writes at the base port over whole instead of splitting them. */
const PORT_COUNT = 4;

/**
 * QEMU's isa-debug-exit: any write to its ports ends the VM with status
 * (value << 1) | 1, so a guest can report success or failure and the
 * status is never 0 (that stays "the VM ended normally").
 *
 * The value is the whole access: 8 bits for outb (the bus already masks it,
 * as QEMU's iosize=1 device sees only a byte), 16 or 32 bits for outw/outl.
 * The status passed to onExit is computed without truncation (value * 2 + 1,
 * up to 2^33 - 1, never negative); QEMU hands the same number to exit(),
 * so a host process exit code is its low 8 bits, which the caller applies.
 * Reads return all ones (QEMU returns 0; nothing relies on either).
 */
export class ExitDevice implements Device {
  readonly name = 'exit';
  private readonly onExit: (status: number) => void;

  constructor(bus: IoBus, opts: { port?: number; onExit: (status: number) => void }) {
    this.onExit = opts.onExit;
    bus.register(this.name, opts.port ?? DEFAULT_PORT, PORT_COUNT, {
      read8: () => 0xff,
      write8: (_o, v) => this.exit(v & 0xff),
      write16: (_o, v) => this.exit(v & 0xffff),
      write32: (_o, v) => this.exit(v >>> 0),
    });
  }

  reset(): void {}

  saveState(): DeviceState {
    return {};
  }

  restoreState(_state: DeviceState): void {}

  private exit(value: number): void {
    this.onExit(value * 2 + 1);
  }
}
