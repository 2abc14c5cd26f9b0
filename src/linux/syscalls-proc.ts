import { randomFillSync } from 'node:crypto';
import * as os from 'node:os';
import { Seg } from '../decoder/types.js';
import { decodeUserDesc, encodeUserDescFlags } from './descriptors.js';
import { E } from './errno.js';
import { sleepMs } from './files.js';
import { fail } from './guest-io.js';
import type { LinuxProcess } from './process.js';
import { readTimespec } from './structs.js';
import { type SyscallDef, sys } from './syscall-def.js';
import { clockNs } from './syscalls-time.js';

const RLIM_INFINITY = 0xffffffffffffffffn;
const RLIMIT_NOFILE = 7;

/** Old 16-bit uid/gid calls: ids above 65535 read as the overflow id. */
const low16 = (id: number): number => (id > 0xffff ? 65534 : id);

// ------------------------------------------------------------------ identity and system information

function uname(p: LinuxProcess, buf: number): number {
  const fields = [
    'Linux',
    os.hostname(),
    os.release(),
    typeof os.version === 'function' ? os.version() : '#1 SMP',
    'i686',
    '(none)',
  ];
  const out = new Uint8Array(65 * 6);
  fields.forEach((s, i) => out.set(Buffer.from(s, 'utf8').subarray(0, 64), i * 65));
  p.io.write(buf, out);
  return 0;
}

function sysinfo(p: LinuxProcess, buf: number): number {
  const total = p.vm.mem.poolBytes;
  const free = Math.max(0, total - p.vm.mem.bytesInUse);
  const loads = os.loadavg().map((l) => Math.round(l * 65536));
  p.io.struct(buf, 64, (dv) => {
    dv.setInt32(0, Math.floor(os.uptime()), true);
    loads.forEach((l, i) => dv.setUint32(4 + i * 4, l >>> 0, true));
    dv.setUint32(16, total >>> 0, true);
    dv.setUint32(20, free >>> 0, true);
    dv.setUint16(40, 1, true); // procs
    dv.setUint32(52, 1, true); // mem_unit
  });
  return 0;
}

function getgroups(p: LinuxProcess, size: number, list: number, wide: boolean): number {
  const groups = process.getgroups?.() ?? [];
  if (size === 0) return groups.length;
  if (size < groups.length) return -E.EINVAL;
  groups.forEach((g, i) => (wide ? p.io.setU32(list + i * 4, g) : p.io.setU16(list + i * 2, low16(g))));
  return groups.length;
}

/** set*id: a process may always "change" to the ids it already has; anything else needs privileges. */
function setIds(current: number[], ...wanted: number[]): number {
  return wanted.every((id) => id === -1 || current.includes(id >>> 0)) ? 0 : -E.EPERM;
}

// ------------------------------------------------------------------ limits

function getLimit(p: LinuxProcess, resource: number): [bigint, bigint] {
  return p.rlimits.get(resource) ?? fail(E.EINVAL);
}

function setLimit(p: LinuxProcess, resource: number, cur: bigint, max: bigint): void {
  const [, oldMax] = getLimit(p, resource);
  if (cur > max) fail(E.EINVAL);
  if (max > oldMax) fail(E.EPERM);
  p.rlimits.set(resource, [cur, max]);
  if (resource === RLIMIT_NOFILE) p.fds.limit = Number(cur > 1048576n ? 1048576n : cur);
}

/** 32-bit rlimit words: RLIM_INFINITY (and anything larger) as `inf`. */
const rl32 = (v: bigint, inf: number): number => (v >= BigInt(inf) ? inf : Number(v));
const rlFrom32 = (v: number): bigint => (v >>> 0 === 0xffffffff ? RLIM_INFINITY : BigInt(v >>> 0));

function prlimit64(p: LinuxProcess, pid: number, resource: number, newAddr: number, oldAddr: number): number {
  if (pid !== 0 && pid !== p.pid) return -E.ESRCH;
  const [cur, max] = getLimit(p, resource);
  const word = (a: number): bigint => (BigInt(p.io.u32(a + 4)) << 32n) | BigInt(p.io.u32(a));
  const next = newAddr ? [word(newAddr), word(newAddr + 8)] : null;
  if (oldAddr) {
    p.io.struct(oldAddr, 16, (dv) => {
      dv.setBigUint64(0, cur, true);
      dv.setBigUint64(8, max, true);
    });
  }
  if (next) setLimit(p, resource, next[0], next[1]);
  return 0;
}

