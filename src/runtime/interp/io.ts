import { Instruction } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import type { Machine } from '../machine.js';
import { compilePrivileged } from './control.js';
import { Exec, reader, writer } from './operands.js';

/**
 * IN and OUT through the machine's I/O bus (system mode). Without a bus (a
 * Linux process) they stay privileged: #GP, which the kernel turns into
 * SIGSEGV. Allowed when CPL <= IOPL, or when the TSS's I/O permission
 * bitmap allows the port (SystemHooks.ioPermitted).
 */
export function compileIo(insn: Instruction, vm: Machine): Exec {
  const io = vm.io;
  if (io === null) return compilePrivileged(insn);
  const out = insn.entry.op === 'out';
  const [portOp, dataOp] = out ? insn.operands : [insn.operands[1], insn.operands[0]];
  const port = reader(portOp, vm);
  const size = dataOp.size;
  const cpu = vm.cpu;
  const denied = new CpuException(Vector.GP, 0, 0, `${insn.mnemonic} above IOPL, and not allowed by the TSS's I/O bitmap`);
  const permitted = ioPermission(vm, size);
  if (out) {
    const value = reader(dataOp, vm);
    const write = size === 1 ? io.out8.bind(io) : size === 2 ? io.out16.bind(io) : io.out32.bind(io);
    return () => {
      const p = port();
      if (!cpu.ioPrivileged && !permitted(p)) throw denied;
      write(p, value());
    };
  }
  const set = writer(dataOp, vm);
  const read = size === 1 ? io.in8.bind(io) : size === 2 ? io.in16.bind(io) : io.in32.bind(io);
  return () => {
    const p = port();
    if (!cpu.ioPrivileged && !permitted(p)) throw denied;
    set(read(p));
  };
}

/** Whether the TSS I/O bitmap allows a `size`-byte access at a port (for code above IOPL). */
export function ioPermission(vm: Machine, size: number): (port: number) => boolean {
  const check = vm.system?.ioPermitted;
  return check ? (port) => check(vm, port & 0xffff, size) : () => false;
}
