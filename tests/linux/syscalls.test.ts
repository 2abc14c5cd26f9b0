import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Seg } from '../../src/decoder/types.js';
import { SYSCALLS } from '../../src/linux/syscalls.js';
import { makeProcess, tempDir } from './helpers.js';

// i386 syscall numbers used below.
const NR = {
  exit: 1, read: 3, write: 4, open: 5, close: 6, lseek: 19, getpid: 20, kill: 37, dup2: 63, brk: 45,
  ioctl: 54, mmap: 90, munmap: 91, uname: 122, _llseek: 140, getdents64: 220, fcntl64: 221, getcwd: 183,
  chdir: 12, readlink: 85, mmap2: 192, stat64: 195, fstat64: 197, pipe: 42, pipe2: 331, rt_sigaction: 174,
  set_thread_area: 243, get_thread_area: 244, exit_group: 252, clock_gettime64: 403, openat: 295, statx: 383,
  prlimit64: 340, getrandom: 355, ugetrlimit: 191, rseq: 386, mkdir: 39, unlink: 10, access: 33,
  socketcall: 102, socket: 359, socketpair: 360,
};
const ENOENT = -2;
const EBADF = -9;
const EAGAIN = -11;
const EFAULT = -14;
const ENOTTY = -25;
const ENOSYS = -38;

let dir: string;
beforeAll(() => {
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'data.txt'), 'line one\nline two\n');
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'a'), '');
  fs.writeFileSync(path.join(dir, 'sub', 'bb'), '');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('syscall table', () => {
  test('uses the i386 numbers', () => {
    const names: [number, string][] = [
      [1, 'exit'], [3, 'read'], [4, 'write'], [5, 'open'], [45, 'brk'], [90, 'mmap'], [192, 'mmap2'],
      [243, 'set_thread_area'], [252, 'exit_group'], [265, 'clock_gettime'], [295, 'openat'], [383, 'statx'],
      [403, 'clock_gettime64'], [355, 'getrandom'], [340, 'prlimit64'], [140, '_llseek'], [220, 'getdents64'],
    ];
    for (const [nr, name] of names) expect(SYSCALLS.get(nr)?.name).toBe(name);
  });
});

