import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { WouldBlock, waitStatus } from './blocking.js';
import { type ElfImage, LoadError, readElfFile } from './elf.js';
import { E } from './errno.js';
import { AT_FDCWD } from './files.js';
import { hostPath } from './guest-io.js';
import { type LinuxProcess, toGuestString } from './process.js';
import { SIG_DFL, SIG_IGN, SIGCHLD } from './signals.js';
import { resetFpu } from './signal-frame.js';
import { SS_DISABLE } from './signal-delivery.js';
import { type SyscallDef, sys } from './syscall-def.js';

const CLONE_VFORK = 0x4000;
const CLONE_VM = 0x100;
const CLONE_THREAD = 0x10000;
const WNOHANG = 1;
const WNOWAIT = 0x01000000;
const WEXITED = 4;
const P_ALL = 0;
const P_PID = 1;
const P_PGID = 2;

/**
 * fork, vfork, clone: a new process, or with CLONE_VM | CLONE_THREAD a new
 * thread; ENOSYS when the process runs outside a process table (bare tests).
 */
function clone(p: LinuxProcess, flags: number, newsp: number, ptid: number, ctid: number, tls = 0): number {
  const table = p.table;
  if (table === null) return -E.ENOSYS;
  if ((flags & (CLONE_VM | CLONE_THREAD)) === (CLONE_VM | CLONE_THREAD)) return table.thread(p, { flags, newsp, ptid, ctid }, tls);
  // vfork shares the parent's memory until the child execs; a copy behaves the same for the programs vfork is for.
  const vfork = (flags & CLONE_VFORK) !== 0;
  const pid = table.fork(p, { flags: flags & ~(CLONE_VFORK | (vfork ? CLONE_VM : 0)), newsp, ptid, ctid });
  if (pid > 0 && vfork) {
    // The parent sleeps until the child execs or ends: it returns pid then, without running the syscall again.
    p.suspendUntil(new WouldBlock(() => !table.borrowed(pid), 'a vfork child'));
  }
  return pid;
}

/**
 * wait4/waitpid: a child's status, 0 with WNOHANG while they all run,
 * -ECHILD without children; waits (WouldBlock) otherwise.
 */
function wait4(p: LinuxProcess, pid: number, status: number, options: number, rusage: number): number {
  if (p.table === null) return -E.ECHILD;
  if (options & ~(WNOHANG | 2 | 8 | 0x40000000 | 0x80000000 | 0x20000000)) return -E.EINVAL;
  const z = p.table.reap(p, pid === -1 || pid === 0 || pid < -1 ? -1 : pid, false);
  if (z === -10) return -E.ECHILD;
  if (z === 0) {
    if (options & WNOHANG) return 0;
    const table = p.table;
    throw new WouldBlock(() => table.reap(p, pid <= 0 ? -1 : pid, true) !== 0, `wait4(${pid})`);
  }
  if (status) p.io.setU32(status, waitStatus(z.termination));
  if (rusage) p.io.write(rusage, new Uint8Array(72));
  return z.pid;
}

/** waitid: the same through a siginfo (CLD_EXITED/KILLED/DUMPED, si_status). */
function waitid(p: LinuxProcess, idtype: number, id: number, infop: number, options: number): number {
  if (p.table === null) return -E.ECHILD;
  if (!(options & WEXITED) || (idtype !== P_ALL && idtype !== P_PID && idtype !== P_PGID)) return -E.EINVAL;
  const pid = idtype === P_PID ? id : -1;
  const keep = (options & WNOWAIT) !== 0;
  const z = p.table.reap(p, pid, keep);
  if (z === -10) return -E.ECHILD;
  if (z === 0) {
    if (options & WNOHANG) {
      if (infop) p.io.write(infop, new Uint8Array(128));
      return 0;
    }
    const table = p.table;
    throw new WouldBlock(() => table.reap(p, pid, true) !== 0, `waitid(${id})`);
  }
  if (infop) {
    const t = z.termination;
    p.io.struct(infop, 128, (dv) => {
      dv.setInt32(0, SIGCHLD, true);
      dv.setInt32(8, 'code' in t ? 1 : 2, true); // CLD_EXITED, CLD_KILLED
      dv.setInt32(12, z.pid, true);
      dv.setUint32(16, p.uid, true);
      dv.setInt32(20, 'code' in t ? t.code : t.signal, true);
    });
  }
  return 0;
}

