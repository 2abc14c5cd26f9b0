import { CPUID_1_EDX } from '../runtime/interp/control.js';
import { randomFillSync } from 'node:crypto';
import type { Mmu } from '../runtime/mmu.js';
import { STACK_TOP } from './address-space.js';
import { LoadError } from './elf.js';

/** auxv keys (linux/auxvec.h). */
export const enum At {
  NULL = 0,
  PHDR = 3,
  PHENT = 4,
  PHNUM = 5,
  PAGESZ = 6,
  BASE = 7,
  FLAGS = 8,
  ENTRY = 9,
  UID = 11,
  EUID = 12,
  GID = 13,
  EGID = 14,
  PLATFORM = 15,
  HWCAP = 16,
  CLKTCK = 17,
  SECURE = 23,
  RANDOM = 25,
  EXECFN = 31,
}

/**
 * AT_HWCAP: the CPUID.1:EDX features the CPU reports (the kernel copies that
 * word), so libc never picks a variant the interpreter cannot run.
 */
export const HWCAP_I386 = CPUID_1_EDX;
export const PLATFORM = 'i686';
/** The kernel refuses argv+envp larger than a quarter of the 8 MiB stack limit. */
const MAX_ARG_BYTES = 2 << 20;

export interface InitialStackInput {
  argv: readonly (string | Uint8Array)[];
  envp: readonly (string | Uint8Array)[];
  /** AT_EXECFN: the path as given to exec. */
  execfn: string | Uint8Array;
  /** AT_ENTRY: the program's entry point (not the interpreter's). */
  entry: number;
  phdr: number;
  phnum: number;
  /** AT_BASE: where the program interpreter (ld.so) was loaded; 0 without one. */
  base?: number;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  /** 16 bytes for AT_RANDOM; random when omitted. */
  random?: Uint8Array;
  hwcap?: number;
  /** Highest stack address + 1 (default STACK_TOP). */
  top?: number;
}

export interface InitialStack {
  /** ESP at entry: points at argc, 16-byte aligned. */
  sp: number;
  argv: number[];
  envp: number[];
  execfn: number;
  random: number;
  platform: number;
  /** [key, value] pairs in order, AT_NULL last. */
  auxv: [number, number][];
}

const bytesOf = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

/**
 * Writes the initial process stack as Linux's execve + create_elf_tables
 * build it (top down): a NULL word, the exec file name, the environment
 * strings, the argument strings; then (16-byte aligned) the platform string
 * and the 16 AT_RANDOM bytes; then argc, argv[], NULL, envp[], NULL and the
 * auxv pairs, with ESP (pointing at argc) rounded down to 16 bytes.
 */
export function buildInitialStack(mmu: Mmu, input: InitialStackInput): InitialStack {
  const argv = input.argv.map(bytesOf);
  const envp = input.envp.map(bytesOf);
  const execfn = bytesOf(input.execfn);
  const total = [...argv, ...envp].reduce((n, b) => n + b.length + 1, 0);
  if (total > MAX_ARG_BYTES) throw new LoadError(`argument list too long (${total} bytes of arguments and environment)`);

  const put = (at: number, data: Uint8Array): void => mmu.writeBytes(at | 0, data);
  const putString = (at: number, s: Uint8Array): void => {
    const z = new Uint8Array(s.length + 1);
    z.set(s);
    put(at, z);
  };

  let p = (input.top ?? STACK_TOP) - 4;
  put(p, new Uint8Array(4));
  p -= execfn.length + 1;
  const execfnAddr = p;
  putString(p, execfn);
  // copy_strings walks each list from its last entry down, so entry 0 ends lowest.
  const place = (list: Uint8Array[]): number[] => {
    const addrs: number[] = new Array(list.length);
    for (let i = list.length - 1; i >= 0; i--) {
      p -= list[i].length + 1;
      putString(p, list[i]);
      addrs[i] = p;
    }
    return addrs;
  };
  const envAddrs = place(envp);
  const argAddrs = place(argv);

  p = (p & ~0xf) >>> 0;
  const platform = Buffer.from(PLATFORM);
  p -= platform.length + 1;
  const platformAddr = p;
  putString(p, platform);
  const random = input.random ?? randomFillSync(new Uint8Array(16));
  p -= 16;
  const randomAddr = p;
  put(p, random.subarray(0, 16));

  // No AT_SYSINFO nor AT_SYSINFO_EHDR: there is no vDSO, so glibc (its ld.so
  // included) makes every system call with int 0x80 and reads the clocks through them.
  const auxv: [number, number][] = [
    [At.HWCAP, input.hwcap ?? HWCAP_I386],
    [At.PAGESZ, 4096],
    [At.CLKTCK, 100],
    [At.PHDR, input.phdr],
    [At.PHENT, 32],
    [At.PHNUM, input.phnum],
    [At.BASE, input.base ?? 0],
    [At.FLAGS, 0],
    [At.ENTRY, input.entry],
    [At.UID, input.uid],
    [At.EUID, input.euid],
    [At.GID, input.gid],
    [At.EGID, input.egid],
    [At.SECURE, 0],
    [At.RANDOM, randomAddr],
    [At.EXECFN, execfnAddr],
    [At.PLATFORM, platformAddr],
    [At.NULL, 0],
  ];
  const words = [argv.length, ...argAddrs, 0, ...envAddrs, 0, ...auxv.flat()];
  const sp = ((p - words.length * 4) & ~0xf) >>> 0;
  const table = new Uint8Array(words.length * 4);
  const dv = new DataView(table.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  put(sp, table);
  return {
    sp,
    argv: argAddrs,
    envp: envAddrs,
    execfn: execfnAddr,
    random: randomAddr,
    platform: platformAddr,
    auxv,
  };
}
