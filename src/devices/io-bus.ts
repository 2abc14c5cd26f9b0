import type { PortHandler } from './device.js';

const PORTS = 0x10000;

/**
 * The x86 I/O port space of one VM: 64 Ki ports, each claimed by at most one
 * device. Unclaimed ports read as all ones and ignore writes (the floating
 * ISA bus; Linux probes many ports and expects 0xFF). A 16- or 32-bit
 * access goes to the handler's own wide method when it has one, else it is
 * split into byte accesses, low byte first, each to whichever device claims
 * that port.
 */
export class IoBus {
  private readonly handlers: Array<PortHandler | undefined> = new Array(PORTS);
  private readonly bases = new Uint16Array(PORTS);
  private readonly names: Array<string | undefined> = new Array(PORTS);

  /** Claims ports first .. first + count - 1 for `handler`; a port claimed twice is a wiring bug. */
  register(name: string, first: number, count: number, handler: PortHandler): void {
    if (first < 0 || count <= 0 || first + count > PORTS) throw new RangeError(`${name}: ports 0x${first.toString(16)}+${count} out of range`);
    for (let p = first; p < first + count; p++) {
      if (this.handlers[p] !== undefined) throw new Error(`${name}: port 0x${p.toString(16)} is already claimed by ${this.names[p]}`);
    }
    for (let p = first; p < first + count; p++) {
      this.handlers[p] = handler;
      this.bases[p] = first;
      this.names[p] = name;
    }
  }

  /** The device claiming `port`, or undefined (for diagnostics and tests). */
  owner(port: number): string | undefined {
    return this.names[port & 0xffff];
  }

  in8(port: number): number {
    port &= 0xffff;
    const h = this.handlers[port];
    return h?.read8 ? h.read8(port - this.bases[port]) & 0xff : 0xff;
  }

  out8(port: number, value: number): void {
    port &= 0xffff;
    this.handlers[port]?.write8?.(port - this.bases[port], value & 0xff);
  }

  in16(port: number): number {
    port &= 0xffff;
    const h = this.handlers[port];
    if (h?.read16 && this.handlers[(port + 1) & 0xffff] === h) return h.read16(port - this.bases[port]) & 0xffff;
    return this.in8(port) | (this.in8(port + 1) << 8);
  }

  out16(port: number, value: number): void {
    port &= 0xffff;
    const h = this.handlers[port];
    if (h?.write16 && this.handlers[(port + 1) & 0xffff] === h) return h.write16(port - this.bases[port], value & 0xffff);
    this.out8(port, value);
    this.out8(port + 1, value >>> 8);
  }

  in32(port: number): number {
    port &= 0xffff;
    const h = this.handlers[port];
    if (h?.read32 && this.handlers[(port + 3) & 0xffff] === h) return h.read32(port - this.bases[port]) >>> 0;
    return (this.in16(port) | (this.in16(port + 2) << 16)) >>> 0;
  }

  out32(port: number, value: number): void {
    port &= 0xffff;
    const h = this.handlers[port];
    if (h?.write32 && this.handlers[(port + 3) & 0xffff] === h) return h.write32(port - this.bases[port], value >>> 0);
    this.out16(port, value);
    this.out16(port + 2, value >>> 16);
  }
}
