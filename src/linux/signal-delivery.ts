/**
 * Signal generation and delivery for one process, the way the kernel does
 * it: a signal is made pending when sent (or dropped if ignored), and
 * delivered on the way back to user mode — after a syscall, between run
 * slices for timers, at once for a CPU fault — by pushing a frame and
 * entering the handler, or by the default action.
 */
import { CpuException, Vector } from '../runtime/exceptions.js';
import { Slot } from '../runtime/layout.js';
import { defaultAction, SIG_DFL, SIG_IGN, SIGKILL, SIGNAL_NAMES, SIGSTOP } from './signals.js';
import { restoreSignalFrame, setupSignalFrame, SI_KERNEL, type SigInfo, type TrapInfo } from './signal-frame.js';
import type { LinuxProcess } from './process.js';
import { sleepMs } from './files.js';
import { BEYOND_FILE_END } from './address-space.js';

export const SA_NOCLDSTOP = 1;
export const SA_SIGINFO = 4;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;
export const SA_RESTORER = 0x04000000;

export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;

/** Signals the kernel delivers before others (SYNCHRONOUS_MASK): the ones a fault raises. */
const SYNCHRONOUS = [11, 7, 4, 5, 8, 31];
/** SIGKILL and SIGSTOP: no mask or disposition holds them. */
export const UNBLOCKABLE = (1n << BigInt(SIGKILL - 1)) | (1n << BigInt(SIGSTOP - 1));

const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
const NO_TRAP: TrapInfo = { trapno: 0, err: 0, cr2: 0 };

/** The kernel's per-process pending set: one siginfo per standard signal, a queue per real-time one. */
export class PendingSignals {
  private readonly infos = new Map<number, SigInfo[]>();
  mask = 0n;

  add(info: SigInfo): void {
    const sig = info.signo;
    const queue = this.infos.get(sig);
    if (queue === undefined) this.infos.set(sig, [info]);
    else if (sig >= 32) queue.push(info); // real-time signals queue; standard ones do not
    this.mask |= bit(sig);
  }

  take(sig: number): SigInfo {
    const queue = this.infos.get(sig) ?? [];
    const info = queue.shift() ?? { signo: sig, code: SI_KERNEL };
    if (queue.length === 0) {
      this.infos.delete(sig);
      this.mask &= ~bit(sig);
    }
    return info;
  }

  /** The signal delivered next among `deliverable`: synchronous ones first, then the lowest number. */
  next(deliverable: bigint): number {
    const ready = this.mask & deliverable;
    if (ready === 0n) return 0;
    for (const sig of SYNCHRONOUS) if (ready & bit(sig)) return sig;
    for (let sig = 1; sig <= 64; sig++) if (ready & bit(sig)) return sig;
    return 0;
  }

  discard(sig: number): void {
    this.infos.delete(sig);
    this.mask &= ~bit(sig);
  }
}

/** Whether `sig` would be dropped at generation: ignored and not blocked (sig_ignored). */
function ignored(p: LinuxProcess, sig: number): boolean {
  if (sig === SIGKILL || sig === SIGSTOP) return false;
  if (p.sigmask & bit(sig)) return false;
  const handler = p.sigactions.get(sig)?.handler ?? SIG_DFL;
  return handler === SIG_IGN || (handler === SIG_DFL && defaultAction(sig) === 'ignore');
}

/** Sends `info.signo` to the process (kill, tgkill, timers, SIGPIPE); delivery waits for the return to user mode. */
export function sendSignal(p: LinuxProcess, info: SigInfo): void {
  if (ignored(p, info.signo)) return;
  p.pending.add(info);
}

/** Signals pending and not blocked. */
export function hasDeliverable(p: LinuxProcess): boolean {
  return (p.pending.mask & ~(p.sigmask & ~UNBLOCKABLE)) !== 0n;
}

/**
 * Delivers every pending unblocked signal (exit_to_user_mode_loop): each
 * handler gets a frame on top of the previous one, so the last one set up
 * runs first, and the mask each adds holds back the rest. With
 * `savedMask` (sigsuspend) the first handler's frame restores that mask;
 * returns whether one did (false: the caller restores it).
 */
