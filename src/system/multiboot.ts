import { hex, LoadError, parseElf, PT_LOAD } from '../linux/elf.js';

/** Multiboot (v1) specification 0.6.96: the kernel's header and what the loader hands over. */
export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** The header must lie, 4-aligned, in the first 8192 bytes of the file. */
const MULTIBOOT_SEARCH = 8192;
const MULTIBOOT_PAGE_ALIGN = 1 << 0;
const MULTIBOOT_MEMORY_INFO = 1 << 1;
const MULTIBOOT_VIDEO_MODE = 1 << 2;
const MULTIBOOT_AOUT_KLUDGE = 1 << 16;
const MULTIBOOT_SUPPORTED = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE;

// multiboot_info flags
const MBI_MEMORY = 1 << 0;
const MBI_CMDLINE = 1 << 2;
const MBI_MEM_MAP = 1 << 6;
const MBI_BOOT_LOADER_NAME = 1 << 9;

/** Where the loader puts the multiboot_info structure and its strings (below 640 KiB, above the real-mode IVT/BDA). */
export const MULTIBOOT_INFO_ADDRESS = 0x9000;
const MBI_SIZE = 88;
const MMAP_ADDRESS = MULTIBOOT_INFO_ADDRESS + 0x80;
const CMDLINE_ADDRESS = MULTIBOOT_INFO_ADDRESS + 0x200;
const LOADER_NAME_ADDRESS = MULTIBOOT_INFO_ADDRESS + 0x100;
const CMDLINE_MAX = 0xe00;
/** Conventional memory the loader reports (KiB) and where RAM above 1 MiB starts. */
const LOWER_MEMORY_KIB = 639;
const HIGH_MEMORY = 0x100000;

export interface MultibootHeader {
  /** File offset of the header. */
  offset: number;
  flags: number;
  /** The a.out kludge fields (flags bit 16): where the file goes instead of its ELF program headers. */
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

/** One piece of the kernel in guest physical memory: `bytes` at `address`, then zeros up to `size`. */
export interface KernelSegment {
  address: number;
  bytes: Uint8Array;
  size: number;
}

export interface MultibootKernel {
  header: MultibootHeader;
  entry: number;
  segments: KernelSegment[];
}


/** The multiboot header of a kernel file, or null when it has none (then it is not a multiboot kernel). */
export function findMultibootHeader(bytes: Uint8Array): MultibootHeader | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(bytes.length, MULTIBOOT_SEARCH) - 12;
  for (let o = 0; o <= end; o += 4) {
    if (dv.getUint32(o, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = dv.getUint32(o + 4, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + dv.getUint32(o + 8, true)) | 0) !== 0) continue;
    const field = (k: number) => (o + 12 + 4 * k + 4 <= bytes.length ? dv.getUint32(o + 12 + 4 * k, true) : 0);
    return { offset: o, flags, headerAddr: field(0), loadAddr: field(1), loadEndAddr: field(2), bssEndAddr: field(3), entryAddr: field(4) };
  }
  return null;
}

/**
 * Reads a multiboot kernel: an ELF whose PT_LOAD segments go to their
 * physical addresses, or any file with the a.out kludge's addresses.
 * Throws LoadError with a one-line reason.
 */
export function parseMultibootKernel(bytes: Uint8Array, path: string): MultibootKernel {
  const header = findMultibootHeader(bytes);
  if (header === null) throw new LoadError(`${path} is not a multiboot kernel (no multiboot header in its first 8 KiB)`);
  const unsupported = header.flags & 0xffff & ~MULTIBOOT_SUPPORTED;
  if (unsupported & MULTIBOOT_VIDEO_MODE) throw new LoadError(`${path} asks for a video mode (multiboot flag 2); wasmvisor has only a serial console`);
  if (unsupported) throw new LoadError(`${path} needs multiboot features wasmvisor does not provide (flags ${hex(unsupported)})`);
  if (header.flags & MULTIBOOT_AOUT_KLUDGE) {
    const start = header.offset - (header.headerAddr - header.loadAddr);
    const end = header.loadEndAddr === 0 ? bytes.length : start + (header.loadEndAddr - header.loadAddr);
    if (start < 0 || end > bytes.length || end < start) throw new LoadError(`${path} has multiboot load addresses that do not fit the file`);
    const size = Math.max(end - start, header.bssEndAddr === 0 ? 0 : header.bssEndAddr - header.loadAddr);
    return { header, entry: header.entryAddr, segments: [{ address: header.loadAddr, bytes: bytes.subarray(start, end), size }] };
  }
  const elf = parseElf(bytes, path);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const segments = elf.phdrs
    .map((ph, i) => ({ ph, paddr: dv.getUint32(elf.phoff + i * 32 + 12, true) }))
    .filter(({ ph }) => ph.type === PT_LOAD && ph.memsz > 0)
    .map(({ ph, paddr }) => ({ address: paddr, bytes: bytes.subarray(ph.offset, ph.offset + ph.filesz), size: ph.memsz }));
  return { header, entry: elf.entry, segments };
}

