import { WouldBlock } from './blocking.js';
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import type { PageSource } from './address-space.js';
import { E, errnoOf } from './errno.js';
import { hostPath } from './guest-io.js';
import { type FileStat, S_IFIFO, S_IFREG, fromNodeStat, syntheticStat } from './structs.js';

// Guest open(2) flags (i386 uses the generic values).
export const O_ACCMODE = 3;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_ASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20200000;

/** Flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

/** dirfd meaning "the current directory" in the *at() calls. */
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_EACCESS = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

/** Guest open flags → the host's, through Node's constants (O_LARGEFILE and O_CLOEXEC have no host meaning here). */
export function hostOpenFlags(g: number): number {
  const C = fs.constants;
  const acc = g & O_ACCMODE;
  let h = acc === O_WRONLY ? C.O_WRONLY : acc === O_RDWR ? C.O_RDWR : C.O_RDONLY;
  const pairs: [number, number | undefined][] = [
    [O_CREAT, C.O_CREAT],
    [O_EXCL, C.O_EXCL],
    [O_NOCTTY, C.O_NOCTTY],
    [O_TRUNC, C.O_TRUNC],
    [O_APPEND, C.O_APPEND],
    [O_NONBLOCK, C.O_NONBLOCK],
    [O_DIRECTORY, C.O_DIRECTORY],
    [O_NOFOLLOW, C.O_NOFOLLOW],
    [O_NOATIME, C.O_NOATIME],
  ];
  for (const [guest, host] of pairs) if (g & guest && host !== undefined) h |= host;
  if ((g & O_SYNC) === O_SYNC) h |= C.O_SYNC;
  else if (g & O_DSYNC) h |= C.O_DSYNC ?? C.O_SYNC;
  // No Node constant for these; on a Linux host the kernel takes the same numbers.
  if (process.platform === 'linux') h |= g & (O_PATH | O_TMPFILE);
  return h;
}

/** Blocks the thread for `ms` milliseconds (nanosleep, and retries of a host fd that is non-blocking). */
export function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A directory entry for getdents. */
export interface DirEntry {
  name: Uint8Array;
  ino: bigint;
  /** DT_* type. */
  type: number;
}

export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/**
 * An open file description: what one or more guest fds (after dup) share,
 * with its offset and status flags. Reference-counted by fds and by
 * mappings; the host fd closes when the last reference goes.
 */
export abstract class OpenFile {
  refs = 0;

  constructor(
    /** Path (latin1 byte string) for *at() lookups, fchdir and /proc/self/fd. */
    public path: string,
    /** Status flags: access mode, O_APPEND, O_NONBLOCK, ... */
    public flags: number,
  ) {}

  get canRead(): boolean {
    return !(this.flags & O_PATH) && (this.flags & O_ACCMODE) !== O_WRONLY;
  }
  get canWrite(): boolean {
    const m = this.flags & O_ACCMODE;
    return !(this.flags & O_PATH) && (m === O_WRONLY || m === O_RDWR);
  }

  /** Bytes read (0 at end of file) or -errno; `pos` null means "at and advancing the file offset". */
  read(_dst: Uint8Array, _pos: number | null): number {
    return -E.EINVAL;
  }
  /** Bytes written or -errno. */
  write(_src: Uint8Array, _pos: number | null): number {
    return -E.EINVAL;
  }
  /** New offset or -errno. */
  seek(_offset: number, _whence: number): number {
    return -E.ESPIPE;
  }
  abstract stat(): FileStat;
  isatty(): boolean {
    return false;
  }
  /** The host fd behind this file, for fchmod/fchown/futimes/fsync; null when there is none. */
  get hostFd(): number | null {
    return null;
  }
  /** Directory listing for getdents, or null when this is not a directory. */
  readDir(): DirEntry[] | null {
    return null;
  }
  /** getdents cursor (entry index). */
  dirPos = 0;
  /** Reads at a file offset for a file mapping; -ENODEV when this object cannot be mmapped. */
  mapRead(_dst: Uint8Array, _offset: number): number {
    return -E.ENODEV;
  }
  /** Whether a read would not block (poll/select). */
  pollIn(): boolean {
    return true;
  }
  pollOut(): boolean {
    return true;
  }
  /** Bytes a read would return at once (FIONREAD), when known. */
  available(): number {
    return 0;
  }

