import { E } from './errno.js';
import type { LinuxProcess, SigAction } from './process.js';
import { SIGKILL, SIGSTOP } from './signals.js';
import { hasDeliverable, interruptibleSleep, signalReturn, SS_DISABLE, SS_ONSTACK, UNBLOCKABLE } from './signal-delivery.js';
import { encodeSiginfo, SI_TKILL, SI_USER, type SigInfo } from './signal-frame.js';
import { readTimespec, writeTimespec32, writeTimespec64 } from './structs.js';
import { type SyscallDef, sys } from './syscall-def.js';


/** A 64-bit sigset_t from guest memory. */
function readSigset(p: LinuxProcess, a: number): bigint {
  return (BigInt(p.io.u32(a + 4)) << 32n) | BigInt(p.io.u32(a));
}

function validSignal(sig: number): boolean {
  return sig >= 1 && sig <= 64;
}

const NO_ACTION: SigAction = { handler: 0, flags: 0, restorer: 0, mask: 0n };

/** Installing SIG_IGN (or SIG_DFL where the default is to ignore) discards what is pending (the kernel's do_sigaction). */
function setAction(p: LinuxProcess, sig: number, next: SigAction): void {
  p.sigactions.set(sig, next);
  if (next.handler === 1 || (next.handler === 0 && (sig === 17 || sig === 23 || sig === 28))) p.pending.discard(sig);
}

/** rt_sigaction with the kernel's i386 struct sigaction {handler, flags, restorer, mask(8)}. */
function rtSigaction(p: LinuxProcess, sig: number, act: number, oact: number, setsize: number): number {
  if (setsize !== 8 || !validSignal(sig)) return -E.EINVAL;
  if (act && (sig === SIGKILL || sig === SIGSTOP)) return -E.EINVAL;
  const old = p.sigactions.get(sig) ?? NO_ACTION;
  let next: SigAction | null = null;
  if (act) {
    next = {
      handler: p.io.u32(act),
      flags: p.io.u32(act + 4),
      restorer: p.io.u32(act + 8),
      mask: ((BigInt(p.io.u32(act + 16)) << 32n) | BigInt(p.io.u32(act + 12))) & ~UNBLOCKABLE,
    };
  }
  if (oact) {
    p.io.struct(oact, 20, (dv) => {
      dv.setUint32(0, old.handler, true);
      dv.setUint32(4, old.flags, true);
      dv.setUint32(8, old.restorer, true);
      dv.setBigUint64(12, old.mask, true);
    });
  }
  if (next) setAction(p, sig, next);
  return 0;
}

/** The old sigaction: {handler, mask(4), flags, restorer}. */
function oldSigaction(p: LinuxProcess, sig: number, act: number, oact: number): number {
  if (!validSignal(sig) || (act && (sig === SIGKILL || sig === SIGSTOP))) return -E.EINVAL;
  const old = p.sigactions.get(sig) ?? NO_ACTION;
  const next = act
    ? { handler: p.io.u32(act), mask: BigInt(p.io.u32(act + 4)) & ~UNBLOCKABLE, flags: p.io.u32(act + 8), restorer: p.io.u32(act + 12) }
    : null;
  if (oact) {
    p.io.struct(oact, 16, (dv) => {
      dv.setUint32(0, old.handler, true);
      dv.setUint32(4, Number(old.mask & 0xffffffffn), true);
      dv.setUint32(8, old.flags, true);
      dv.setUint32(12, old.restorer, true);
    });
  }
  if (next) setAction(p, sig, next);
  return 0;
}

const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;

/** Delivery of what this unblocks happens on the way back to user mode (LinuxProcess.syscall). */
function sigprocmask(p: LinuxProcess, how: number, set: number, oset: number, wide: boolean): number {
  const old = p.sigmask;
  if (set) {
    const v = wide ? readSigset(p, set) : BigInt(p.io.u32(set)) | (old & ~0xffffffffn);
    if (how === SIG_BLOCK) p.sigmask |= v;
    else if (how === SIG_UNBLOCK) p.sigmask &= ~v;
    else if (how === SIG_SETMASK) p.sigmask = v;
    else return -E.EINVAL;
    p.sigmask &= ~UNBLOCKABLE;
  }
  if (oset) {
    if (wide) p.io.setI64(oset, old);
    else p.io.setU32(oset, Number(old & 0xffffffffn));
  }
  return 0;
}

