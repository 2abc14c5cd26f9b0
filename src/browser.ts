/**
 * The browser entry point: what runs wherever WebAssembly does, with no
 * Node module in its import graph (index.ts adds the Linux personality,
 * which reads the host's files). tests/browser bundles it with esbuild and
 * runs it in Chromium.
 */
export * from './decoder/index.js';
export { Emulator, Prot } from './embed/emulator.js';
export type {
  EmulatorOptions, RunOptions, RunEnd, Context, HookHandle, CodeHook, MemoryHook, InterruptHook, FaultHook, PortHook,
  InvalidInstructionHook, SyscallHook, MemoryAccessKind, MemoryRegion, RegisterName,
} from './embed/emulator.js';
export { createBareMachine } from './runtime/bare.js';
export { Machine } from './runtime/machine.js';
