import * as fs from 'node:fs';
import { Engine, Machine, type X87Precision } from '../runtime/machine.js';
import type { TranslatorOptions } from '../translator/translator.js';
import type { TimeProfile } from '../runtime/time-profile.js';
import { type ElfImage, LoadError, readElfFile } from './elf.js';
import { LinuxProcess, type StdioOptions } from './process.js';
import { ProcessTable, type Task } from './process-table.js';

export interface RunLinuxOptions {
  /** Path of the i386 ELF executable; also the guest's argv[0] as given. */
  program: string;
  args: string[];
  /** The guest environment (default: the host's, like qemu-user). */
  env?: Record<string, string> | string[];
  /** Guest RAM in bytes (default 1 GiB). */
  memoryBytes?: number;
  /**
   * Guest pages at their own addresses in a 4 GiB memory (Machine's
   * linearMemory; default true): translated code needs no addend. Off: a
   * pool of frames, for programs that map below 0x1400000.
   */
  linearMemory?: boolean;
  /** Stop at the first unimplemented syscall (status 2) instead of returning -ENOSYS. */
  strict?: boolean;
  /** Print a summary (instructions, blocks, MIPS, wall time) to stderr at exit. */
  stats?: boolean;
  /** Print every syscall and its result. */
  strace?: boolean;
  /** Stop after about this many guest instructions (status 124). */
  maxInstructions?: number;
  /** Stop after about this much wall time in milliseconds (status 124). */
  timeoutMs?: number;
  stdio?: StdioOptions;
  /** wasmvisor's own messages, one line each (default: the host's stderr). */
  diag?: (line: string) => void;
  cwd?: string;
  /**
   * The root of an i386 system (qemu-user's -L): a dynamically linked
   * program's interpreter, its libraries and every absolute path it names are
   * looked up there first, then on the host. Default: the host's root only.
   */
  sysroot?: string;
  /** interp, jit, auto or lockstep (default auto). */
  engine?: Engine;
  /** Translator tuning and switches. */
  translator?: Partial<TranslatorOptions>;
  /** x87 registers as float64 ('double', the default: fast) or 80-bit extended values ('exact': as the CPU computes). */
  x87?: X87Precision;
  /** Write each translated module as text (through wabt) into this directory. */
  dumpWasmDir?: string;
  /** Split the run's time between interpreter, translated code, compiling and syscalls. */
  profile?: TimeProfile;
  /** Called with the VM once the program has ended (or failed to load), e.g. to read vm.stats(). */
  onFinish?: (vm: Machine) => void;
}

/** Exit status when the instruction limit runs out (like timeout(1)). */
export const EXIT_INSTRUCTION_LIMIT = 124;
/** Exit status when the program cannot be loaded. */
export const EXIT_LOAD_ERROR = 2;
/** Exit status for an internal error of wasmvisor itself (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;


function envList(env: RunLinuxOptions['env']): string[] {
  if (Array.isArray(env)) return env;
  const source = env ?? process.env;
  return Object.entries(source)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`);
}

/**
 * Runs a 32-bit Linux program to completion (like qemu-i386) and returns
 * its exit status: the guest's own, 128+N when it dies by signal N, 2 when
 * it cannot be loaded, 124 when maxInstructions runs out.
 */
export async function runLinuxProgram(opts: RunLinuxOptions): Promise<number> {
  const diag = opts.diag ?? ((line: string) => void fs.writeSync(2, `${line}\n`));
  let image: ElfImage;
  try {
    if (opts.sysroot !== undefined && !fs.statSync(opts.sysroot, { throwIfNoEntry: false })?.isDirectory()) {
      throw new LoadError(`--sysroot ${opts.sysroot} is not a directory`);
    }
    image = readElfFile(opts.program);
  } catch (e) {
    if (e instanceof LoadError) {
      diag(`wasmvisor: ${e.message}`);
      return EXIT_LOAD_ERROR;
    }
    throw e;
  }

  const proc = new LinuxProcess({
    program: opts.program,
    strict: opts.strict,
    strace: opts.strace,
    stdio: opts.stdio,
    diag,
    cwd: opts.cwd,
    sysroot: opts.sysroot,
  });
  // wabt is loaded only for --dump-wasm: it is a large module a plain run should not wait for.
  const dumper =
    opts.dumpWasmDir !== undefined ? await (await import('../translator/dump.js')).WasmDumper.create(opts.dumpWasmDir) : null;
  const linearMemory = opts.linearMemory ?? true;
  const vm = new Machine({
    memoryBytes: opts.memoryBytes,
    linearMemory,
    mapper: proc.mm,
    personality: proc,
    engine: opts.engine ?? 'auto',
    x87: opts.x87,
    translator: { ...opts.translator, ...(dumper ? { onModule: dumper.onModule } : {}) },
    profile: opts.profile,
  });
  proc.attach(vm);
  const started = process.hrtime.bigint();
  try {
    try {
      proc.exec(image, [opts.program, ...opts.args], envList(opts.env));
    } catch (e) {
      if (e instanceof LoadError) {
        diag(`wasmvisor: ${e.message}`);
        return EXIT_LOAD_ERROR;
      }
      throw e;
    }
    // fork makes more processes: each gets a VM like the first one's (the dump and the time split stay with the first).
    const table = new ProcessTable((child) => {
      const childVm = new Machine({
        memoryBytes: opts.memoryBytes,
        linearMemory,
        mapper: child.mm,
        personality: child,
        engine: opts.engine ?? 'auto',
        x87: opts.x87,
        translator: opts.translator,
      });
      child.attach(childVm);
      return childVm;
    }, diag);
    const main = table.add(proc, vm);
    const status = await runTable(table, main, opts, diag);
    if (opts.stats) printStats(vm, proc, started, diag);
    return status;
  } finally {
    proc.dispose();
    opts.onFinish?.(vm);
  }
}