function sigaltstack(p: LinuxProcess, ss: number, oss: number): number {
  const MINSIGSTKSZ = 2048;
  const old = { ...p.altstack };
  const esp = p.vm.cpu.r32[4] >>> 0;
  const onStack = old.flags !== SS_DISABLE && ((esp - old.sp) >>> 0) < old.size;
  if (ss) {
    const sp = p.io.u32(ss);
    const flags = p.io.i32(ss + 4);
    const size = p.io.u32(ss + 8);
    if (onStack) return -E.EPERM;
    if ((flags & ~0x80000000) !== 0 && (flags & ~0x80000000) !== SS_DISABLE && (flags & ~0x80000000) !== SS_ONSTACK) return -E.EINVAL;
    if (flags & SS_DISABLE) p.altstack = { sp: 0, flags: SS_DISABLE, size: 0 };
    else if (size < MINSIGSTKSZ) return -E.ENOMEM;
    else p.altstack = { sp, flags: 0, size };
  }
  if (oss) {
    p.io.struct(oss, 12, (dv) => {
      dv.setUint32(0, old.sp, true);
      dv.setInt32(4, onStack ? SS_ONSTACK : old.flags, true);
      dv.setUint32(8, old.size, true);
    });
  }
  return 0;
}

/** kill/tkill/tgkill: the processes of this run's table (only this one without a table). */
function killSelf(p: LinuxProcess, target: number, sig: number, code: number): number {
  if (!validSignal(sig) && sig !== 0) return -E.EINVAL;
  if (p.table !== null) return p.table.signal(p, target, sig, code);
  if (target !== p.pid && target !== 0 && target !== -1 && target !== -p.pid) return -E.ESRCH;
  return p.raise(sig, { signo: sig, code, pid: p.pid, uid: p.uid });
}

/** tkill/tgkill: a thread of this run (raise() and pthread_kill name the calling thread by its tid). */
function threadKill(p: LinuxProcess, tgid: number, tid: number, sig: number): number {
  if (tid <= 0 || (!validSignal(sig) && sig !== 0)) return -E.EINVAL;
  if (p.table !== null) return p.table.signalThread(p, tgid, tid, sig, SI_TKILL);
  if (tid !== p.pid || (tgid !== -1 && tgid !== p.pid)) return -E.ESRCH;
  return p.raise(sig, { signo: sig, code: SI_TKILL, pid: p.pid, uid: p.uid });
}

/** rt_sigqueueinfo / rt_tgsigqueueinfo: a siginfo the caller wrote, which may not claim to be the kernel's. */
function sigqueue(p: LinuxProcess, target: number, sig: number, uinfo: number): number {
  if (target !== p.pid) return -E.ESRCH;
  if (!validSignal(sig)) return -E.EINVAL;
  const code = p.io.i32(uinfo + 8);
  if (code >= 0 || code === SI_TKILL) return -E.EPERM;
  return p.raise(sig, { signo: sig, code, pid: p.io.i32(uinfo + 12), uid: p.io.u32(uinfo + 16), value: p.io.i32(uinfo + 20) });
}

/** pause, sigsuspend: wait until a signal is delivered, then -EINTR (after its handler, which sigreturn ends). */
function suspend(p: LinuxProcess, mask: bigint | null, what: string): number {
  if (mask !== null) {
    p.suspendedMask = p.sigmask;
    p.sigmask = mask & ~UNBLOCKABLE;
  }
  if (interruptibleSleep(p, null) === null) return p.deadlock(what);
  return -E.EINTR;
}

