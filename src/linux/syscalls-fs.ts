import { WouldBlock } from './blocking.js';
import * as fs from 'node:fs';
import { E } from './errno.js';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, HostFile, O_CLOEXEC,
  O_CREAT, O_NONBLOCK, O_TRUNC, O_WRONLY, type OpenFile, Pipe, PipeEnd, SEEK_CUR, SEEK_SET, SETFL_MASK,
  sleepMs, type DirEntry,
} from './files.js';
import { fail, hostPath } from './guest-io.js';
import type { LinuxProcess } from './process.js';
import { SIGPIPE } from './signals.js';
import { type FileStat, fromNodeStat, readTimespec, writeOldStat, writeStat64, writeStatx } from './structs.js';
import { arg64, type SyscallDef, sys } from './syscall-def.js';

/** Largest single transfer; bigger requests return a short count, which callers loop over. */
const MAX_IO = 1 << 24;
const IOV_MAX = 1024;

// ------------------------------------------------------------------ helpers

/** Streams (pipes, terminals) never return more than a pipe buffer at once: no need for a bigger bounce buffer. */
const ioChunk = (f: OpenFile): number => (f instanceof HostFile && f.kind === 'file' ? MAX_IO : 1 << 16);

function readFile(p: LinuxProcess, f: OpenFile, buf: number, count: number, pos: number | null): number {
  const tmp = p.io.bounce(Math.min(count >>> 0, ioChunk(f)));
  const n = f.read(tmp, pos);
  if (n > 0) p.io.write(buf, tmp.subarray(0, n));
  return n;
}

function writeFile(p: LinuxProcess, f: OpenFile, data: Uint8Array, pos: number | null): number {
  const n = f.write(data, pos);
  // A write to a pipe nobody reads raises SIGPIPE (whose default action ends the process).
  if (n === -E.EPIPE) p.raise(SIGPIPE);
  return n;
}

function readIovecs(p: LinuxProcess, iov: number, count: number): [number, number][] {
  if (count < 0 || count > IOV_MAX) fail(E.EINVAL);
  const out: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const base = p.io.u32(iov + i * 8);
    const len = p.io.u32(iov + i * 8 + 4);
    if (len > 0x7fffffff) fail(E.EINVAL);
    total += len;
    out.push([base, len]);
  }
  if (total > 0x7fffffff) fail(E.EINVAL);
  return out;
}

function readv(p: LinuxProcess, fd: number, iov: number, count: number, pos: number | null): number {
  const f = p.file(fd);
  const vecs = readIovecs(p, iov, count);
  const total = vecs.reduce((n, [, len]) => n + len, 0);
  const tmp = p.io.bounce(Math.min(total, ioChunk(f)));
  const n = f.read(tmp, pos);
  let off = 0;
  for (const [base, len] of vecs) {
    if (off >= n) break;
    const k = Math.min(len, n - off);
    p.io.write(base, tmp.subarray(off, off + k));
    off += k;
  }
  return n;
}

function writev(p: LinuxProcess, fd: number, iov: number, count: number, pos: number | null): number {
  const f = p.file(fd);
  const vecs = readIovecs(p, iov, count);
  const parts = vecs.map(([base, len]) => p.io.read(base, Math.min(len, MAX_IO)));
  // One write for the whole vector keeps lines written with writev together.
  return writeFile(p, f, Buffer.concat(parts), pos);
}

/** open/openat/creat: /proc/self and /dev/std* are answered from the process itself. */
function openAt(p: LinuxProcess, dirfd: number, pathAddr: number, flags: number, mode: number): number {
  const path = p.io.path(pathAddr);
  const special = p.procFile(path);
  let file: OpenFile;
  if (special) {
    file = special;
  } else {
    const host = p.resolve(dirfd, path);
    const perms = mode & 0o7777 & ~p.umask;
    const creating = (flags & O_CREAT) !== 0 && !fs.existsSync(hostPath(host));
    const opened = HostFile.open(host, flags, perms);
    // The host umask also applied: a guest umask that allows more must be honoured afterwards.
    if (creating && p.hostUmask & perms) fs.fchmodSync(opened.fd, perms);
    file = opened;
  }
  const fd = p.fds.install(file, (flags & O_CLOEXEC) !== 0);
  if (fd < 0) file.retain().release(); // nobody holds it: close it again
  return fd;
}