async function runTable(table: ProcessTable, main: Task, opts: RunLinuxOptions, diag: (line: string) => void): Promise<number> {
  let end;
  try {
    end = await table.run(main, { maxInstructions: opts.maxInstructions, timeoutMs: opts.timeoutMs });
  } catch (e) {
    // A bug in wasmvisor, not in the guest: say where the guest was, with the host stack.
    const where = `eip 0x${main.vm.cpu.eip.toString(16).padStart(8, '0')}`;
    diag(`wasmvisor: internal error at ${where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT_INTERNAL;
  }
  if (end.kind === 'limit') {
    diag(`wasmvisor: ${end.message}`);
    return EXIT_INSTRUCTION_LIMIT;
  }
  if (end.message) diag(end.message);
  return end.status;
}

function printStats(vm: Machine, proc: LinuxProcess, started: bigint, diag: (line: string) => void): void {
  const s = vm.stats();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mips = seconds > 0 ? s.instructions / seconds / 1e6 : 0;
  diag(
    `wasmvisor: ${s.instructions} instructions in ${seconds.toFixed(3)} s (${mips.toFixed(1)} MIPS); ` +
      `${s.blocksBuilt} blocks built, ${s.blocksRun} run, ${s.blockInvalidations} invalidated; ` +
      `${proc.syscallCount} syscalls; ${(vm.mem.bytesInUse / (1 << 20)).toFixed(1)} MiB of guest memory in use`,
  );
  const t = s.translator;
  if (t) {
    const pct = (n: number, d: number) => (d > 0 ? ((100 * n) / d).toFixed(2) : '0.00');
    const compiled = t.instructionsCompiled;
    diag(
      `wasmvisor: translated ${t.translatedInstructions} instructions (${pct(t.translatedInstructions, s.instructions)}%), ` +
        `interpreted ${s.instructions - t.translatedInstructions}; ` +
        `${pct(t.helperInstructions, t.translatedInstructions)}% of translated through a helper call ` +
        `(${t.helperSites} of ${compiled} translated instructions are helper calls); ${t.slowMemoryAccesses} loads and stores missed the inline TLB`,
    );
    diag(
      `wasmvisor: compiled ${t.regionsCompiled} modules, ${t.blocksCompiled} blocks, ${compiled} instructions in ` +
        `${(t.codegenMs + t.compileMs).toFixed(1)} ms (codegen ${t.codegenMs.toFixed(1)} ms, engine ${t.compileMs.toFixed(1)} ms` +
        `${t.asyncCompileMs > 0 ? `, ${t.asyncCompileMs.toFixed(1)} ms waiting for background compiles` : ''}; ` +
        `${compiled > 0 ? ((1000 * (t.codegenMs + t.compileMs)) / compiled).toFixed(1) : '0'} µs per instruction); ` +
        `${t.liveModules} live; ${t.continuedBlocks} blocks also emitted as continuations`,
    );
    diag(
      `wasmvisor: ${t.entries} entries from JavaScript, ${t.chainHits} chain hits in wasm, ${t.dispatchMisses} dispatch misses; ` +
        `${t.invalidations} invalidations, ${t.discarded} discarded compiles, ${t.postponed} postponed, ${t.keptApart} kept apart, ${t.flushes} flushes`,
    );
  }
  const l = s.lockstep;
  if (l) {
    diag(
      `wasmvisor: lockstep compared ${l.blocksCompared} blocks (${l.instructionsCompared} instructions), ` +
        `${l.blocksInterpreted} blocks interpreted only (${l.selfModifying} of them wrote code); ${l.divergences} divergences`,
    );
  }
}
