/** User-mode Linux: run 32-bit i386 Linux programs on the wasmvisor runtime (like qemu-i386). */
export { runLinuxProgram, EXIT_INSTRUCTION_LIMIT, EXIT_LOAD_ERROR, EXIT_INTERNAL } from './run.js';
export type { RunLinuxOptions } from './run.js';
export { LinuxProcess, describePageFault, toGuestString } from './process.js';
export type { GuestVm, LinuxProcessOptions, StdioOptions, SigAction } from './process.js';
export {
  AddressSpace,
  BytesSource,
  ET_DYN_BASE,
  MMAP_BASE,
  MMAP_MIN_ADDR,
  OUT_OF_MEMORY,
  STACK_SIZE,
  STACK_TOP,
  TASK_SIZE,
} from './address-space.js';
export type { AddressSpaceHost, Mapping, MapRequest, PageSource } from './address-space.js';
export { LoadError, loadElf, parseElf, readElfFile } from './elf.js';
export type { ElfImage, LoadedElf, ProgramHeader } from './elf.js';
export { buildInitialStack, HWCAP_I386 } from './stack.js';
export type { InitialStack, InitialStackInput } from './stack.js';
export { LinuxDescriptorTables, TLS_ENTRY_MIN } from './descriptors.js';
export { FdTable, HostFile, MemFile, OpenFile, Pipe, PipeEnd, SinkFile } from './files.js';
export { SYSCALLS } from './syscalls.js';
export type { SyscallDef, SyscallFn } from './syscalls.js';
export { syscallName } from './syscall-names.js';
export { LINUX_ERRNO, errnoOf } from './errno.js';
