import { Seg } from '../decoder/types.js';
import { Slot } from '../runtime/layout.js';
import type { Machine, StopReason } from '../runtime/machine.js';
import type { Termination } from './blocking.js';
import { sleepMs } from './files.js';
import type { LinuxProcess } from './process.js';
import { hasDeliverable } from './signal-delivery.js';

/** Builds the VM of a new process and attaches it (the run's engine, memory size and translator options). */
export type VmFactory = (proc: LinuxProcess) => Machine;

/** A process the table runs: its OS half and its CPU. */
export interface Task {
  readonly proc: LinuxProcess;
  readonly vm: Machine;
  /** Set once the process has ended. */
  ended: boolean;
  /** execve has replaced its image (a vfork parent waits for this or the end). */
  execed: boolean;
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

  /** Adds the first process (its VM built by the caller). */
  add(proc: LinuxProcess, vm: Machine): Task {
    const task: Task = { proc, vm, ended: false, execed: false };
    proc.table = this;
    this.tasks.push(task);
    return task;
  }

  taskOf(proc: LinuxProcess): Task | undefined {
    return this.tasks.find((t) => t.proc === proc);
  }

  /** Whether some other live process could make `proc`'s wait end. */
  othersCanRun(proc: LinuxProcess): boolean {
    return this.tasks.some((t) => !t.ended && t.proc !== proc);
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
    this.tasks.push({ proc: child, vm, ended: false, execed: false });
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
        // Timers fire and asynchronous signals arrive between slices.
        task.proc.poll();
        // poll() may have ended it (a signal's default action); a parked process's old 'budget' stop is no end.
        const stopped = vm.stopped;
        const r: StopReason = stopped !== null && stopped.kind !== 'budget' ? stopped : vm.run(budget);
        if (r.kind === 'budget') continue;
        const status = r.status;
        const message = r.kind === 'error' ? r.message : undefined;
        if (task === main) return { kind: 'ended', status, message };
        // A child's death is its parent's to report (wait4), as on the real system; wasmvisor's own errors are not.
        if (message && task.proc.termination === null) this.diag(message);
        this.end(task, task.proc.termination ?? { code: status });
      }
    } finally {
      for (const t of this.tasks) if (t !== main && !t.ended) this.end(t, { signal: 9, core: false });
    }
  }

  /** The next process that can run, round robin from `turn`; parked ones whose wait is over (or that have a signal) wake. */
  private pick(turn: number): Task | null {
    const n = this.tasks.length;
    for (let k = 0; k < n; k++) {
      const t = this.tasks[(turn + k) % n];
      if (t.ended) continue;
      const w = t.proc.waitingFor;
      if (w !== null) {
        if (!w.ready() && !hasDeliverable(t.proc)) continue;
        t.proc.waitingFor = null;
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
    }
    if (soonest === null) return false;
    if (soonest > 0n) sleepMs(Number(soonest) / 1e6);
    for (const t of this.tasks) if (!t.ended) t.proc.poll();
    return true;
  }

  private deadlockMessage(): string {
    const waits = this.tasks.filter((t) => !t.ended).map((t) => `pid ${t.proc.pid}: ${t.proc.waitingFor?.what ?? 'running'}`);
    return `wasmvisor: every process waits for another, forever (${waits.join('; ')})`;
  }

  /** A process ended: it becomes a zombie for its parent, which gets its exit signal (SIGCHLD). */
  private end(task: Task, termination: Termination): void {
    task.ended = true;
    const proc = task.proc;
    this.retiredByEnded += task.vm.icount;
    const i = this.tasks.indexOf(task);
    this.tasks.splice(i, 1);
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

/** The parent's architectural state (registers, flags, segments, x87/SSE) into the child's CPU. */
function copyCpu(from: Machine, to: Machine): void {
  const a = from.cpu.s, b = to.cpu.s;
  // Registers, EIP, EFLAGS and the lazy flags record (slots 0-13).
  b.set(a.subarray(0, Slot.SEG_SEL));
  // The x87, MXCSR, and the register files (0x100-0x27f): everything from FPU_TOP to the MMX slots.
  b.set(a.subarray(Slot.FPU_TOP, 0x280 / 4), Slot.FPU_TOP);
  for (const seg of [Seg.ES, Seg.CS, Seg.SS, Seg.DS, Seg.FS, Seg.GS]) {
    to.cpu.setSegment(seg, a[Slot.SEG_SEL + seg], {
      base: a[Slot.SEG_BASE + seg],
      limit: a[Slot.SEG_LIMIT + seg],
      attr: a[Slot.SEG_ATTR + seg],
    });
  }
}
