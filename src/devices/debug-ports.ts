import type { Device, DeviceState } from './device.js';
import type { IoBus } from './io-bus.js';

/** POST code port: firmware progress codes; Linux's outb_p() writes here as a ~1 µs I/O delay. */
const POST_PORT = 0x80;
/** Bochs/QEMU debug console: each byte written is a character of debug output. */
const DEBUG_CONSOLE_PORT = 0xe9;
/** Reading the debug console port returns its own number: how guests detect that it is there. */
const DEBUG_CONSOLE_SIGNATURE = 0xe9;
/** 0xF0: clear the math coprocessor's busy latch; 0xF1: reset the coprocessor. Nothing to do without an external 80387. */
const COPROCESSOR_PORT = 0xf0;
const COPROCESSOR_PORTS = 2;

/**
 * The small write-mostly ports guests poke: POST codes, the debug console
 * and the coprocessor ports. Claiming them keeps them from other devices
 * and gives the POST code and debug characters to the host.
 */
export class DebugPorts implements Device {
  readonly name = 'debug-ports';
  private postCode = 0;
  private readonly onDebugChar: ((byte: number) => void) | undefined;

  constructor(bus: IoBus, opts: { onDebugChar?: (byte: number) => void }) {
    this.onDebugChar = opts.onDebugChar;
    // The hot path (hundreds of delay writes per boot) is one field store.
    bus.register(this.name, POST_PORT, 1, {
      // The port reads back the last code, as the AT's unused DMA page register latch at 0x80 does.
      read8: () => this.postCode,
      write8: (_o, v) => {
        this.postCode = v;
      },
    });
    bus.register(this.name, DEBUG_CONSOLE_PORT, 1, {
      read8: () => DEBUG_CONSOLE_SIGNATURE,
      write8: (_o, v) => this.onDebugChar?.(v),
    });
    bus.register(this.name, COPROCESSOR_PORT, COPROCESSOR_PORTS, {
      read8: () => 0xff,
      write8: () => {},
    });
  }

  /** The last byte written to port 0x80. */
  get lastPostCode(): number {
    return this.postCode;
  }

  reset(): void {
    this.postCode = 0;
  }

  saveState(): DeviceState {
    return { postCode: this.postCode };
  }

  restoreState(state: DeviceState): void {
    this.postCode = (state as { postCode: number }).postCode & 0xff;
  }
}