describe('file syscalls', () => {
  test('write goes to the guest stdout', () => {
    const t = makeProcess();
    const buf = t.str(t.scratch, 'hello\n');
    expect(t.call(NR.write, 1, buf, 6)).toBe(6);
    expect(t.stdout()).toBe('hello\n');
    expect(t.call(NR.write, 9, buf, 6)).toBe(EBADF);
    expect(t.call(NR.write, 1, 0x1000, 6)).toBe(EFAULT);
  });

  test('open, read, lseek, _llseek, close on a host file', () => {
    const t = makeProcess();
    const p = t.str(t.scratch, path.join(dir, 'data.txt'));
    const fd = t.call(NR.open, p, 0o100000 /* O_LARGEFILE */, 0);
    expect(fd).toBe(3);
    const buf = t.scratch + 1024;
    expect(t.call(NR.read, fd, buf, 5)).toBe(5);
    expect(Buffer.from(t.vm.mmu.readBytes(buf, 5)).toString()).toBe('line ');
    expect(t.call(NR.lseek, fd, 0, 1)).toBe(5);
    expect(t.call(NR._llseek, fd, 0, 9, buf, 0)).toBe(0);
    expect(t.vm.mmu.read32(buf)).toBe(9);
    expect(t.vm.mmu.read32(buf + 4)).toBe(0);
    expect(t.call(NR.read, fd, buf, 100)).toBe(9);
    expect(t.call(NR.read, fd, buf, 100)).toBe(0);
    expect(t.call(NR.close, fd)).toBe(0);
    expect(t.call(NR.close, fd)).toBe(EBADF);
    expect(t.call(NR.open, t.str(t.scratch, path.join(dir, 'nope')), 0, 0)).toBe(ENOENT);
  });

  test('openat resolves relative paths against a directory fd and the guest cwd', () => {
    const t = makeProcess();
    const dfd = t.call(NR.open, t.str(t.scratch, path.join(dir, 'sub')), 0o200000 /* O_DIRECTORY */, 0);
    expect(dfd).toBeGreaterThan(2);
    expect(t.call(NR.openat, dfd, t.str(t.scratch, 'bb'), 0, 0)).toBeGreaterThan(dfd);
    expect(t.call(NR.chdir, t.str(t.scratch, dir))).toBe(0);
    expect(t.call(NR.openat, -100, t.str(t.scratch, 'data.txt'), 0, 0)).toBeGreaterThan(0);
    const n = t.call(NR.getcwd, t.scratch + 512, 4096);
    expect(n).toBe(Buffer.byteLength(fs.realpathSync(dir)) + 1);
    expect(Buffer.from(t.vm.mmu.readCString(t.scratch + 512)).toString()).toBe(fs.realpathSync(dir));
    expect(t.call(NR.getcwd, t.scratch + 512, 3)).toBe(-34);
  });

  test('stat64 has the i386 layout (96 bytes, size at 44, st_ino at 88)', () => {
    const t = makeProcess();
    const file = path.join(dir, 'data.txt');
    const st = fs.statSync(file, { bigint: true });
    const buf = t.scratch + 2048;
    expect(t.call(NR.stat64, t.str(t.scratch, file), buf)).toBe(0);
    const dv = new DataView(t.vm.mmu.readBytes(buf, 96).buffer);
    expect(dv.getBigInt64(44, true)).toBe(18n);
    expect(dv.getBigUint64(88, true)).toBe(st.ino);
    expect(dv.getUint32(12, true)).toBe(Number(st.ino & 0xffffffffn));
    expect(dv.getUint32(16, true)).toBe(Number(st.mode));
    expect(dv.getUint32(72, true)).toBe(Number(st.mtimeNs / 1000000000n));
    expect(t.call(NR.stat64, t.str(t.scratch, path.join(dir, 'nope')), buf)).toBe(ENOENT);
  });

  test('statx reports the basic fields', () => {
    const t = makeProcess();
    const buf = t.scratch + 2048;
    expect(t.call(NR.statx, -100, t.str(t.scratch, path.join(dir, 'data.txt')), 0, 0x7ff, buf)).toBe(0);
    const dv = new DataView(t.vm.mmu.readBytes(buf, 256).buffer);
    expect(dv.getUint32(0, true) & 0x7ff).toBe(0x7ff);
    expect(dv.getBigUint64(40, true)).toBe(18n);
    expect(dv.getUint16(28, true) & 0o170000).toBe(0o100000);
  });

  test('getdents64 lists a directory with . and .., and continues where it stopped', () => {
    const t = makeProcess();
    const fd = t.call(NR.open, t.str(t.scratch, path.join(dir, 'sub')), 0o200000, 0);
    const names: string[] = [];
    const buf = t.scratch + 4096;
    for (;;) {
      const n = t.call(NR.getdents64, fd, buf, 48); // room for about one entry per call
      expect(n).toBeGreaterThanOrEqual(0);
      if (n === 0) break;
      const bytes = t.vm.mmu.readBytes(buf, n);
      const dv = new DataView(bytes.buffer);
      for (let off = 0; off < n; ) {
        const reclen = dv.getUint16(off + 16, true);
        const name = Buffer.from(bytes.subarray(off + 19, off + reclen));
        names.push(name.subarray(0, name.indexOf(0)).toString());
        off += reclen;
      }
    }
    expect(names.sort()).toEqual(['.', '..', 'a', 'bb']);
    expect(t.call(NR.getdents64, fd, buf, 10)).toBe(0);
    expect(t.call(NR.lseek, fd, 0, 0)).toBe(0);
    expect(t.call(NR.getdents64, fd, buf, 10)).toBe(-22); // too small for one entry
  });

  test('pipes: data in order, EAGAIN when empty with a writer, EOF without', () => {
    const t = makeProcess();
    const fds = t.scratch;
    expect(t.call(NR.pipe, fds)).toBe(0);
    const [r, w] = [t.vm.mmu.read32(fds), t.vm.mmu.read32(fds + 4)];
    const buf = t.str(t.scratch + 64, 'abcdef');
    expect(t.call(NR.write, w, buf, 3)).toBe(3);
    expect(t.call(NR.write, w, buf + 3, 3)).toBe(3);
    expect(t.call(NR.read, r, t.scratch + 128, 4)).toBe(4);
    expect(t.call(NR.read, r, t.scratch + 132, 10)).toBe(2);
    expect(Buffer.from(t.vm.mmu.readBytes(t.scratch + 128, 6)).toString()).toBe('abcdef');
    expect(t.call(NR.read, r, t.scratch + 128, 4)).toBe(EAGAIN);
    expect(t.call(NR.close, w)).toBe(0);
    expect(t.call(NR.read, r, t.scratch + 128, 4)).toBe(0);
    const st = t.scratch + 1024;
    expect(t.call(NR.fstat64, r, st)).toBe(0);
    expect(t.vm.mmu.read32(st + 16) & 0o170000).toBe(0o010000); // S_IFIFO
  });

  test('writing to a pipe with no reader raises SIGPIPE (status 141) unless ignored', () => {
    const t = makeProcess();
    t.call(NR.pipe2, t.scratch, 0);
    const [r, w] = [t.vm.mmu.read32(t.scratch), t.vm.mmu.read32(t.scratch + 4)];
    t.call(NR.close, r);
    // SIG_IGN for SIGPIPE: the write just fails with EPIPE.
    const act = t.scratch + 256;
    t.vm.mmu.writeBytes(act, new Uint8Array(20));
    t.vm.mmu.write32(act, 1);
    expect(t.call(NR.rt_sigaction, 13, act, 0, 8)).toBe(0);
    expect(t.call(NR.write, w, t.scratch, 1)).toBe(-32);
    expect(t.stopped()).toBeNull();
    t.vm.mmu.write32(act, 0);
    t.call(NR.rt_sigaction, 13, act, 0, 8);
    t.call(NR.write, w, t.scratch, 1);
    expect(t.stopped()).toEqual({ kind: 'exit', status: 141 });
  });

  test('dup2 and fcntl share one open file description', () => {
    const t = makeProcess();
    const fd = t.call(NR.open, t.str(t.scratch, path.join(dir, 'data.txt')), 0, 0);
    expect(t.call(NR.dup2, fd, 10)).toBe(10);
    t.call(NR.read, fd, t.scratch + 512, 4);
    expect(t.call(NR.lseek, 10, 0, 1)).toBe(4);
    expect(t.call(NR.fcntl64, fd, 1 /* F_GETFD */, 0)).toBe(0);
    expect(t.call(NR.fcntl64, fd, 2 /* F_SETFD */, 1)).toBe(0);
    expect(t.call(NR.fcntl64, fd, 1, 0)).toBe(1);
    expect(t.call(NR.fcntl64, fd, 3 /* F_GETFL */, 0) & 3).toBe(0);
    expect(t.call(NR.fcntl64, fd, 0 /* F_DUPFD */, 20)).toBe(20);
  });

  test('ioctl TCGETS on a file that is not a terminal fails with ENOTTY', () => {
    const t = makeProcess();
    const fd = t.call(NR.open, t.str(t.scratch, path.join(dir, 'data.txt')), 0, 0);
    expect(t.call(NR.ioctl, fd, 0x5401, t.scratch + 512)).toBe(ENOTTY);
    expect(t.call(NR.ioctl, 1, 0x5413, t.scratch + 512)).toBe(ENOTTY);
  });

  test('readlink /proc/self/exe names the program, not Node', () => {
    const t = makeProcess({ program: '/bin/sh' });
    const n = t.call(NR.readlink, t.str(t.scratch, '/proc/self/exe'), t.scratch + 512, 4096);
    const want = fs.realpathSync('/bin/sh');
    expect(n).toBe(want.length);
    expect(Buffer.from(t.vm.mmu.readBytes(t.scratch + 512, n)).toString()).toBe(want);
  });

  test('mkdir, access, unlink', () => {
    const t = makeProcess();
    const d = path.join(dir, 'made');
    expect(t.call(NR.mkdir, t.str(t.scratch, d), 0o755)).toBe(0);
    expect(fs.statSync(d).isDirectory()).toBe(true);
    expect(t.call(NR.mkdir, t.str(t.scratch, d), 0o755)).toBe(-17);
    expect(t.call(NR.access, t.str(t.scratch, d), 0)).toBe(0);
    expect(t.call(NR.unlink, t.str(t.scratch, d))).toBe(-21);
  });
});

