import { Seg } from '../decoder/types.js';
import { CpuException } from '../runtime/exceptions.js';
import { decodeUserDesc } from './descriptors.js';
import { E } from './errno.js';
import type { LinuxProcess } from './process.js';
import { type SyscallDef, sys } from './syscall-def.js';

/**
 * modify_ldt (arch/x86/kernel/ldt.c): the process's local descriptor table,
 * kept by LinuxDescriptorTables. The return value is an int (the kernel
 * casts it), so EAX holds -errno or a byte count.
 */

const READ_LDT = 0;
const WRITE_LDT_OLD = 1;
const READ_DEFAULT_LDT = 2;
const WRITE_LDT = 0x11;
/** sizeof(struct user_desc). */
const USER_DESC_SIZE = 16;
/** read_default_ldt's size on a 64-bit kernel (5 descriptors on a 32-bit one). */
const DEFAULT_LDT_SIZE = 128;

function modifyLdt(p: LinuxProcess, func: number, ptr: number, bytecount: number): number {
  const count = bytecount >>> 0;
  switch (func) {
    case READ_LDT: {
      if (p.gdt.ldtEntries === 0) return 0;
      const bytes = p.gdt.readLdt(count);
      p.io.write(ptr, bytes);
      return bytes.length;
    }
    case READ_DEFAULT_LDT: {
      // The default LDT is empty: zeros.
      const n = Math.min(count, DEFAULT_LDT_SIZE);
      p.io.write(ptr, new Uint8Array(n));
      return n;
    }
    case WRITE_LDT_OLD:
    case WRITE_LDT:
      return writeLdt(p, ptr, count, func === WRITE_LDT_OLD);
    default:
      return -E.ENOSYS;
  }
}

function writeLdt(p: LinuxProcess, ptr: number, bytecount: number, oldMode: boolean): number {
  if (bytecount !== USER_DESC_SIZE) return -E.EINVAL;
  const desc = decodeUserDesc([p.io.i32(ptr), p.io.u32(ptr + 4), p.io.u32(ptr + 8), p.io.u32(ptr + 12)]);
  const r = p.gdt.writeLdt(desc, oldMode);
  if (r < 0) return r;
  refreshLdtSegments(p);
  return 0;
}

/**
 * refresh_ldt_segments(): after the LDT changes, DS and ES are reloaded
 * when they hold an LDT selector (a load that now faults leaves the null
 * selector, as the kernel's loadsegment does). FS and GS keep their cached
 * descriptors until the program reloads them.
 */
function refreshLdtSegments(p: LinuxProcess): void {
  const cpu = p.vm.cpu;
  for (const seg of [Seg.DS, Seg.ES]) {
    const sel = cpu.selector(seg);
    if (!(sel & 4)) continue;
    try {
      cpu.loadSegment(seg, sel);
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      cpu.loadSegment(seg, 0);
    }
  }
}

export const LDT_SYSCALLS: readonly SyscallDef[] = [sys(123, 'modify_ldt', modifyLdt)];
