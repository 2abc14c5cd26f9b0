import { emulateUmip } from './umip.js';
import { UMIP_DETAIL } from '../runtime/interp/control.js';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Seg } from '../decoder/types.js';
import { decode, formatInstruction } from '../decoder/index.js';
import type { Cpu } from '../runtime/cpu.js';
import { CpuException, Vector } from '../runtime/exceptions.js';
import { Slot } from '../runtime/layout.js';
import type { Machine, Personality, StopReason } from '../runtime/machine.js';
import type { GuestMemory } from '../runtime/memory.js';
import type { Mmu } from '../runtime/mmu.js';
import { FLAT_CODE_ATTR, FLAT_DATA_ATTR, USER_CS, USER_DS } from '../runtime/segments.js';
import {
  AddressSpace,
  BEYOND_FILE_END,
  MAP_ANONYMOUS,
  MAP_GROWSDOWN,
  MAP_PRIVATE,
  OUT_OF_MEMORY,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  STACK_SIZE,
  STACK_TOP,
} from './address-space.js';
import { LinuxDescriptorTables } from './descriptors.js';
import { type ElfImage, LoadError, loadElf, readElfFile } from './elf.js';
import { E, errnoName, errnoOf } from './errno.js';
import { AT_FDCWD, FdTable, HostFile, MemFile, O_RDONLY, O_WRONLY, type OpenFile, SinkFile } from './files.js';
import { Errno, GuestIO, fail, hostPath } from './guest-io.js';
import { type Signal, SIGNAL_NAMES } from './signals.js';
import { deliverPendingSignals, faultSignal, fireTimers, forceSignal, hasDeliverable, PendingSignals, sendSignal } from './signal-delivery.js';
import { type SigInfo, SI_KERNEL } from './signal-frame.js';
import { IntervalTimer } from './interval-timer.js';
import { buildInitialStack } from './stack.js';
import { type Termination, WouldBlock } from './blocking.js';
import type { ProcessTable } from './process-table.js';
import { Sysroot } from './sysroot.js';
import { syscallName } from './syscall-names.js';
import { SYSCALLS } from './syscalls.js';

/** What a LinuxProcess needs of the VM (a Machine satisfies it; tests may pass a lighter object). */
export interface GuestVm {
  readonly mem: GuestMemory;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  stop(reason: StopReason): void;
  /** Why the current run is ending, once stop() was called. */
  readonly stopped: StopReason | null;
  /** Set to make the run loop drop chained paths (a signal moved EIP elsewhere). */
  attention: boolean;
  flushCode(): void;
}

/** Where the guest's fds 0, 1, 2 go: a host fd, data to read, or a callback receiving output. */
export interface StdioOptions {
  stdin?: number | Uint8Array | string;
  stdout?: number | ((data: Uint8Array) => void);
  stderr?: number | ((data: Uint8Array) => void);
}

export interface LinuxProcessOptions {
  /** The program path as given on the command line (AT_EXECFN; /proc/self/exe resolves it). */
  program: string;
  /** Stop with status 2 at the first unimplemented syscall instead of returning -ENOSYS. */
  strict?: boolean;
  /** Print every syscall and its result (like strace) through `diag`. */
  strace?: boolean;
  stdio?: StdioOptions;
  /** wasmvisor's own diagnostics, one line each (default: the host's stderr). */
  diag?: (line: string) => void;
  /** Initial working directory (default: the host's). */
  cwd?: string;
  /**
   * The root of an i386 system (qemu-user's -L): the program's interpreter
   * and every absolute path the guest names are looked up there first (see
   * sysroot.ts). Default: none, the host's root.
   */
  sysroot?: string;
}

/** struct sigaction as rt_sigaction passes it. */
export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  mask: bigint;
}


/** Host path string (UTF-16) → the latin1 byte-string form guest paths use. */
export const toGuestString = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

const VECTOR_TAGS: Record<number, string> = {
  0: '#DE', 1: '#DB', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS', 11: '#NP',
  12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 19: '#XM',
};

