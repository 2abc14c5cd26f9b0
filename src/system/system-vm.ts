import { Seg } from '../decoder/types.js';
import { HostClock, type Clock } from '../devices/device.js';
import { PcPlatform } from '../devices/pc-platform.js';
import type { CpuException } from '../runtime/exceptions.js';
import { FlatMapper } from '../runtime/flat-mapper.js';
import { Slot } from '../runtime/layout.js';
import { Engine, Machine, type Personality } from '../runtime/machine.js';
import { FLAT_CODE_ATTR, FLAT_DATA_ATTR } from '../runtime/segments.js';
import type { TranslatorOptions } from '../translator/translator.js';
import { multibootHandover, parseMultibootKernel } from './multiboot.js';

/** Ring-0 flat segments, as a multiboot loader leaves them (selectors as in a typical boot GDT). */
const KERNEL_CS = 0x08;
const KERNEL_DS = 0x10;
const DPL_MASK = 0x60;
const IF = 0x200;
/** Guest instructions between looks at the devices' timers and the clock. */
const SLICE = 200_000;

/** How a system VM ended. */
export type SystemVmEnd =
  | { kind: 'halted' } // HLT with interrupts off: the guest is done (Linux's "System halted")
  | { kind: 'exit-device'; status: number } // the guest wrote to the isa-debug-exit port
  | { kind: 'reset' } // the guest pulsed the reset line (i8042)
  | { kind: 'fault'; message: string } // what the platform cannot deliver yet, or a triple fault
  | { kind: 'limit'; message: string }; // --timeout or --max-instructions

export interface SystemVmOptions {
  memoryBytes: number;
  engine?: Engine;
  translator?: Partial<TranslatorOptions>;
  /** Bytes the guest writes to COM1 (and to the 0xE9 debug port). */
  onSerial: (byte: number) => void;
  clock?: Clock;
}

/**
 * One PC: a machine whose guest-physical memory is the frame pool mapped
 * one to one (paging off), the PC platform's devices on its I/O bus, and a
 * CPU at ring 0 with flat segments.
 *
 * Not yet (issue 6): descriptor tables and privilege changes, paging,
 * interrupt and exception delivery through the IDT, external interrupts
 * from the PIC. A guest that takes an interrupt or faults stops the VM
 * with a message that says so.
 */
export class SystemVm {
  readonly vm: Machine;
  readonly platform: PcPlatform;
  private end: SystemVmEnd | null = null;

  constructor(readonly opts: SystemVmOptions) {
    let mapper!: FlatMapper;
    const personality: Personality = {
      onInterrupt: (vm, vector) =>
        this.finish({ kind: 'fault', message: `INT 0x${vector.toString(16)} at eip ${hex8(vm.cpu.eip)}: interrupt delivery through the IDT is not implemented yet` }),
      onException: (vm, e: CpuException) =>
        this.finish({ kind: 'fault', message: `guest exception ${e.vector} (${e.detail}) at eip ${hex8(vm.cpu.eip)}: exception delivery through the IDT is not implemented yet` }),
    };
    this.platform = new PcPlatform({
      clock: opts.clock ?? new HostClock(),
      memoryBytes: opts.memoryBytes,
      onSerial: opts.onSerial,
      onDebugChar: opts.onSerial,
      onExit: (status) => this.finish({ kind: 'exit-device', status }),
      onReset: () => this.finish({ kind: 'reset' }),
    });
    this.vm = new Machine({
      memoryBytes: opts.memoryBytes,
      mapper: { translate: (a, acc, u) => mapper.translate(a, acc, u) },
      personality,
      engine: opts.engine ?? 'auto',
      translator: opts.translator,
      io: this.platform.bus,
      halt: (vm) => {
        if (vm.cpu.s[Slot.FLAGS] & IF) {
          this.finish({ kind: 'fault', message: `HLT with interrupts enabled at eip ${hex8(vm.cpu.eip)}: waking on an interrupt is not implemented yet` });
        } else this.finish({ kind: 'halted' });
      },
    });
    mapper = new FlatMapper(this.vm.mem);
    this.vm.mmu.mapper = mapper;
    mapper.map(0, opts.memoryBytes);
    const cpu = this.vm.cpu;
    cpu.setSegment(Seg.CS, KERNEL_CS, { base: 0, limit: -1, attr: FLAT_CODE_ATTR & ~DPL_MASK });
    for (const seg of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(seg, KERNEL_DS, { base: 0, limit: -1, attr: FLAT_DATA_ATTR & ~DPL_MASK });
    cpu.s[Slot.FLAGS] = 0x2;
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

  /** Runs until the guest ends the VM or a limit is reached; lets the event loop turn between slices. */
  async run(limits: { maxInstructions?: number; timeoutMs?: number } = {}): Promise<SystemVmEnd> {
    const deadline = limits.timeoutMs !== undefined ? performance.now() + limits.timeoutMs : Infinity;
    const maxInstructions = limits.maxInstructions ?? Infinity;
    const vm = this.vm;
    while (this.end === null) {
      const left = maxInstructions - vm.icount;
      if (left <= 0) return this.finish({ kind: 'limit', message: `instruction limit reached (${maxInstructions} instructions) at eip ${hex8(vm.cpu.eip)}` });
      if (performance.now() > deadline) return this.finish({ kind: 'limit', message: `time limit reached (${(limits.timeoutMs! / 1000).toFixed(1)} s) at eip ${hex8(vm.cpu.eip)}` });
      const r = vm.run(Math.min(SLICE, left));
      if (this.end !== null) break;
      if (r.kind === 'error') return this.finish({ kind: 'fault', message: r.message });
      if (r.kind === 'exit') return this.finish({ kind: 'fault', message: `the machine stopped with status ${r.status}` });
      this.platform.tick();
      // Compiles finish, and host input arrives, on the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.end!;
  }

  private finish(end: SystemVmEnd): SystemVmEnd {
    if (this.end === null) {
      this.end = end;
      this.vm.stop({ kind: 'exit', status: 0 });
    }
    return this.end;
  }
}

function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
