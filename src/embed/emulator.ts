import { Seg } from '../decoder/types.js';
import { CpuException, Vector } from '../runtime/exceptions.js';
import { Slot } from '../runtime/layout.js';
import { Machine, type MachineOptions } from '../runtime/machine.js';
import { CR0_PE } from '../runtime/cpu.js';
import { FLAT_CODE_ATTR, FLAT_DATA_ATTR, REAL_MODE_CODE_ATTR, REAL_MODE_DATA_ATTR, USER_CS, USER_DS } from '../runtime/segments.js';
import { faultEnd, HookedMachine, type HookHandle } from './hooked-machine.js';
import { hookedPorts, listHandle, type PortHook } from './machine-hooks.js';
import { MemoryMap, type MemoryRegion, Prot } from './memory-map.js';
import type { RegisterName } from './registers.js';

export { Prot, type MemoryRegion, type RegisterName };
export type {
  CodeHook, Context, FaultHook, HookHandle, InterruptHook, InvalidInstructionHook, MemoryAccessKind, MemoryHook, RunEnd, RunOptions,
  SegmentName, SyscallHook,
} from './hooked-machine.js';

/** The vector table after reset: 256 entries of 4 bytes at address 0. */
const REAL_MODE_IVT_LIMIT = 0x3ff;

export interface EmulatorOptions {
  /** 'interp', 'jit' (translate every block before it runs) or 'auto' (translate hot code; the default). */
  engine?: MachineOptions['engine'];
  /** Bytes of guest memory that mappings may use (default 64 MiB). */
  memoryBytes?: number;
  /** The translator's options (threshold, chaining...). */
  translator?: MachineOptions['translator'];
  /**
   * 32 (the default): protected mode, flat 4 GiB segments at CPL 3. 16:
   * real mode as after reset (Unicorn's UC_MODE_16): CR0.PE clear, every
   * segment register 0 (writing a selector sets its base to selector × 16),
   * 64 KiB limits, 16-bit code and stack, IDTR at 0 with limit 0x3FF.
   * 16-bit code is interpreted.
   */
  mode?: 16 | 32;
}

export type { PortHook };

/**
 * A bare x86 CPU for embedders, in the manner of Unicorn: 32-bit
 * protected mode with flat segments at CPL 3 (IOPL 3, so IN/OUT reach
 * the port hooks), or real mode (`mode: 16`), memory mapped page by page
 * with permissions, and hooks
 * (hooked-machine.ts). There is no operating system: INT n, faults and
 * invalid opcodes go to hooks or end the run. One Emulator is one Machine:
 * many can live in one process.
 */
export class Emulator extends HookedMachine {
  private readonly memory: MemoryMap;
  private readonly portHooks: PortHook[];
  protected readonly hooksServe = true;

  constructor(opts: EmulatorOptions = {}) {
    const memory = { map: null as MemoryMap | null };
    const self = { emu: null as Emulator | null };
    // No devices: IN reads all ones unless a port hook answers.
    const portHooks: PortHook[] = [];
    const io = hookedPorts(portHooks, null);
    super((personality) =>
      new Machine({
        memoryBytes: opts.memoryBytes ?? 64 << 20,
        mapper: { translate: (a, acc, u) => memory.map!.translate(a, acc, u) },
        personality,
        engine: opts.engine ?? 'auto',
        translator: opts.translator,
        io,
        // What a CPU at CPL 3 can reach: SYSENTER (so CPUID reports SEP); the other privileged instructions stay #GP. HLT runs in
        // real mode (CPL 0) and ends the run.
        system: {
          halt: () => self.emu!.finish({ reason: 'halt', eip: self.emu!.vm.cpu.eip }),
          fastSystemCall: (_vm, direction) => {
            if (direction === 'exit') return;
            const hooks = self.emu!.syscallHooks;
            if (hooks.length === 0) throw new CpuException(Vector.UD, -1, 0, 'SYSENTER with no syscall hook');
            for (const h of [...hooks]) h('sysenter');
          },
        },
      }),
    );
    self.emu = this;
    this.portHooks = portHooks;
    this.memory = memory.map = new MemoryMap(this.vm.mem);
    this.vm.mmu.mapper = this.memory;
    const cpu = this.vm.cpu;
    if (opts.mode === 16) {
      cpu.s[Slot.CR0] &= ~CR0_PE;
      cpu.s[Slot.IDTR_BASE] = 0;
      cpu.s[Slot.IDTR_LIMIT] = REAL_MODE_IVT_LIMIT;
      cpu.setSegment(Seg.CS, 0, { base: 0, limit: 0xffff, attr: REAL_MODE_CODE_ATTR });
      for (const seg of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(seg, 0, { base: 0, limit: 0xffff, attr: REAL_MODE_DATA_ATTR });
      cpu.s[Slot.FLAGS] = 0x0202; // IF
      return;
    }
    cpu.setSegment(Seg.CS, USER_CS, { base: 0, limit: -1, attr: FLAT_CODE_ATTR });
    for (const seg of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) cpu.setSegment(seg, USER_DS, { base: 0, limit: -1, attr: FLAT_DATA_ATTR });
    cpu.s[Slot.FLAGS] = 0x3202; // IF, IOPL 3
  }

  // ------------------------------------------------------------------ memory

  /** Maps [address, address + size) (page-aligned) with `prot` (Prot bits), zero-filled. */
  map(address: number, size: number, prot: number = Prot.ALL): void {
    this.memory.map(address, size, prot);
  }

  /**
   * Maps [address, address + size) like map() and returns a view of its
   * bytes: the embedder and the guest share them (Unicorn's
   * uc_mem_map_ptr, the other way round: guest memory is one
   * WebAssembly.Memory, which cannot take in a caller's buffer, so the
   * caller gets a buffer into it). Writes through the view are not seen as
   * code changes: call flushTranslations() after writing code there.
   */
  mapShared(address: number, size: number, prot: number = Prot.ALL): Uint8Array {
    const host = this.memory.mapContiguous(address, size, prot);
    return new Uint8Array(this.vm.mem.memory.buffer, host, size);
  }

  unmap(address: number, size: number): void {
    this.memory.unmap(address, size);
    this.remapped();
  }

  protect(address: number, size: number, prot: number): void {
    this.memory.protect(address, size, prot);
    this.remapped();
  }

  regions(): MemoryRegion[] {
    return this.memory.regions();
  }

  protected hostAddress(address: number): number {
    return this.memory.hostAddress(address);
  }

  // ------------------------------------------------------------------- hooks

  onPort(fn: PortHook): HookHandle {
    return listHandle(this.portHooks, fn);
  }

  protected unhookedInterrupt(vector: number): void {
    this.finish({ reason: 'interrupt', eip: this.vm.cpu.eip, vector });
  }

  protected unhookedException(e: CpuException): void {
    this.finish(faultEnd(this.vm.cpu.eip, e));
  }
}
