import { Seg } from '../decoder/types.js';
import { HostClock, type Clock } from '../devices/device.js';
import { hookedPorts, type PortHook } from '../embed/machine-hooks.js';
import { PcPlatform } from '../devices/pc-platform.js';
import { MAX_BLOCK_INSNS } from '../runtime/block-cache.js';
import { IA32_TIME_STAMP_COUNTER } from '../runtime/interp/system.js';
import type { GuestMemory } from '../runtime/memory.js';
import { Access, type PageMapper } from '../runtime/mmu.js';
import { PAGE_MASK, PAGE_SIZE, Slot, Tlb } from '../runtime/layout.js';
import { type DirectRam, Engine, Machine, type Personality } from '../runtime/machine.js';
import { FLAT_CODE_ATTR, FLAT_DATA_ATTR } from '../runtime/segments.js';
import type { TimeProfile } from '../runtime/time-profile.js';
import type { TranslatorOptions } from '../translator/translator.js';
import { LoadError } from '../linux/elf.js';
import { linuxHandover, looksLikeBzImage, parseBzImage } from './linux-boot.js';
import { multibootHandover, parseMultibootKernel } from './multiboot.js';
import { CR0_WP, CR4_PAE, CR4_PGE, CR4_PSE, PagingMapper } from './paging.js';
import { CR0_ET, CR0_PE, CR0_PG, type Cpu } from '../runtime/cpu.js';
import { deliverInterrupt, fastSystemCallEnter, fastSystemCallExit, GdtDescriptors, ioPermitted, type InterruptSource, loadLdtRegister, loadTaskRegister, pushesErrorCode, returnToOuterRing } from './protected-mode.js';
import { CpuException, Vector } from '../runtime/exceptions.js';
import { CpuAccess } from '../embed/cpu-access.js';
import { readLinear, writeLinear } from '../embed/linear-memory.js';
import { anyHookHandled, SystemVmHooks, type VmInterruptHook, type VmSysenterHook } from './vm-hooks.js';

/** Ring-0 flat segments, as a multiboot loader leaves them (selectors as in a typical boot GDT). */
const KERNEL_CS = 0x08;
const KERNEL_DS = 0x10;
/** The Linux boot protocol's flat segments for the 32-bit entry (Documentation/arch/x86/boot.rst). */
const LINUX_BOOT_CS = 0x10;
const LINUX_BOOT_DS = 0x18;
const DPL_MASK = 0x60;
const IF = 0x200;
/** Guest instructions between looks at the devices' timers, the clock and the PIC. */
const SLICE = 50_000;
/**
 * The slice while an interrupt waits behind an STI's shadow: a block, then
 * it is taken. (One that waits for IF ends the slice where the guest sets
 * it: Cpu.onInterruptsEnabled. Before that, every slice with an interrupt
 * waiting was 500 instructions, and Debian's boot ran 4.6 million of them,
 * its decompressor with IF clear and the timer pending all along. With full
 * slices and nothing else, a pending IRQ 4 lost every race to the next
 * timer tick, and /init's output never left the UART.)
 */
const SHADOW_SLICE = 1;
/**
 * Interpreted runs before a block is translated (auto), far higher than a
 * Linux process's 50: most of a kernel's boot is initialisation code that
 * runs a few hundred times, and compiling it costs more than interpreting
 * it (a module costs V8 about 0.4 ms to compile here, whatever its size).
 * Debian's boot to its marker line, three alternating rounds after the
 * slicing fix (Cpu.onInterruptsEnabled): 12.8-14.8 s at 200 (2,930
 * modules), 10.7-11.3 s at 2,000, 10.5-11.0 s at 3,200 (720 modules); 400,
 * 800 and 1,600 fell in between. (Before that fix, 200 had beaten 50.)
 * Since blocks keep no Instruction objects (BlockCache: the interpreter's
 * working set shrank) and the batch window groups compiles, 1,500 wins:
 * seven alternating in-process rounds against 3,000, faster in six, medians
 * 9.1 s against 11.1 s and 11.6 s against 13.4 s on a noisy machine; 55 M
 * instructions interpreted instead of 72 M, 310 regions instead of 245.
 * 1,000 and 800 were no better than 1,500, 2,000 no better than 3,000.
 */
