/** wasmvisor's library entry point: the decoder, the runtime and the user-mode Linux runner. */
export * from './decoder/index.js';
export { Machine } from './runtime/machine.js';
export type { MachineOptions, Personality, StopReason, MachineStats } from './runtime/machine.js';
export { Cpu } from './runtime/cpu.js';
export { Mmu, Access } from './runtime/mmu.js';
export type { PageMapper } from './runtime/mmu.js';
export { GuestMemory } from './runtime/memory.js';
export { CpuException, Vector } from './runtime/exceptions.js';
export { Slot } from './runtime/layout.js';
export { TimeProfile, TIME_BUCKETS } from './runtime/time-profile.js';
export type { TimeBucket } from './runtime/time-profile.js';
export { runLinuxProgram } from './linux/run.js';
export { createBareMachine } from './runtime/bare.js';
export type { BareMachineOptions } from './runtime/bare.js';
export { FlatMapper } from './runtime/flat-mapper.js';
export { Emulator, Prot } from './embed/emulator.js';
export type {
  EmulatorOptions, RunOptions, RunEnd, Context, HookHandle, CodeHook, MemoryHook, InterruptHook, FaultHook, PortHook,
  InvalidInstructionHook, SyscallHook, MemoryAccessKind, MemoryRegion, RegisterName, SegmentName,
} from './embed/emulator.js';
export { HookedMachine } from './embed/hooked-machine.js';
export { LinuxEmulator } from './embed/linux-emulator.js';
export type { LinuxEmulatorOptions } from './embed/linux-emulator.js';
export { SystemVm } from './system/system-vm.js';
export type { SystemVmOptions, SystemVmEnd } from './system/system-vm.js';
export type { SystemVmHooks, VmInterruptHook } from './system/vm-hooks.js';
export type { InterruptSource } from './system/protected-mode.js';
export { runVms } from './system/vm-pool.js';
export type { RunVmsOptions, VmResult } from './system/vm-pool.js';