describe('memory syscalls', () => {
  test('brk, mmap2, old mmap and munmap', () => {
    const t = makeProcess();
    t.proc.mm.initBrk(0x08100000);
    expect(t.call(NR.brk, 0)).toBe(0x08100000);
    expect(t.call(NR.brk, 0x08102000)).toBe(0x08102000);
    t.vm.mmu.write32(0x08101000, 1);
    const a = t.call(NR.mmap2, 0, 8192, 3, 0x22, -1, 0) >>> 0;
    expect(a % 4096).toBe(0);
    t.vm.mmu.write32(a + 4096, 7);
    expect(t.call(NR.munmap, a, 8192)).toBe(0);
    expect(() => t.vm.mmu.read32(a)).toThrow();
    const args = t.scratch + 256;
    [0, 4096, 3, 0x22, -1, 0].forEach((v, i) => t.vm.mmu.write32(args + i * 4, v));
    expect((t.call(NR.mmap, args) >>> 0) % 4096).toBe(0);
    expect(t.call(NR.mmap2, 0, 4096, 3, 0x22 | 0x10, -1, 0)).toBe(-1); // MAP_FIXED below mmap_min_addr: EPERM
  });

  test('a file mapping reads the file', () => {
    const t = makeProcess();
    const fd = t.call(NR.open, t.str(t.scratch, path.join(dir, 'data.txt')), 0, 0);
    const a = t.call(NR.mmap2, 0, 4096, 1, 2, fd, 0) >>> 0;
    t.call(NR.close, fd); // the mapping keeps the file open
    expect(Buffer.from(t.vm.mmu.readBytes(a, 8)).toString()).toBe('line one');
    expect(t.vm.mmu.read8(a + 18)).toBe(0);
  });
});