/** rt_sigtimedwait: takes a pending signal of `set` (normally blocked) without running a handler. */
function sigtimedwait(p: LinuxProcess, setAddr: number, infoAddr: number, timeout: number, size: number, time64: boolean): number {
  if (size !== 8) return -E.EINVAL;
  const wanted = readSigset(p, setAddr) & ~UNBLOCKABLE;
  const ns = timeout ? readTimespec(p.io, timeout, time64) : null;
  const ready = (): boolean => (p.pending.mask & wanted) !== 0n || hasDeliverable(p);
  const left = interruptibleSleep(p, ns, ready);
  if ((p.pending.mask & wanted) === 0n) {
    if (left === null) return p.deadlock('rt_sigtimedwait');
    return hasDeliverable(p) ? -E.EINTR : -E.EAGAIN;
  }
  const sig = p.pending.next(wanted);
  const info: SigInfo = p.pending.take(sig);
  if (infoAddr) p.io.write(infoAddr, encodeSiginfo(info));
  return sig;
}

const NS_PER_US = 1000n;

/** struct itimerval {interval, value} as two timevals. */
function readItimerval(p: LinuxProcess, a: number): [bigint, bigint] {
  const tv = (at: number): bigint => {
    const sec = p.io.i32(at);
    const usec = p.io.i32(at + 4);
    if (sec < 0 || usec < 0 || usec >= 1000000) throw new RangeError('itimerval');
    return BigInt(sec) * 1000000000n + BigInt(usec) * NS_PER_US;
  };
  return [tv(a), tv(a + 8)];
}

function writeItimerval(p: LinuxProcess, a: number, [left, interval]: [bigint, bigint]): void {
  // The kernel rounds a running timer's remainder up to the next microsecond.
  const us = (ns: bigint): bigint => (ns + NS_PER_US - 1n) / NS_PER_US;
  p.io.struct(a, 16, (dv) => {
    dv.setInt32(0, Number(us(interval) / 1000000n), true);
    dv.setInt32(4, Number(us(interval) % 1000000n), true);
    dv.setInt32(8, Number(us(left) / 1000000n), true);
    dv.setInt32(12, Number(us(left) % 1000000n), true);
  });
}

const ITIMER_REAL = 0;
const ITIMER_VIRTUAL = 1;
const ITIMER_PROF = 2;

function setitimer(p: LinuxProcess, which: number, value: number, ovalue: number): number {
  if (which === ITIMER_VIRTUAL || which === ITIMER_PROF) {
    // CPU-time timers would need the guest's CPU time per instruction: not modelled.
    p.warnOnce(`itimer ${which}`, `setitimer(${which === ITIMER_VIRTUAL ? 'ITIMER_VIRTUAL' : 'ITIMER_PROF'}) is not implemented: the timer never fires`);
    if (ovalue) writeItimerval(p, ovalue, [0n, 0n]);
    return 0;
  }
  if (which !== ITIMER_REAL) return -E.EINVAL;
  let interval = 0n;
  let left = 0n;
  if (value) {
    try {
      [interval, left] = readItimerval(p, value);
    } catch (e) {
      if (e instanceof RangeError) return -E.EINVAL;
      throw e;
    }
  }
  const old = p.realTimer.set(process.hrtime.bigint(), left, interval);
  if (ovalue) writeItimerval(p, ovalue, old);
  return 0;
}

function getitimer(p: LinuxProcess, which: number, value: number): number {
  if (which === ITIMER_VIRTUAL || which === ITIMER_PROF) {
    writeItimerval(p, value, [0n, 0n]);
    return 0;
  }
  if (which !== ITIMER_REAL) return -E.EINVAL;
  writeItimerval(p, value, p.realTimer.get(process.hrtime.bigint()));
  return 0;
}

/** alarm: seconds left on the previous alarm, rounded to nearest (at least 1 while one runs). */
function alarm(p: LinuxProcess, seconds: number): number {
  const [left] = p.realTimer.set(process.hrtime.bigint(), BigInt(seconds >>> 0) * 1000000000n, 0n);
  if (left === 0n) return 0;
  const s = Number((left + 500000000n) / 1000000000n);
  return Math.max(1, s);
}

