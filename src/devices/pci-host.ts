import type { Device, DeviceState } from './device.js';
import type { IoBus } from './io-bus.js';

/** CONFIG_ADDRESS at 0xCF8-0xCFB, CONFIG_DATA at 0xCFC-0xCFF (PCI Local Bus spec, configuration mechanism #1). */
const CONFIG_ADDRESS = 0xcf8;
const PORT_COUNT = 8;
/** Offset of CONFIG_DATA from CONFIG_ADDRESS. */
const DATA_OFFSET = 4;

/** CONFIG_ADDRESS bit 31: CONFIG_DATA accesses reach configuration space. */
const ADDR_ENABLE = 0x80000000;
/** The bits CONFIG_ADDRESS keeps: enable, bus, device, function, register; 30:24 are reserved and 1:0 read as 0. */
const ADDR_MASK = 0x80fffffc;

// Type 0 configuration header offsets.
const VENDOR_ID = 0x00;
const DEVICE_ID = 0x02;
const COMMAND = 0x04;
const STATUS = 0x06;
const REVISION_ID = 0x08;
const CLASS_CODE = 0x09; // programming interface, sub-class, base class
const CACHE_LINE_SIZE = 0x0c;
const LATENCY_TIMER = 0x0d;
const INTERRUPT_LINE = 0x3c;
const DEVICE_SPECIFIC = 0x40;
const CONFIG_SIZE = 256;

// Intel 82441FX PMC (the 440FX host bridge) reset values, from its datasheet.
const VENDOR_INTEL = 0x8086;
const DEVICE_82441FX = 0x1237;
const REVISION_82441FX = 0x02;
const CLASS_HOST_BRIDGE = 0x060000;
/** PCICMD: memory space and bus master hard-wired on, as the bridge always decodes memory. */
const PCICMD_RESET = 0x0006;
/** PCICMD bits software may change: PERR# response (6) and SERR# enable (8). */
const PCICMD_WRITABLE = 0x0140;
/** PCISTS: fast back-to-back capable, medium DEVSEL# timing. Its error bits are write-one-to-clear and never set here. */
const PCISTS_RESET = 0x0280;
/** SMRAM control (0x72): the compatible SMM space at 0xA0000 selected, closed. */
const SMRAM = 0x72;
const SMRAM_RESET = 0x02;

/**
 * The PCI host of a 440FX-style PC: configuration mechanism #1 with only the
 * host bridge (00:00.0) behind it, which is enough for Linux to find PCI,
 * enumerate an empty bus and carry on. Everything else reads as absent
 * (all ones). Only dword accesses at 0xCF8 touch CONFIG_ADDRESS: on real
 * chipsets byte accesses there are other registers (0xCF9 reset control,
 * mechanism #2), so here they read all ones and ignore writes, which also
 * keeps Linux's pci_check_type1() byte write to 0xCFB harmless.
 */
export class PciHost implements Device {
  readonly name = 'pci';
  private address = 0;
  private config = new Uint8Array(CONFIG_SIZE);
  /** Per byte, the bits a guest write may change; everything else (IDs, BARs, ROM, pin) is read-only. */
  private readonly writable = new Uint8Array(CONFIG_SIZE);

  constructor(bus: IoBus) {
    this.writable[COMMAND] = PCICMD_WRITABLE & 0xff;
    this.writable[COMMAND + 1] = PCICMD_WRITABLE >>> 8;
    this.writable[CACHE_LINE_SIZE] = 0xff;
    this.writable[LATENCY_TIMER] = 0xff;
    this.writable[INTERRUPT_LINE] = 0xff;
    // The bridge has no BARs or ROM: keeping 0x10-0x33 zero makes Linux's BAR sizing see none.
    this.writable.fill(0xff, DEVICE_SPECIFIC);
    this.reset();
    bus.register(this.name, CONFIG_ADDRESS, PORT_COUNT, {
      read8: (o) => this.read(o, 1),
      read16: (o) => this.read(o, 2),
      read32: (o) => this.read(o, 4),
      write8: (o, v) => this.write(o, 1, v),
      write16: (o, v) => this.write(o, 2, v),
      write32: (o, v) => this.write(o, 4, v),
    });
  }

  reset(): void {
    this.address = 0;
    const c = new Uint8Array(CONFIG_SIZE);
    const put16 = (at: number, v: number): void => {
      c[at] = v & 0xff;
      c[at + 1] = v >>> 8;
    };
    put16(VENDOR_ID, VENDOR_INTEL);
    put16(DEVICE_ID, DEVICE_82441FX);
    put16(COMMAND, PCICMD_RESET);
    put16(STATUS, PCISTS_RESET);
    c[REVISION_ID] = REVISION_82441FX;
    c[CLASS_CODE] = CLASS_HOST_BRIDGE & 0xff;
    c[CLASS_CODE + 1] = (CLASS_HOST_BRIDGE >>> 8) & 0xff;
    c[CLASS_CODE + 2] = CLASS_HOST_BRIDGE >>> 16;
    c[SMRAM] = SMRAM_RESET;
    this.config = c;
  }

  saveState(): DeviceState {
    return { address: this.address, config: Array.from(this.config) };
  }

  restoreState(state: DeviceState): void {
    const s = state as { address: number; config: number[] };
    this.address = s.address >>> 0;
    this.config = Uint8Array.from(s.config);
  }

  private read(offset: number, width: number): number {
    if (offset === 0 && width === 4) return this.address >>> 0;
    let value = 0;
    for (let i = width - 1; i >= 0; i--) value = (value << 8) | this.readByte(offset + i);
    return value >>> 0;
  }

  private write(offset: number, width: number, value: number): void {
    if (offset === 0 && width === 4) {
      this.address = (value & ADDR_MASK) >>> 0;
      return;
    }
    for (let i = 0; i < width; i++) this.writeByte(offset + i, (value >>> (8 * i)) & 0xff);
  }

  /** The config-space index a CONFIG_DATA byte at `offset` reaches, or -1 when it reaches nothing present. */
  private target(offset: number): number {
    if (offset < DATA_OFFSET || offset >= PORT_COUNT) return -1;
    const a = this.address;
    // Bus 0, device 0, function 0 (bits 23:8 all zero) with the enable bit set.
    if ((a & ADDR_ENABLE) === 0 || (a & 0x00ffff00) !== 0) return -1;
    return (a & 0xfc) + (offset - DATA_OFFSET);
  }

  private readByte(offset: number): number {
    const i = this.target(offset);
    return i < 0 ? 0xff : this.config[i];
  }

  private writeByte(offset: number, value: number): void {
    const i = this.target(offset);
    if (i < 0) return;
    const mask = this.writable[i];
    this.config[i] = (this.config[i] & ~mask) | (value & mask);
  }
}