  retain(): this {
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs === 0) this.close();
  }
  protected close(): void {}
}

export type HostKind = 'file' | 'dir' | 'tty' | 'stream';

/** The offset of a host fd, read from /proc (Node has no lseek); null when unavailable. */
function hostFdPosition(fd: number): number | null {
  try {
    const m = /^pos:\s*(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function hostFdFlags(fd: number): number | null {
  try {
    const m = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return m ? parseInt(m[1], 8) : null;
  } catch {
    return null;
  }
}

function direntType(d: fs.Dirent): number {
  if (d.isFile()) return DT_REG;
  if (d.isDirectory()) return DT_DIR;
  if (d.isSymbolicLink()) return DT_LNK;
  if (d.isFIFO()) return DT_FIFO;
  if (d.isSocket()) return DT_SOCK;
  if (d.isCharacterDevice()) return DT_CHR;
  if (d.isBlockDevice()) return DT_BLK;
  return DT_UNKNOWN;
}

const isEagain = (e: unknown): boolean => (e as { code?: string })?.code === 'EAGAIN';

/**
 * A host file, directory, terminal or stream behind a real host fd.
 * Regular files use positional I/O with the offset kept here (Node has no
 * lseek). Inherited stdio fds use the host's own offset instead, so output
 * appended by a parent shell before and after the guest stays in order.
 */
export class HostFile extends OpenFile {
  pos = 0;
  private entries: DirEntry[] | null = null;

  constructor(
    path: string,
    flags: number,
    readonly fd: number,
    readonly kind: HostKind,
    private readonly owned: boolean,
    /** Reads and writes go through the host fd's own offset (inherited stdio). */
    private hostPositioned = false,
  ) {
    super(path, flags);
  }

  /** Opens a host path with guest flags; throws the host error. */
  static open(path: string, flags: number, mode: number): HostFile {
    const fd = fs.openSync(hostPath(path), hostOpenFlags(flags), mode);
    try {
      const st = fs.fstatSync(fd);
      const kind: HostKind = st.isDirectory()
        ? 'dir'
        : st.isFile() || st.isBlockDevice()
          ? 'file'
          : isatty(fd)
            ? 'tty'
            : 'stream';
      return new HostFile(path, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), fd, kind, true);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Wraps a host fd the guest inherits (0, 1, 2); null when the host fd is not open. */
  static inherit(fd: number, defaultFlags: number): HostFile | null {
    let st: fs.Stats;
    try {
      st = fs.fstatSync(fd);
    } catch {
      return null;
    }
    let path = `/dev/fd/${fd}`;
    try {
      path = fs.readlinkSync(`/proc/self/fd/${fd}`, 'latin1');
    } catch {
      // not Linux: keep the /dev/fd name
    }
    const hostFlags = hostFdFlags(fd);
    const flags = hostFlags === null ? defaultFlags : hostFlags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE);
    const kind: HostKind = st.isDirectory() ? 'dir' : st.isFile() || st.isBlockDevice() ? 'file' : isatty(fd) ? 'tty' : 'stream';
    const f = new HostFile(path, flags & ~O_NONBLOCK, fd, kind, false, true);
    f.pos = hostFdPosition(fd) ?? 0;
    return f;
  }

  override get hostFd(): number {
    return this.fd;
  }
  override isatty(): boolean {
    return this.kind === 'tty';
  }
  override stat(): FileStat {
    return fromNodeStat(fs.fstatSync(this.fd, { bigint: true }));
  }
  private get positional(): boolean {
    return this.kind === 'file' && !this.hostPositioned;
  }

  override read(dst: Uint8Array, pos: number | null): number {
    if (!this.canRead) return -E.EBADF;
    if (this.kind === 'dir') return -E.EISDIR;
    if (pos !== null && this.kind !== 'file') return -E.ESPIPE;
    const at = pos ?? (this.positional ? this.pos : null);
    for (;;) {
      try {
        const n = fs.readSync(this.fd, dst, 0, dst.length, at);
        if (pos === null) this.pos += n;
        return n;
      } catch (e) {
        // The host fd may be non-blocking (Node sets some pipes so): wait like a blocking read would.
        if (isEagain(e) && !(this.flags & O_NONBLOCK)) {
          sleepMs(5);
          continue;
        }
        return -errnoOf(e);
      }
    }
  }

  override write(src: Uint8Array, pos: number | null): number {
    if (!this.canWrite) return -E.EBADF;
    if (pos !== null && this.kind !== 'file') return -E.ESPIPE;
    let at: number | null = pos;
    if (at === null && this.positional) {
      at = this.flags & O_APPEND ? Number(fs.fstatSync(this.fd, { bigint: true }).size) : this.pos;
    }
    let done = 0;
    while (done < src.length) {
      try {
        const n = fs.writeSync(this.fd, src, done, src.length - done, at === null ? null : at + done);
        done += n;
      } catch (e) {
        if (isEagain(e) && !(this.flags & O_NONBLOCK)) {
          sleepMs(2);
          continue;
        }
        if (done > 0) break;
        return -errnoOf(e);
      }
    }
    if (pos === null) this.pos = at === null ? this.pos + done : at + done;
    return done;
  }

  override seek(offset: number, whence: number): number {
    if (this.kind === 'dir') {
      if (whence === SEEK_SET && offset >= 0) {
        if (offset === 0) this.entries = null; // rewinddir sees new entries
        this.dirPos = offset;
        return offset;
      }
      if (whence === SEEK_CUR && offset === 0) return this.dirPos;
      return -E.EINVAL;
    }
    if (this.kind !== 'file') return -E.ESPIPE;
    const current = this.hostPositioned ? (hostFdPosition(this.fd) ?? this.pos) : this.pos;
    if (whence === SEEK_CUR && offset === 0) return current;
    const size = (): number => Number(fs.fstatSync(this.fd, { bigint: true }).size);
    let target: number;
    switch (whence) {
      case SEEK_SET: target = offset; break;
      case SEEK_CUR: target = current + offset; break;
      case SEEK_END: target = size() + offset; break;
      case SEEK_DATA: if (offset >= size()) return -E.ENXIO; target = offset; break;
      case SEEK_HOLE: if (offset >= size()) return -E.ENXIO; target = size(); break;
      default: return -E.EINVAL;
    }
    if (target < 0) return -E.EINVAL;
    // From here on this description keeps its own offset (the host fd's cannot be moved from Node).
    this.hostPositioned = false;
    this.pos = target;
    return target;
  }

  override readDir(): DirEntry[] | null {
    if (this.kind !== 'dir') return null;
    if (this.entries) return this.entries;
    const p = hostPath(this.path);
    const here = fs.fstatSync(this.fd, { bigint: true });
    const parent = fs.statSync(Buffer.concat([p, Buffer.from('/..')]), { bigint: true, throwIfNoEntry: false });
    const list: DirEntry[] = [
      { name: Buffer.from('.'), ino: here.ino, type: DT_DIR },
      { name: Buffer.from('..'), ino: parent?.ino ?? here.ino, type: DT_DIR },
    ];
    // opendir keeps the file system's own order, as getdents does (readdirSync sorts by name).
    const dir = fs.opendirSync(p as unknown as string, { encoding: 'buffer' as BufferEncoding });
    const dirents: fs.Dirent[] = [];
    try {
      for (let d = dir.readSync(); d !== null; d = dir.readSync()) dirents.push(d);
    } finally {
      dir.closeSync();
    }
    for (const d of dirents) {
      const name = d.name as unknown as Buffer;
      const st = fs.lstatSync(Buffer.concat([p, Buffer.from('/'), name]), { bigint: true, throwIfNoEntry: false });
      list.push({ name, ino: st?.ino ?? 0n, type: direntType(d) });
    }
    this.entries = list;
    return list;
  }

  override mapRead(dst: Uint8Array, offset: number): number {
    if (this.kind !== 'file') return -E.ENODEV;
    let done = 0;
    while (done < dst.length) {
      const n = fs.readSync(this.fd, dst, done, dst.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  override close(): void {
    if (this.owned) fs.closeSync(this.fd);
  }
}

/** The shared buffer of a pipe(2): data in flight and how many ends are open. */
export class Pipe {
  chunks: Uint8Array[] = [];
  size = 0;
  readers = 0;
  writers = 0;
  constructor(readonly ino: number) {}
}

/**
 * One end of an in-process pipe (Node has no pipe()), shared by the
 * processes of one process table. A read of an empty pipe whose write end
 * is open waits (WouldBlock) for a writer; with no other process that
 * could write, it returns -EAGAIN instead of blocking forever. Writes never
 * block (the buffer grows).
 */
export class PipeEnd extends OpenFile {
  constructor(
    readonly pipe: Pipe,
    readonly isWriteEnd: boolean,
    flags: number,
  ) {
    super(`pipe:[${pipe.ino}]`, (flags & O_NONBLOCK) | (isWriteEnd ? O_WRONLY : O_RDONLY));
    if (isWriteEnd) pipe.writers++;
    else pipe.readers++;
  }

  override read(dst: Uint8Array, pos: number | null): number {
    if (pos !== null) return -E.ESPIPE;
    if (this.isWriteEnd) return -E.EBADF;
    const p = this.pipe;
    if (p.size === 0) {
      if (p.writers === 0) return 0;
      if (this.flags & O_NONBLOCK) return -E.EAGAIN;
      throw new WouldBlock(() => p.size > 0 || p.writers === 0, 'a read of an empty pipe');
    }
    let done = 0;
    while (done < dst.length && p.chunks.length) {
      const c = p.chunks[0];
      const n = Math.min(c.length, dst.length - done);
      dst.set(c.subarray(0, n), done);
      done += n;
      if (n === c.length) p.chunks.shift();
      else p.chunks[0] = c.subarray(n);
    }
    p.size -= done;
    return done;
  }

  override write(src: Uint8Array, pos: number | null): number {
    if (pos !== null) return -E.ESPIPE;
    if (!this.isWriteEnd) return -E.EBADF;
    if (this.pipe.readers === 0) return -E.EPIPE;
    if (src.length) {
      this.pipe.chunks.push(src.slice());
      this.pipe.size += src.length;
    }
    return src.length;
  }

  override stat(): FileStat {
    return syntheticStat(S_IFIFO | 0o600, this.pipe.ino);
  }
  override pollIn(): boolean {
    return !this.isWriteEnd && (this.pipe.size > 0 || this.pipe.writers === 0);
  }
  override pollOut(): boolean {
    return this.isWriteEnd;
  }
  override available(): number {
    return this.pipe.size;
  }
  override close(): void {
    if (this.isWriteEnd) this.pipe.writers--;
    else this.pipe.readers--;
  }
}

/** Guest output delivered to a callback (embedding, tests). */
export class SinkFile extends OpenFile {
  constructor(
    path: string,
    private readonly sink: (data: Uint8Array) => void,
    private readonly ino: number,
  ) {
    super(path, O_WRONLY);
  }
  override write(src: Uint8Array, pos: number | null): number {
    if (pos !== null) return -E.ESPIPE;
    this.sink(src.slice());
    return src.length;
  }
  override read(): number {
    return -E.EBADF;
  }
  override stat(): FileStat {
    return syntheticStat(S_IFIFO | 0o600, this.ino);
  }
}

/** Read-only bytes: guest stdin given as data, and synthesized /proc files. */
export class MemFile extends OpenFile {
  pos = 0;
  constructor(
    path: string,
    private readonly bytes: Uint8Array,
    private readonly ino: number,
    private readonly seekable: boolean,
  ) {
    super(path, O_RDONLY);
  }
  override read(dst: Uint8Array, pos: number | null): number {
    if (pos !== null && !this.seekable) return -E.ESPIPE;
    const at = pos ?? this.pos;
    const chunk = this.bytes.subarray(Math.min(at, this.bytes.length), at + dst.length);
    dst.set(chunk);
    if (pos === null) this.pos += chunk.length;
    return chunk.length;
  }
  override write(): number {
    return -E.EBADF;
  }
  override seek(offset: number, whence: number): number {
    if (!this.seekable) return -E.ESPIPE;
    const base = whence === SEEK_SET ? 0 : whence === SEEK_CUR ? this.pos : whence === SEEK_END ? this.bytes.length : -1;
    if (base < 0 || base + offset < 0) return -E.EINVAL;
    this.pos = base + offset;
    return this.pos;
  }
  override stat(): FileStat {
    return syntheticStat(this.seekable ? S_IFREG | 0o444 : S_IFIFO | 0o600, this.ino, this.seekable ? this.bytes.length : 0);
  }
  override mapRead(dst: Uint8Array, offset: number): number {
    if (!this.seekable) return -E.ENODEV;
    return this.read(dst, offset);
  }
  override available(): number {
    return Math.max(0, this.bytes.length - this.pos);
  }
}

/** A file mapping's contents, read on fault from the open file it holds a reference to. */
export class FileSource implements PageSource {
  constructor(private readonly file: OpenFile) {}
  read(dst: Uint8Array, offset: number): number {
    return Math.max(0, this.file.mapRead(dst, offset));
  }
  size(): number {
    return Number(this.file.stat().size);
  }
  retain(): void {
    this.file.retain();
  }
  release(): void {
    this.file.release();
  }
}

interface FdSlot {
  file: OpenFile;
  cloexec: boolean;
}

/** The guest's fd table: small integers → shared open file descriptions. */
export class FdTable {
  private readonly slots: (FdSlot | undefined)[] = [];
  /** RLIMIT_NOFILE. */
  limit = 1024;

  get(fd: number): OpenFile | null {
    return (fd >= 0 && this.slots[fd]?.file) || null;
  }

  /** Installs `file` at the lowest free fd ≥ minFd; returns the fd or -EMFILE. */
  install(file: OpenFile, cloexec = false, minFd = 0): number {
    let fd = Math.max(0, minFd);
    while (this.slots[fd]) fd++;
    if (fd >= this.limit) return -E.EMFILE;
    this.slots[fd] = { file: file.retain(), cloexec };
    return fd;
  }

  /** Installs `file` at exactly `fd`, closing what was there (dup2). */
  installAt(fd: number, file: OpenFile, cloexec = false): number {
    if (fd < 0 || fd >= this.limit) return -E.EBADF;
    file.retain();
    this.close(fd);
    this.slots[fd] = { file, cloexec };
    return fd;
  }

  close(fd: number): number {
    const slot = fd >= 0 ? this.slots[fd] : undefined;
    if (!slot) return -E.EBADF;
    this.slots[fd] = undefined;
    slot.file.release();
    return 0;
  }

  getCloexec(fd: number): boolean {
    return this.slots[fd]?.cloexec ?? false;
  }
  setCloexec(fd: number, on: boolean): void {
    const slot = this.slots[fd];
    if (slot) slot.cloexec = on;
  }

  /** Open fds in increasing order. */
  openFds(): number[] {
    const out: number[] = [];
    this.slots.forEach((s, fd) => s && out.push(fd));
    return out;
  }

  closeAll(): void {
    for (const fd of this.openFds()) this.close(fd);
  }

  /** fork: the same open file descriptions at the same numbers, with their close-on-exec flags. */
  copyFrom(parent: FdTable): void {
    this.closeAll();
    this.limit = parent.limit;
    parent.slots.forEach((slot, fd) => {
      if (slot) this.slots[fd] = { file: slot.file.retain(), cloexec: slot.cloexec };
    });
  }

  /** execve: closes the descriptors marked close-on-exec. */
  closeOnExec(): void {
    for (const fd of this.openFds()) if (this.slots[fd]!.cloexec) this.close(fd);
  }
}
