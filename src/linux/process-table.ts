import { Seg } from '../decoder/types.js';
import { Slot } from '../runtime/layout.js';
import type { Machine, StopReason } from '../runtime/machine.js';
import { type Termination, WouldBlock } from './blocking.js';
import { decodeUserDesc, LinuxDescriptorTables } from './descriptors.js';
import { sleepMs } from './files.js';
import type { LinuxProcess } from './process.js';
import { hasDeliverable } from './signal-delivery.js';

/** Builds the VM of a new process and attaches it (the run's engine, memory size and translator options). */
export type VmFactory = (proc: LinuxProcess) => Machine;

/** A process the table runs: its OS half and its CPU. */
/** A thread the table runs: its process's OS half, the CPU it shares with the process's other threads, and its own state. */
export interface Task {
  readonly proc: LinuxProcess;
  readonly vm: Machine;
  /** The thread id (the pid for a process's first thread). */
  readonly tid: number;
  /** Set once the thread has ended. */
  ended: boolean;
  /** execve has replaced its image (a vfork parent waits for this or the end). */
  execed: boolean;
  /** Its registers while another thread of its process has the CPU (state-block slots, see saveThread). */
  saved: Int32Array | null;
  /** Its TLS entries (set_thread_area is per thread). */
  gdt: LinuxDescriptorTables;
  /** CLONE_CHILD_CLEARTID: zeroed and futex-woken when the thread ends (pthread_join waits on it). */
  clearTid: number;
  /** Parked in a syscall until this holds; null while runnable. */
  waitingFor: WouldBlock | null;
  /** Its signal mask and alternate stack while another thread of its process runs (they are per thread). */
  sigmask: bigint;
  altstack: { sp: number; flags: number; size: number };
}

/** A thread in FUTEX_WAIT on an address, until a FUTEX_WAKE there picks it. */
interface FutexWaiter {
  addr: number;
  bitset: number;
  woken: boolean;
}

interface Zombie {
  pid: number;
  ppid: number;
  termination: Termination;
}

/** What ended a run of the table: the first process's end, a limit, or a deadlock. */
export type RunEnd = { kind: 'ended'; status: number; message?: string } | { kind: 'limit'; message: string };

export interface RunLimits {
  /** Stop after about this many guest instructions over all processes. */
  maxInstructions?: number;
  /** Stop after about this much wall time. */
  timeoutMs?: number;
}

/** Instructions per slice of one process; between slices the limits are checked and the next process runs. */
const SLICE = 2_000_000;
/** Shorter slices while compiles are in flight, so finished ones are installed soon. */
const BUSY_SLICE = 100_000;

const CLONE_VM = 0x100;
const CLONE_THREAD = 0x10000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_CHILD_SETTID = 0x1000000;
const CLONE_SETTLS = 0x80000;

export interface CloneRequest {
  flags: number;
  /** The child's stack pointer, 0 for the parent's. */
  newsp: number;
  ptid: number;
  ctid: number;
}

/**
 * The processes of one run, in one JavaScript thread: fork makes a new
 * process with its own VM (a copy of the parent's memory, registers, fds
 * and signal state), and the table runs them in turns, a slice each. A
 * process that must wait for another (a pipe, wait4) is parked in its
 * syscall (WouldBlock) and resumed when it can go on. Everything is per
 * table: two runs in one Node process share nothing.
 */
export class ProcessTable {
  private readonly tasks: Task[] = [];
  private readonly zombies: Zombie[] = [];
  private next = 0;
  /** Instructions retired by processes that have ended. */
  private retiredByEnded = 0;

  constructor(
    private readonly makeVm: VmFactory,
    private readonly diag: (line: string) => void,
  ) {}

  /** The thread whose state is in its VM's CPU, per VM. */
  private readonly onCpu = new Map<Machine, Task>();
  /** The thread running now (its syscalls are the ones being served). */
  private current: Task | null = null;
  private readonly futexWaiters: FutexWaiter[] = [];

  private newTask(proc: LinuxProcess, vm: Machine, tid: number, gdt: LinuxDescriptorTables, saved: Int32Array | null): Task {
    const task: Task = {
      proc, vm, tid, ended: false, execed: false, saved, gdt, clearTid: 0, waitingFor: null,
      sigmask: proc.sigmask, altstack: { ...proc.altstack },
    };
    this.tasks.push(task);
    return task;
  }

