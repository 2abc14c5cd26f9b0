import { Seg } from '../decoder/types.js';
import { CpuException } from './exceptions.js';
import { FlatMapper } from './flat-mapper.js';
import { Slot } from './layout.js';
import { Machine, MachineOptions, Personality } from './machine.js';
import { FLAT_CODE_ATTR, FLAT_DATA_ATTR, USER_CS, USER_DS } from './segments.js';

export interface BareMachineOptions {
  /** Bytes of guest RAM. */
  memoryBytes?: number;
  /** Ranges to make accessible: [start, length] pairs. */
  map?: [number, number][];
  /** Code to place at `address` (also mapped). */
  code?: Uint8Array;
  address?: number;
  /** Execution engine (default interp). */
  engine?: MachineOptions['engine'];
  translator?: MachineOptions['translator'];
  /** x87 precision (default double). */
  x87?: MachineOptions['x87'];
  /** I/O port space for IN and OUT (allowed when CPL <= IOPL); none: they raise #GP. */
  io?: MachineOptions['io'];
}

/** Ends the run on any interrupt or exception, recording which. */
class StopOnTrap implements Personality {
  last: { vector: number; exception: CpuException | null } | null = null;
  onInterrupt(vm: Machine, vector: number): void {
    this.last = { vector, exception: null };
    vm.stop({ kind: 'exit', status: 0 });
  }
  onException(vm: Machine, e: CpuException): void {
    this.last = { vector: e.vector, exception: e };
    vm.stop({ kind: 'error', status: 128 + 11, message: e.detail });
  }
}

/**
 * A machine with flat 32-bit segments and no OS: code runs until it
 * executes INT n or faults. For benchmarks, unit tests and embedding.
 */
export function createBareMachine(opts: BareMachineOptions = {}): { vm: Machine; mapper: FlatMapper; traps: StopOnTrap } {
  const traps = new StopOnTrap();
  let mapper!: FlatMapper;
  const vm = new Machine({
    memoryBytes: opts.memoryBytes ?? 64 << 20,
    mapper: { translate: (a, acc, u) => mapper.translate(a, acc, u) },
    personality: traps,
    engine: opts.engine,
    translator: opts.translator,
    x87: opts.x87,
    io: opts.io,
  });
  mapper = new FlatMapper(vm.mem);
  vm.mmu.mapper = mapper;
  for (const [start, length] of opts.map ?? []) mapper.map(start, length);
  const cpu = vm.cpu;
  cpu.setSegment(Seg.CS, USER_CS, { base: 0, limit: -1, attr: FLAT_CODE_ATTR });
  for (const seg of [Seg.DS, Seg.ES, Seg.SS, Seg.FS, Seg.GS]) {
    cpu.setSegment(seg, USER_DS, { base: 0, limit: -1, attr: FLAT_DATA_ATTR });
  }
  cpu.s[Slot.FLAGS] = 0x202;
  if (opts.code) {
    const at = opts.address ?? 0x1000;
    mapper.map(at, opts.code.length + 16);
    vm.mmu.writeBytes(at, opts.code, true);
    cpu.s[Slot.EIP] = at;
  }
  return { vm, mapper, traps };
}