function statPath(p: LinuxProcess, dirfd: number, pathAddr: number, flags: number): FileStat {
  const path = p.io.path(pathAddr);
  if (path === '' && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) return fromNodeStat(fs.statSync(hostPath(p.cwd), { bigint: true }));
    return p.file(dirfd).stat();
  }
  const special = p.procFile(path);
  if (special) return special.stat();
  const host = hostPath(p.resolve(dirfd, path));
  return fromNodeStat(flags & AT_SYMLINK_NOFOLLOW ? fs.lstatSync(host, { bigint: true }) : fs.statSync(host, { bigint: true }));
}

function pathArg(p: LinuxProcess, dirfd: number, addr: number): Buffer {
  return hostPath(p.resolve(dirfd, p.io.path(addr)));
}

/**
 * Fills the guest buffer with as many directory records as fit, from the
 * open directory's position on; `reclen` sizes a record and `put` writes it.
 */
function fillDirents(
  p: LinuxProcess,
  fd: number,
  dirp: number,
  count: number,
  reclen: (e: DirEntry) => number,
  put: (dv: DataView, out: Uint8Array, off: number, len: number, e: DirEntry, next: number) => void,
): number {
  const f = p.file(fd);
  const entries = f.readDir() ?? fail(E.ENOTDIR);
  const out = new Uint8Array(Math.min(count >>> 0, MAX_IO));
  const dv = new DataView(out.buffer);
  let off = 0;
  for (; f.dirPos < entries.length; f.dirPos++) {
    const e = entries[f.dirPos];
    const len = reclen(e);
    if (off + len > out.length) {
      if (off === 0) fail(E.EINVAL);
      break;
    }
    put(dv, out, off, len, e, f.dirPos + 1);
    off += len;
  }
  p.io.write(dirp, out.subarray(0, off));
  return off;
}

/** struct linux_dirent64: 64-bit inode and offset, d_type before the name. */
function getdents64(p: LinuxProcess, fd: number, dirp: number, count: number): number {
  return fillDirents(p, fd, dirp, count, (e) => (19 + e.name.length + 1 + 7) & ~7, (dv, out, off, len, e, next) => {
    dv.setBigUint64(off, e.ino, true);
    dv.setBigInt64(off + 8, BigInt(next), true);
    dv.setUint16(off + 16, len, true);
    out[off + 18] = e.type;
    out.set(e.name, off + 19);
  });
}

/** The old getdents: struct linux_dirent with 32-bit inode and offset, d_type in the last byte. */
function getdents(p: LinuxProcess, fd: number, dirp: number, count: number): number {
  return fillDirents(p, fd, dirp, count, (e) => (10 + e.name.length + 2 + 3) & ~3, (dv, out, off, len, e, next) => {
    if (e.ino > 0xffffffffn) fail(E.EOVERFLOW);
    dv.setUint32(off, Number(e.ino), true);
    dv.setUint32(off + 4, next, true);
    dv.setUint16(off + 8, len, true);
    out.set(e.name, off + 10);
    out[off + len - 1] = e.type;
  });
}

// ------------------------------------------------------------------ ioctl

const TCGETS = 0x5401;
const TCSETS = 0x5402;
const TCSETSW = 0x5403;
const TCSETSF = 0x5404;
const TIOCSCTTY = 0x540e;
const TIOCGPGRP = 0x540f;
const TIOCSPGRP = 0x5410;
const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;
const FIONREAD = 0x541b;
const FIONBIO = 0x5421;
const FIONCLEX = 0x5450;
const FIOCLEX = 0x5451;

/** The termios a fresh Linux terminal has ("stty sane"): 36 bytes of the kernel's struct termios. */
function defaultTermios(): Uint8Array {
  const t = new Uint8Array(36);
  const dv = new DataView(t.buffer);
  dv.setUint32(0, 0x4500, true); // ICRNL IXON IUTF8
  dv.setUint32(4, 0x5, true); // OPOST ONLCR
  dv.setUint32(8, 0x4bf, true); // B38400 CS8 CREAD HUPCL
  dv.setUint32(12, 0x8a3b, true); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
  t.set([3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0], 17);
  return t;
}