describe('process syscalls', () => {
  test('set_thread_area with entry -1 picks entry 12 and GS can load selector 0x63', () => {
    const t = makeProcess();
    const u = t.scratch + 512;
    // entry_number -1, base 0x12345000, limit 0xfffff, seg_32bit | limit_in_pages | useable
    [-1, 0x12345000, 0xfffff, 1 | 16 | 64].forEach((v, i) => t.vm.mmu.write32(u + i * 4, v));
    expect(t.call(NR.set_thread_area, u)).toBe(0);
    expect(t.vm.mmu.read32(u)).toBe(12);
    const d = t.proc.gdt.lookup(0x63)!;
    expect(d.base >>> 0).toBe(0x12345000);
    expect(d.limit >>> 0).toBe(0xffffffff);
    t.vm.cpu.loadSegment(Seg.GS, 0x63);
    expect(t.vm.cpu.segBase(Seg.GS) >>> 0).toBe(0x12345000);
    // Changing the entry reloads GS's cached base, like the kernel does.
    t.vm.mmu.write32(u + 4, 0x22220000);
    expect(t.call(NR.set_thread_area, u)).toBe(0);
    expect(t.vm.cpu.segBase(Seg.GS) >>> 0).toBe(0x22220000);
    // The next free entry is 13; get_thread_area reads entry 12 back.
    t.vm.mmu.write32(u, -1);
    expect(t.call(NR.set_thread_area, u)).toBe(0);
    expect(t.vm.mmu.read32(u)).toBe(13);
    t.vm.mmu.write32(u, 12);
    expect(t.call(NR.get_thread_area, u)).toBe(0);
    expect(t.vm.mmu.read32(u + 4) >>> 0).toBe(0x22220000);
    // Flat selectors resolve; unknown ones do not.
    expect(t.proc.gdt.lookup(0x23)).not.toBeNull();
    expect(t.proc.gdt.lookup(0x2b)).not.toBeNull();
    expect(t.proc.gdt.lookup(0x83)).toBeNull(); // (0x7b is the CPU-number segment, as on the kernel)
    t.vm.mmu.write32(u, 3);
    expect(t.call(NR.set_thread_area, u)).toBe(-22);
  });

  test('exit_group stops the VM with the status', () => {
    const t = makeProcess();
    t.call(NR.exit_group, 0x1ff);
    expect(t.stopped()).toEqual({ kind: 'exit', status: 0xff });
  });

  test('kill(getpid(), SIGABRT) ends the process with status 134 and one line; SIGTERM quietly with 143', () => {
    const t = makeProcess();
    const pid = t.call(NR.getpid);
    expect(t.call(NR.kill, pid, 6)).toBe(0);
    expect(t.stopped()).toEqual({ kind: 'error', status: 134, message: 'wasmvisor: guest killed by SIGABRT' });
    const u = makeProcess();
    expect(u.call(NR.kill, pid, 15)).toBe(0);
    expect(u.stopped()).toEqual({ kind: 'exit', status: 143 });
    expect(u.diag).toEqual([]);
  });

  test('an unknown syscall returns -ENOSYS and warns once; strict stops with status 2', () => {
    const t = makeProcess();
    expect(t.call(9999)).toBe(ENOSYS);
    expect(t.call(9999)).toBe(ENOSYS);
    expect(t.diag).toEqual(['wasmvisor: unimplemented syscall syscall_9999 (9999)']);
    expect(t.call(NR.rseq, 0, 0, 0, 0)).toBe(ENOSYS);
    expect(t.diag.length).toBe(1); // rseq is quietly absent
    const s = makeProcess({ strict: true });
    s.call(26); // ptrace
    expect(s.stopped()).toEqual({ kind: 'error', status: 2, message: 'wasmvisor: unimplemented syscall ptrace (26)' });
  });

  test('no network: socket() is EAFNOSUPPORT, socket calls on other fds ENOTSOCK or EBADF', () => {
    const t = makeProcess();
    expect(t.call(NR.socket, 2, 1, 0)).toBe(-97);
    expect(t.call(NR.socketpair, 1, 1, 0, t.scratch)).toBe(-97);
    t.vm.mmu.write32(t.scratch, 1);
    expect(t.call(NR.socketcall, 3, t.scratch)).toBe(-88); // connect(1, ...): fd 1 is no socket
    t.vm.mmu.write32(t.scratch, 99);
    expect(t.call(NR.socketcall, 3, t.scratch)).toBe(-9);
    expect(t.call(NR.socketcall, 1, t.scratch)).toBe(-97);
    expect(t.diag).toEqual([]);
  });

  test('uname says Linux i686', () => {
    const t = makeProcess();
    expect(t.call(NR.uname, t.scratch)).toBe(0);
    const field = (i: number): string => Buffer.from(t.vm.mmu.readCString(t.scratch + i * 65)).toString();
    expect(field(0)).toBe('Linux');
    expect(field(4)).toBe('i686');
  });

  test('clock_gettime64 writes a 64-bit timespec', () => {
    const t = makeProcess();
    expect(t.call(NR.clock_gettime64, 0, t.scratch)).toBe(0);
    const dv = new DataView(t.vm.mmu.readBytes(t.scratch, 16).buffer);
    const sec = Number(dv.getBigInt64(0, true));
    expect(Math.abs(sec - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(dv.getBigInt64(8, true))).toBeLessThan(1e9);
    expect(t.call(NR.clock_gettime64, 12345, t.scratch)).toBe(-22);
  });

  test('resource limits: stack 8 MiB, nofile 1024', () => {
    const t = makeProcess();
    expect(t.call(NR.ugetrlimit, 3, t.scratch)).toBe(0);
    expect(t.vm.mmu.read32(t.scratch)).toBe(8 << 20);
    expect(t.vm.mmu.read32(t.scratch + 4)).toBe(-1);
    expect(t.call(NR.prlimit64, 0, 7, 0, t.scratch)).toBe(0);
    expect(t.vm.mmu.read32(t.scratch)).toBe(1024);
  });

  test('getrandom fills the buffer', () => {
    const t = makeProcess();
    expect(t.call(NR.getrandom, t.scratch, 64, 0)).toBe(64);
    expect(t.vm.mmu.readBytes(t.scratch, 64).some((b) => b !== 0)).toBe(true);
  });

  test('two processes share nothing', () => {
    const a = makeProcess();
    const b = makeProcess();
    a.call(NR.write, 1, a.str(a.scratch, 'A'), 1);
    expect(b.stdout()).toBe('');
    a.call(NR.chdir, a.str(a.scratch, dir));
    expect(b.proc.cwd).not.toBe(a.proc.cwd);
    a.call(9998);
    b.call(9998);
    expect(b.diag.length).toBe(1);
  });
});