/** The guest-memory writes a multiboot loader makes, and the registers it hands over. */
export interface MultibootHandover {
  /** EAX = MULTIBOOT_BOOTLOADER_MAGIC, EBX = the info structure. */
  eax: number;
  ebx: number;
  eip: number;
  writes: Array<{ address: number; bytes: Uint8Array }>;
}

/**
 * Lays out a kernel and its multiboot_info (memory sizes, a memory map,
 * the command line, the loader's name) for a machine of `memoryBytes`.
 */
export function multibootHandover(kernel: MultibootKernel, memoryBytes: number, cmdline: string, path: string): MultibootHandover {
  for (const s of kernel.segments) {
    const end = s.address + s.size;
    if (s.address < HIGH_MEMORY && end > MULTIBOOT_INFO_ADDRESS) {
      throw new LoadError(`${path} loads at ${hex(s.address)}, over the loader's data below 1 MiB; link it at 1 MiB or above`);
    }
    if (end > memoryBytes) {
      throw new LoadError(`${path} needs memory up to ${hex(end)} but the machine has ${memoryBytes >> 20} MiB; give more with --memory`);
    }
  }
  if (cmdline.length >= CMDLINE_MAX) throw new LoadError(`the kernel command line is too long (${cmdline.length} bytes, at most ${CMDLINE_MAX - 1})`);
  const writes = kernel.segments.map((s) => {
    const image = new Uint8Array(s.size);
    image.set(s.bytes.subarray(0, s.size));
    return { address: s.address, bytes: image };
  });
  const mbi = new DataView(new ArrayBuffer(MBI_SIZE));
  mbi.setUint32(0, MBI_MEMORY | MBI_CMDLINE | MBI_MEM_MAP | MBI_BOOT_LOADER_NAME, true);
  mbi.setUint32(4, LOWER_MEMORY_KIB, true);
  mbi.setUint32(8, Math.floor((memoryBytes - HIGH_MEMORY) / 1024), true);
  mbi.setUint32(16, CMDLINE_ADDRESS, true);
  // Memory map: conventional memory and everything from 1 MiB up (entries are size-prefixed, 24 bytes each).
  const ranges: Array<[number, number]> = [[0, LOWER_MEMORY_KIB * 1024], [HIGH_MEMORY, memoryBytes - HIGH_MEMORY]];
  const mmap = new DataView(new ArrayBuffer(24 * ranges.length));
  ranges.forEach(([base, length], i) => {
    mmap.setUint32(24 * i, 20, true);
    mmap.setUint32(24 * i + 4, base, true);
    mmap.setUint32(24 * i + 12, length, true);
    mmap.setUint32(24 * i + 20, 1, true); // available RAM
  });
  mbi.setUint32(44, mmap.byteLength, true);
  mbi.setUint32(48, MMAP_ADDRESS, true);
  mbi.setUint32(64, LOADER_NAME_ADDRESS, true);
  const cstring = (s: string) => new Uint8Array([...Buffer.from(s, 'latin1'), 0]);
  writes.push(
    { address: MULTIBOOT_INFO_ADDRESS, bytes: new Uint8Array(mbi.buffer) },
    { address: MMAP_ADDRESS, bytes: new Uint8Array(mmap.buffer) },
    { address: LOADER_NAME_ADDRESS, bytes: cstring('wasmvisor') },
    { address: CMDLINE_ADDRESS, bytes: cstring(cmdline) },
  );
  return { eax: MULTIBOOT_BOOTLOADER_MAGIC, ebx: MULTIBOOT_INFO_ADDRESS, eip: kernel.entry, writes };
}