/** Host terminal size for a guest tty fd (Node knows it only for its own stdout/stderr). */
function windowSize(fd: number | null): [number, number] {
  const stream = fd === 2 ? process.stderr : process.stdout;
  if (stream.isTTY) {
    const [cols, rows] = stream.getWindowSize();
    return [rows, cols];
  }
  return [Number(process.env.LINES) || 24, Number(process.env.COLUMNS) || 80];
}

function ioctl(p: LinuxProcess, fd: number, req: number, arg: number): number {
  const f = p.file(fd);
  req >>>= 0;
  switch (req) {
    case FIONBIO:
      f.flags = p.io.i32(arg) ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return 0;
    case FIOCLEX:
    case FIONCLEX:
      p.fds.setCloexec(fd, req === FIOCLEX);
      return 0;
    case FIONREAD:
      p.io.setU32(arg, f.available());
      return 0;
  }
  if (!f.isatty()) return -E.ENOTTY;
  switch (req) {
    case TCGETS:
      p.io.write(arg, p.termios ?? defaultTermios());
      return 0;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
      // Recorded so TCGETS reads it back; the host terminal's mode is not changed.
      p.termios = p.io.read(arg, 36);
      return 0;
    case TIOCGWINSZ: {
      const [rows, cols] = windowSize(f.hostFd);
      p.io.struct(arg, 8, (dv) => {
        dv.setUint16(0, rows, true);
        dv.setUint16(2, cols, true);
      });
      return 0;
    }
    case TIOCGPGRP:
      p.io.setU32(arg, p.pid);
      return 0;
    case TIOCSWINSZ:
    case TIOCSPGRP:
    case TIOCSCTTY:
      return 0;
    default:
      return -E.ENOTTY;
  }
}

// ------------------------------------------------------------------ fcntl

const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_GETLK = 5;
const F_SETLK = 6;
const F_SETLKW = 7;
const F_SETOWN = 8;
const F_GETOWN = 9;
const F_SETSIG = 10;
const F_GETSIG = 11;
const F_GETLK64 = 12;
const F_SETLK64 = 13;
const F_SETLKW64 = 14;
const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;
const F_DUPFD_CLOEXEC = 1030;
const F_SETPIPE_SZ = 1031;
const F_GETPIPE_SZ = 1032;
const F_UNLCK = 2;

function fcntl(p: LinuxProcess, fd: number, cmd: number, arg: number): number {
  const f = p.file(fd);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (arg < 0 || arg >= p.fds.limit) return -E.EINVAL;
      return p.fds.install(f, cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return p.fds.getCloexec(fd) ? 1 : 0;
    case F_SETFD:
      p.fds.setCloexec(fd, (arg & 1) !== 0);
      return 0;
    case F_GETFL:
      return f.flags;
    case F_SETFL:
      f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
      return 0;
    case F_GETLK:
    case F_GETLK64:
    case F_OFD_GETLK:
      // One process cannot conflict with its own locks: report the range unlocked.
      p.io.setU16(arg, F_UNLCK);
      return 0;
    case F_SETLK:
    case F_SETLKW:
    case F_SETLK64:
    case F_SETLKW64:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
    case F_SETOWN:
    case F_SETSIG:
      return 0;
    case F_GETOWN:
    case F_GETSIG:
      return 0;
    case F_SETPIPE_SZ:
      return f instanceof PipeEnd ? Math.max(arg, 4096) : -E.EBADF;
    case F_GETPIPE_SZ:
      return f instanceof PipeEnd ? 65536 : -E.EBADF;
    default:
      return -E.EINVAL;
  }
}

// ------------------------------------------------------------------ poll

const POLLIN = 0x1;
const POLLPRI = 0x2;
const POLLOUT = 0x4;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;
const POLLRDNORM = 0x40;
const POLLWRNORM = 0x100;

/**
 * poll over files that are always ready (host files and terminals are
 * reported ready) and in-process pipes (exact). Nothing can become ready
 * while the only thread waits, so a wait without timeout that finds
 * nothing ready is a deadlock.
 */