// ------------------------------------------------------------------ TLS

/** set_thread_area: installs a TLS descriptor and reloads any segment register that uses it. */
function setThreadArea(p: LinuxProcess, uinfo: number): number {
  const words: [number, number, number, number] = [p.io.i32(uinfo), p.io.u32(uinfo + 4), p.io.u32(uinfo + 8), p.io.u32(uinfo + 12)];
  const desc = decodeUserDesc(words);
  const entry = p.gdt.setThreadArea(desc);
  if (entry < 0) return entry;
  if (desc.entryNumber === -1) p.io.setU32(uinfo, entry);
  // Like the kernel's load_TLS: a segment register already holding this selector sees the new base.
  const cpu = p.vm.cpu;
  for (const seg of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
    const sel = cpu.selector(seg);
    if (sel >>> 3 === entry && !(sel & 4)) {
      const d = p.gdt.lookup(sel);
      cpu.setSegment(seg, sel, d ?? { base: 0, limit: 0, attr: 0 });
    }
  }
  return 0;
}

function getThreadArea(p: LinuxProcess, uinfo: number): number {
  const d = p.gdt.getThreadArea(p.io.i32(uinfo));
  if (!d) return -E.EINVAL;
  p.io.struct(uinfo, 16, (dv) => {
    dv.setUint32(0, d.entryNumber, true);
    dv.setUint32(4, d.baseAddr, true);
    dv.setUint32(8, d.limit, true);
    dv.setUint32(12, encodeUserDescFlags(d), true);
  });
  return 0;
}

// ------------------------------------------------------------------ futex

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_LOCK_PI = 6;
const FUTEX_UNLOCK_PI = 7;
const FUTEX_TRYLOCK_PI = 8;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_CMD_MASK = 0x7f; // without FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256)

/**
 * futex for a single-threaded process: there is never a waiter to wake,
 * and a wait whose value matches can only end by its timeout.
 */
function futex(p: LinuxProcess, uaddr: number, op: number, val: number, timeout: number, uaddr2: number, val3: number, time64: boolean): number {
  const cmd = op & FUTEX_CMD_MASK;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      if (uaddr & 3) return -E.EINVAL;
      if (p.io.i32(uaddr) !== val) return -E.EAGAIN;
      const t = timeout ? readTimespec(p.io, timeout, time64) : null;
      // FUTEX_WAIT's timeout is relative; FUTEX_WAIT_BITSET's is absolute.
      const clock = op & 256 ? 0 : 1;
      const left = t === null ? null : cmd === FUTEX_WAIT ? t : t - clockNs(clock);
      // Another thread can wake it: wait for a FUTEX_WAKE or the timeout.
      if (p.table?.futexWait(p, uaddr, cmd === FUTEX_WAIT_BITSET ? val3 : -1, left === null ? null : left > 0n ? left : 0n)) return 0;
      if (left === null) return p.deadlock('futex wait');
      const ns = left;
      if (ns > 0n) sleepMs(Number(ns) / 1e6);
      return -E.ETIMEDOUT;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      return p.table?.futexWake(uaddr, val, cmd === FUTEX_WAKE_BITSET ? val3 : -1) ?? 0;
    case FUTEX_REQUEUE:
      return p.table?.futexRequeue(uaddr, uaddr2, val, timeout) ?? 0;
    case FUTEX_CMP_REQUEUE:
      if (p.io.i32(uaddr) !== val3) return -E.EAGAIN;
      return p.table?.futexRequeue(uaddr, uaddr2, val, timeout) ?? 0;
    case FUTEX_WAKE_OP: {
      // Apply the encoded operation to *uaddr2; nobody is waiting, so none are woken.
      let oparg = (val3 << 8) >> 20;
      const opNum = (val3 >>> 28) & 7;
      if ((val3 >>> 28) & 8) oparg = 1 << (oparg & 31);
      const old = p.io.i32(uaddr2);
      const ops = [oparg, old + oparg, old | oparg, old & ~oparg, old ^ oparg];
      if (opNum >= ops.length) return -E.ENOSYS;
      p.io.setU32(uaddr2, ops[opNum]);
      let woken = p.table?.futexWake(uaddr, val) ?? 0;
      // Then waiters on uaddr2 too if the old value passes the encoded comparison.
      const cmpArg = (val3 << 20) >> 20;
      const cmps = [old === cmpArg, old !== cmpArg, old < cmpArg, old <= cmpArg, old > cmpArg, old >= cmpArg];
      if (cmps[(val3 >>> 24) & 15]) woken += p.table?.futexWake(uaddr2, timeout) ?? 0;
      return woken;
    }
    case FUTEX_LOCK_PI:
    case FUTEX_TRYLOCK_PI: {
      const v = p.io.i32(uaddr);
      if (v === 0) {
        p.io.setU32(uaddr, p.pid);
        return 0;
      }
      return (v & 0x3fffffff) === p.pid ? -E.EDEADLK : cmd === FUTEX_TRYLOCK_PI ? -E.EAGAIN : p.deadlock('futex lock');
    }
    case FUTEX_UNLOCK_PI:
      if ((p.io.i32(uaddr) & 0x3fffffff) !== p.pid) return -E.EPERM;
      p.io.setU32(uaddr, 0);
      return 0;
    default:
      return -E.ENOSYS;
  }
}

