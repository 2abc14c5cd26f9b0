import { Instruction, Seg } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { Access } from '../mmu.js';
import { alu, AluKind } from './alu.js';
import { ioPermission } from './io.js';
import { Exec } from './operands.js';

/**
 * MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE, 16- or 32-bit addressing,
 * both directions. Registers are updated after every element, so a fault
 * in the middle leaves a restartable state, as on the CPU. Forward
 * REP MOVS/STOS run page-sized chunks with bulk copies when that is
 * indistinguishable from element-by-element execution.
 */
export function compileString(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32, r16 = vm.cpu.r16, mmu = vm.mmu;
  const op = insn.entry.op;
  // OUTS names DX first: the element size is the memory operand's.
  const memory = op === 'outs' ? insn.operands[1] : insn.operands[0];
  const size = memory ? memory.size : insn.mnemonic.endsWith('b') ? 1 : insn.opSize;
  const bits = size * 8;
  const srcSeg = insn.segOverride >= 0 ? insn.segOverride : Seg.DS;
  const a16 = insn.addrSize === 2;
  const rep = insn.rep;
  const acc = size === 4 ? vm.cpu.r32 : size === 2 ? vm.cpu.r16 : vm.cpu.r8;

  const srcAddr = (): number => (s[Slot.SEG_BASE + srcSeg] + (a16 ? r16[12] : r32[6])) | 0;
  const dstAddr = (): number => (s[Slot.SEG_BASE + Seg.ES] + (a16 ? r16[14] : r32[7])) | 0;
  const advance = (reg: number, step: number): void => {
    if (a16) r16[reg * 2] = r16[reg * 2] + step;
    else r32[reg] = (r32[reg] + step) | 0;
  };
  const step = (): number => (s[Slot.FLAGS] & 0x400 ? -size : size);

  let one: () => boolean; // one element; returns false when a REPE/REPNE condition ends the loop
  switch (op) {
    case 'movs':
      one = () => {
        const v = mmu.read(srcAddr(), size);
        mmu.write(dstAddr(), size, v);
        const d = step();
        advance(6, d);
        advance(7, d);
        return true;
      };
      break;
    case 'stos':
      one = () => {
        mmu.write(dstAddr(), size, acc[0]);
        advance(7, step());
        return true;
      };
      break;
    case 'lods':
      one = () => {
        acc[0] = mmu.read(srcAddr(), size);
        advance(6, step());
        return true;
      };
      break;
    case 'cmps':
      one = () => {
        const a = mmu.read(srcAddr(), size);
        const b = mmu.read(dstAddr(), size);
        alu(s, AluKind.CMP, bits, a, b);
        const d = step();
        advance(6, d);
        advance(7, d);
        return rep === 1 ? (s[Slot.LAZY_RES] & mask(size)) === 0 : (s[Slot.LAZY_RES] & mask(size)) !== 0;
      };
      break;
    case 'scas':
      one = () => {
        const b = mmu.read(dstAddr(), size);
        alu(s, AluKind.CMP, bits, acc[0], b);
        advance(7, step());
        return rep === 1 ? (s[Slot.LAZY_RES] & mask(size)) === 0 : (s[Slot.LAZY_RES] & mask(size)) !== 0;
      };
      break;
    default: {
      // INS / OUTS: through the machine's I/O bus (system mode), allowed when CPL <= IOPL; a Linux process has
      // no bus and IOPL 0 at CPL 3: #GP.
      const io = vm.io, cpu = vm.cpu;
      const denied = new CpuException(Vector.GP, 0, 0, `${insn.mnemonic} ${io === null ? 'at CPL 3' : 'above IOPL, and not allowed by the TSS\'s I/O bitmap'}`);
      if (io === null) return () => { throw denied; };
      const permitted = ioPermission(vm, size);
      if (op === 'ins') {
        const input = size === 1 ? io.in8.bind(io) : size === 2 ? io.in16.bind(io) : io.in32.bind(io);
        one = () => {
          if (!cpu.ioPrivileged && !permitted(r16[4])) throw denied;
          mmu.write(dstAddr(), size, input(r16[4]));
          advance(7, step());
          return true;
        };
      } else {
        const output = size === 1 ? io.out8.bind(io) : size === 2 ? io.out16.bind(io) : io.out32.bind(io);
        one = () => {
          if (!cpu.ioPrivileged && !permitted(r16[4])) throw denied;
          output(r16[4], mmu.read(srcAddr(), size));
          advance(6, step());
          return true;
        };
      }
    }
  }
  if (rep === 0) return () => { one(); };
  const bulk = op === 'movs' || op === 'stos' ? bulkForward(vm, op, size, srcSeg) : null;
  return () => {
    if (bulk && !a16 && !(s[Slot.FLAGS] & 0x400)) bulk();
    for (;;) {
      const count = a16 ? r16[2] : r32[1];
      if (count === 0) return;
      const more = one();
      if (a16) r16[2] = count - 1;
      else r32[1] = (count - 1) | 0;
      if (!more) return;
    }
  };
}

function mask(size: number): number {
  return size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
}

/** Whole-chunk forward REP MOVS / REP STOS with 32-bit addressing; stops early whenever a chunk is not simple. */
function bulkForward(vm: Machine, op: string, size: number, srcSeg: Seg): () => void {
  const s = vm.cpu.s, r32 = vm.cpu.r32, mmu = vm.mmu, u8 = mmu.u8;
  return () => {
    for (;;) {
      const count = r32[1] >>> 0;
      if (count < 16) return;
      const dst = (s[Slot.SEG_BASE + Seg.ES] + r32[7]) | 0;
      if (dst & (size - 1)) return;
      let n = Math.min(count, (4096 - (dst & 0xfff)) / size);
      let src = 0;
      if (op === 'movs') {
        src = (s[Slot.SEG_BASE + srcSeg] + r32[6]) | 0;
        n = Math.min(n, Math.floor((4096 - (src & 0xfff)) / size));
        if (n === 0) return;
      }
      const bytes = n * size;
      // A watched page's accesses go element by element, each with its value (an embedder's memory hooks).
      if (mmu.watched(dst >>> 12) || (op === 'movs' && mmu.watched(src >>> 12))) return;
      // MOVS reads its source before it writes: a fault on both is reported for the source.
      const hs = op === 'movs' ? mmu.slow(src, Access.READ, bytes) : 0;
      // The MMU answers with the chunk's host offset, telling the block cache
      // first when the chunk overwrites decoded code.
      const hd = mmu.slow(dst, Access.WRITE, bytes);
      if (op === 'stos') {
        const v = size === 4 ? r32[0] : size === 2 ? vm.cpu.r16[0] : vm.cpu.r8[0];
        if (size === 1) u8.fill(v, hd, hd + n);
        else if (size === 4) mmu.i32.fill(v, hd >>> 2, (hd >>> 2) + n);
        else mmu.u16.fill(v, hd >>> 1, (hd >>> 1) + n);
        r32[7] = (r32[7] + bytes) | 0;
      } else {
        // Forward element copy equals memmove unless the destination starts inside the source run.
        if (hd > hs && hd < hs + bytes) return;
        u8.copyWithin(hd, hs, hs + bytes);
        r32[6] = (r32[6] + bytes) | 0;
        r32[7] = (r32[7] + bytes) | 0;
      }
      r32[1] = (count - n) | 0;
    }
  };
}