const SYSTEM_THRESHOLD = 1500;
/**
 * Guest instructions a hot block waits so that the blocks getting hot with
 * it compile in one region (TranslatorOptions.batchWindow). Debian's boot,
 * cold, five alternating pairs: 255-272 modules instead of 742-750, V8's
 * compile time 264-339 ms instead of 481-643 and code generation 405-602
 * ms instead of 462-712; the boot took 13.7 s (median) against 14.6 s, on a
 * machine whose boots spread from 10.6 to 17.8 s.
 */
const SYSTEM_BATCH_WINDOW = 100_000;
/**
 * A block that gets hot next to a big translated region is compiled in a
 * region of its own at once (TranslatorOptions.lateBlocks). Waiting
 * (lateFactor 8: 12,000 more runs at this threshold) left Debian's boot
 * interpreting 10 M instructions of such blocks; apart, it interprets 44-46 M
 * instructions instead of 54-56 M, compiles 22 K instead of 27 K (no big
 * region compiled again), and of six alternating in-process boots five were
 * faster (7.0-10.1 s against 7.4-11.6 s).
 */
const SYSTEM_LATE_BLOCKS = 'apart';
/**
 * The TSC's rate: one tick per nanosecond of the platform clock, reported
 * by CPUID leaf 0x16 (SystemHooks.tscMhz). Debian's kernel timed the TSC
 * against the PIT and failed ("Unable to calibrate against PIT": an
 * interpreted port read takes microseconds, unevenly), marked the TSC
 * unstable, calibrated a delay loop for about 40 timer ticks and kept time
 * by reading the PIT; with the frequency given it skips the calibration
 * and keeps time with RDTSC, as under qemu-system-i386.
 */
const TSC_MHZ = 1000;
const IA32_TSC_ADJUST = 0x3b;
/** Longest run of slices without letting the event loop turn (ms): short slices must not each pay for a turn. */
const YIELD_MS = 2;
/** Longest sleep of a halted CPU before looking at the devices again (ms). */
const MAX_IDLE_MS = 10;

/** How a system VM ended. */
export type SystemVmEnd =
  | { kind: 'halted' } // HLT with interrupts off: the guest is done (Linux's "System halted")
  | { kind: 'exit-device'; status: number } // the guest wrote to the isa-debug-exit port
  | { kind: 'reset' } // the guest pulsed the reset line (i8042)
  | { kind: 'fault'; message: string } // what the platform cannot deliver yet, or a triple fault
  | { kind: 'limit'; message: string } // --timeout or --max-instructions
  | { kind: 'stopped'; message: string } // the host asked (stop(): Ctrl-A X, an API call)
  // Pauses, which run({ until, count }) asked for: the VM goes on at the next run().
  | { kind: 'until'; eip: number } // EIP reached `until`; that instruction has not run
  | { kind: 'count'; eip: number }; // `count` instructions ran

/** What run() stops at, besides the guest's own end. */
export interface SystemRunLimits {
  /** Start here (EIP, in CS) instead of where the CPU is; a halted CPU wakes. */
  begin?: number;
  /** Ends the VM (kind 'limit') once this many instructions have retired since it was made. */
  maxInstructions?: number;
  /** Ends the VM (kind 'limit') after about this many milliseconds of this run. */
  timeoutMs?: number;
  /** Pauses before the instruction at this linear address (kind 'until'). */
  until?: number;
  /** Pauses after exactly this many more instructions (kind 'count'). */
  count?: number;
}

export interface SystemVmOptions {
  memoryBytes: number;
  engine?: Engine;
  translator?: Partial<TranslatorOptions>;
  /** Bytes the guest writes to COM1 (and to the 0xE9 debug port). */
  onSerial: (byte: number) => void;
  clock?: Clock;
  /** Where the VM's time goes (interpreter, translated code, compiling, exceptions and interrupts), when asked for. */
  profile?: TimeProfile;
}

