import { readFileSync } from 'node:fs';
import {
  AddressSpace,
  BytesSource,
  ET_DYN_BASE,
  MAP_PRIVATE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  STACK_TOP,
  STACK_SIZE,
} from './address-space.js';
import { describeErrno } from './errno.js';

/** A program that cannot be loaded; the message is one line naming the file and the reason. */
export class LoadError extends Error {
  override name = 'LoadError';
}

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_386 = 3;
/** The kernel also accepts EM_486 for i386 programs. */
export const EM_486 = 6;

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;

const MACHINE_NAMES: Record<number, string> = {
  2: 'SPARC',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  40: 'ARM',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
};

export interface ProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

/** A validated ELF32 i386 executable, not yet mapped. */
export interface ElfImage {
  path: string;
  bytes: Uint8Array;
  type: number;
  entry: number;
  phoff: number;
  phnum: number;
  phdrs: ProgramHeader[];
  /** PT_INTERP: the dynamic loader a dynamically linked program names (a guest byte string), or null. */
  interp: string | null;
}

/** Where an image ended up, for the initial stack's auxv and the brk area. */
export interface LoadedElf {
  entry: number;
  /** Added to every p_vaddr (0 for ET_EXEC). */
  bias: number;
  /** AT_PHDR: the program headers' address in guest memory (0 when no segment holds them). */
  phdr: number;
  phnum: number;
  /** End of the highest segment: where brk starts. */
  end: number;
  /** Whether the stack must be executable (PT_GNU_STACK with PF_X, or no PT_GNU_STACK). */
  executableStack: boolean;
  /** No PT_GNU_STACK: old i386 binaries get READ_IMPLIES_EXEC from the kernel. */
  readImpliesExec: boolean;
}

/** `0x` and the unsigned hex digits of `n`, for one-line load errors. */
export const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const pageUp = (n: number): number => Math.ceil(n / 4096) * 4096;

/** Reads and validates an executable; throws LoadError with a one-line reason. */
export function readElfFile(path: string): ElfImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new LoadError(`cannot open ${path}: ${describeErrno((e as NodeJS.ErrnoException).code)}`);
  }
  return parseElf(bytes, path);
}