  /** Adds the first process (its VM built by the caller). */
  add(proc: LinuxProcess, vm: Machine): Task {
    proc.table = this;
    return this.newTask(proc, vm, proc.pid, proc.gdt, null);
  }

  /** Whether `proc` has a live thread besides the running one. */
  hasOtherThreads(proc: LinuxProcess): boolean {
    return this.tasks.some((t) => !t.ended && t.proc === proc && t !== this.current);
  }

  /**
   * clone with CLONE_VM | CLONE_THREAD: a new thread of `parent` on the same
   * CPU and memory, with the caller's registers (EAX = 0, ESP = newsp) and
   * TLS (CLONE_SETTLS installs `tls`, a user_desc, in its own entries).
   */
  thread(parent: LinuxProcess, req: CloneRequest, tls: number): number {
    const caller = this.current;
    if (caller === null || caller.proc !== parent) return -38;
    const tid = this.allocPid(parent);
    const vm = caller.vm;
    const state = saveThread(vm);
    state[Slot.EAX] = 0;
    if (req.newsp !== 0) state[Slot.ESP] = req.newsp;
    const gdt = new LinuxDescriptorTables();
    gdt.copyFrom(parent.gdt);
    if (req.flags & CLONE_SETTLS) {
      const io = parent.io;
      const desc = decodeUserDesc([io.i32(tls), io.u32(tls + 4), io.u32(tls + 8), io.u32(tls + 12)]);
      const entry = gdt.setThreadArea(desc);
      if (entry < 0) return entry;
      // Its segment registers that hold the entry see the new base (the kernel reloads them at the switch).
      for (const seg of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
        const sel = state[Slot.SEG_SEL + seg];
        if (sel >>> 3 !== entry || sel & 4) continue;
        const d = gdt.lookup(sel);
        state[Slot.SEG_BASE + seg] = d?.base ?? 0;
        state[Slot.SEG_LIMIT + seg] = d?.limit ?? 0;
        state[Slot.SEG_ATTR + seg] = d?.attr ?? 0;
      }
    }
    const task = this.newTask(parent, vm, tid, gdt, state);
    // A new thread has no alternate signal stack; its mask is its creator's.
    task.altstack = { sp: 0, flags: 2, size: 0 };
    if (req.flags & CLONE_PARENT_SETTID && req.ptid) parent.io.setU32(req.ptid, tid);
    if (req.flags & CLONE_CHILD_SETTID && req.ctid) parent.io.setU32(req.ctid, tid);
    if (req.flags & CLONE_CHILD_CLEARTID) task.clearTid = req.ctid >>> 0;
    return tid;
  }

  /**
   * FUTEX_WAIT between threads: parks the caller until a FUTEX_WAKE on
   * `addr` picks it (the syscall then returns 0). False when no other
   * thread could wake it.
   */
  futexWait(proc: LinuxProcess, addr: number, bitset: number, timeoutNs: bigint | null = null): boolean {
    if (!this.hasOtherThreads(proc)) return false;
    const waiter: FutexWaiter = { addr: addr >>> 0, bitset, woken: false };
    this.futexWaiters.push(waiter);
    const deadline = timeoutNs === null ? null : process.hrtime.bigint() + timeoutNs;
    const expired = () => deadline !== null && process.hrtime.bigint() >= deadline;
    const ETIMEDOUT = 110;
    const EINTR = 4;
    proc.suspendUntil(
      new WouldBlock(
        () => waiter.woken || expired(),
        `futex wait on 0x${hex8(addr)}`,
        () => {
          if (waiter.woken) return null;
          // Timed out, or a signal came first (EINTR): no longer a waiter a FUTEX_WAKE could count.
          this.futexWaiters.splice(this.futexWaiters.indexOf(waiter), 1);
          return expired() ? -ETIMEDOUT : -EINTR;
        },
        deadline,
      ),
    );
    return true;
  }

  /** FUTEX_WAKE: wakes up to `n` waiters on `addr` whose bitset meets `bitset`; returns how many. */
  futexWake(addr: number, n: number, bitset = -1): number {
    addr >>>= 0;
    let woken = 0;
    for (let i = 0; i < this.futexWaiters.length && woken < n; ) {
      const w = this.futexWaiters[i];
      if (w.addr === addr && (w.bitset & bitset) !== 0) {
        w.woken = true;
        this.futexWaiters.splice(i, 1);
        woken++;
      } else i++;
    }
    return woken;
  }

