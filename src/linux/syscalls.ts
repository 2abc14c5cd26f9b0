import type { SyscallDef } from './syscall-def.js';
import { FS_SYSCALLS } from './syscalls-fs.js';
import { LDT_SYSCALLS } from './syscalls-ldt.js';
import { MM_SYSCALLS } from './syscalls-mm.js';
import { NET_SYSCALLS } from './syscalls-net.js';
import { PROC_SYSCALLS } from './syscalls-proc.js';
import { SIGNAL_SYSCALLS } from './syscalls-signal.js';
import { TASK_SYSCALLS } from './syscalls-task.js';
import { TIME_SYSCALLS } from './syscalls-time.js';

export type { SyscallDef, SyscallFn } from './syscall-def.js';

/**
 * The i386 syscall table: number → {name, handler}, built from the
 * per-area lists. Immutable and shared: handlers keep all state on the
 * LinuxProcess they are given.
 */
export const SYSCALLS: ReadonlyMap<number, SyscallDef> = (() => {
  const table = new Map<number, SyscallDef>();
  for (const def of [...FS_SYSCALLS, ...MM_SYSCALLS, ...TIME_SYSCALLS, ...PROC_SYSCALLS, ...SIGNAL_SYSCALLS, ...LDT_SYSCALLS, ...TASK_SYSCALLS, ...NET_SYSCALLS]) {
    if (table.has(def.nr)) throw new Error(`syscall ${def.nr} (${def.name}) defined twice`);
    table.set(def.nr, Object.freeze(def));
  }
  return table;
})();