function poll(p: LinuxProcess, fds: number, nfds: number, timeoutMs: number): number {
  nfds >>>= 0;
  if (nfds > p.fds.limit) return -E.EINVAL;
  let ready = 0;
  const watched: [OpenFile, number][] = [];
  for (let i = 0; i < nfds; i++) {
    const a = fds + i * 8;
    const fd = p.io.i32(a);
    const events = p.io.u16(a + 4);
    let rev = 0;
    if (fd >= 0) {
      const f = p.fds.get(fd);
      if (!f) rev = POLLNVAL;
      else {
        watched.push([f, events]);
        if (events & (POLLIN | POLLRDNORM | POLLPRI) && f.pollIn()) rev |= events & (POLLIN | POLLRDNORM);
        if (events & (POLLOUT | POLLWRNORM) && f.pollOut()) rev |= events & (POLLOUT | POLLWRNORM);
        if (f instanceof PipeEnd && !f.isWriteEnd && f.pipe.writers === 0) rev |= POLLHUP;
      }
    }
    p.io.setU16(a + 6, rev);
    if (rev) ready++;
  }
  if (ready || timeoutMs === 0) return ready;
  if (timeoutMs < 0) {
    // Another process may make a pipe ready: wait for that (poll runs again then).
    const readyNow = () =>
      watched.some(([f, ev]) => (ev & POLLIN && f.pollIn()) || (ev & POLLOUT && f.pollOut()) || (f instanceof PipeEnd && !f.isWriteEnd && f.pipe.writers === 0));
    if (p.table?.othersCanRun(p)) throw new WouldBlock(readyNow, 'poll() with nothing ready');
    return p.deadlock('poll() with nothing ready');
  }
  sleepMs(timeoutMs);
  return 0;
}

// ------------------------------------------------------------------ statfs

function statfs(p: LinuxProcess, path: Buffer, buf: number, wide: boolean): number {
  const s = fs.statfsSync(path, { bigint: true });
  if (!wide) {
    const max = 0xffffffffn;
    if (s.blocks > max || s.bfree > max || s.bavail > max || s.files > max || s.ffree > max) return -E.EOVERFLOW;
  }
  p.io.struct(buf, wide ? 84 : 64, (dv) => {
    dv.setUint32(0, Number(s.type & 0xffffffffn), true);
    dv.setUint32(4, Number(s.bsize), true);
    const fields = [s.blocks, s.bfree, s.bavail, s.files, s.ffree];
    let off = 8;
    for (const v of fields) {
      if (wide) dv.setBigUint64(off, v, true);
      else dv.setUint32(off, Number(v), true);
      off += wide ? 8 : 4;
    }
    off += 8; // f_fsid
    dv.setUint32(off, 255, true); // f_namelen
    dv.setUint32(off + 4, Number(s.bsize), true); // f_frsize
  });
  return 0;
}

function statfsFd(p: LinuxProcess, fd: number): Buffer {
  const f = p.file(fd);
  if (!(f instanceof HostFile)) return fail(E.ENOSYS);
  return hostPath(f.path);
}

// ------------------------------------------------------------------ utimensat

const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

function utimensat(p: LinuxProcess, dirfd: number, pathAddr: number, times: number, flags: number, time64: boolean): number {
  const now = Date.now() / 1000;
  let target: { fd: number } | { path: Buffer };
  if (pathAddr === 0) {
    const f = p.file(dirfd);
    if (f.hostFd === null) return -E.EPERM;
    target = { fd: f.hostFd };
  } else {
    target = { path: pathArg(p, dirfd, pathAddr) };
  }
  const stat = (): fs.Stats => ('fd' in target ? fs.fstatSync(target.fd) : fs.lstatSync(target.path));
  const read = (i: number, current: () => number): number => {
    if (times === 0) return now;
    const size = time64 ? 16 : 8;
    const nsec = p.io.i32(times + i * size + (time64 ? 8 : 4));
    if (nsec === UTIME_NOW) return now;
    if (nsec === UTIME_OMIT) return current();
    return Number(readTimespec(p.io, times + i * size, time64)) / 1e9;
  };
  const atime = read(0, () => stat().atimeMs / 1000);
  const mtime = read(1, () => stat().mtimeMs / 1000);
  if ('fd' in target) fs.futimesSync(target.fd, atime, mtime);
  else if (flags & AT_SYMLINK_NOFOLLOW) fs.lutimesSync(target.path, atime, mtime);
  else fs.utimesSync(target.path, atime, mtime);
  return 0;
}