  /** FUTEX_REQUEUE: waiters on `from` beyond the first `wake` move to `to` (up to `limit`). */
  futexRequeue(from: number, to: number, wake: number, limit: number): number {
    from >>>= 0;
    to >>>= 0;
    const woken = this.futexWake(from, wake);
    let moved = 0;
    for (const w of this.futexWaiters) {
      if (moved >= limit) break;
      if (w.addr === from) {
        w.addr = to;
        moved++;
      }
    }
    return woken + moved;
  }

  /** Puts `task`'s registers and TLS on its VM's CPU, saving those of the thread that had it. */
  private switchTo(task: Task): void {
    const vm = task.vm;
    const was = this.onCpu.get(vm);
    if (was !== task) {
      if (was !== undefined && !was.ended) {
        was.saved = saveThread(vm);
        was.sigmask = task.proc.sigmask;
        was.altstack = task.proc.altstack;
      }
      if (was !== undefined) {
        task.proc.sigmask = task.sigmask;
        task.proc.altstack = task.altstack;
      }
      if (task.saved !== null) {
        restoreThread(vm, task.saved);
        task.saved = null;
      }
      vm.cpu.descriptors = task.gdt;
      vm.cpu.syncCheckedSegments();
      this.onCpu.set(vm, task);
    }
    task.proc.gdt = task.gdt;
    task.proc.tid = task.tid === task.proc.pid ? 0 : task.tid;
    this.current = task;
  }

  taskOf(proc: LinuxProcess): Task | undefined {
    return this.tasks.find((t) => t.proc === proc);
  }

  /** Whether some other live process could make `proc`'s wait end. */
  othersCanRun(proc: LinuxProcess): boolean {
    return this.tasks.some((t) => !t.ended && t !== this.current);
  }

  private allocPid(parent: LinuxProcess): number {
    if (this.next === 0) this.next = parent.pid;
    for (;;) {
      this.next = this.next >= 4194304 ? 300 : this.next + 1;
      const pid = this.next;
      if (!this.tasks.some((t) => t.proc.pid === pid) && !this.zombies.some((z) => z.pid === pid)) return pid;
    }
  }

  /**
   * fork, vfork and clone without CLONE_VM: a new process that resumes after
   * the syscall with EAX = 0. Returns the child's pid or -errno.
   */
  fork(parent: LinuxProcess, req: CloneRequest): number {
    if (req.flags & (CLONE_VM | CLONE_THREAD)) return -38; // threads: ENOSYS, as before
    const pid = this.allocPid(parent);
    const child = parent.forkChild(pid);
    const vm = this.makeVm(child);
    child.tidAddress = 0;
    child.table = this;
    child.fds.copyFrom(parent.fds);
    child.gdt.copyFrom(parent.gdt);
    child.mm.copyFrom(parent.mm);
    copyCpu(parent.vm as Machine, vm);
    const r = vm.cpu.r32;
    r[Slot.EAX] = 0;
    if (req.newsp !== 0) r[Slot.ESP] = req.newsp;
    if (req.flags & CLONE_CHILD_SETTID && req.ctid) child.io.setU32(req.ctid, pid);
    if (req.flags & CLONE_CHILD_CLEARTID) child.tidAddress = req.ctid >>> 0;
    if (req.flags & CLONE_PARENT_SETTID && req.ptid) {
      parent.io.setU32(req.ptid, pid);
      child.io.setU32(req.ptid, pid);
    }
    child.exitSignal = req.flags & 0xff;
    this.newTask(child, vm, pid, child.gdt, null);
    return pid;
  }

  /** The child `pid` has not yet exec'd or ended (a vfork parent waits for this to turn false). */
  borrowed(pid: number): boolean {
    const t = this.tasks.find((x) => x.proc.pid === pid);
    return t !== undefined && !t.ended && !t.execed;
  }

  /**
   * wait4/waitid: a child of `parent` selected by `pid` (-1 or 0: any) that
   * has ended, taken off the table unless `keep`; 0 when matching children
   * are all still running; -ECHILD when there are none.
   */
  reap(parent: LinuxProcess, pid: number, keep: boolean): Zombie | 0 | -10 {
    const matches = (p: number) => pid <= 0 || p === pid;
    const i = this.zombies.findIndex((z) => z.ppid === parent.pid && matches(z.pid));
    if (i >= 0) {
      const z = this.zombies[i];
      if (!keep) this.zombies.splice(i, 1);
      return z;
    }
    return this.tasks.some((t) => !t.ended && t.proc.ppid === parent.pid && matches(t.proc.pid)) ? 0 : -10;
  }