/**
 * One PC: guest-physical memory (PhysicalMemory) under two-level paging
 * (PagingMapper: 4 KiB and 4 MiB pages, WP, accessed and dirty bits,
 * following CR0/CR3/CR4), the PC platform's devices on its I/O bus, and a
 * CPU that starts at ring 0 with flat segments.
 *
 * Interrupts and exceptions go through the IDT (external ones from the PIC
 * between slices of guest code, when IF is set); a halted CPU sleeps until
 * the devices' next event. A ring change takes the inner stack from the TSS
 * (LTR) and IRET goes back out; the GDT and the LDT are the descriptor
 * tables. Not yet (issue 6): task gates and task switches, PAE, SYSENTER.
 * A triple fault stops the VM with a message that says what failed.
 */
export class SystemVm {
  readonly vm: Machine;
  readonly platform: PcPlatform;
  private end: SystemVmEnd | null = null;
  /** Model-specific registers the guest wrote (SYSENTER_CS/ESP/EIP and the like are kept, not yet used). */
  private readonly msrs = new Map<number, bigint>();
  /** IA32_TSC_ADJUST: what the TSC reads on top of the clock's nanoseconds (signed). */
  private tscAdjust = 0n;
  /** HLT with interrupts on: the CPU waits for an interrupt. */
  private halted = false;
  /** Host input for COM1 not yet taken by the UART (sendSerial). */
  private serialInput: number[] = [];

  private readonly clock: Clock;
  private readonly paging: PagingMapper;
  /** Guest RAM: one run of host frames (PhysicalMemory). */
  private readonly ram: DirectRam;
  private hookSet: SystemVmHooks | null = null;
  private cpuAccess: CpuAccess | null = null;
  /** A pause the run in progress reached (an `until` breakpoint), or null. */
  private pause: SystemVmEnd | null = null;
  private readonly interruptHooks: VmInterruptHook[] = [];
  private readonly portHooks: PortHook[] = [];
  private readonly sysenterHooks: VmSysenterHook[] = [];

  /**
   * Code, block and memory hooks on this VM's CPU (embed/machine-hooks.ts),
   * at linear (virtual) addresses, and interrupt and port hooks
   * (vm-hooks.ts); a hook may stop() the VM. Made on first use: a VM nobody
   * hooks has no breakpoints and no watched pages.
   */
  get hooks(): SystemVmHooks {
    return (this.hookSet ??= new SystemVmHooks(this.vm, this.interruptHooks, this.portHooks, this.sysenterHooks, (eip) => {
      this.pause ??= { kind: 'until', eip };
      this.vm.stop({ kind: 'budget' });
    }));
  }

  /**
   * The CPU's registers as the embedding API has them (Emulator's calls:
   * readRegister, writeRegisters, readSegment, readXmm, saveContext ...).
   * Between runs; a register written at CPL 0 in protected mode is not
   * checked, as Unicorn does not check it either.
   */
  get cpu(): CpuAccess {
    return (this.cpuAccess ??= new CpuAccess(this.vm));
  }

  /** Copies memory at linear `address` out, through the guest's page tables (whatever the pages' permissions); RangeError where nothing is mapped. */
  readMemory(address: number, size: number): Uint8Array {
    return readLinear(this.vm, (a) => this.hostAddress(a), address, size);
  }

  /** Copies bytes to linear `address` through the guest's page tables, whatever the pages' permissions; code decoded from them is dropped. */
  writeMemory(address: number, bytes: Uint8Array): void {
    writeLinear(this.vm, (a) => this.hostAddress(a), address, bytes);
  }

  private hostAddress(address: number): number {
    try {
      return (this.paging.translate(address, Access.READ, false) & Tlb.FRAME) | (address & (PAGE_SIZE - 1));
    } catch (e) {
      if (e instanceof CpuException) return -1;
      throw e;
    }
  }