export function deliverPendingSignals(p: LinuxProcess, savedMask: bigint | null = null): boolean {
  let restoreMask = savedMask;
  for (;;) {
    if (p.vm.stopped) return restoreMask === null;
    const sig = p.pending.next(~(p.sigmask & ~UNBLOCKABLE));
    if (sig === 0) return restoreMask === null;
    const info = p.pending.take(sig);
    const action = p.sigactions.get(sig);
    const handler = sig === SIGKILL || sig === SIGSTOP ? SIG_DFL : (action?.handler ?? SIG_DFL);
    if (handler === SIG_IGN) continue;
    if (handler === SIG_DFL) {
      defaultDisposition(p, sig);
      continue;
    }
    enterHandler(p, sig, info, NO_TRAP, restoreMask);
    // sigsuspend's mask is restored by the first handler's sigreturn only.
    restoreMask = null;
  }
}

function defaultDisposition(p: LinuxProcess, sig: number): void {
  const action = defaultAction(sig);
  if (action === 'ignore' || action === 'cont') return;
  if (action === 'stop') {
    p.warnOnce(`stop ${sig}`, `${SIGNAL_NAMES[sig]} would stop the process; there is no job control here: ignored`);
    return;
  }
  killedBy(p, sig);
}

/**
 * The default action of a terminating signal: the run ends with 128+sig.
 * A core-dumping one (SIGABRT, SIGQUIT...) says so in one line, like
 * qemu-user's "uncaught target signal"; SIGTERM, SIGPIPE and the like end
 * it quietly, as the shell would report them.
 */
export function killedBy(p: LinuxProcess, sig: number): void {
  const name = SIGNAL_NAMES[sig] ?? `signal ${sig}`;
  p.termination = { signal: sig, core: defaultAction(sig) === 'core' };
  if (defaultAction(sig) === 'core') p.vm.stop({ kind: 'error', status: 128 + sig, message: `wasmvisor: guest killed by ${name}` });
  else p.vm.stop({ kind: 'exit', status: 128 + sig });
}

/**
 * A signal the CPU raised (force_sig_info): delivered at once. A blocked or
 * ignored one cannot be: the process dies of it. Returns false when there
 * is no handler to run, so the caller reports the fault and ends the run.
 */
export function forceSignal(p: LinuxProcess, info: SigInfo, trap: TrapInfo): boolean {
  const sig = info.signo;
  const handler = p.sigactions.get(sig)?.handler ?? SIG_DFL;
  if (handler === SIG_DFL || handler === SIG_IGN || p.sigmask & bit(sig)) return false;
  return enterHandler(p, sig, info, trap, null);
}

/** Sets up the frame and enters the handler; a frame that cannot be written kills with SIGSEGV. */
function enterHandler(p: LinuxProcess, sig: number, info: SigInfo, trap: TrapInfo, savedMask: bigint | null): boolean {
  const action = p.sigactions.get(sig)!;
  const vm = p.vm;
  const esp = vm.cpu.r32[Slot.ESP] >>> 0;
  const alt = p.altstack;
  const onAltstack = alt.flags !== SS_DISABLE && esp - alt.sp < alt.size;
  const useAltstack = (action.flags & SA_ONSTACK) !== 0 && alt.flags !== SS_DISABLE && !onAltstack;
  try {
    setupSignalFrame(vm, {
      sig,
      info,
      trap,
      handler: action.handler,
      restorer: action.flags & SA_RESTORER ? action.restorer : 0,
      rt: (action.flags & SA_SIGINFO) !== 0,
      oldMask: savedMask ?? p.sigmask,
      sp: useAltstack ? (alt.sp + alt.size) >>> 0 : esp,
      altstack: { sp: alt.sp, flags: alt.flags === SS_DISABLE ? SS_DISABLE : onAltstack ? SS_ONSTACK : 0, size: alt.size },
    });
  } catch (e) {
    if (!(e instanceof CpuException)) throw e;
    // force_sigsegv: the stack cannot take the frame.
    p.fatalSignal(11, `no room on the stack for the ${SIGNAL_NAMES[sig] ?? sig} frame`);
    return true;
  }
  if (action.flags & SA_RESETHAND) p.sigactions.set(sig, { handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n });
  p.sigmask = (p.sigmask | action.mask | (action.flags & SA_NODEFER ? 0n : bit(sig))) & ~UNBLOCKABLE;
  // The handler's code is somewhere else: any chained path is stale.
  vm.attention = true;
  return true;
}