// ------------------------------------------------------------------ the table

function pipe2(p: LinuxProcess, fdsAddr: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | 0o40000)) return -E.EINVAL;
  const pipe = new Pipe(p.allocIno());
  const r = new PipeEnd(pipe, false, flags);
  const w = new PipeEnd(pipe, true, flags);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const rfd = p.fds.install(r, cloexec);
  if (rfd < 0) return rfd;
  const wfd = p.fds.install(w, cloexec);
  if (wfd < 0) {
    p.fds.close(rfd);
    return wfd;
  }
  p.io.setU32(fdsAddr, rfd);
  p.io.setU32(fdsAddr + 4, wfd);
  return 0;
}

function dup3(p: LinuxProcess, oldfd: number, newfd: number, flags: number): number {
  const f = p.file(oldfd);
  if (flags & ~O_CLOEXEC || oldfd === newfd) return -E.EINVAL;
  return p.fds.installAt(newfd, f, (flags & O_CLOEXEC) !== 0);
}

function seek(p: LinuxProcess, fd: number, offset: number, whence: number): number {
  return p.file(fd).seek(offset, whence);
}

function readlinkAt(p: LinuxProcess, dirfd: number, pathAddr: number, buf: number, size: number): number {
  if (size <= 0) return -E.EINVAL;
  const path = p.io.path(pathAddr);
  const link = p.procLink(path);
  const target = link !== null ? hostPath(link) : fs.readlinkSync(pathArg(p, dirfd, pathAddr), { encoding: 'buffer' });
  const n = Math.min(target.length, size);
  p.io.write(buf, target.subarray(0, n));
  return n;
}

function accessAt(p: LinuxProcess, dirfd: number, pathAddr: number, mode: number): number {
  if (mode & ~7) return -E.EINVAL;
  const path = p.io.path(pathAddr);
  if (p.procFile(path)) return 0;
  fs.accessSync(hostPath(p.resolve(dirfd, path)), mode);
  return 0;
}

function unlinkAt(p: LinuxProcess, dirfd: number, pathAddr: number, flags: number): number {
  if (flags & ~AT_REMOVEDIR) return -E.EINVAL;
  const path = pathArg(p, dirfd, pathAddr);
  if (flags & AT_REMOVEDIR) fs.rmdirSync(path);
  else fs.unlinkSync(path);
  return 0;
}

function renameAt(p: LinuxProcess, oldfd: number, oldAddr: number, newfd: number, newAddr: number, flags: number): number {
  const RENAME_NOREPLACE = 1;
  if (flags & ~RENAME_NOREPLACE) return -E.EINVAL;
  const from = pathArg(p, oldfd, oldAddr);
  const to = pathArg(p, newfd, newAddr);
  if (flags & RENAME_NOREPLACE && fs.lstatSync(to, { throwIfNoEntry: false })) return -E.EEXIST;
  fs.renameSync(from, to);
  return 0;
}

function mkdirAt(p: LinuxProcess, dirfd: number, pathAddr: number, mode: number): number {
  const path = pathArg(p, dirfd, pathAddr);
  const perms = mode & 0o7777 & ~p.umask;
  fs.mkdirSync(path, perms);
  if (p.hostUmask & perms) fs.chmodSync(path, perms); // see openAt
  return 0;
}

function chdirTo(p: LinuxProcess, path: string): number {
  const host = hostPath(path);
  if (!fs.statSync(host).isDirectory()) return -E.ENOTDIR;
  fs.accessSync(host, fs.constants.X_OK);
  // The kernel reports the directory's real path from then on (getcwd), as here.
  p.cwd = fs.realpathSync(host, { encoding: 'buffer' }).toString('latin1');
  return 0;
}

function getcwd(p: LinuxProcess, buf: number, size: number): number {
  const bytes = hostPath(p.cwd);
  if ((size >>> 0) < bytes.length + 1) return -E.ERANGE;
  p.io.writeCString(buf, bytes);
  return bytes.length + 1;
}

function chownAt(p: LinuxProcess, dirfd: number, pathAddr: number, uid: number, gid: number, follow: boolean): number {
  const path = pathArg(p, dirfd, pathAddr);
  if (follow) fs.chownSync(path, uid, gid);
  else fs.lchownSync(path, uid, gid);
  return 0;
}