  constructor(readonly opts: SystemVmOptions) {
    this.clock = opts.clock ?? new HostClock();
    let mapper!: PagingMapper; // made once the Machine's memory exists
    const personality: Personality = {
      onInterrupt: (_vm, vector) => this.interrupt(vector, 'software'),
      onException: (vm, e: CpuException) => {
        if (e.vector === Vector.PF) vm.cpu.s[Slot.CR2] = e.address;
        this.interrupt(e.vector, 'exception', pushesErrorCode(e.vector) ? Math.max(e.errorCode, 0) : -1, e);
      },
    };
    this.platform = new PcPlatform({
      clock: this.clock,
      memoryBytes: opts.memoryBytes,
      onSerial: opts.onSerial,
      onDebugChar: opts.onSerial,
      onExit: (status) => this.finish({ kind: 'exit-device', status }),
      onReset: () => this.finish({ kind: 'reset' }),
      onInterruptChange: () => this.interruptChanged(),
    });
    this.vm = new Machine({
      // One frame more than the RAM: the open bus (see PhysicalMemory).
      memoryBytes: opts.memoryBytes + PAGE_SIZE,
      mapper: { translate: (a, acc, u) => mapper.translate(a, acc, u) },
      personality,
      engine: opts.engine ?? 'auto',
      profile: opts.profile,
      translator: { threshold: SYSTEM_THRESHOLD, batchWindow: SYSTEM_BATCH_WINDOW, lateBlocks: SYSTEM_LATE_BLOCKS, ...opts.translator },
      io: hookedPorts(this.portHooks, this.platform.bus),
      system: {
        halt: (vm) => {
          if (!(vm.cpu.s[Slot.FLAGS] & IF)) return void this.finish({ kind: 'halted' });
          this.halted = true;
          vm.stop({ kind: 'budget' });
        },
        controlRegisterWritten: (vm, cr, old) => this.controlRegisterWritten(cr, old),
        invalidatePage: (vm, linear) => this.invalidatePage(linear),
        loadTaskRegister,
        loadLdtRegister,
        returnToOuterRing,
        // DR6 and DR7 as after reset (their reserved bits read 1).
        debugRegisters: Int32Array.of(0, 0, 0, 0, 0, 0, 0xffff0ff0 | 0, 0x400),
        ioPermitted,
        fastSystemCall: (vm, direction) => {
          if (direction === 'enter' && this.sysenterHooks.length > 0 && anyHookHandled(this.sysenterHooks, (h) => h())) return;
          (direction === 'enter' ? fastSystemCallEnter : fastSystemCallExit)(vm, (index) => Number(BigInt.asUintN(32, this.msrs.get(index) ?? 0n)));
        },
        tscMhz: TSC_MHZ,
        readMsr: (_vm, index) => (index === IA32_TSC_ADJUST ? BigInt.asUintN(64, this.tscAdjust) : this.msrs.get(index)),
        writeMsr: (vm, index, value) => {
          // As the SDM has it: a write of the TSC moves TSC_ADJUST by as much, and a write of TSC_ADJUST moves the TSC.
          if (index === IA32_TIME_STAMP_COUNTER) this.tscAdjust += value - vm.cpu.tsc();
          else if (index === IA32_TSC_ADJUST) this.tscAdjust = BigInt.asIntN(64, value);
          else this.msrs.set(index, value);
        },
      },
    });
    const physical = new PhysicalMemory(this.vm.mem, opts.memoryBytes);
    this.ram = physical.ram;
    const s = this.vm.cpu.s;
    mapper = new PagingMapper(this.vm.mem, physical, { cr0: () => s[Slot.CR0], cr3: () => s[Slot.CR3], cr4: () => s[Slot.CR4] });
    this.vm.mmu.mapper = mapper;
    this.paging = mapper;
    // The CPU starts at ring 0; interrupt delivery and IRET keep this in step with the ring.
    this.vm.mmu.user = false;
    // Multiboot hands over in protected mode (PE) with paging off; ET always reads 1 on a P6.
    s[Slot.CR0] = CR0_PE | CR0_ET;
    this.vm.setDirectRam(this.ram);
    this.vm.cpu.descriptors = new GdtDescriptors(this.vm);
    // The TSC counts the platform clock's nanoseconds (TSC_MHZ), as the PIT and the CMOS clock count its time.
    this.vm.cpu.tsc = () => BigInt.asUintN(64, BigInt(this.clock.nowNs()) + this.tscAdjust);
    // An interrupt that waited for IF is taken right after the STI, POPF or IRET that sets it (the STI's shadow aside).
    this.vm.cpu.onInterruptsEnabled = () => {
      if (this.platform.intr) this.vm.stop({ kind: 'budget' });
    };
    this.flatRing0(KERNEL_CS, KERNEL_DS);
    s[Slot.FLAGS] = 0x2;
  }

