import type { BigIntStats } from 'node:fs';
import { E } from './errno.js';
import { type GuestIO, fail } from './guest-io.js';

/** File metadata as the syscalls report it (from a host stat, or made up for pipes). */
export interface FileStat {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: bigint;
  size: bigint;
  blksize: number;
  blocks: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  birthtimeNs: bigint;
}

export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

export function fromNodeStat(st: BigIntStats): FileStat {
  return {
    dev: st.dev,
    ino: st.ino,
    mode: Number(st.mode),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    rdev: st.rdev,
    size: st.size,
    blksize: Number(st.blksize),
    blocks: st.blocks,
    atimeNs: st.atimeNs,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
    birthtimeNs: st.birthtimeNs,
  };
}

/** Metadata for objects with no host file behind them (pipes, captured stdio, /proc texts). */
export function syntheticStat(mode: number, ino: number, size = 0): FileStat {
  const now = BigInt(Date.now()) * 1000000n;
  return {
    dev: 0xcn, // pipefs-like anonymous device
    ino: BigInt(ino),
    mode,
    nlink: 1,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    rdev: 0n,
    size: BigInt(size),
    blksize: 4096,
    blocks: BigInt(Math.ceil(size / 512)),
    atimeNs: now,
    mtimeNs: now,
    ctimeNs: now,
    birthtimeNs: 0n,
  };
}

/** The host's dev_t (glibc encoding) as major/minor. */
export function devMajor(dev: bigint): number {
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)) >>> 0;
}
export function devMinor(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n)) >>> 0;
}
/** The kernel's 32-bit new_encode_dev, as stat/stat64 report devices. */
export function encodeDev(dev: bigint): number {
  const major = devMajor(dev);
  const minor = devMinor(dev);
  return ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

const sec = (ns: bigint): number => Number(ns / 1000000000n);
const nsec = (ns: bigint): number => Number(ns % 1000000000n);

/** struct stat64 (i386): 96 bytes, st_ino also at 88. */
export function writeStat64(io: GuestIO, a: number, st: FileStat): void {
  io.struct(a, 96, (dv) => {
    dv.setBigUint64(0, BigInt(encodeDev(st.dev)), true);
    dv.setUint32(12, Number(st.ino & 0xffffffffn), true);
    dv.setUint32(16, st.mode, true);
    dv.setUint32(20, st.nlink, true);
    dv.setUint32(24, st.uid, true);
    dv.setUint32(28, st.gid, true);
    dv.setBigUint64(32, BigInt(encodeDev(st.rdev)), true);
    dv.setBigInt64(44, st.size, true);
    dv.setUint32(52, st.blksize, true);
    dv.setBigUint64(56, st.blocks, true);
    dv.setUint32(64, sec(st.atimeNs), true);
    dv.setUint32(68, nsec(st.atimeNs), true);
    dv.setUint32(72, sec(st.mtimeNs), true);
    dv.setUint32(76, nsec(st.mtimeNs), true);
    dv.setUint32(80, sec(st.ctimeNs), true);
    dv.setUint32(84, nsec(st.ctimeNs), true);
    dv.setBigUint64(88, st.ino, true);
  });
}

/** struct stat (i386, the pre-LFS one): 64 bytes; EOVERFLOW when the inode or size do not fit. */
export function writeOldStat(io: GuestIO, a: number, st: FileStat): void {
  if (st.ino > 0xffffffffn || st.size > 0x7fffffffn) fail(E.EOVERFLOW);
  const low16 = (id: number): number => (id > 0xffff ? 65534 : id);
  io.struct(a, 64, (dv) => {
    dv.setUint32(0, encodeDev(st.dev), true);
    dv.setUint32(4, Number(st.ino), true);
    dv.setUint16(8, st.mode, true);
    dv.setUint16(10, Math.min(st.nlink, 0xffff), true);
    dv.setUint16(12, low16(st.uid), true);
    dv.setUint16(14, low16(st.gid), true);
    dv.setUint32(16, encodeDev(st.rdev), true);
    dv.setUint32(20, Number(st.size), true);
    dv.setUint32(24, st.blksize, true);
    dv.setUint32(28, Number(st.blocks & 0xffffffffn), true);
    dv.setUint32(32, sec(st.atimeNs), true);
    dv.setUint32(36, nsec(st.atimeNs), true);
    dv.setUint32(40, sec(st.mtimeNs), true);
    dv.setUint32(44, nsec(st.mtimeNs), true);
    dv.setUint32(48, sec(st.ctimeNs), true);
    dv.setUint32(52, nsec(st.ctimeNs), true);
  });
}

export const STATX_BASIC_STATS = 0x7ff;
export const STATX_BTIME = 0x800;

/** struct statx: 256 bytes. */
export function writeStatx(io: GuestIO, a: number, st: FileStat): void {
  io.struct(a, 256, (dv) => {
    const ts = (off: number, ns: bigint): void => {
      dv.setBigInt64(off, ns / 1000000000n, true);
      dv.setUint32(off + 8, nsec(ns), true);
    };
    dv.setUint32(0, STATX_BASIC_STATS | (st.birthtimeNs > 0n ? STATX_BTIME : 0), true);
    dv.setUint32(4, st.blksize, true);
    dv.setUint32(16, st.nlink, true);
    dv.setUint32(20, st.uid, true);
    dv.setUint32(24, st.gid, true);
    dv.setUint16(28, st.mode, true);
    dv.setBigUint64(32, st.ino, true);
    dv.setBigUint64(40, st.size, true);
    dv.setBigUint64(48, st.blocks, true);
    ts(64, st.atimeNs);
    ts(80, st.birthtimeNs);
    ts(96, st.ctimeNs);
    ts(112, st.mtimeNs);
    dv.setUint32(128, devMajor(st.rdev), true);
    dv.setUint32(132, devMinor(st.rdev), true);
    dv.setUint32(136, devMajor(st.dev), true);
    dv.setUint32(140, devMinor(st.dev), true);
  });
}

/** struct timespec with 32-bit fields (the pre-time64 syscalls). */
export function writeTimespec32(io: GuestIO, a: number, ns: bigint): void {
  io.struct(a, 8, (dv) => {
    dv.setInt32(0, Number(ns / 1000000000n), true);
    dv.setInt32(4, nsec(ns), true);
  });
}

/** struct __kernel_timespec: 64-bit seconds and nanoseconds (the *_time64 syscalls). */
export function writeTimespec64(io: GuestIO, a: number, ns: bigint): void {
  io.struct(a, 16, (dv) => {
    dv.setBigInt64(0, ns / 1000000000n, true);
    dv.setBigInt64(8, ns % 1000000000n, true);
  });
}

export function writeTimeval32(io: GuestIO, a: number, ns: bigint): void {
  io.struct(a, 8, (dv) => {
    dv.setInt32(0, Number(ns / 1000000000n), true);
    dv.setInt32(4, Number((ns % 1000000000n) / 1000n), true);
  });
}

/** Reads a timespec (32- or 64-bit layout) as nanoseconds; EINVAL for a bad tv_nsec. */
export function readTimespec(io: GuestIO, a: number, time64: boolean): bigint {
  const s = time64 ? BigInt(io.i64(a)) : BigInt(io.i32(a));
  const n = io.i32(a + (time64 ? 8 : 4)); // the kernel ignores the upper half of a 64-bit tv_nsec
  if (n < 0 || n >= 1000000000) fail(E.EINVAL);
  return s * 1000000000n + BigInt(n);
}