function fdHost(p: LinuxProcess, fd: number): number {
  const h = p.file(fd).hostFd;
  return h ?? fail(E.EINVAL);
}

/** 16-bit uid/gid arguments of the old calls: 0xffff means "unchanged". */
const id16 = (v: number): number => ((v & 0xffff) === 0xffff ? -1 : v & 0xffff);

/**
 * sendfile: a read then a write. The input advances only by what was
 * written, so a short write (EPIPE, a full disk) loses nothing.
 */
function sendfile(p: LinuxProcess, outFd: number, inFd: number, offAddr: number, count: number, wideOffset: boolean): number {
  const out = p.file(outFd);
  const inp = p.file(inFd);
  if (!out.canWrite || !inp.canRead) return -E.EBADF;
  const explicit = offAddr !== 0;
  let pos: number | null = explicit ? (wideOffset ? p.io.i64(offAddr) : p.io.i32(offAddr)) : inp.seek(0, SEEK_CUR);
  if (explicit && (pos as number) < 0) return -E.EINVAL;
  if (pos !== null && pos < 0) pos = null; // not seekable: a plain read
  const tmp = new Uint8Array(Math.min(count >>> 0, MAX_IO));
  const n = inp.read(tmp, pos);
  if (n <= 0) return n;
  const w = writeFile(p, out, tmp.subarray(0, n), null);
  const done = Math.max(0, w);
  if (explicit) {
    if (wideOffset) p.io.setI64(offAddr, (pos as number) + done);
    else p.io.setU32(offAddr, (pos as number) + done);
  } else if (pos !== null) {
    inp.seek(pos + done, SEEK_SET);
  }
  return w;
}