  /**
   * Loads a Linux bzImage (recognised by its "HdrS" setup header) or else a
   * multiboot kernel; throws LoadError with a one-line reason, also for an
   * initrd given with a multiboot kernel.
   */
  loadKernel(bytes: Uint8Array, path: string, cmdline: string, initrd?: Uint8Array): 'linux' | 'multiboot' {
    if (looksLikeBzImage(bytes)) {
      this.loadLinux(bytes, path, cmdline, initrd);
      return 'linux';
    }
    if (initrd !== undefined) throw new LoadError(`${path} is not a Linux bzImage, and only Linux kernels take an initrd`);
    this.loadMultiboot(bytes, path, cmdline);
    return 'multiboot';
  }

  /**
   * Bytes typed on COM1's input. They wait here and enter the UART's receive
   * FIFO as the guest drains it (between slices of guest code), so a long
   * line is not lost to FIFO overruns.
   */
  sendSerial(bytes: Uint8Array | readonly number[]): void {
    for (const b of bytes) this.serialInput.push(b & 0xff);
  }

  /** Ends the VM at the next slice boundary (kind 'stopped'); for a host that quits (Ctrl-A X) or an API caller. */
  stop(message = 'stopped by the host'): void {
    this.finish({ kind: 'stopped', message });
  }

  /**
   * The PIC's output changed. A new request (an OUT that raised a line or
   * unmasked one, an EOI that let a lower one through) ends the current
   * slice after that instruction: the run loop delivers it, or, with IF
   * clear, the slice ends when the guest sets IF (Cpu.onInterruptsEnabled). Else
   * it would wait up to a slice, for the next timer tick to outrank it.
   */
  private interruptChanged(): void {
    // The PIC is made, and may report, before the Machine exists.
    if (this.vm === undefined || !this.platform.intr) return;
    this.vm.stop({ kind: 'budget' });
  }

  private feedSerial(): void {
    if (this.serialInput.length === 0) return;
    const taken = this.platform.com1.receive(this.serialInput.slice(0, 16));
    if (taken > 0) this.serialInput.splice(0, taken);
  }

  /** Loads a multiboot kernel as a multiboot loader would; throws LoadError with a one-line reason. */
  loadMultiboot(bytes: Uint8Array, path: string, cmdline: string): void {
    const handover = multibootHandover(parseMultibootKernel(bytes, path), this.opts.memoryBytes, cmdline, path);
    for (const w of handover.writes) this.vm.mmu.writeBytes(w.address, w.bytes);
    const r32 = this.vm.cpu.r32;
    r32[0] = handover.eax;
    r32[3] = handover.ebx;
    this.vm.cpu.eip = handover.eip;
  }

  /**
   * Loads a bzImage as the Linux boot protocol's 32-bit entry expects: the
   * protected-mode kernel at 1 MiB, boot_params (ESI), the command line and
   * an initrd; flat segments CS 0x10 and DS 0x18 as boot.rst asks (the
   * kernel loads its own GDT before it reloads them); EBX, EBP, EDI zero.
   */
  loadLinux(bytes: Uint8Array, path: string, cmdline: string, initrd?: Uint8Array): void {
    const handover = linuxHandover(parseBzImage(bytes, path), { memoryBytes: this.opts.memoryBytes, cmdline, initrd }, path);
    for (const w of handover.writes) this.vm.mmu.writeBytes(w.address, w.bytes);
    const cpu = this.vm.cpu;
    this.flatRing0(LINUX_BOOT_CS, LINUX_BOOT_DS);
    cpu.r32.fill(0);
    cpu.r32[6] = handover.esi;
    cpu.eip = handover.eip;
  }

  /**
   * What a control register write changes: the soft TLB caches translations
   * under CR3's tables and CR0's and CR4's paging bits, so it is dropped when
   * those change (not when CR0.TS or other bits do; a CR3 write keeps the
   * global pages' entries); code decoded under the old mappings is checked
   * again before it runs (Machine.remapped).
   */
  private controlRegisterWritten(cr: number, old: number): void {
    const s = this.vm.cpu.s;
    const changed = cr === 0 ? (s[Slot.CR0] ^ old) & (CR0_PG | CR0_WP | CR0_PE) : cr === 4 ? (s[Slot.CR4] ^ old) & (CR4_PSE | CR4_PGE | CR4_PAE) : cr === 3 ? 1 : 0;
    if (changed === 0) return;
    if (cr === 3) this.vm.mmu.flushNonGlobal();
    else this.vm.mmu.flush();
    this.vm.remapped(cr === 3);
    // With paging off, translated reads of RAM skip the TLB (Machine.directRam).
    if (cr === 0 && changed & CR0_PG) this.vm.setDirectRam(s[Slot.CR0] & CR0_PG ? null : this.ram);
  }

