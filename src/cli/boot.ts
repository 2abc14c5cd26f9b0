import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LoadError } from '../linux/elf.js';
import type { Engine } from '../runtime/machine.js';
import { ConsoleScript, type ConsoleStep } from '../system/console-script.js';
import { SystemVm, type SystemVmEnd } from '../system/system-vm.js';
import { runVms } from '../system/vm-pool.js';

export interface BootOptions {
  kernel?: string;
  /** An initial RAM disk for a Linux kernel. */
  initrd?: string;
  append: string;
  memory: number;
  engine: Engine;
  timeout?: number;
  maxInstructions?: number;
  /** --expect / --send steps, in command-line order. */
  script?: ConsoleStep[];
}

/**
 * An interactive terminal on COM1 (the CLI's stdin in raw mode): attach
 * gets the VM's input and a way to end the VM; the function it returns
 * gives the terminal back.
 */
export interface ConsoleInput {
  attach(send: (bytes: Uint8Array) => void, quit: (message: string) => void): () => void;
}

/** The project's own multiboot kernel (guests/hello-kernel), booted when no --kernel is given. */
export const DEFAULT_KERNEL = fileURLToPath(new URL('../../guests/hello-kernel/hello-kernel.elf', import.meta.url));

export const EXIT_BOOT_LOAD = 2;
export const EXIT_BOOT_FAULT = 3;
/** The guest ended before an --expect text appeared. */
export const EXIT_BOOT_EXPECT = 4;
export const EXIT_BOOT_LIMIT = 124;
/** The smallest machine: the loader's data below 1 MiB, a kernel above it. */
const MIN_MEMORY = 2 << 20;
/** Guest RAM is one WebAssembly memory with the translator's tables: at most 2 GiB in all. */
const MAX_MEMORY = 2032 << 20;

/** How one boot ended: the status `wasmvisor boot` exits with, and the guest instructions it ran. */
export interface BootOutcome {
  status: number;
  instructions: number;
}

/**
 * `wasmvisor boot`: one PC booting a multiboot kernel, its COM1 on stdout.
 * Returns the process exit status (see the command's --help).
 */
export async function runBoot(
  opts: BootOptions,
  stdout: (bytes: Uint8Array) => void,
  diag: (line: string) => void,
  input?: ConsoleInput,
): Promise<number> {
  return (await bootKernel(opts, stdout, diag, input)).status;
}

/**
 * runBoot with the instruction count too: what a VM worker (src/system/vm-worker.ts) reports.
 * Each stdout chunk is a fresh Uint8Array the callee may keep or transfer.
 */
export async function bootKernel(
  opts: BootOptions,
  stdout: (bytes: Uint8Array) => void,
  diag: (line: string) => void,
  input?: ConsoleInput,
): Promise<BootOutcome> {
  const path = opts.kernel ?? DEFAULT_KERNEL;
  if (opts.memory < MIN_MEMORY || opts.memory > MAX_MEMORY) {
    diag(`wasmvisor: --memory ${opts.memory >> 20} MiB is not possible (at least ${MIN_MEMORY >> 20} MiB, at most ${MAX_MEMORY >> 20} MiB)`);
    return { status: EXIT_BOOT_LOAD, instructions: 0 };
  }
  const bytes = readInput(path, 'the kernel', diag);
  const initrd = opts.initrd !== undefined ? readInput(opts.initrd, 'the initrd', diag) : undefined;
  if (bytes === null || initrd === null) return { status: EXIT_BOOT_LOAD, instructions: 0 };
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    stdout(Uint8Array.from(pending));
    pending = [];
  };
  let script: ConsoleScript | null = null;
  const vm = new SystemVm({
    memoryBytes: opts.memory,
    engine: opts.engine,
    onSerial: (b) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push(b);
      script?.output(b);
    },
  });
  try {
    vm.loadKernel(bytes, path, opts.append, initrd);
  } catch (e) {
    if (e instanceof LoadError) {
      diag(`wasmvisor: ${e.message}`);
      return { status: EXIT_BOOT_LOAD, instructions: 0 };
    }
    throw e;
  }
  if (opts.script !== undefined && opts.script.length > 0) script = new ConsoleScript(opts.script, (b) => vm.sendSerial(b));
  const detach = input?.attach(
    (b) => vm.sendSerial(b),
    (message) => vm.stop(message),
  );
  let end: SystemVmEnd;
  try {
    end = await vm.run({ timeoutMs: opts.timeout !== undefined ? opts.timeout * 1000 : undefined, maxInstructions: opts.maxInstructions });
  } finally {
    detach?.();
  }
  flush();
  const waitingFor = script?.waitingFor ?? null;
  if (waitingFor !== null && (end.kind === 'halted' || end.kind === 'exit-device' || end.kind === 'reset')) {
    diag(`wasmvisor: the guest ended (${describeEnd(end)}) before --expect ${JSON.stringify(waitingFor)} appeared`);
    return { status: EXIT_BOOT_EXPECT, instructions: vm.vm.icount };
  }
  return { status: report(end, diag), instructions: vm.vm.icount };
}

function readInput(path: string, what: string, diag: (line: string) => void): Uint8Array | null {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    diag(`wasmvisor: cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return null;
  }
}

function describeEnd(end: SystemVmEnd): string {
  switch (end.kind) {
    case 'halted':
      return 'halted with interrupts off';
    case 'exit-device':
      return `exit device, value ${end.status}`;
    case 'reset':
      return 'reset';
    case 'until':
    case 'count':
      return `paused at eip 0x${end.eip.toString(16).padStart(8, '0')}`;
    default:
      return end.message;
  }
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
    case 'stopped':
      diag(`wasmvisor: ${end.message}`);
      return 0;
    case 'until':
    case 'count':
      return 0; // the CLI asks for neither
  }
}

/**
 * `wasmvisor boot --vms N` (N > 1): N copies of the machine, each in its own
 * worker thread (runVms), their output lines prefixed "[vmK] " (K from 0).
 * A VM's bytes are held until its newline, so lines of different VMs never
 * mix; a last line without one is ended with one when its VM ends. One
 * summary line per VM goes to diag when any VM failed or said something.
 * Returns 0 when every VM ended with 0, else the first (by VM number) non-zero status.
 */
export async function runBootVms(
  opts: BootOptions,
  count: number,
  stdout: (bytes: Uint8Array) => void,
  diag: (line: string) => void,
): Promise<number> {
  const partial: Buffer[][] = Array.from({ length: count }, () => []);
  const prefixes = Array.from({ length: count }, (_, vm) => Buffer.from(`[vm${vm}] `));
  const emitLines = (vm: number, chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      stdout(Buffer.concat([prefixes[vm], ...partial[vm], chunk.subarray(start, nl + 1)]));
      partial[vm] = [];
      start = nl + 1;
    }
    if (start < chunk.length) partial[vm].push(chunk.subarray(start));
  };
  const results = await runVms({
    count,
    boot: opts,
    onOutput: (vm, bytes) => emitLines(vm, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    onEnd: (r) => {
      if (partial[r.vm].length > 0) emitLines(r.vm, Buffer.from('\n'));
    },
  });
  if (results.some((r) => r.status !== 0 || r.message !== null)) {
    for (const r of results) {
      const what = r.message !== null ? `: ${r.message}` : '';
      const ran = r.instructions !== null ? `${r.instructions} instructions, ` : '';
      diag(`wasmvisor: vm${r.vm}: status ${r.status}${what} (${ran}${(r.wallMs / 1000).toFixed(2)} s)`);
    }
  }
  return results.find((r) => r.status !== 0)?.status ?? 0;
}