// ------------------------------------------------------------------ prctl

const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_CAPBSET_READ = 23;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
const PR_SET_VMA = 0x53564d41;

function prctl(p: LinuxProcess, option: number, arg2: number): number {
  switch (option) {
    case PR_SET_NAME:
      p.comm = Buffer.from(p.io.cstring(arg2, 4096).subarray(0, 15)).toString('latin1');
      return 0;
    case PR_GET_NAME: {
      const name = new Uint8Array(16);
      name.set(Buffer.from(p.comm, 'latin1').subarray(0, 15));
      p.io.write(arg2, name);
      return 0;
    }
    case PR_GET_DUMPABLE:
      return 1;
    case PR_GET_PDEATHSIG:
      p.io.setU32(arg2, 0);
      return 0;
    case PR_SET_PDEATHSIG:
    case PR_SET_DUMPABLE:
    case PR_SET_NO_NEW_PRIVS:
    case PR_SET_VMA:
      return 0;
    case PR_GET_NO_NEW_PRIVS:
    case PR_CAPBSET_READ:
      return 0;
    default:
      return -E.EINVAL;
  }
}

// ------------------------------------------------------------------ the table

export const PROC_SYSCALLS: SyscallDef[] = [
  sys(1, 'exit', (p, status) => (p.exitThread(status), 0)),
  sys(20, 'getpid', (p) => p.pid),
  sys(24, 'getuid', (p) => low16(p.uid)),
  sys(47, 'getgid', (p) => low16(p.gid)),
  sys(49, 'geteuid', (p) => low16(p.euid)),
  sys(50, 'getegid', (p) => low16(p.egid)),
  sys(57, 'setpgid', () => 0),
  sys(64, 'getppid', (p) => p.ppid),
  sys(65, 'getpgrp', (p) => p.pid),
  sys(66, 'setsid', () => -E.EPERM),
  sys(75, 'setrlimit', (p, resource, rlim) => {
    setLimit(p, resource, rlFrom32(p.io.u32(rlim)), rlFrom32(p.io.u32(rlim + 4)));
    return 0;
  }),
  // The oldest getrlimit reports "infinity" as 0x7fffffff.
  sys(76, 'getrlimit', (p, resource, rlim) => {
    const [cur, max] = getLimit(p, resource);
    p.io.setU32(rlim, rl32(cur, 0x7fffffff));
    p.io.setU32(rlim + 4, rl32(max, 0x7fffffff));
    return 0;
  }),
  sys(80, 'getgroups', (p, size, list) => getgroups(p, size, list, false)),
  sys(96, 'getpriority', () => 20), // the kernel returns 20 - nice
  sys(97, 'setpriority', () => 0),
  sys(116, 'sysinfo', (p, buf) => sysinfo(p, buf)),
  sys(122, 'uname', (p, buf) => uname(p, buf)),
  sys(132, 'getpgid', (p, pid) => (pid === 0 || pid === p.pid ? p.pid : -E.ESRCH)),
  sys(136, 'personality', (p, persona) => {
    const old = p.personality;
    if (persona >>> 0 !== 0xffffffff) p.personality = persona >>> 0;
    return old;
  }),
  sys(147, 'getsid', (p, pid) => (pid === 0 || pid === p.pid ? p.pid : -E.ESRCH)),
  sys(155, 'sched_getparam', (p, _pid, param) => (p.io.setU32(param, 0), 0)),
  sys(157, 'sched_getscheduler', () => 0), // SCHED_OTHER
  // With other processes or threads to run, the caller's slice ends here.
  sys(158, 'sched_yield', (p) => (p.table?.othersCanRun(p) ? p.vm.stop({ kind: 'budget' }) : undefined, 0)),
  sys(172, 'prctl', prctl),
  sys(191, 'ugetrlimit', (p, resource, rlim) => {
    const [cur, max] = getLimit(p, resource);
    p.io.setU32(rlim, rl32(cur, 0xffffffff));
    p.io.setU32(rlim + 4, rl32(max, 0xffffffff));
    return 0;
  }),
  sys(199, 'getuid32', (p) => p.uid),
  sys(200, 'getgid32', (p) => p.gid),
  sys(201, 'geteuid32', (p) => p.euid),
  sys(202, 'getegid32', (p) => p.egid),
  sys(203, 'setreuid32', (p, r, e) => setIds([p.uid, p.euid], r, e)),
  sys(204, 'setregid32', (p, r, e) => setIds([p.gid, p.egid], r, e)),
  sys(205, 'getgroups32', (p, size, list) => getgroups(p, size, list, true)),
  sys(206, 'setgroups32', () => -E.EPERM),
  sys(208, 'setresuid32', (p, r, e, s) => setIds([p.uid, p.euid], r, e, s)),
  sys(209, 'getresuid32', (p, r, e, s) => (p.io.setU32(r, p.uid), p.io.setU32(e, p.euid), p.io.setU32(s, p.euid), 0)),
  sys(210, 'setresgid32', (p, r, e, s) => setIds([p.gid, p.egid], r, e, s)),
  sys(211, 'getresgid32', (p, r, e, s) => (p.io.setU32(r, p.gid), p.io.setU32(e, p.egid), p.io.setU32(s, p.egid), 0)),
  sys(213, 'setuid32', (p, id) => setIds([p.uid, p.euid], id)),
  sys(214, 'setgid32', (p, id) => setIds([p.gid, p.egid], id)),
  sys(224, 'gettid', (p) => p.threadId),
  sys(240, 'futex', (p, uaddr, op, val, timeout, uaddr2, val3) => futex(p, uaddr, op, val, timeout, uaddr2, val3, false)),
  sys(241, 'sched_setaffinity', () => 0),
  // One CPU: a 4-byte mask with bit 0 set; the kernel returns the size it wrote.
  sys(242, 'sched_getaffinity', (p, _pid, len, mask) => {
    if ((len >>> 0) < 4 || len & 3) return -E.EINVAL;
    p.io.setU32(mask, 1);
    return 4;
  }),
  sys(243, 'set_thread_area', setThreadArea),
  sys(244, 'get_thread_area', getThreadArea),
  sys(252, 'exit_group', (p, status) => (p.exit(status), 0)),
  sys(258, 'set_tid_address', (p, ptr) => {
    p.tidAddress = ptr >>> 0;
    return p.pid;
  }),
  sys(311, 'set_robust_list', (p, head, len) => {
    if (len !== 12) return -E.EINVAL;
    p.robustList = head >>> 0;
    return 0;
  }),
  sys(312, 'get_robust_list', (p, pid, headPtr, lenPtr) => {
    if (pid !== 0 && pid !== p.pid) return -E.ESRCH;
    p.io.setU32(headPtr, p.robustList);
    p.io.setU32(lenPtr, 12);
    return 0;
  }),
  sys(318, 'getcpu', (p, cpu, node) => {
    if (cpu) p.io.setU32(cpu, 0);
    if (node) p.io.setU32(node, 0);
    return 0;
  }),
  sys(340, 'prlimit64', prlimit64),
  sys(355, 'getrandom', (p, buf, len, flags) => {
    if (flags & ~7) return -E.EINVAL;
    const n = Math.min(len >>> 0, 1 << 25);
    p.io.write(buf, randomFillSync(new Uint8Array(n)));
    return n;
  }),
  // i386 programs get no arch_prctl codes a compat kernel would accept here (CET, vDSO maps).
  sys(384, 'arch_prctl', () => -E.EINVAL),
  // Quietly absent: glibc registers rseq at startup and carries on without it.
  sys(386, 'rseq', () => -E.ENOSYS),
  // Quietly absent: glibc tries clone3 first and falls back to clone.
  sys(435, 'clone3', () => -E.ENOSYS),
  sys(422, 'futex_time64', (p, uaddr, op, val, timeout, uaddr2, val3) => futex(p, uaddr, op, val, timeout, uaddr2, val3, true)),
];