export const FS_SYSCALLS: SyscallDef[] = [
  sys(3, 'read', (p, fd, buf, count) => readFile(p, p.file(fd), buf, count, null)),
  sys(4, 'write', (p, fd, buf, count) => writeFile(p, p.file(fd), p.io.read(buf, Math.min(count >>> 0, MAX_IO)), null)),
  sys(5, 'open', (p, path, flags, mode) => openAt(p, AT_FDCWD, path, flags, mode)),
  sys(6, 'close', (p, fd) => p.fds.close(fd)),
  sys(8, 'creat', (p, path, mode) => openAt(p, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode)),
  sys(9, 'link', (p, from, to) => (fs.linkSync(pathArg(p, AT_FDCWD, from), pathArg(p, AT_FDCWD, to)), 0)),
  sys(10, 'unlink', (p, path) => unlinkAt(p, AT_FDCWD, path, 0)),
  sys(12, 'chdir', (p, path) => chdirTo(p, p.resolve(AT_FDCWD, p.io.path(path)))),
  sys(15, 'chmod', (p, path, mode) => (fs.chmodSync(pathArg(p, AT_FDCWD, path), mode & 0o7777), 0)),
  sys(16, 'lchown', (p, path, uid, gid) => chownAt(p, AT_FDCWD, path, id16(uid), id16(gid), false)),
  sys(19, 'lseek', (p, fd, off, whence) => {
    const r = seek(p, fd, off, whence);
    return r > 0x7fffffff ? -E.EOVERFLOW : r;
  }),
  sys(33, 'access', (p, path, mode) => accessAt(p, AT_FDCWD, path, mode)),
  sys(36, 'sync', () => 0),
  sys(38, 'rename', (p, from, to) => renameAt(p, AT_FDCWD, from, AT_FDCWD, to, 0)),
  sys(39, 'mkdir', (p, path, mode) => mkdirAt(p, AT_FDCWD, path, mode)),
  sys(40, 'rmdir', (p, path) => unlinkAt(p, AT_FDCWD, path, AT_REMOVEDIR)),
  sys(41, 'dup', (p, fd) => p.fds.install(p.file(fd))),
  sys(42, 'pipe', (p, fds) => pipe2(p, fds, 0)),
  sys(54, 'ioctl', ioctl),
  sys(55, 'fcntl', fcntl),
  sys(60, 'umask', (p, mask) => {
    const old = p.umask;
    p.umask = mask & 0o777;
    return old;
  }),
  sys(63, 'dup2', (p, oldfd, newfd) => {
    const f = p.file(oldfd);
    return oldfd === newfd ? newfd : p.fds.installAt(newfd, f);
  }),
  sys(83, 'symlink', (p, target, link) => (fs.symlinkSync(hostPath(p.io.path(target)), pathArg(p, AT_FDCWD, link)), 0)),
  sys(85, 'readlink', (p, path, buf, size) => readlinkAt(p, AT_FDCWD, path, buf, size)),
  sys(92, 'truncate', (p, path, len) => (fs.truncateSync(pathArg(p, AT_FDCWD, path), len), 0)),
  sys(93, 'ftruncate', (p, fd, len) => (fs.ftruncateSync(fdHost(p, fd), len), 0)),
  sys(94, 'fchmod', (p, fd, mode) => (fs.fchmodSync(fdHost(p, fd), mode & 0o7777), 0)),
  sys(95, 'fchown', (p, fd, uid, gid) => (fs.fchownSync(fdHost(p, fd), id16(uid), id16(gid)), 0)),
  sys(99, 'statfs', (p, path, buf) => statfs(p, pathArg(p, AT_FDCWD, path), buf, false)),
  sys(100, 'fstatfs', (p, fd, buf) => statfs(p, statfsFd(p, fd), buf, false)),
  sys(106, 'stat', (p, path, buf) => (writeOldStat(p.io, buf, statPath(p, AT_FDCWD, path, 0)), 0)),
  sys(107, 'lstat', (p, path, buf) => (writeOldStat(p.io, buf, statPath(p, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW)), 0)),
  sys(108, 'fstat', (p, fd, buf) => (writeOldStat(p.io, buf, p.file(fd).stat()), 0)),
  sys(118, 'fsync', (p, fd) => {
    const h = p.file(fd).hostFd;
    if (h !== null) fs.fsyncSync(h);
    return 0;
  }),
  sys(133, 'fchdir', (p, fd) => chdirTo(p, p.file(fd).path)),
  sys(140, '_llseek', (p, fd, hi, lo, result, whence) => {
    const r = seek(p, fd, arg64(lo, hi), whence);
    if (r < 0) return r;
    p.io.setI64(result, r);
    return 0;
  }),
  sys(141, 'getdents', getdents),
  sys(145, 'readv', (p, fd, iov, count) => readv(p, fd, iov, count, null)),
  sys(146, 'writev', (p, fd, iov, count) => writev(p, fd, iov, count, null)),
  sys(148, 'fdatasync', (p, fd) => {
    const h = p.file(fd).hostFd;
    if (h !== null) fs.fdatasyncSync(h);
    return 0;
  }),
  sys(168, 'poll', (p, fds, nfds, timeout) => poll(p, fds, nfds, timeout)),
  sys(180, 'pread64', (p, fd, buf, count, lo, hi) => {
    const pos = arg64(lo, hi);
    return pos < 0 ? -E.EINVAL : readFile(p, p.file(fd), buf, count, pos);
  }),
  sys(181, 'pwrite64', (p, fd, buf, count, lo, hi) => {
    const pos = arg64(lo, hi);
    return pos < 0 ? -E.EINVAL : writeFile(p, p.file(fd), p.io.read(buf, Math.min(count >>> 0, MAX_IO)), pos);
  }),
  sys(182, 'chown', (p, path, uid, gid) => chownAt(p, AT_FDCWD, path, id16(uid), id16(gid), true)),
  sys(183, 'getcwd', getcwd),
  sys(187, 'sendfile', (p, out, inp, off, count) => sendfile(p, out, inp, off, count, false)),
  sys(193, 'truncate64', (p, path, lo, hi) => (fs.truncateSync(pathArg(p, AT_FDCWD, path), arg64(lo, hi)), 0)),
  sys(194, 'ftruncate64', (p, fd, lo, hi) => (fs.ftruncateSync(fdHost(p, fd), arg64(lo, hi)), 0)),
  sys(195, 'stat64', (p, path, buf) => (writeStat64(p.io, buf, statPath(p, AT_FDCWD, path, 0)), 0)),
  sys(196, 'lstat64', (p, path, buf) => (writeStat64(p.io, buf, statPath(p, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW)), 0)),
  sys(197, 'fstat64', (p, fd, buf) => (writeStat64(p.io, buf, p.file(fd).stat()), 0)),
  sys(198, 'lchown32', (p, path, uid, gid) => chownAt(p, AT_FDCWD, path, uid, gid, false)),
  sys(207, 'fchown32', (p, fd, uid, gid) => (fs.fchownSync(fdHost(p, fd), uid, gid), 0)),
  sys(212, 'chown32', (p, path, uid, gid) => chownAt(p, AT_FDCWD, path, uid, gid, true)),
  sys(220, 'getdents64', getdents64),
  sys(221, 'fcntl64', fcntl),
  sys(239, 'sendfile64', (p, out, inp, off, count) => sendfile(p, out, inp, off, count, true)),
  sys(268, 'statfs64', (p, path, size, buf) => (size !== 84 ? -E.EINVAL : statfs(p, pathArg(p, AT_FDCWD, path), buf, true))),
  sys(269, 'fstatfs64', (p, fd, size, buf) => (size !== 84 ? -E.EINVAL : statfs(p, statfsFd(p, fd), buf, true))),
  sys(295, 'openat', (p, dirfd, path, flags, mode) => openAt(p, dirfd, path, flags, mode)),
  sys(296, 'mkdirat', mkdirAt),
  sys(298, 'fchownat', (p, dirfd, path, uid, gid, flags) => chownAt(p, dirfd, path, uid, gid, !(flags & AT_SYMLINK_NOFOLLOW))),
  sys(300, 'fstatat64', (p, dirfd, path, buf, flags) => (writeStat64(p.io, buf, statPath(p, dirfd, path, flags)), 0)),
  sys(301, 'unlinkat', unlinkAt),
  sys(302, 'renameat', (p, oldfd, from, newfd, to) => renameAt(p, oldfd, from, newfd, to, 0)),
  sys(303, 'linkat', (p, oldfd, from, newfd, to, flags) => {
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -E.EINVAL;
    fs.linkSync(pathArg(p, oldfd, from), pathArg(p, newfd, to));
    return 0;
  }),
  sys(304, 'symlinkat', (p, target, dirfd, link) => (fs.symlinkSync(hostPath(p.io.path(target)), pathArg(p, dirfd, link)), 0)),
  sys(305, 'readlinkat', readlinkAt),
  sys(306, 'fchmodat', (p, dirfd, path, mode) => (fs.chmodSync(pathArg(p, dirfd, path), mode & 0o7777), 0)),
  sys(307, 'faccessat', accessAt),
  sys(309, 'ppoll', (p, fds, nfds, tsp) => poll(p, fds, nfds, tsp ? Number(readTimespec(p.io, tsp, false) / 1000000n) : -1)),
  sys(320, 'utimensat', (p, dirfd, path, times, flags) => utimensat(p, dirfd, path, times, flags, false)),
  sys(330, 'dup3', dup3),
  sys(331, 'pipe2', pipe2),
  sys(333, 'preadv', (p, fd, iov, count, lo, hi) => readv(p, fd, iov, count, arg64(lo, hi))),
  sys(334, 'pwritev', (p, fd, iov, count, lo, hi) => writev(p, fd, iov, count, arg64(lo, hi))),
  sys(353, 'renameat2', renameAt),
  sys(383, 'statx', (p, dirfd, path, flags, _mask, buf) => (writeStatx(p.io, buf, statPath(p, dirfd, path, flags)), 0)),
  sys(412, 'utimensat_time64', (p, dirfd, path, times, flags) => utimensat(p, dirfd, path, times, flags, true)),
  sys(414, 'ppoll_time64', (p, fds, nfds, tsp) => poll(p, fds, nfds, tsp ? Number(readTimespec(p.io, tsp, true) / 1000000n) : -1)),
  sys(436, 'close_range', (p, first, last, flags) => {
    const CLOSE_RANGE_CLOEXEC = 4;
    if ((first >>> 0) > (last >>> 0)) return -E.EINVAL;
    for (const fd of p.fds.openFds()) {
      if (fd < (first >>> 0) || fd > (last >>> 0)) continue;
      if (flags & CLOSE_RANGE_CLOEXEC) p.fds.setCloexec(fd, true);
      else p.fds.close(fd);
    }
    return 0;
  }),
  sys(439, 'faccessat2', (p, dirfd, path, mode) => accessAt(p, dirfd, path, mode)),
];