/** Validates an ELF32 i386 executable held in memory; throws LoadError. */
export function parseElf(bytes: Uint8Array, path: string): ElfImage {
  const fail = (why: string): never => {
    throw new LoadError(`${path} ${why}`);
  };
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('is not an ELF file (bad magic)');
  }
  if (bytes.length < 6) fail('is truncated (no ELF identification)');
  if (bytes[4] === 2) fail('is a 64-bit ELF; wasmvisor runs 32-bit i386 programs');
  if (bytes[4] !== 1) fail(`has an unknown ELF class ${bytes[4]}`);
  if (bytes[5] !== 1) fail('is a big-endian ELF; wasmvisor runs little-endian i386 programs');
  if (bytes.length < EHDR_SIZE) fail(`is truncated (${bytes.length} bytes, shorter than an ELF header)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_386 && machine !== EM_486) {
    const name = MACHINE_NAMES[machine];
    fail(`is an ELF for ${name ?? 'another architecture'} (e_machine ${machine}), not i386`);
  }
  if (type === 1) fail('is a relocatable object file (ET_REL), not an executable');
  if (type === 4) fail('is a core dump, not an executable');
  if (type !== ET_EXEC && type !== ET_DYN) fail(`has an unknown ELF type ${type}`);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  if (phnum === 0) fail('has no program headers');
  if (phentsize !== PHDR_SIZE) fail(`has program headers of ${phentsize} bytes (expected ${PHDR_SIZE})`);
  if (phoff + phnum * PHDR_SIZE > bytes.length) fail('is truncated (program headers beyond the end of the file)');

  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    phdrs.push({
      type: dv.getUint32(o, true),
      offset: dv.getUint32(o + 4, true),
      vaddr: dv.getUint32(o + 8, true),
      filesz: dv.getUint32(o + 16, true),
      memsz: dv.getUint32(o + 20, true),
      flags: dv.getUint32(o + 24, true),
      align: dv.getUint32(o + 28, true),
    });
  }
  let loads = 0;
  let interp: string | null = null;
  phdrs.forEach((ph, i) => {
    if (ph.type === PT_INTERP) {
      // Like the kernel: inside the file, at most a page, NUL-terminated.
      if (interp !== null) fail('has two PT_INTERP segments');
      if (ph.filesz < 2 || ph.filesz > 4096 || ph.offset + ph.filesz > bytes.length || bytes[ph.offset + ph.filesz - 1] !== 0) {
        fail(`has a bad PT_INTERP segment ${i}`);
      }
      interp = Buffer.from(bytes.subarray(ph.offset, ph.offset + ph.filesz - 1)).toString('latin1');
    }
    if (ph.type !== PT_LOAD) return;
    loads++;
    if (ph.offset + ph.filesz > bytes.length) {
      fail(`is truncated (segment ${i} at file offset ${hex(ph.offset)} extends beyond the end of the file)`);
    }
    if (ph.filesz > ph.memsz) fail(`has a bad segment ${i} (file size larger than memory size)`);
    if ((ph.vaddr - ph.offset) % 4096 !== 0) {
      fail(`has a bad segment ${i} (p_vaddr ${hex(ph.vaddr)} and p_offset ${hex(ph.offset)} differ within a page)`);
    }
  });
  if (loads === 0) fail('has no loadable segments');
  return { path, bytes, type, entry, phoff, phnum, phdrs, interp };
}

/**
 * Where loadElf puts an image: 'program' is the executable execve names (its
 * end starts the brk area); 'interpreter' is its PT_INTERP, which the kernel
 * maps like an mmap without an address hint (top down below the mmap base)
 * and which leaves brk alone.
 */
export type ElfRole = 'program' | 'interpreter';

/**
 * Maps an image's PT_LOAD segments into `as` (privately, backed lazily by
 * the file bytes, with the bss zeroed including the partial page after the
 * file part) and, for a program, sets the brk start. Throws LoadError when a
 * segment does not fit the user address space. `name` labels the mappings
 * (/proc/self/maps).
 */
export function loadElf(image: ElfImage, as: AddressSpace, name = image.path, role: ElfRole = 'program'): LoadedElf {
  const loads = image.phdrs.filter((p) => p.type === PT_LOAD && p.memsz > 0);
  const lowest = Math.min(...loads.map((p) => p.vaddr)) & ~0xfff;
  const span = pageUp(Math.max(...loads.map((p) => p.vaddr + p.memsz))) - lowest;
  let bias = 0;
  if (image.type === ET_DYN && role === 'interpreter') {
    const at = as.findFreeTopDown(span);
    if (at < 0) throw new LoadError(`${image.path} (${span} bytes) does not fit the user address space`);
    bias = at - lowest;
  } else if (image.type === ET_DYN) {
    // A PIE has no preferred address: put it where Linux puts i386 PIEs without ASLR.
    bias = ET_DYN_BASE - lowest;
  }
  const source = new BytesSource(image.bytes);
  let end = 0;
  for (const ph of loads) {
    const pageOff = ph.vaddr & 0xfff;
    const start = bias + ph.vaddr - pageOff;
    const segEnd = bias + ph.vaddr + ph.memsz;
    if (start < 0x1000 || segEnd > STACK_TOP - STACK_SIZE) {
      throw new LoadError(`${image.path} has a segment at ${hex(start)}-${hex(segEnd)} outside the user address space`);
    }
    if (start < as.reservedBelow) {
      throw new LoadError(
        `${image.path} has a segment at ${hex(start)}, below ${hex(as.reservedBelow)}, where the linear guest memory keeps the VM's own state; run it with --no-linear-memory`,
      );
    }
    const prot = (ph.flags & PF_R ? PROT_READ : 0) | (ph.flags & PF_W ? PROT_WRITE : 0) | (ph.flags & PF_X ? PROT_EXEC : 0);
    as.mapFixed(start, segEnd - start, {
      prot,
      flags: MAP_PRIVATE,
      name,
      source,
      sourceOffset: ph.offset - pageOff,
      sourceEnd: ph.offset + ph.filesz,
    });
    end = Math.max(end, segEnd);
  }
  const stack = image.phdrs.find((p) => p.type === PT_GNU_STACK);
  const phdrSeg = image.phdrs.find((p) => p.type === PT_PHDR);
  const holder = loads.find((p) => image.phoff >= p.offset && image.phoff + image.phnum * PHDR_SIZE <= p.offset + p.filesz);
  const phdr = phdrSeg ? bias + phdrSeg.vaddr : holder ? bias + holder.vaddr + (image.phoff - holder.offset) : 0;
  if (role === 'program') as.initBrk(end);
  return {
    entry: (bias + image.entry) >>> 0,
    bias,
    phdr: phdr >>> 0,
    phnum: image.phnum,
    end,
    executableStack: !stack || (stack.flags & PF_X) !== 0,
    readImpliesExec: !stack,
  };
}
