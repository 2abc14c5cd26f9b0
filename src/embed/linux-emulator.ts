import { readElfFile } from '../linux/elf.js';
import { LinuxProcess, type StdioOptions } from '../linux/process.js';
import { CpuException } from '../runtime/exceptions.js';
import { PAGE_MASK, Tlb } from '../runtime/layout.js';
import { Machine, type MachineOptions, type StopReason } from '../runtime/machine.js';
import { Access } from '../runtime/mmu.js';
import { HookedMachine, type RunEnd } from './hooked-machine.js';

export interface LinuxEmulatorOptions {
  /** The i386 ELF executable (static, or dynamic with `sysroot`). */
  program: string;
  /** argv[1..]. */
  args?: string[];
  /** The environment as NAME=value strings (default: empty). */
  env?: string[];
  /** The guest's working directory (default: the host's). */
  cwd?: string;
  /** stdin contents, and where stdout and stderr go (default: the host's fds). */
  stdio?: StdioOptions;
  /** Root of an i386 system for a dynamic program's interpreter and libraries (like qemu-user -L). */
  sysroot?: string;
  /** wasmvisor's own diagnostics, a line each (default: the host's stderr). */
  diag?: (line: string) => void;
  engine?: MachineOptions['engine'];
  /** Guest RAM (default 256 MiB). */
  memoryBytes?: number;
  translator?: MachineOptions['translator'];
}

/**
 * One i386 Linux process under the user-mode personality (as `wasmvisor
 * run` runs it), with the embedding API: registers, memory of its address
 * space, run({ until, count, timeoutMs }) and every hook. Hooks observe;
 * the process then does what Linux would: a syscall hook runs before the
 * call is served, an interrupt hook before the signal a fault raises, a
 * fault hook may map the page (return true) instead. The run ends with
 * reason 'exit' when the process exits or dies. One process only: fork
 * and clone return ENOSYS (runLinuxProgram runs process trees).
 */
export class LinuxEmulator extends HookedMachine {
  readonly process: LinuxProcess;
  protected readonly hooksServe = false;

  /** Loads `program` and sets up its stack, ready to run from its entry point; throws LoadError on a bad ELF. */
  constructor(opts: LinuxEmulatorOptions) {
    const image = readElfFile(opts.program);
    const proc = new LinuxProcess({ program: opts.program, stdio: opts.stdio, diag: opts.diag, cwd: opts.cwd, sysroot: opts.sysroot });
    super((personality) =>
      new Machine({
        memoryBytes: opts.memoryBytes ?? 256 << 20,
        mapper: proc.mm,
        personality,
        engine: opts.engine ?? 'auto',
        translator: opts.translator,
      }),
    );
    this.process = proc;
    proc.attach(this.vm);
    proc.exec(image, [opts.program, ...(opts.args ?? [])], opts.env ?? []);
  }

  /** Closes the process's host file descriptors and frees its memory. */
  dispose(): void {
    this.process.dispose();
  }

  protected hostAddress(address: number): number {
    try {
      // Populates a page the process has mapped but not touched yet, as the kernel would on access.
      const e = this.process.mm.translate(address, Access.READ, true);
      return (e & Tlb.FRAME) | (address & PAGE_MASK);
    } catch (e) {
      if (e instanceof CpuException) return -1;
      throw e;
    }
  }

  protected unhookedInterrupt(vector: number): void {
    this.process.onInterrupt(this.vm, vector);
  }

  protected unhookedException(e: CpuException): void {
    this.process.onException(this.vm, e);
  }

  protected override stoppedBy(reason: StopReason): RunEnd | null {
    const eip = this.vm.cpu.eip;
    if (reason.kind === 'exit') return { reason: 'exit', eip, status: reason.status };
    if (reason.kind === 'error') return { reason: 'exit', eip, status: reason.status, message: reason.message };
    return null;
  }
}