/** A NULL-terminated array of strings in guest memory (argv, envp). */
function readStrings(p: LinuxProcess, a: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (a === 0) return out;
  for (let i = 0; ; i++) {
    if (i > 0x20000) throw new RangeError('E2BIG');
    const s = p.io.u32(a + 4 * i);
    if (s === 0) return out;
    out.push(p.io.cstring(s, 0x20000));
  }
}

/** The executable at guest path `path`: its ELF image, or for a `#!` script the interpreter's and the new argv. */
function findImage(p: LinuxProcess, path: string, argv: Uint8Array[]): { image: ElfImage; host: string; argv: Uint8Array[] } | number {
  const host = hostPath(p.resolve(AT_FDCWD, path)).toString('utf8');
  let st: fs.Stats;
  try {
    st = fs.statSync(host);
    fs.accessSync(host, fs.constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? -E.ENOENT : code === 'ENOTDIR' ? -E.ENOTDIR : -E.EACCES;
  }
  if (!st.isFile()) return -E.EACCES;
  const head = Buffer.alloc(256);
  const fd = fs.openSync(host, 'r');
  const n = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  if (n >= 2 && head[0] === 0x23 && head[1] === 0x21) {
    // "#!interpreter [one argument]": the interpreter runs with the script's path in place of argv[0].
    const line = head.subarray(2, n).toString('latin1').split('\n')[0].trim();
    const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) return -E.ENOEXEC;
    const interp = m[1];
    const args = [Buffer.from(interp, 'latin1'), ...(m[2] ? [Buffer.from(m[2].trim(), 'latin1')] : []), Buffer.from(path, 'latin1')];
    const found = findImage(p, interp, []);
    if (typeof found === 'number') return found;
    return { image: found.image, host: found.host, argv: [...args, ...argv.slice(1)] };
  }
  try {
    return { image: readElfFile(host), host, argv };
  } catch (e) {
    if (e instanceof LoadError) return -E.ENOEXEC;
    throw e;
  }
}

/**
 * execve: the process keeps its pid, fds (but the close-on-exec ones),
 * mask, pending signals, ignored dispositions and timers, and gets a new
 * image, stack, registers, TLS and FPU.
 */
function execve(p: LinuxProcess, pathAddr: number, argvAddr: number, envpAddr: number): number {
  const path = p.io.path(pathAddr);
  let argv: Uint8Array[], envp: Uint8Array[];
  try {
    argv = readStrings(p, argvAddr);
    envp = readStrings(p, envpAddr);
  } catch (e) {
    if (e instanceof RangeError) return -E.E2BIG;
    throw e;
  }
  const found = findImage(p, path, argv);
  if (typeof found === 'number') return found;
  // The point of no return.
  const vm = p.vm;
  p.mm.dispose();
  vm.flushCode();
  p.gdt.reset();
  p.fds.closeOnExec();
  for (const [sig, action] of p.sigactions) {
    if (action.handler !== SIG_IGN && action.handler !== SIG_DFL) p.sigactions.set(sig, { handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n });
  }
  p.altstack = { sp: 0, flags: SS_DISABLE, size: 0 };
  let real = found.host;
  try {
    real = fs.realpathSync(found.host);
  } catch {
    // keep it as found
  }
  p.exe = toGuestString(real);
  p.program = path;
  p.comm = nodePath.posix.basename(path).slice(0, 15);
  p.personality &= ~0x0400000;
  resetFpu(vm);
  try {
    p.exec(found.image, found.argv, envp);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    p.fatalSignal(11, `execve of ${path}: ${e.message}`);
    return 0;
  }
  p.table?.markExeced(p);
  return 0;
}

export const TASK_SYSCALLS: SyscallDef[] = [
  sys(2, 'fork', (p) => clone(p, SIGCHLD, 0, 0, 0)),
  sys(7, 'waitpid', (p, pid, status, options) => wait4(p, pid, status, options, 0)),
  sys(11, 'execve', (p, path, argv, envp) => execve(p, path, argv, envp)),
  sys(114, 'wait4', (p, pid, status, options, rusage) => wait4(p, pid, status, options, rusage)),
  sys(120, 'clone', (p, flags, newsp, ptid, tls, ctid) => clone(p, flags, newsp, ptid, ctid, tls)),
  sys(190, 'vfork', (p) => clone(p, CLONE_VFORK | CLONE_VM | SIGCHLD, 0, 0, 0)),
  sys(284, 'waitid', (p, idtype, id, infop, options) => waitid(p, idtype, id, infop, options)),
];