  /**
   * INVLPG: the page's translation goes (the whole 4 MiB of a large page:
   * the soft TLB holds it as 1024 entries). Decoded code is checked again
   * only when some was decoded from the page: Debian's boot invalidates
   * tens of thousands of data pages (kmap, fixmap, text_poke's alias), and
   * each remapping emptied the dispatch cache, so that 1.9 million jumps
   * between translated regions went back through JavaScript.
   */
  private invalidatePage(linear: number): void {
    const large = this.paging.largePageAt(linear);
    const start = large ? linear & ~0x3fffff : linear & ~0xfff;
    const size = large ? 1 << 22 : PAGE_SIZE;
    this.vm.mmu.flushRange(start, size);
    if (this.vm.blocks.decodedFrom(start, size)) this.vm.remapped();
  }

  /** CS and the data segment registers as a boot loader leaves them: ring 0, base 0, 4 GiB, with these selectors. */
  private flatRing0(cs: number, ds: number): void {
    const cpu = this.vm.cpu;
    cpu.setSegment(Seg.CS, cs, { base: 0, limit: -1, attr: FLAT_CODE_ATTR & ~DPL_MASK });
    for (const seg of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(seg, ds, { base: 0, limit: -1, attr: FLAT_DATA_ATTR & ~DPL_MASK });
  }

  /** Runs until the guest ends the VM or a limit is reached; lets the event loop turn between slices. */
  async run(limits: SystemRunLimits = {}): Promise<SystemVmEnd> {
    const deadline = limits.timeoutMs !== undefined ? performance.now() + limits.timeoutMs : Infinity;
    const maxInstructions = limits.maxInstructions ?? Infinity;
    const vm = this.vm;
    if (limits.begin !== undefined) {
      vm.cpu.eip = limits.begin;
      this.halted = false;
    }
    const countLimit = limits.count !== undefined ? vm.icount + limits.count : Infinity;
    const until = limits.until !== undefined ? limits.until >>> 0 : null;
    if (until !== null || this.hookSet !== null) this.hooks.setUntil(until);
    this.pause = null;
    try {
      return await this.runLoop(limits, deadline, maxInstructions, countLimit, until);
    } finally {
      if (until !== null) this.hooks.setUntil(null);
    }
  }

  private async runLoop(limits: SystemRunLimits, deadline: number, maxInstructions: number, countLimit: number, until: number | null): Promise<SystemVmEnd> {
    const vm = this.vm;
    const platform = this.platform;
    let lastYield = performance.now();
    while (this.end === null) {
      this.feedSerial();
      const next = platform.tick();
      if (takesExternalInterrupt(vm.cpu, platform.intr)) {
        this.halted = false;
        this.interrupt(platform.acknowledge(), 'external');
        if (this.end !== null) break;
      }
      if (this.halted) {
        // Nothing to run until a device raises an interrupt: sleep until its next event.
        if (performance.now() > deadline) return this.finish({ kind: 'limit', message: `time limit reached (${(limits.timeoutMs! / 1000).toFixed(1)} s) while halted at eip ${hex8(vm.cpu.eip)}` });
        const waitMs = Math.min(MAX_IDLE_MS, Math.max(0, (next - this.clock.nowNs()) / 1e6));
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        continue;
      }
      const left = maxInstructions - vm.icount;
      if (left <= 0) return this.finish({ kind: 'limit', message: `instruction limit reached (${maxInstructions} instructions) at eip ${hex8(vm.cpu.eip)}` });
      const now = performance.now();
      if (now - lastYield >= YIELD_MS) {
        // Compiles finish, and host input arrives, on the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (now > deadline) return this.finish({ kind: 'limit', message: `time limit reached (${(limits.timeoutMs! / 1000).toFixed(1)} s) at eip ${hex8(vm.cpu.eip)}` });
      if (until === vm.cpu.eip) return { kind: 'until', eip: vm.cpu.eip };
      const toCount = countLimit - vm.icount;
      if (toCount <= 0) return { kind: 'count', eip: vm.cpu.eip };
      const slice = Math.min(platform.intr && vm.cpu.s[Slot.FLAGS] & IF ? SHADOW_SLICE : SLICE, left);
      // Block by block until a block could overshoot `count`, then instruction by instruction.
      const r = toCount > MAX_BLOCK_INSNS ? vm.run(Math.min(slice, toCount - MAX_BLOCK_INSNS)) : (vm.step() ?? { kind: 'budget' as const });
      if (this.end !== null) break;
      if (this.pause !== null) return this.pause;
      if (r.kind === 'error') return this.finish({ kind: 'fault', message: r.message });
      if (r.kind === 'exit') return this.finish({ kind: 'fault', message: `the machine stopped with status ${r.status}` });
    }
    return this.end!;
  }

  /**
   * Delivers an interrupt or exception through the IDT; a fault while
   * delivering becomes a double fault, and one while delivering that a
   * triple fault, which ends the VM (a real PC resets).
   */
  private interrupt(vector: number, source: InterruptSource, errorCode = -1, cause: CpuException | null = null): void {
    const vm = this.vm;
    if (this.interruptHooks.length > 0 && anyHookHandled(this.interruptHooks, (h) => h(vector, source, errorCode))) return;
    try {
      deliverInterrupt(vm, vector, source, errorCode);
      return;
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      if (vector !== Vector.DF && source === 'exception') {
        try {
          deliverInterrupt(vm, Vector.DF, 'exception', 0);
          return;
        } catch (f) {
          if (!(f instanceof CpuException)) throw f;
        }
      }
      const what = cause ? `exception ${cause.vector}${cause.detail ? ` (${cause.detail})` : ''}` : `interrupt 0x${vector.toString(16)}`;
      this.finish({ kind: 'fault', message: `triple fault: ${what} at eip ${hex8(vm.cpu.eip)} could not be delivered: ${e.detail || `exception ${e.vector}`}` });
    }
  }


  private finish(end: SystemVmEnd): SystemVmEnd {
    if (this.end === null) {
      this.end = end;
      this.vm.stop({ kind: 'exit', status: 0 });
    }
    return this.end;
  }
}

/**
 * Whether the CPU takes a pending external interrupt at this slice
 * boundary: IF set, and not right after an STI, MOV SS or POP SS (the
 * interrupt shadow: that instruction's successor runs first, and the
 * interrupt waits for the next slice). Consumes the shadow either way.
 */
export function takesExternalInterrupt(cpu: Cpu, pending: boolean): boolean {
  const shadowed = cpu.interruptShadowEip === cpu.eip;
  cpu.interruptShadowEip = -1;
  return pending && (cpu.s[Slot.FLAGS] & IF) !== 0 && !shadowed;
}

function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * Guest-physical memory: RAM from address 0, in one run of host frames (so
 * that translated code running with paging off can read it at a fixed
 * offset: Machine.directRam), and above it the open bus, which a PC reads
 * as all ones and where writes go nowhere. (Linux's early code reads its
 * stack-protector canary through FS before paging is on, from an address
 * above RAM.) One shared frame of 0xFF stands for every such page; what is
 * written there reads back until the next write, where real hardware would
 * still read 0xFF.
 */
class PhysicalMemory implements PageMapper {
  /** The RAM: physical address p at host offset base + p, below `bytes`. */
  readonly ram: DirectRam;
  private readonly openBus: number;

  constructor(mem: GuestMemory, ramBytes: number) {
    this.ram = { base: mem.allocContiguous(Math.ceil(ramBytes / PAGE_SIZE)), bytes: ramBytes };
    this.openBus = mem.allocFrame();
    if (this.ram.base < 0 || this.openBus < 0) throw new Error(`guest memory cannot hold ${ramBytes} bytes of RAM`);
    mem.u8.fill(0xff, this.openBus, this.openBus + PAGE_SIZE);
  }

  translate(address: number, _access: Access, _user: boolean): number {
    const frame = address >>> 0 < this.ram.bytes ? this.ram.base + (address & ~PAGE_MASK) : this.openBus;
    return frame | Tlb.READ | Tlb.WRITE | Tlb.EXEC | Tlb.USER;
  }
}
