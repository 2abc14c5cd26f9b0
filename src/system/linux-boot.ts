import { hex, LoadError } from '../linux/elf.js';

/**
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst), entered
 * through its 32-bit entry point with no BIOS and no real-mode setup code:
 * the loader reads the bzImage's setup header, fills a zeroed boot_params
 * ("zero page"), puts the protected-mode kernel at 1 MiB and jumps there.
 */

/** Offsets in the bzImage's first sector, which are also boot_params offsets (the header is copied in place). */
const SETUP_SECTS = 0x1f1;
const BOOT_FLAG = 0x1fe;
const JUMP = 0x200;
const HEADER = 0x202;
const VERSION = 0x206;
const KERNEL_VERSION = 0x20e;
const TYPE_OF_LOADER = 0x210;
const LOADFLAGS = 0x211;
const CODE32_START = 0x214;
const RAMDISK_IMAGE = 0x218;
const RAMDISK_SIZE = 0x21c;
const CMD_LINE_PTR = 0x228;
const INITRD_ADDR_MAX = 0x22c;
const KERNEL_ALIGNMENT = 0x230;
const RELOCATABLE_KERNEL = 0x234;
const CMDLINE_SIZE = 0x238;
const PREF_ADDRESS = 0x258;
const INIT_SIZE = 0x260;

/** boot_params fields outside the setup header. */
const ALT_MEM_K = 0x1e0;
const E820_ENTRIES = 0x1e8;
const E820_TABLE = 0x2d0;
const E820_ENTRY_SIZE = 20;
/** struct boot_params keeps 0x1f1..0x290 for the setup header; a longer header would not fit. */
const BOOT_PARAMS_HEADER_END = 0x290;
const BOOT_PARAMS_SIZE = 0x1000;

export const BOOT_FLAG_MAGIC = 0xaa55;
/** "HdrS" read as a little-endian u32. */
export const HDRS_MAGIC = 0x53726448;
/** The first protocol with cmdline_size and the documented 32-bit entry (boot.rst "32-bit boot protocol"). */
export const MIN_PROTOCOL = 0x0206;
/** loadflags bits. */
export const LOADED_HIGH = 1 << 0;
export const CAN_USE_HEAP = 1 << 7;
/** type_of_loader for a loader without an assigned ID. */
export const LOADER_TYPE_UNDEFINED = 0xff;
/** E820 range types. */
export const E820_RAM = 1;
export const E820_RESERVED = 2;

/** Where the protected-mode kernel goes (code32_start of every bzImage) and the 32-bit entry point. */
export const KERNEL_LOAD_ADDRESS = 0x100000;
/** The zero page and the command line, in conventional memory below the EBDA. */
export const BOOT_PARAMS_ADDRESS = 0x10000;
export const CMDLINE_ADDRESS = 0x20000;
/** The top of conventional memory as a PC BIOS reports it, the EBDA above it, and the BIOS ROM area. */
const EBDA_START = 0x9fc00;
const EBDA_END = 0xa0000;
const BIOS_ROM_START = 0xf0000;
const HIGH_MEMORY = 0x100000;
const PAGE = 0x1000;
const MIB = 1 << 20;

/** A Linux kernel in the bzImage format, as its setup header describes it. */
export interface BzImage {
  /** Boot protocol version, e.g. 0x020f for 2.15. */
  protocol: number;
  /** Sectors of real-mode setup code after the boot sector (0 in the file means 4). */
  setupSects: number;
  loadflags: number;
  /** The setup header, from 0x1f1 to its end (0x202 + the byte at 0x201): copied into boot_params at the same offsets. */
  header: Uint8Array;
  /** File offset of the protected-mode kernel: (setupSects + 1) * 512. */
  kernelOffset: number;
  /** The protected-mode kernel, loaded at KERNEL_LOAD_ADDRESS. */
  kernel: Uint8Array;
  kernelAlignment: number;
  relocatable: boolean;
  /** Bytes the kernel needs from where it decompresses itself (protocol 2.10+; 0 when older kernels do not say). */
  initSize: number;
  /** Highest address the initrd may occupy. */
  initrdAddrMax: number;
  /** Longest command line, not counting its NUL. */
  cmdlineSize: number;
  /** Where the kernel decompresses itself, LOAD_PHYSICAL_ADDR (protocol 2.10+; else 1 MiB). */
  prefAddress: number;
  /** The kernel's version string ("6.1.0-57-686 (debian-kernel@...) #1 SMP ..."), or null when the header has none. */
  version: string | null;
}

const protocolName = (v: number): string => `${v >> 8}.${(v & 0xff).toString().padStart(2, '0')}`;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
const alignDown = (n: number, a: number): number => Math.floor(n / a) * a;
const mib = (n: number): number => Math.ceil(n / MIB);