/** sigreturn (rt = false) and rt_sigreturn: back to where the signal interrupted; returns the restored EAX. */
export function signalReturn(p: LinuxProcess, rt: boolean): number {
  const vm = p.vm;
  try {
    const { mask, altstack } = restoreSignalFrame(vm, rt);
    p.sigmask = mask & ~UNBLOCKABLE;
    if (altstack !== null && p.altstack.flags !== SS_ONSTACK) {
      // restore_altstack: errors are ignored, like the kernel's.
      if (altstack.flags & SS_DISABLE) p.altstack = { sp: 0, flags: SS_DISABLE, size: 0 };
      else if (altstack.size >= 2048) p.altstack = { sp: altstack.sp, flags: 0, size: altstack.size };
    }
  } catch (e) {
    if (!(e instanceof CpuException)) throw e;
    p.fatalSignal(11, `${rt ? 'rt_sigreturn' : 'sigreturn'} with a bad frame`);
  }
  vm.attention = true;
  return vm.cpu.r32[Slot.EAX];
}

/** The siginfo and sigcontext trap fields the kernel gives a CPU exception (arch/x86/kernel/traps.c, fault.c). */
export function faultSignal(e: CpuException, eip: number): { info: SigInfo; trap: TrapInfo } {
  const trap: TrapInfo = { trapno: e.vector, err: Math.max(0, e.errorCode), cr2: 0 };
  switch (e.vector) {
    case Vector.PF:
      trap.cr2 = e.address;
      trap.err = e.errorCode | 4; // from user mode
      if (e.detail === BEYOND_FILE_END) return { info: { signo: 7, code: 2, addr: e.address }, trap }; // BUS_ADRERR
      // SEGV_MAPERR where nothing is mapped, SEGV_ACCERR where a mapping forbids the access (PROT_NONE included).
      return { info: { signo: 11, code: e.errorCode & 1 || !e.detail.includes('unmapped') ? 2 : 1, addr: e.address }, trap };
    case Vector.DE:
      return { info: { signo: 8, code: 1, addr: eip }, trap }; // FPE_INTDIV
    case Vector.MF:
    case Vector.XM:
      return { info: { signo: 8, code: 0, addr: eip }, trap };
    case Vector.UD:
      return { info: { signo: 4, code: 2, addr: eip }, trap }; // ILL_ILLOPN
    case Vector.AC:
      return { info: { signo: 7, code: 1, addr: eip }, trap }; // BUS_ADRALN
    case Vector.NP:
    case Vector.SS:
      return { info: { signo: 7, code: SI_KERNEL, addr: 0 }, trap };
    case Vector.DB:
      return { info: { signo: 5, code: 2, addr: eip }, trap }; // TRAP_TRACE
    case Vector.BP:
      return { info: { signo: 5, code: SI_KERNEL, addr: 0 }, trap };
    default:
      return { info: { signo: 11, code: SI_KERNEL, addr: 0 }, trap }; // #GP #TS, INTO, BOUND
  }
}

/** Fires ITIMER_REAL if it is due (SIGALRM, sent by the kernel). */
export function fireTimers(p: LinuxProcess, now: bigint): void {
  if (p.realTimer.due(now)) sendSignal(p, { signo: 14, code: SI_KERNEL });
}

/**
 * Sleeps up to `ns` (null: without end) the way an interruptible task does:
 * a timer that fires meanwhile raises its signal, and the sleep ends once
 * `woken()` (by default: a signal can be delivered). Returns the time left,
 * 0n after a full sleep, or null when nothing could ever end the wait.
 */
export function interruptibleSleep(p: LinuxProcess, ns: bigint | null, woken: () => boolean = () => hasDeliverable(p)): bigint | null {
  const end = ns === null ? null : process.hrtime.bigint() + ns;
  for (;;) {
    const now = process.hrtime.bigint();
    fireTimers(p, now);
    if (woken()) return end === null ? 0n : end > now ? end - now : 0n;
    if (end !== null && now >= end) return 0n;
    const timer = p.realTimer.untilDue(now);
    if (end === null && timer === null) return null;
    const left = end === null ? timer! : timer === null || end - now < timer ? end - now : timer;
    sleepMs(Number(left) / 1e6);
  }
}