/** "write to unmapped address 0x00000000" from a #PF's error code and the mapper's detail. */
export function describePageFault(e: CpuException): string {
  const code = e.errorCode;
  const access = code & 0x10 ? 'execute at' : code & 2 ? 'write to' : 'read from';
  const d = e.detail;
  if (d === BEYOND_FILE_END) return `${access} address 0x${hex8(e.address)}, past the end of the mapped file`;
  const what = d.includes('unmapped')
    ? 'unmapped'
    : d.includes('read-only')
      ? 'read-only'
      : d.includes('not executable')
        ? 'non-executable'
        : d.includes('PROT_NONE')
          ? 'PROT_NONE'
          : code & 1
            ? 'protected'
            : 'unmapped';
  return `${access} ${what} address 0x${hex8(e.address)}`;
}

/**
 * One Linux process: its address space, fds, TLS descriptors, signal
 * dispositions and limits, and the OS side of the CPU (syscalls, faults).
 * Everything is per instance; two processes in one Node process share
 * nothing.
 */
export class LinuxProcess implements Personality {
  readonly mm = new AddressSpace();
  readonly fds = new FdTable();
  /** The GDT's TLS entries and the LDT as the running thread sees them (the process table swaps them per thread). */
  gdt = new LinuxDescriptorTables();
  /** The program as named on the command line or to execve (AT_EXECFN). */
  program: string;
  readonly strict: boolean;
  strace: boolean;
  readonly diag: (line: string) => void;
  /** Absolute path of the executable (latin1 byte string), what /proc/self/exe points to. */
  exe: string;
  cwd: string;
  /** --sysroot: where absolute guest paths are looked up first; null for the host's root only. */
  readonly sysroot: Sysroot | null;
  umask: number;
  /** The host's umask, which the host kernel applies on top of the guest's. */
  readonly hostUmask: number;
  /** The host's pid for the first process (what /proc and the shell show), the process table's for its children. */
  pid = process.pid;
  ppid = process.ppid;
  /** The processes this one can fork into and wait for, when it runs under a ProcessTable (the CLI's runs do). */
  table: ProcessTable | null = null;
  /** Parked in a syscall until this holds (see WouldBlock); null while runnable. */
  waitingFor: WouldBlock | null = null;
  /** How the process ended, once it has. */
  termination: Termination | null = null;
  /** The running thread's id when it is not the process's first thread (0: it is). */
  tid = 0;
  /** Set by exit(2) in a thread whose process has others: only that thread ends. */
  exitingThread = false;
  readonly uid = process.getuid?.() ?? 0;
  readonly gid = process.getgid?.() ?? 0;
  readonly euid = process.geteuid?.() ?? this.uid;
  readonly egid = process.getegid?.() ?? this.gid;
  /** The command line, for /proc/self/cmdline. */
  argv: Buffer[] = [];
  /** prctl(PR_SET_NAME). */
  comm: string;
  personality = 0;
  readonly sigactions = new Map<number, SigAction>();
  sigmask = 0n;
  readonly pending = new PendingSignals();
  /** sigsuspend's caller mask, put back by the handler's sigreturn (or at once if no handler runs). */
  suspendedMask: bigint | null = null;
  /** ITIMER_REAL (alarm, setitimer): SIGALRM on the wall clock. */
  readonly realTimer = new IntervalTimer();
  altstack = { sp: 0, flags: 2, size: 0 };
  /** RLIMIT_* → [soft, hard], RLIM_INFINITY as 2^64-1. */
  readonly rlimits = new Map<number, [bigint, bigint]>();
  tidAddress = 0;
  robustList = 0;
  /** Terminal settings as the guest last set them (not applied to the host terminal). */
  termios: Uint8Array | null = null;
  /** Syscalls served, for --stats. */
  syscallCount = 0;
  /** Wall-clock start, for times() and sysinfo uptime. */
  readonly startNs = process.hrtime.bigint();
  private readonly warned = new Set<string>();
  private nextIno = 1;
  private vmRef: GuestVm | null = null;
  private ioRef: GuestIO | null = null;

