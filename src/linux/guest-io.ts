import type { Mmu } from '../runtime/mmu.js';
import { E } from './errno.js';

/** Thrown by syscall helpers to end a handler with -errno (caught by the dispatcher). */
export class Errno {
  constructor(readonly errno: number) {}
}

/** Ends the current syscall with -errno. */
export function fail(errno: number): never {
  throw new Errno(errno);
}

export const PATH_MAX = 4096;

/** Largest transfer whose bounce buffer is kept for the next one (GuestIO.bounce). */
const BOUNCE_REUSE = 1 << 20;

/**
 * Typed access to guest memory for syscall handlers. Every access goes
 * through the MMU, so a bad pointer throws the #PF CpuException, which the
 * dispatcher turns into -EFAULT.
 */
export class GuestIO {
  constructor(readonly mmu: Mmu) {}

  u8(a: number): number {
    return this.mmu.read8(a | 0);
  }
  u16(a: number): number {
    return this.mmu.read16(a | 0);
  }
  u32(a: number): number {
    return this.mmu.read32(a | 0) >>> 0;
  }
  i32(a: number): number {
    return this.mmu.read32(a | 0);
  }
  /** Signed 64-bit little-endian value as a JS number (exact up to 2^53). */
  i64(a: number): number {
    return this.i32(a + 4) * 0x100000000 + this.u32(a);
  }
  setU8(a: number, v: number): void {
    this.mmu.write8(a | 0, v);
  }
  setU16(a: number, v: number): void {
    this.mmu.write16(a | 0, v);
  }
  setU32(a: number, v: number): void {
    this.mmu.write32(a | 0, v | 0);
  }
  /** Stores a (possibly negative) integer as 64 bits. */
  setI64(a: number, v: number | bigint): void {
    const b = BigInt.asUintN(64, BigInt(v));
    this.setU32(a, Number(b & 0xffffffffn));
    this.setU32(a + 4, Number(b >> 32n));
  }

  /**
   * A scratch buffer of `length` bytes for a transfer between a host file
   * and guest memory, reused up to BOUNCE_REUSE bytes: a fresh one per
   * read() was new host memory to fault in each time (busybox sha256sum
   * reads 4 KiB at a time).
   */
  bounce(length: number): Uint8Array {
    if (length > BOUNCE_REUSE) return new Uint8Array(length);
    if (this.bounceBuffer.length < length) this.bounceBuffer = new Uint8Array(Math.max(length, 2 * this.bounceBuffer.length));
    return this.bounceBuffer.subarray(0, length);
  }
  private bounceBuffer = new Uint8Array(0);

  read(a: number, length: number): Uint8Array {
    return this.mmu.readBytes(a | 0, length);
  }
  write(a: number, data: Uint8Array): void {
    this.mmu.writeBytes(a | 0, data);
  }

  /** Builds a `size`-byte struct with `fill` and writes it to `a`. */
  struct(a: number, size: number, fill: (dv: DataView) => void): void {
    const bytes = new Uint8Array(size);
    fill(new DataView(bytes.buffer));
    this.write(a, bytes);
  }

  /** A NUL-terminated string of at most `max` bytes (ENAMETOOLONG beyond). */
  cstring(a: number, max = PATH_MAX): Uint8Array {
    const out: number[] = [];
    for (let i = 0; ; i++) {
      if (i >= max) fail(E.ENAMETOOLONG);
      const b = this.mmu.read8((a + i) | 0);
      if (b === 0) break;
      out.push(b);
    }
    return Uint8Array.from(out);
  }

  /** A path argument as a latin1 string (bytes preserved one to one; see hostPath). */
  path(a: number): string {
    if (a === 0) fail(E.EFAULT);
    return Buffer.from(this.cstring(a)).toString('latin1');
  }

  /** Writes a NUL-terminated string. */
  writeCString(a: number, s: string | Uint8Array): void {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    const z = new Uint8Array(b.length + 1);
    z.set(b);
    this.write(a, z);
  }
}

/** Guest paths are byte strings carried as latin1 JS strings; the host gets the same bytes. */
export function hostPath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}