/** nanosleep and clock_nanosleep's relative form: a signal ends it early with EINTR and the time left. */
export function sleepInterruptibly(p: LinuxProcess, ns: bigint, rem: number, time64: boolean): number {
  const left = interruptibleSleep(p, ns) ?? 0n;
  if (left === 0n || !hasDeliverable(p)) return 0;
  if (rem) {
    if (time64) writeTimespec64(p.io, rem, left);
    else writeTimespec32(p.io, rem, left);
  }
  return -E.EINTR;
}

export const SIGNAL_SYSCALLS: SyscallDef[] = [
  sys(27, 'alarm', (p, seconds) => alarm(p, seconds)),
  sys(29, 'pause', (p) => suspend(p, null, 'pause')),
  sys(37, 'kill', (p, pid, sig) => killSelf(p, pid, sig, SI_USER)),
  sys(48, 'signal', (p, sig, handler) => {
    if (!validSignal(sig) || sig === SIGKILL || sig === SIGSTOP) return -E.EINVAL;
    const old = p.sigactions.get(sig)?.handler ?? 0;
    // SA_ONESHOT | SA_NOMASK: System V semantics.
    setAction(p, sig, { handler: handler >>> 0, flags: 0x80000000 | 0x40000000, restorer: 0, mask: 0n });
    return old;
  }),
  sys(67, 'sigaction', oldSigaction),
  sys(72, 'sigsuspend', (p, _a, _b, mask) => suspend(p, BigInt(mask >>> 0) | (p.sigmask & ~0xffffffffn), 'sigsuspend')),
  sys(73, 'sigpending', (p, set) => (p.io.setU32(set, Number(p.sigpending & p.sigmask & 0xffffffffn)), 0)),
  sys(104, 'setitimer', (p, which, value, ovalue) => setitimer(p, which, value, ovalue)),
  sys(105, 'getitimer', (p, which, value) => getitimer(p, which, value)),
  sys(119, 'sigreturn', (p) => signalReturn(p, false)),
  sys(126, 'sigprocmask', (p, how, set, oset) => sigprocmask(p, how, set, oset, false)),
  sys(173, 'rt_sigreturn', (p) => signalReturn(p, true)),
  sys(174, 'rt_sigaction', rtSigaction),
  sys(175, 'rt_sigprocmask', (p, how, set, oset, size) => (size !== 8 ? -E.EINVAL : sigprocmask(p, how, set, oset, true))),
  sys(176, 'rt_sigpending', (p, set, size) => {
    if (size > 8) return -E.EINVAL;
    p.io.setI64(set, p.sigpending & p.sigmask);
    return 0;
  }),
  sys(177, 'rt_sigtimedwait', (p, set, info, timeout, size) => sigtimedwait(p, set, info, timeout, size, false)),
  sys(178, 'rt_sigqueueinfo', (p, pid, sig, info) => sigqueue(p, pid, sig, info)),
  sys(179, 'rt_sigsuspend', (p, set, size) => (size !== 8 ? -E.EINVAL : suspend(p, readSigset(p, set), 'rt_sigsuspend'))),
  sys(186, 'sigaltstack', (p, ss, oss) => sigaltstack(p, ss, oss)),
  sys(238, 'tkill', (p, tid, sig) => threadKill(p, -1, tid, sig)),
  sys(270, 'tgkill', (p, tgid, tid, sig) => (tgid > 0 ? threadKill(p, tgid, tid, sig) : -E.EINVAL)),
  sys(335, 'rt_tgsigqueueinfo', (p, tgid, tid, sig, info) => (tid !== p.pid ? -E.ESRCH : sigqueue(p, tgid, sig, info))),
  sys(421, 'rt_sigtimedwait_time64', (p, set, info, timeout, size) => sigtimedwait(p, set, info, timeout, size, true)),
];