  constructor(opts: LinuxProcessOptions) {
    this.program = opts.program;
    this.strict = opts.strict ?? false;
    this.strace = opts.strace ?? false;
    this.diag = opts.diag ?? ((line) => fs.writeSync(2, `${line}\n`));
    let exe = nodePath.resolve(opts.program);
    try {
      exe = fs.realpathSync(exe);
    } catch {
      // keep the absolute path; loading will report the problem
    }
    this.exe = toGuestString(exe);
    this.cwd = toGuestString(opts.cwd ?? process.cwd());
    this.sysroot = opts.sysroot !== undefined ? new Sysroot(opts.sysroot) : null;
    this.comm = nodePath.basename(opts.program).slice(0, 15);
    this.hostUmask = process.umask(); // the read-only form: setting it is not allowed in worker threads
    this.umask = this.hostUmask;
    const INF = 0xffffffffffffffffn;
    const defaults: [number, bigint, bigint][] = [
      [0, INF, INF], // CPU
      [1, INF, INF], // FSIZE
      [2, INF, INF], // DATA
      [3, BigInt(STACK_SIZE), INF], // STACK
      [4, 0n, INF], // CORE
      [5, INF, INF], // RSS
      [6, 63432n, 63432n], // NPROC
      [7, 1024n, 1048576n], // NOFILE
      [8, 8388608n, 8388608n], // MEMLOCK
      [9, INF, INF], // AS
      [10, INF, INF], // LOCKS
      [11, 63432n, 63432n], // SIGPENDING
      [12, 819200n, 819200n], // MSGQUEUE
      [13, 0n, 0n], // NICE
      [14, 0n, 0n], // RTPRIO
      [15, INF, INF], // RTTIME
    ];
    for (const [r, cur, max] of defaults) this.rlimits.set(r, [cur, max]);
    this.setupStdio(opts.stdio ?? {});
  }

  private setupStdio(stdio: StdioOptions): void {
    const specs: [number, number | Uint8Array | string | ((d: Uint8Array) => void) | undefined, number][] = [
      [0, stdio.stdin, O_RDONLY],
      [1, stdio.stdout, O_WRONLY],
      [2, stdio.stderr, O_WRONLY],
    ];
    for (const [fd, spec, mode] of specs) {
      let file: OpenFile | null;
      if (spec === undefined || typeof spec === 'number') file = HostFile.inherit(spec ?? fd, mode);
      else if (typeof spec === 'function') file = new SinkFile(`pipe:[stdio${fd}]`, spec, this.allocIno());
      else file = new MemFile(`pipe:[stdio${fd}]`, typeof spec === 'string' ? Buffer.from(spec) : spec, this.allocIno(), false);
      if (file) this.fds.installAt(fd, file);
    }
  }

  /** Inode numbers for pipes and other objects without a host file. */
  allocIno(): number {
    return 0x1000 + this.nextIno++;
  }

  /** Connects the VM built around this process (the Machine needs the mapper and personality first). */
  attach(vm: GuestVm): void {
    this.vmRef = vm;
    this.ioRef = new GuestIO(vm.mmu);
    this.mm.attach(vm);
    vm.cpu.descriptors = this.gdt;
  }

  get vm(): GuestVm {
    if (!this.vmRef) throw new Error('LinuxProcess used before attach()');
    return this.vmRef;
  }

  get io(): GuestIO {
    if (!this.ioRef) throw new Error('LinuxProcess used before attach()');
    return this.ioRef;
  }

