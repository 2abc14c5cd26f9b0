import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LoadError } from '../linux/elf.js';
import type { Engine } from '../runtime/machine.js';
import { SystemVm, type SystemVmEnd } from '../system/system-vm.js';

export interface BootOptions {
  kernel?: string;
  append: string;
  memory: number;
  engine: Engine;
  timeout?: number;
  maxInstructions?: number;
}

/** The project's own multiboot kernel (guests/hello-kernel), booted when no --kernel is given. */
export const DEFAULT_KERNEL = fileURLToPath(new URL('../../guests/hello-kernel/hello-kernel.elf', import.meta.url));

export const EXIT_BOOT_LOAD = 2;
export const EXIT_BOOT_FAULT = 3;
export const EXIT_BOOT_LIMIT = 124;
/** The smallest machine: the loader's data below 1 MiB, a kernel above it. */
const MIN_MEMORY = 2 << 20;
/** Guest RAM is one WebAssembly memory with the translator's tables: at most 2 GiB in all. */
const MAX_MEMORY = 2032 << 20;

/**
 * `wasmvisor boot`: one PC booting a multiboot kernel, its COM1 on stdout.
 * Returns the process exit status (see the command's --help).
 */
export async function runBoot(opts: BootOptions, stdout: (bytes: Uint8Array) => void, diag: (line: string) => void): Promise<number> {
  const path = opts.kernel ?? DEFAULT_KERNEL;
  if (opts.memory < MIN_MEMORY || opts.memory > MAX_MEMORY) {
    diag(`wasmvisor: --memory ${opts.memory >> 20} MiB is not possible (at least ${MIN_MEMORY >> 20} MiB, at most ${MAX_MEMORY >> 20} MiB)`);
    return EXIT_BOOT_LOAD;
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    diag(`wasmvisor: cannot read the kernel ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return EXIT_BOOT_LOAD;
  }
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    stdout(Uint8Array.from(pending));
    pending = [];
  };
  const vm = new SystemVm({
    memoryBytes: opts.memory,
    engine: opts.engine,
    onSerial: (b) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push(b);
    },
  });
  try {
    vm.loadMultiboot(bytes, path, opts.append);
  } catch (e) {
    if (e instanceof LoadError) {
      diag(`wasmvisor: ${e.message}`);
      return EXIT_BOOT_LOAD;
    }
    throw e;
  }
  const end = await vm.run({ timeoutMs: opts.timeout !== undefined ? opts.timeout * 1000 : undefined, maxInstructions: opts.maxInstructions });
  flush();
  return report(end, diag);
}

function report(end: SystemVmEnd, diag: (line: string) => void): number {
  switch (end.kind) {
    case 'halted':
      return 0;
    case 'exit-device':
      return end.status & 0xff;
    case 'reset':
      diag('wasmvisor: the guest reset the machine; stopping (there is no reboot)');
      return 0;
    case 'fault':
      diag(`wasmvisor: ${end.message}`);
      return EXIT_BOOT_FAULT;
    case 'limit':
      diag(`wasmvisor: ${end.message}`);
      return EXIT_BOOT_LIMIT;
  }
}