  /** kill(pid, sig) from `sender`: one process, or every one for 0 and -1. Returns 0 or -ESRCH. */
  signal(sender: LinuxProcess, pid: number, sig: number, code: number): number {
    const targets = this.tasks.filter((t) => !t.ended && (pid <= 0 ? pid !== -1 || t.proc !== sender : t.proc.pid === pid));
    if (targets.length === 0) return this.zombies.some((z) => z.pid === pid) ? 0 : -3;
    for (const t of targets) t.proc.raise(sig, { signo: sig, code, pid: sender.pid, uid: sender.uid });
    return 0;
  }

  /** tkill/tgkill: the thread `tid` (of process `tgid`, unless it is -1); its process takes the signal. 0 or -ESRCH. */
  signalThread(sender: LinuxProcess, tgid: number, tid: number, sig: number, code: number): number {
    const t = this.tasks.find((x) => !x.ended && x.tid === tid && (tgid === -1 || x.proc.pid === tgid));
    if (t === undefined) return -3;
    t.proc.raise(sig, { signo: sig, code, pid: sender.pid, uid: sender.uid });
    return 0;
  }

  markExeced(proc: LinuxProcess): void {
    const t = this.taskOf(proc);
    if (t) t.execed = true;
  }

  private retired(): number {
    let n = this.retiredByEnded;
    for (const t of this.tasks) n += t.vm.icount;
    return n;
  }

  /**
   * Runs every process until the first one (`main`) ends, and returns how
   * it ended. Processes still running then are dropped with it.
   */
  async run(main: Task, limits: RunLimits): Promise<RunEnd> {
    const limit = limits.maxInstructions ?? Infinity;
    const deadline = limits.timeoutMs !== undefined ? performance.now() + limits.timeoutMs : Infinity;
    let turn = 0;
    try {
      for (;;) {
        const task = this.pick(turn++);
        if (task === null) {
          const waited = this.waitForTimers();
          if (waited) continue;
          return { kind: 'ended', status: 2, message: this.deadlockMessage() };
        }
        const vm = task.vm;
        // Compiles finish on the event loop: let it turn between slices while some are in flight.
        if (vm.translator?.busy) await new Promise((resolve) => setImmediate(resolve));
        const budget = Math.min(vm.translator?.busy ? BUSY_SLICE : SLICE, limit - this.retired());
        if (budget <= 0) {
          return { kind: 'limit', message: `instruction limit reached (${limit} instructions) at eip 0x${hex8(main.vm.cpu.eip)}` };
        }
        if (performance.now() > deadline) {
          return { kind: 'limit', message: `time limit reached (${(limits.timeoutMs! / 1000).toFixed(1)} s) at eip 0x${hex8(main.vm.cpu.eip)}` };
        }
        this.switchTo(task);
        // Timers fire and asynchronous signals arrive between slices.
        task.proc.poll();
        // poll() may have ended it (a signal's default action); a parked process's old 'budget' stop is no end.
        const stopped = vm.stopped;
        const r: StopReason = stopped !== null && stopped.kind !== 'budget' ? stopped : vm.run(budget);
        // A park or a thread's exit is the thread's own, not its process's.
        const proc = task.proc;
        if (proc.waitingFor !== null) {
          task.waitingFor = proc.waitingFor;
          proc.waitingFor = null;
        }
        if (proc.exitingThread) {
          proc.exitingThread = false;
          this.endThread(task);
          continue;
        }
        if (r.kind === 'budget') continue;
        const status = r.status;
        const message = r.kind === 'error' ? r.message : undefined;
        if (task.proc === main.proc) return { kind: 'ended', status, message };
        // A child's death is its parent's to report (wait4), as on the real system; wasmvisor's own errors are not.
        if (message && task.proc.termination === null) this.diag(message);
        this.end(task, task.proc.termination ?? { code: status });
      }
    } finally {
      for (const t of [...this.tasks]) if (t.proc !== main.proc && !t.ended) this.end(t, { signal: 9, core: false });
    }
  }

  /** The next process that can run, round robin from `turn`; parked ones whose wait is over (or that have a signal) wake. */
  private pick(turn: number): Task | null {
    const n = this.tasks.length;
    for (let k = 0; k < n; k++) {
      const t = this.tasks[(turn + k) % n];
      if (t.ended) continue;
      const w = t.waitingFor;
      if (w !== null) {
        if (!w.ready() && !hasDeliverable(t.proc)) continue;
        t.waitingFor = null;
        const eax = w.outcome?.() ?? null;
        if (eax !== null) {
          // The thread is off the CPU (parked), so its EAX is in its saved state unless it was the last to run.
          if (t.saved !== null) t.saved[Slot.EAX] = eax;
          else t.vm.cpu.r32[Slot.EAX] = eax;
        }
      }
      return t;
    }
    return null;
  }