/** Whether `bytes` look like a Linux boot image (a "HdrS" setup header), to be checked in full by parseBzImage. */
export function looksLikeBzImage(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER + 4 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(HEADER, true) === HDRS_MAGIC;
}

/** Reads and checks a bzImage's setup header; throws LoadError with a one-line reason. */
export function parseBzImage(bytes: Uint8Array, path: string): BzImage {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER + 4 || dv.getUint16(BOOT_FLAG, true) !== BOOT_FLAG_MAGIC) {
    throw new LoadError(`${path} is not a Linux bzImage (no boot sector signature 0xaa55 at 0x1fe)`);
  }
  if (dv.getUint32(HEADER, true) !== HDRS_MAGIC) throw new LoadError(`${path} is not a Linux bzImage (no "HdrS" setup header at 0x202)`);
  const protocol = bytes.length >= VERSION + 2 ? dv.getUint16(VERSION, true) : 0;
  if (protocol < MIN_PROTOCOL) {
    throw new LoadError(`${path} uses Linux boot protocol ${protocolName(protocol)}; wasmvisor needs 2.06 or later (the 32-bit boot protocol)`);
  }
  const headerEnd = HEADER + bytes[JUMP + 1]!;
  const setupSects = bytes[SETUP_SECTS] || 4;
  const kernelOffset = (setupSects + 1) * 512;
  if (headerEnd > kernelOffset || headerEnd > BOOT_PARAMS_HEADER_END) {
    throw new LoadError(`${path} has a setup header that ends at ${hex(headerEnd)}, past the setup code or boot_params' room for it`);
  }
  if (kernelOffset >= bytes.length) throw new LoadError(`${path} is truncated: no protected-mode kernel after its ${setupSects} setup sectors`);
  // Fields a header of this protocol does not have read as 0.
  const u32 = (o: number): number => (o + 4 <= headerEnd ? dv.getUint32(o, true) : 0);
  const loadflags = bytes[LOADFLAGS]!;
  if (!(loadflags & LOADED_HIGH)) throw new LoadError(`${path} is a zImage (loadflags LOADED_HIGH clear); wasmvisor boots only bzImages`);
  const hasPrefAddress = protocol >= 0x020a;
  if (hasPrefAddress && u32(PREF_ADDRESS + 4) !== 0) throw new LoadError(`${path} wants to be decompressed above 4 GiB (pref_address); wasmvisor has a 32-bit physical address space`);
  const versionOffset = dv.getUint16(KERNEL_VERSION, true);
  let version: string | null = null;
  if (versionOffset !== 0 && JUMP + versionOffset < kernelOffset) {
    const start = JUMP + versionOffset;
    const nul = bytes.indexOf(0, start);
    version = new TextDecoder('latin1').decode(bytes.subarray(start, nul < 0 || nul > kernelOffset ? kernelOffset : nul));
  }
  return {
    protocol,
    setupSects,
    loadflags,
    header: bytes.subarray(SETUP_SECTS, headerEnd),
    kernelOffset,
    kernel: bytes.subarray(kernelOffset),
    kernelAlignment: u32(KERNEL_ALIGNMENT),
    relocatable: headerEnd > RELOCATABLE_KERNEL && bytes[RELOCATABLE_KERNEL] !== 0,
    initSize: hasPrefAddress ? u32(INIT_SIZE) : 0,
    initrdAddrMax: u32(INITRD_ADDR_MAX),
    cmdlineSize: u32(CMDLINE_SIZE),
    prefAddress: hasPrefAddress ? u32(PREF_ADDRESS) : HIGH_MEMORY,
    version,
  };
}

/**
 * Where the kernel at KERNEL_LOAD_ADDRESS decompresses itself, as its
 * head_32.S decides: a relocatable kernel moves up to its alignment but never
 * below LOAD_PHYSICAL_ADDR (pref_address); others go to LOAD_PHYSICAL_ADDR.
 */
export function decompressionAddress(image: BzImage): number {
  if (!image.relocatable) return Math.max(image.prefAddress, HIGH_MEMORY);
  return Math.max(alignUp(KERNEL_LOAD_ADDRESS, image.kernelAlignment || 1), image.prefAddress);
}

/** The lowest address above everything the kernel uses while it starts: its image at 1 MiB and its decompression area. */
export function kernelMemoryEnd(image: BzImage): number {
  return Math.max(KERNEL_LOAD_ADDRESS + image.kernel.length, decompressionAddress(image) + image.initSize);
}

/** The E820 map the loader reports: a PC's holes below 1 MiB, then RAM to the top of memory. */
export function e820Map(memoryBytes: number): Array<{ address: number; size: number; type: number }> {
  return [
    { address: 0, size: EBDA_START, type: E820_RAM },
    { address: EBDA_START, size: EBDA_END - EBDA_START, type: E820_RESERVED },
    { address: BIOS_ROM_START, size: HIGH_MEMORY - BIOS_ROM_START, type: E820_RESERVED },
    { address: HIGH_MEMORY, size: memoryBytes - HIGH_MEMORY, type: E820_RAM },
  ];
}

