import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  PROT_WRITE,
  TASK_SIZE,
} from './address-space.js';
import { E } from './errno.js';
import { FileSource } from './files.js';
import type { LinuxProcess } from './process.js';
import { type SyscallDef, sys } from './syscall-def.js';

const MADV_DONTNEED = 4;
const MADV_FREE = 8;
const MADV_REMOVE = 9;

/** mmap/mmap2 after argument decoding; `offset` in bytes. */
function doMmap(p: LinuxProcess, addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -E.EINVAL;
  if (prot & ~0xf) return -E.EINVAL;
  if (flags & MAP_ANONYMOUS) return p.mm.mmap(addr, length, { prot, flags, name: '' });
  if (offset & 0xfff || offset < 0) return -E.EINVAL;
  const f = p.file(fd);
  if (!f.canRead) return -E.EACCES;
  if (type !== MAP_PRIVATE && prot & PROT_WRITE) {
    if (!f.canWrite) return -E.EACCES;
    // No write-back yet: a shared writable file mapping behaves like a private one.
    p.warnOnce('map-shared', `MAP_SHARED file mapping of ${f.path} is private: writes through it do not reach the file`);
  }
  if (f.mapRead(new Uint8Array(0), 0) < 0) return -E.ENODEV;
  return p.mm.mmap(addr, length, { prot, flags, name: f.path, source: new FileSource(f), sourceOffset: offset });
}

/** Checks an (addr, length) range for the calls that only need it mapped. */
function mappedRange(p: LinuxProcess, addr: number, length: number): number {
  addr >>>= 0;
  if (addr & 0xfff) return -E.EINVAL;
  const end = addr + Math.ceil((length >>> 0) / 4096) * 4096;
  if (end > TASK_SIZE) return -E.ENOMEM;
  return p.mm.isCovered(addr, end) ? 0 : -E.ENOMEM;
}

export const MM_SYSCALLS: SyscallDef[] = [
  sys(45, 'brk', (p, addr) => p.mm.setBrk(addr)),
  // The old mmap takes a pointer to its six arguments; the offset is in bytes.
  sys(90, 'mmap', (p, args) => {
    const a = (i: number): number => p.io.u32(args + i * 4);
    return doMmap(p, a(0), a(1), a(2), a(3), a(4) | 0, a(5));
  }),
  sys(91, 'munmap', (p, addr, len) => p.mm.munmap(addr, len)),
  sys(125, 'mprotect', (p, addr, len, prot) => p.mm.mprotect(addr, len, prot)),
  sys(144, 'msync', (p, addr, len) => mappedRange(p, addr, len)),
  sys(150, 'mlock', () => 0),
  sys(151, 'munlock', () => 0),
  sys(152, 'mlockall', () => 0),
  sys(153, 'munlockall', () => 0),
  sys(163, 'mremap', (p, old, oldLen, newLen, flags, newAddr) => p.mm.mremap(old, oldLen, newLen, flags, newAddr)),
  // mmap2's offset is in 4096-byte units.
  sys(192, 'mmap2', (p, addr, len, prot, flags, fd, pgoff) => doMmap(p, addr, len, prot, flags, fd, (pgoff >>> 0) * 4096)),
  sys(218, 'mincore', (p, addr, len, vec) => {
    const r = mappedRange(p, addr, len);
    if (r < 0) return r;
    p.io.write(vec, new Uint8Array(Math.ceil((len >>> 0) / 4096)).fill(1));
    return 0;
  }),
  sys(219, 'madvise', (p, addr, len, advice) => {
    if (advice === MADV_DONTNEED || advice === MADV_FREE || advice === MADV_REMOVE) return p.mm.discard(addr, len);
    return (addr & 0xfff) !== 0 ? -E.EINVAL : 0; // other advice changes nothing observable
  }),
  sys(376, 'mlock2', () => 0),
];