  /** Everyone waits: sleep until the earliest armed timer fires. False when none is armed (a deadlock). */
  private waitForTimers(): boolean {
    const now = process.hrtime.bigint();
    let soonest: bigint | null = null;
    for (const t of this.tasks) {
      if (t.ended) continue;
      const due = t.proc.realTimer.untilDue(now);
      if (due !== null && (soonest === null || due < soonest)) soonest = due;
      const d = t.waitingFor?.deadline ?? null;
      if (d !== null && (soonest === null || d - now < soonest)) soonest = d > now ? d - now : 0n;
    }
    if (soonest === null) return false;
    if (soonest > 0n) sleepMs(Number(soonest) / 1e6);
    for (const t of this.tasks) if (!t.ended) t.proc.poll();
    return true;
  }

  private deadlockMessage(): string {
    const waits = this.tasks.filter((t) => !t.ended).map((t) => `pid ${t.tid}: ${t.waitingFor?.what ?? 'running'}`);
    return `wasmvisor: every process waits for another, forever (${waits.join('; ')})`;
  }

  /** One thread ends (exit(2) with others left): its clear_child_tid is zeroed and woken. */
  private endThread(task: Task): void {
    task.ended = true;
    this.tasks.splice(this.tasks.indexOf(task), 1);
    if (task.clearTid !== 0) {
      try {
        task.proc.io.setU32(task.clearTid, 0);
      } catch {
        // an unmapped address: the kernel ignores the fault too
      }
      this.futexWake(task.clearTid, 1);
    }
  }

  /** A process ended (all its threads): it becomes a zombie for its parent, which gets its exit signal (SIGCHLD). */
  private end(task: Task, termination: Termination): void {
    const proc = task.proc;
    for (const t of this.tasks.filter((x) => x.proc === proc)) t.ended = true;
    this.retiredByEnded += task.vm.icount;
    for (let i = this.tasks.length - 1; i >= 0; i--) if (this.tasks[i].proc === proc) this.tasks.splice(i, 1);
    this.onCpu.delete(task.vm);
    proc.dispose();
    const parent = this.tasks.find((t) => t.proc.pid === proc.ppid && !t.ended);
    if (parent === undefined) return;
    this.zombies.push({ pid: proc.pid, ppid: proc.ppid, termination });
    if (proc.exitSignal !== 0) {
      const code = 'code' in termination ? 1 : 2; // CLD_EXITED, CLD_KILLED (no core is dumped: CLD_DUMPED never)
      const value = 'code' in termination ? termination.code : termination.signal;
      parent.proc.raise(proc.exitSignal, { signo: proc.exitSignal, code, pid: proc.pid, uid: proc.uid, value });
    }
  }
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** A thread's architectural state: slots 0-55 (registers, EIP, flags, segments, control registers) and 64-159 (x87, MXCSR, XMM, MMX). */
function saveThread(vm: Machine): Int32Array {
  const s = vm.cpu.s;
  const out = new Int32Array(0x280 / 4);
  out.set(s.subarray(0, 56));
  out.set(s.subarray(Slot.FPU_TOP, 0x280 / 4), Slot.FPU_TOP);
  return out;
}

function restoreThread(vm: Machine, saved: Int32Array): void {
  const s = vm.cpu.s;
  s.set(saved.subarray(0, 56));
  s.set(saved.subarray(Slot.FPU_TOP, 0x280 / 4), Slot.FPU_TOP);
}

/** The parent's architectural state (registers, flags, segments, x87/SSE) into the child's CPU. */
function copyCpu(from: Machine, to: Machine): void {
  restoreThread(to, saveThread(from));
  // Segments again through setSegment, so the child's CPU derives what it keeps from them (code size, checks).
  const s = to.cpu.s;
  for (const seg of [Seg.ES, Seg.CS, Seg.SS, Seg.DS, Seg.FS, Seg.GS]) {
    to.cpu.setSegment(seg, s[Slot.SEG_SEL + seg], {
      base: s[Slot.SEG_BASE + seg],
      limit: s[Slot.SEG_LIMIT + seg],
      attr: s[Slot.SEG_ATTR + seg],
    });
  }
}