  /**
   * execve's second half: maps the image (and its PT_INTERP, the dynamic
   * loader, which then runs first) and a stack, writes argv/envp/auxv, and
   * sets the registers and segments the kernel gives a new i386 process.
   */
  exec(image: ElfImage, argv: readonly (string | Uint8Array)[], envp: readonly (string | Uint8Array)[]): void {
    const vm = this.vm;
    const loaded = loadElf(image, this.mm, this.exe);
    const interp = image.interp !== null ? this.loadInterpreter(image, image.interp) : null;
    this.mm.readImpliesExec = loaded.readImpliesExec;
    if (loaded.readImpliesExec) this.personality |= 0x0400000; // READ_IMPLIES_EXEC
    this.mm.mapFixed(STACK_TOP - STACK_SIZE, STACK_SIZE, {
      prot: PROT_READ | PROT_WRITE | (loaded.executableStack ? PROT_EXEC : 0),
      flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN,
      name: '[stack]',
    });
    this.argv = argv.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a)));
    const stack = buildInitialStack(vm.mmu, {
      argv,
      envp,
      execfn: this.program,
      entry: loaded.entry,
      phdr: loaded.phdr,
      phnum: loaded.phnum,
      base: interp?.bias ?? 0,
      uid: this.uid,
      euid: this.euid,
      gid: this.gid,
      egid: this.egid,
    });
    const cpu = vm.cpu;
    cpu.r32.fill(0);
    cpu.r32[Slot.ESP] = stack.sp;
    cpu.eip = interp?.entry ?? loaded.entry;
    cpu.eflags = 0x202;
    cpu.setSegment(Seg.CS, USER_CS, { base: 0, limit: -1, attr: FLAT_CODE_ATTR });
    for (const seg of [Seg.DS, Seg.ES, Seg.SS]) cpu.setSegment(seg, USER_DS, { base: 0, limit: -1, attr: FLAT_DATA_ATTR });
    for (const seg of [Seg.FS, Seg.GS]) cpu.setSegment(seg, 0, { base: 0, limit: 0, attr: 0 });
    cpu.descriptors = this.gdt;
  }

  /**
   * Maps the program interpreter `path` names (through the sysroot, like any
   * guest path) the way the kernel's load_elf_interp does: an ET_DYN image
   * placed top down below the mmap base. Throws LoadError when it is not there
   * (saying to use --sysroot) or is no i386 shared object.
   */
  private loadInterpreter(program: ElfImage, path: string) {
    const host = hostPath(this.resolve(AT_FDCWD, path)).toString('utf8');
    if (!fs.existsSync(host)) {
      const shown = (s: string) => hostPath(s).toString('utf8');
      const where = this.sysroot ? `neither in ${shown(this.sysroot.dir)} (--sysroot) nor on the host` : 'not on the host';
      const fix = this.sysroot
        ? ''
        : '; give the root of an i386 system that has it with --sysroot DIR (for example Debian\'s libc6:i386 unpacked with dpkg-deb -x DEB DIR)';
      throw new LoadError(`${program.path} is dynamically linked and its interpreter ${shown(path)} is ${where}${fix}`);
    }
    const image = readElfFile(host);
    if (image.interp !== null) throw new LoadError(`${program.path}: its interpreter ${host} has an interpreter itself`);
    let real = host;
    try {
      real = fs.realpathSync(host);
    } catch {
      // keep the path as found
    }
    return loadElf(image, this.mm, toGuestString(real), 'interpreter');
  }

  // ------------------------------------------------------------------ Personality

  onInterrupt(vm: Machine | GuestVm, vector: number): void {
    // INT 0x80 is the i386 syscall gate; SYSENTER (-1) is treated alike (there is no vDSO to return through).
    if (vector === 0x80 || vector === -1) {
      this.syscall();
      return;
    }
    // Every other gate has DPL 0 (INT3/INTO aside): the kernel answers #GP, i.e. SIGSEGV.
    // INT3, INTO and INT1 are traps (EIP stays past them); INT n faults (EIP back at it).
    const eip = vm.cpu.eip;
    if (vector === 3) {
      const at = this.vm.mmu.readUpTo(eip - 1, 1)[0] === 0xcc ? eip - 1 : eip - 2;
      this.trap(new CpuException(Vector.BP, 0), '#BP: int3', at);
    } else if (vector === 4) {
      this.trap(new CpuException(Vector.OF, 0), '#OF: into', eip - 1);
    } else if (vector === 1) {
      this.trap(new CpuException(Vector.DB, 0), '#DB: int1', eip - 1);
    } else {
      vm.cpu.eip = eip - 2;
      const e = new CpuException(Vector.GP, ((vector & 0xff) << 3) | 2);
      this.trap(e, `#GP: int 0x${(vector & 0xff).toString(16)}`, eip - 2);
    }
  }

  /** A CPU exception with the guest's handler if it has one, else the fault's diagnostic and death. */
  private trap(e: CpuException, what: string | null, at: number, headline?: string): void {
    const { info, trap } = faultSignal(e, at);
    if (forceSignal(this, info, trap)) return;
    this.fatal(info.signo, what, at, headline);
  }

  onException(vm: Machine | GuestVm, e: CpuException): void {
    if (e.detail === OUT_OF_MEMORY) {
      this.outOfMemory();
      return;
    }
    if (e.vector === Vector.GP && e.detail === UMIP_DETAIL) {
      try {
        if (emulateUmip(vm)) return;
      } catch (fault) {
        if (!(fault instanceof CpuException)) throw fault;
        e = fault; // the emulated store faulted: that is the guest's fault
      }
    }
    const tag = VECTOR_TAGS[e.vector] ?? `vector ${e.vector}`;
    if (e.vector === Vector.UD && e.detail.startsWith('unimplemented')) {
      this.trap(e, null, vm.cpu.eip, 'unimplemented instruction');
      return;
    }
    const what = e.vector === Vector.PF ? `#PF: ${describePageFault(e)}` : e.detail ? `${tag}: ${e.detail}` : tag;
    this.trap(e, what, vm.cpu.eip);
  }

  /** "89 03  mov dword ptr [ebx], eax" for the instruction at `eip`, or '' when unreadable. */
  describeInstruction(eip: number): string {
    // EIP is an offset in CS (a based 16-bit segment from modify_ldt, or flat).
    const bytes = this.vm.mmu.readUpTo((this.vm.cpu.segBase(Seg.CS) + eip) | 0, 15);
    if (bytes.length === 0) return '';
    try {
      const r = decode(bytes, 0, bytes.length, eip >>> 0, this.vm.cpu.codeSize);
      if (r.ok) {
        const hex = Array.from(bytes.subarray(0, r.insn.length), (b) => b.toString(16).padStart(2, '0')).join(' ');
        return `${hex}  ${formatInstruction(r.insn)}`;
      }
      const hex = Array.from(bytes.subarray(0, Math.max(1, Math.min(r.length, 15))), (b) => b.toString(16).padStart(2, '0'));
      return `${hex.join(' ')}  (${r.reason === 'invalid' ? 'invalid instruction' : 'truncated'})`;
    } catch {
      return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    }
  }

  /** Ends the process as killed by `sig` (a fault it cannot handle), with one diagnostic line. */
  fatalSignal(sig: Signal, what: string): void {
    this.fatal(sig, what, this.vm.cpu.eip);
  }

  /** Ends the process as killed by `sig` after a CPU fault, with one diagnostic line. */
  private fatal(sig: Signal, what: string | null, eip: number, headline?: string): void {
    const insn = this.describeInstruction(eip);
    const head = headline ?? `guest ${SIGNAL_NAMES[sig]}${what ? ` (${what})` : ''}`;
    const message = `wasmvisor: ${head} at eip 0x${hex8(eip)}${insn ? `: ${insn}` : ''}`;
    this.termination = { signal: sig, core: true };
    this.vm.stop({ kind: 'error', status: 128 + sig, message });
  }

  private outOfMemory(): void {
    const mib = Math.round(this.vm.mem.poolBytes / (1 << 20));
    // Like the kernel's OOM killer: SIGKILL.
    this.termination = { signal: 9, core: false };
    this.vm.stop({
      kind: 'error',
      status: 128 + 9,
      message: `wasmvisor: the guest ran out of memory (${mib} MiB); give it more with --memory`,
    });
  }

  // ------------------------------------------------------------------ syscalls

  /** Serves the syscall in EAX with arguments in EBX, ECX, EDX, ESI, EDI, EBP; the result goes to EAX. */
  syscall(): void {
    const r = this.vm.cpu.r32;
    const nr = r[Slot.EAX] >>> 0;
    const def = SYSCALLS.get(nr);
    this.syscallCount++;
    let result: number;
    if (!def) {
      result = this.unimplemented(nr);
    } else {
      try {
        result = def.fn(this, r[Slot.EBX], r[Slot.ECX], r[Slot.EDX], r[Slot.ESI], r[Slot.EDI], r[Slot.EBP]);
      } catch (e) {
        if (e instanceof WouldBlock && this.park(e)) return;
        result = e instanceof WouldBlock ? -E.EAGAIN : this.errorResult(e);
      }
    }
    if (this.strace) this.trace(nr, def?.name, result);
    r[Slot.EAX] = result;
    // The way back to user mode is where signals are delivered.
    if (this.suspendedMask !== null) {
      const saved = this.suspendedMask;
      this.suspendedMask = null;
      if (!deliverPendingSignals(this, saved)) this.sigmask = saved;
    } else if (hasDeliverable(this)) {
      deliverPendingSignals(this);
    }
  }

  /**
   * Parks the process on `block` with EIP back on its INT 0x80, so the
   * syscall runs again when it can go on. False when no other process
   * could ever make it ready (the caller gets EAGAIN, as before processes).
   */
  private park(block: WouldBlock): boolean {
    if (this.table === null || !this.table.othersCanRun(this)) return false;
    this.waitingFor = block;
    this.vm.cpu.eip = (this.vm.cpu.eip - 2) | 0;
    this.vm.stop({ kind: 'budget' });
    return true;
  }

  /** Parks the process after its syscall completes (vfork's parent) until `block` is ready. */
  suspendUntil(block: WouldBlock): void {
    this.waitingFor = block;
    this.vm.stop({ kind: 'budget' });
  }

  /** A handler's exception → -errno (bad guest pointer → EFAULT; host fs error → its errno). */
  private errorResult(e: unknown): number {
    if (e instanceof Errno) return -e.errno;
    if (e instanceof CpuException) {
      if (e.detail === OUT_OF_MEMORY) {
        this.outOfMemory();
        return -E.ENOMEM;
      }
      return -E.EFAULT;
    }
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('E')) return -errnoOf(e);
    throw e;
  }

  private trace(nr: number, name: string | undefined, result: number): void {
    const r = this.vm.cpu.r32;
    const args = [Slot.EBX, Slot.ECX, Slot.EDX, Slot.ESI, Slot.EDI, Slot.EBP].map((s) => `0x${(r[s] >>> 0).toString(16)}`);
    const res =
      result < 0 && result > -4096
        ? `-1 ${errnoName(-result)}`
        : (result >>> 0) >= 0x10000
          ? `0x${(result >>> 0).toString(16)}`
          : `${result}`;
    this.diag(`[wasmvisor] ${name ?? syscallName(nr)}(${args.join(', ')}) = ${res}`);
  }

  private unimplemented(nr: number): number {
    const message = `wasmvisor: unimplemented syscall ${syscallName(nr)} (${nr})`;
    if (this.strict) {
      this.vm.stop({ kind: 'error', status: 2, message });
    } else if (!this.warned.has(`syscall ${nr}`)) {
      this.warned.add(`syscall ${nr}`);
      this.diag(message);
    }
    return -E.ENOSYS;
  }

  /** Prints `message` once per `key` (features that are approximated). */
  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.diag(`wasmvisor: ${message}`);
  }

  /** Ends the run because the single-threaded guest waits for something that can never happen. */
  deadlock(what: string): number {
    this.vm.stop({
      kind: 'error',
      status: 2,
      message: `wasmvisor: ${what} would block forever (no other thread or process can wake it)`,
    });
    return -E.EINTR;
  }

  /** The running thread's id (gettid). */
  get threadId(): number {
    return this.tid || this.pid;
  }

  /** exit(2): the calling thread ends; with no other thread, the process. */
  exitThread(status: number): void {
    if (this.table?.hasOtherThreads(this)) {
      this.exitingThread = true;
      this.vm.stop({ kind: 'budget' });
      return;
    }
    this.exit(status);
  }

  exit(status: number): void {
    this.termination = { code: status & 0xff };
    this.vm.stop({ kind: 'exit', status: status & 0xff });
  }

  /** The signal the parent gets when this process ends (clone's low byte; SIGCHLD from fork). */
  exitSignal = 17;

  /**
   * fork's copy of this process's OS state, with pid `pid`: identity, cwd,
   * umask, limits, signal dispositions and mask (nothing pending, no
   * timers). The process table copies fds, memory and registers once the
   * child's VM exists.
   */
  forkChild(pid: number): LinuxProcess {
    const child = new LinuxProcess({
      program: this.program,
      strict: this.strict,
      strace: this.strace,
      diag: this.diag,
      sysroot: this.sysroot !== null ? Buffer.from(this.sysroot.dir, 'latin1').toString('utf8') : undefined,
      // Placeholders that touch no host fd: the table gives the child the parent's fds.
      stdio: { stdin: '', stdout: () => {}, stderr: () => {} },
    });
    child.pid = pid;
    child.ppid = this.pid;
    child.exe = this.exe;
    child.cwd = this.cwd;
    child.umask = this.umask;
    child.argv = this.argv;
    child.comm = this.comm;
    child.personality = this.personality;
    child.termios = this.termios;
    for (const [sig, action] of this.sigactions) child.sigactions.set(sig, action);
    child.sigmask = this.sigmask;
    child.altstack = { ...this.altstack };
    for (const [r, [cur, max]] of this.rlimits) child.rlimits.set(r, [cur, max]);
    return child;
  }

  // ------------------------------------------------------------------ signals

  /**
   * A signal sent to this process (kill, tgkill, timers, SIGPIPE): made
   * pending, and delivered on the way back to user mode (see
   * signal-delivery.ts). `info` defaults to a kernel-sent one.
   */
  raise(sig: number, info: SigInfo = { signo: sig, code: SI_KERNEL }): number {
    if (sig === 0) return 0;
    if (sig < 1 || sig > 64) return -E.EINVAL;
    sendSignal(this, { ...info, signo: sig });
    return 0;
  }

  /** Signals pending (blocked or not), for rt_sigpending. */
  get sigpending(): bigint {
    return this.pending.mask;
  }

  /** Between run slices: fires due timers and delivers what is pending (asynchronous signals). */
  poll(): void {
    fireTimers(this, process.hrtime.bigint());
    if (hasDeliverable(this)) deliverPendingSignals(this);
  }

  // ------------------------------------------------------------------ paths and files

  /** The open file behind `fd`, or EBADF. */
  file(fd: number): OpenFile {
    return this.fds.get(fd) ?? fail(E.EBADF);
  }

  /** Targets of the /proc/self symlinks, which must describe the guest rather than Node. */
  procLink(path: string): string | null {
    const m = /^\/proc\/(self|thread-self|\d+)\/(exe|cwd|root|fd\/(\d+))$/.exec(path);
    if (!m || (m[1] !== 'self' && m[1] !== 'thread-self' && Number(m[1]) !== this.pid)) return null;
    if (m[2] === 'exe') return this.exe;
    if (m[2] === 'cwd') return this.cwd;
    if (m[2] === 'root') return '/';
    return this.fds.get(Number(m[3]))?.path ?? fail(E.ENOENT);
  }

  /** /proc/self files that describe the process: synthesized (the host's would describe Node). */
  procFile(path: string): OpenFile | null {
    const m = /^\/proc\/(self|thread-self|\d+)\/(maps|cmdline|comm|fd\/(\d+))$/.exec(path);
    const m2 = /^\/dev\/(stdin|stdout|stderr|fd\/(\d+))$/.exec(path);
    if (m2) {
      const fd = m2[1] === 'stdin' ? 0 : m2[1] === 'stdout' ? 1 : m2[1] === 'stderr' ? 2 : Number(m2[2]);
      return this.fds.get(fd) ?? fail(E.ENOENT);
    }
    if (!m || (m[1] !== 'self' && m[1] !== 'thread-self' && Number(m[1]) !== this.pid)) return null;
    if (m[3] !== undefined) return this.fds.get(Number(m[3])) ?? fail(E.ENOENT);
    const bytes =
      m[2] === 'maps'
        ? Buffer.from(this.mm.describe(), 'latin1')
        : m[2] === 'comm'
          ? Buffer.from(`${this.comm}\n`, 'latin1')
          : Buffer.concat(this.argv.flatMap((a) => [a, Buffer.alloc(1)]));
    return new MemFile(path, bytes, this.allocIno(), true);
  }

  /**
   * A guest path relative to `dirfd` (AT_FDCWD: the guest's cwd) as a host
   * path. Not normalised: the host kernel resolves '..' and symlinks.
   */
  resolve(dirfd: number, path: string): string {
    if (path === '') fail(E.ENOENT);
    const link = this.procLink(path);
    if (link !== null) return link;
    if (path.startsWith('/')) return this.sysroot ? this.sysroot.lookup(path) : path;
    let base: string;
    if (dirfd === AT_FDCWD) {
      base = this.cwd;
    } else {
      const f = this.file(dirfd);
      if (!(f instanceof HostFile) || f.kind !== 'dir') fail(E.ENOTDIR);
      base = f.path;
    }
    return base.endsWith('/') ? base + path : `${base}/${path}`;
  }

  /** Frees host resources (fds, frames) after the run. */
  dispose(): void {
    this.fds.closeAll();
    if (this.vmRef) this.mm.dispose();
  }
}