/** The guest-memory writes a Linux loader makes, and the registers it hands over. */
export interface LinuxHandover {
  /** The boot_params address. The protocol also wants EBX, EBP and EDI zero, interrupts off, CS 0x10 and DS/ES/SS 0x18 flat. */
  esi: number;
  eip: number;
  writes: Array<{ address: number; bytes: Uint8Array }>;
}

/**
 * Lays out a bzImage for the 32-bit boot protocol on a machine of
 * `memoryBytes`: the protected-mode kernel at 1 MiB, the zero page, the
 * command line, an E820 map, and the initrd as high as the kernel allows.
 * Throws LoadError with a one-line reason.
 */
export function linuxHandover(image: BzImage, opts: { memoryBytes: number; cmdline: string; initrd?: Uint8Array }, path: string): LinuxHandover {
  const { memoryBytes } = opts;
  const kernelEnd = kernelMemoryEnd(image);
  // Below this the kernel decompresses over the end of memory and hangs before printing anything.
  if (memoryBytes < kernelEnd) throw new LoadError(`${path} needs at least ${mib(kernelEnd)} MiB of memory; give more with --memory`);

  const cmdline = new TextEncoder().encode(opts.cmdline);
  const cmdlineMax = Math.min(image.cmdlineSize, EBDA_START - CMDLINE_ADDRESS - 1);
  if (cmdline.length > cmdlineMax) throw new LoadError(`the kernel command line is too long (${cmdline.length} bytes; ${path} takes at most ${cmdlineMax})`);
  if (cmdline.includes(0)) throw new LoadError('the kernel command line contains a NUL character');

  let initrdAddress = 0;
  const initrd = opts.initrd;
  if (initrd !== undefined && initrd.length > 0) {
    // initrd_addr_max is the last byte the initrd may use; page-aligned ends keep the kernel's reservation exact.
    const top = Math.min(image.initrdAddrMax + 1, memoryBytes);
    initrdAddress = alignDown(top - initrd.length, PAGE);
    const floor = alignUp(kernelEnd, PAGE);
    if (initrdAddress < floor) {
      const need = floor + alignUp(initrd.length, PAGE);
      if (need > image.initrdAddrMax + 1) {
        throw new LoadError(`the initrd (${initrd.length} bytes) does not fit between ${path}'s decompression area (up to ${hex(floor)}) and its initrd_addr_max ${hex(image.initrdAddrMax)}`);
      }
      throw new LoadError(`the initrd (${initrd.length} bytes) does not fit in memory above ${path}'s decompression area: needs at least ${mib(need)} MiB of memory; give more with --memory`);
    }
  }

  const bp = new Uint8Array(BOOT_PARAMS_SIZE);
  const dv = new DataView(bp.buffer);
  bp.set(image.header, SETUP_SECTS);
  bp[TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
  // The heap is for the real-mode setup code, which the 32-bit entry skips.
  bp[LOADFLAGS] = image.loadflags & ~CAN_USE_HEAP;
  dv.setUint32(CODE32_START, KERNEL_LOAD_ADDRESS, true);
  dv.setUint32(CMD_LINE_PTR, CMDLINE_ADDRESS, true);
  dv.setUint32(RAMDISK_IMAGE, initrdAddress, true);
  dv.setUint32(RAMDISK_SIZE, initrdAddress === 0 ? 0 : initrd!.length, true);
  // Extended memory in KiB: what a kernel falls back to without E820.
  dv.setUint32(ALT_MEM_K, Math.floor((memoryBytes - HIGH_MEMORY) / 1024), true);
  const e820 = e820Map(memoryBytes);
  bp[E820_ENTRIES] = e820.length;
  e820.forEach((e, i) => {
    const o = E820_TABLE + i * E820_ENTRY_SIZE;
    dv.setBigUint64(o, BigInt(e.address), true);
    dv.setBigUint64(o + 8, BigInt(e.size), true);
    dv.setUint32(o + 16, e.type, true);
  });

  const cmdlineBytes = new Uint8Array(cmdline.length + 1);
  cmdlineBytes.set(cmdline);
  const writes = [
    { address: KERNEL_LOAD_ADDRESS, bytes: image.kernel },
    { address: BOOT_PARAMS_ADDRESS, bytes: bp },
    { address: CMDLINE_ADDRESS, bytes: cmdlineBytes },
  ];
  if (initrdAddress !== 0) writes.push({ address: initrdAddress, bytes: initrd! });
  return { esi: BOOT_PARAMS_ADDRESS, eip: KERNEL_LOAD_ADDRESS, writes };
}
