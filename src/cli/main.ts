#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runDisasm } from './disasm.js';
import { runLinuxProgram } from '../linux/run.js';
import { DEFAULT_TRANSLATOR_OPTIONS } from '../translator/translator.js';
import type { Engine } from '../runtime/machine.js';
import { runBenchCommand, type BenchCommandOptions } from './bench.js';
import { runBoot, runBootVms, type BootOptions } from './boot.js';
import { ttyConsole } from './tty-console.js';
import { unescape, type ConsoleStep } from '../system/console-script.js';

/** Exit status for bad command lines and unloadable programs (like a shell's usage error). */
const EXIT_USAGE = 2;

function parseSize(value: string): number {
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`"${value}" is not a size (examples: 512M, 1G, 65536)`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  return n;
}

function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer (decimal or 0x hex)`);
  return n;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

interface BootCommandOptions extends BootOptions {
  vms: number;
  /** --expect and --send share one list (scriptStep), in command-line order; whichever commander filled is it. */
  expect?: ConsoleStep[];
  send?: ConsoleStep[];
}

/**
 * The option parser for --expect and --send: both append to the same list,
 * so the steps keep the order they were given in.
 */
function scriptStep(kind: ConsoleStep['kind'], steps: ConsoleStep[]): (value: string) => ConsoleStep[] {
  return (value) => {
    let text: string;
    try {
      text = unescape(value);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
    if (kind === 'expect' && text === '') throw new InvalidArgumentError('an empty text would match at once');
    steps.push({ kind, text });
    return steps;
  };
}

interface RunOptions {
  engine: Engine;
  threshold: number;
  batchWindow: number;
  chaining: boolean;
  registerCaching: boolean;
  flagLiveness: boolean;
  inlineTlb: boolean;
  pageCaches: boolean;
  continuations: boolean;
  slowPathExits: boolean;
  asyncCompile?: boolean;
  codegen: 'direct' | 'binaryen';
  x87: 'double' | 'exact';
  dumpWasm?: string;
  strict?: boolean;
  stats?: boolean;
  strace?: boolean;
  memory: number;
  linearMemory: boolean;
  sysroot?: string;
  maxInstructions?: number;
  timeout?: number;
}

export function buildCli(): Command {
  const consoleSteps: ConsoleStep[] = [];
  const program = new Command('wasmvisor')
    .description('Run x86 guests by translating their code to WebAssembly.')
    .version('0.1.0')
    .enablePositionalOptions()
    // One line per error, prefixed like every other diagnostic.
    .configureOutput({ outputError: (str, write) => write(`wasmvisor: ${str.replace(/^error: /, '').trimEnd()} (see --help)\n`) })
    .exitOverride();

  program
    .command('run')
    .description('run a 32-bit i386 Linux program (like qemu-i386)')
    .usage('[options] PROGRAM [ARGS...]')
    .argument('<program>', 'the ELF executable to run')
    .argument('[args...]', 'arguments passed to the guest program')
    .addOption(
      new Option(
        '--engine <engine>',
        'interp: interpreter only; jit: translate every block before it runs; auto: interpret, translate hot code; ' +
          'lockstep: run every block interpreted and translated, stop at the first difference (exit status 3, with a report)',
      )
        .choices(['interp', 'jit', 'auto', 'lockstep'])
        .default('auto'),
    )
    .option('--threshold <n>', 'auto: executions of a block before its region is translated', parseInteger, 50)
    .option(
      '--batch-window <n>',
      'auto: guest instructions a hot block waits before its region is compiled, so blocks that get hot together compile into one region (0: at once)',
      parseInteger,
      DEFAULT_TRANSLATOR_OPTIONS.batchWindow,
    )
    .option('--no-chaining', 'every jump out of a translated region returns to JavaScript (no dispatch cache)')
    .option('--no-register-caching', 'translated code keeps guest registers in memory, not wasm locals')
    .option('--no-flag-liveness', 'compute every flag, even ones overwritten before they are read')
    .option('--no-inline-tlb', 'translated loads and stores always call the slow-path helper')
    .option('--no-page-caches', "loops' accesses to global tables look up the soft-TLB each time (no per-site page cache)")
    .option('--no-continuations', 'a small block entered from one block of its region and reading its flags is not emitted again as part of it')
    .option('--no-slow-path-exits', 'rare paths (a load or store that misses the inline TLB, a DIV that faults) call a helper instead of leaving translated code')
    .addOption(
      new Option('--codegen <backend>', 'who encodes translated modules: direct (a wasm encoder, fast) or binaryen (validated, slower)')
        .choices(['direct', 'binaryen'])
        .default('direct'),
    )
    .option('--async-compile', 'auto: compile hot regions with WebAssembly.compile in the background (the interpreter runs meanwhile)')
    .addOption(
      new Option(
        '--x87 <precision>',
        'x87 registers: double (float64, the common instructions translated inline: fast; long double and 64-bit intermediates can differ ' +
          'from the CPU in the last bits) or exact (80-bit extended values computed as the CPU does, every x87 instruction interpreted)',
      )
        .choices(['double', 'exact'])
        .default('double'),
    )
    .option('--dump-wasm <dir>', 'write each translated module as WebAssembly text (through wabt) into DIR')
    .option('--strict', 'stop on an unimplemented syscall instead of returning -ENOSYS')
    .option('--stats', 'print execution statistics to stderr at exit')
    .option('--strace', 'print every system call and its result to stderr (like strace)')
    .option('--memory <size>', 'guest RAM available to the program', parseSize, 1024 ** 3)
    .option(
      '--no-linear-memory',
      'back guest pages with frames from a pool (translated code adds each page\'s offset) instead of at their own addresses ' +
        'in a 4 GiB memory; needed for a program that maps pages below 0x1400000',
    )
    .option(
      '-L, --sysroot <dir>',
      'root of an i386 system (like qemu-user -L): a dynamically linked program\'s interpreter and libraries, ' +
        'and every absolute path the program opens, are looked up in DIR first, then on the host',
    )
    .option('--max-instructions <n>', 'stop the guest after this many instructions (exit status 124)', parseInteger)
    .option('--timeout <seconds>', 'stop the guest after this much wall time (exit status 124)', parseSeconds)
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Dynamically linked programs: their interpreter (PT_INTERP, /lib/ld-linux.so.2)
is loaded from --sysroot DIR, for example Debian's libc6:i386 unpacked with
\`dpkg-deb -x libc6_*_i386.deb DIR\` (plus the .debs of the libraries the program
needs). Without --sysroot the host's root is used, as qemu-user does: where the
host has i386 libraries (libc6-i386 from gcc-multilib, or multiarch libc6:i386)
they are what the program gets; where it has no /lib/ld-linux.so.2 the program
cannot be loaded (status 2). /proc, /dev and /sys are always the host's, and
/etc/ld.so.cache and /etc/ld.so.preload only DIR's (the host's describe the
host's libraries).

Exit status: the guest's own; 128+N when the guest dies by signal N (139 for
a memory fault, 132 for an invalid or unimplemented instruction, 136 for a
divide error); 2 when the program cannot be loaded or the command line is
wrong; 124 when --max-instructions or --timeout runs out; 3 when --engine
lockstep finds the translated code and the interpreter disagree.`,
    )
    .action(async (prog: string, args: string[], opts: RunOptions) => {
      process.exitCode = await runLinuxProgram({
        program: prog,
        args,
        memoryBytes: opts.memory,
        linearMemory: opts.linearMemory,
        sysroot: opts.sysroot,
        strict: !!opts.strict,
        stats: !!opts.stats,
        strace: !!opts.strace,
        maxInstructions: opts.maxInstructions,
        timeoutMs: opts.timeout !== undefined ? opts.timeout * 1000 : undefined,
        engine: opts.engine,
        x87: opts.x87,
        translator: {
          threshold: Math.max(1, opts.threshold),
          batchWindow: Math.max(0, opts.batchWindow),
          chaining: opts.chaining,
          registerCaching: opts.registerCaching,
          flagLiveness: opts.flagLiveness,
          inlineTlb: opts.inlineTlb,
          pageCaches: opts.pageCaches,
          continuations: opts.continuations,
          slowPathExits: opts.slowPathExits,
          asyncCompile: !!opts.asyncCompile,
          codegen: opts.codegen === 'binaryen' ? (await import('../translator/binaryen-backend.js')).binaryenCodegen : 'direct',
        },
        dumpWasmDir: opts.dumpWasm,
      });
    });

  program
    .command('bench')
    .description('time guest workloads natively, under qemu-i386 and under each wasmvisor engine, and check they agree')
    .usage('[options] [WORKLOADS...]')
    .argument('[workloads...]', 'workloads to run (default: the whole suite; --list shows it)')
    .option('--engines <list>', 'comma-separated: native, qemu, interp, jit, auto (native and qemu only where the host runs them)', 'native,qemu,interp,jit,auto')
    .option('--runs <n>', 'runs per workload and engine (the median is reported)', parseInteger, 3)
    .option('--max-time <seconds>', 'stop repeating a workload under an engine once its runs took this long (a quarter of it for the sweep)', parseSeconds, 10)
    .option('--quick', 'small sizes, one run each: checks every engine gives the same checksums (a smoke test; times mean nothing)')
    .option('--sweep <list>', 'workloads whose size sweep runs too (comma-separated)', 'sieve,sha256')
    .option('--no-sweep', 'skip the size sweep')
    .option('--json <file>', 'write every run\'s raw results as JSON')
    .option('--svg <file>', 'draw each engine\'s time relative to native, per workload, as an SVG bar chart')
    .option('--sweep-svg <file>', 'draw the size sweep as an SVG chart')
    .option('--markdown <file>', 'write the tables as Markdown')
    .option('--list', 'list the workloads and their sizes, then exit')
    .addHelpText(
      'after',
      `
The workloads are C programs in bench/guest (built with gcc -m32 -O2 -static;
needs gcc-multilib) and Debian's busybox-static:i386 hashing and compressing a
generated file (downloaded with apt-get download the first time). Every run's
output is compared with the native run's (or the first engine's).

Exit status: 0 when every run agreed; 1 when some engine printed something
else or exited otherwise (CHECKSUM MISMATCH lines say which); 2 when the
command line is wrong or the suite cannot be built.`,
    )
    .action(async (workloads: string[], opts: BenchCommandOptions) => {
      process.exitCode = await runBenchCommand(workloads, opts);
    });

  program
    .command('boot')
    .description('boot a PC with a Linux or multiboot kernel, its serial console on the terminal (like qemu-system-i386 -kernel -nographic)')
    .usage('[options]')
    .option('--kernel <file>', 'a Linux bzImage or a multiboot kernel (default: the project\'s own guests/hello-kernel)')
    .option('--initrd <file>', 'an initial RAM disk for a Linux kernel (a cpio archive, gzip\'d or not)')
    .option('--append <cmdline>', 'the kernel command line', '')
    .option('--memory <size>', 'guest RAM', parseSize, 128 * 1024 ** 2)
    .option('--expect <text>', 'wait until the console has printed TEXT (repeatable; runs in order with --send)', scriptStep('expect', consoleSteps))
    .option('--send <text>', 'type TEXT on the console, after the --expect steps before it (\\n, \\r, \\t, \\xHH escapes)', scriptStep('send', consoleSteps))
    .addOption(
      new Option('--engine <engine>', 'interp: interpreter only; jit: translate every block before it runs; auto: interpret, translate hot code')
        .choices(['interp', 'jit', 'auto'])
        .default('auto'),
    )
    .option('--max-instructions <n>', 'stop the guest after this many instructions (exit status 124)', parseInteger)
    .option('--timeout <seconds>', 'stop the guest after this much wall time (exit status 124)', parseSeconds)
    .option('--vms <n>', 'boot N copies of the machine in parallel, each in its own worker thread (output lines prefixed [vmK])', parseCount, 1)
    .addHelpText(
      'after',
      `
The machine: guest RAM from physical address 0, a 16550A on COM1 (its output
is this command's stdout; port 0xE9 writes go there too), an 8259A pair,
8254 timer, CMOS clock, i8042, a PCI host bridge and QEMU's isa-debug-exit
at port 0xF4. No BIOS: a Linux bzImage (recognised by its setup header) is
entered at its 32-bit entry point as the Linux boot protocol specifies,
with boot_params, an E820 map, --append and --initrd; any other file must
be a multiboot kernel, started in 32-bit protected mode with paging off,
EAX = 0x2BADB002 and EBX = the multiboot information.

The console: at a terminal, what you type goes to the guest (raw mode);
Ctrl-A X quits, Ctrl-A Ctrl-A types Ctrl-A. --expect and --send script it
instead, in the order given: each --expect waits for its text in the
output, each --send types its text (end a command with \\n). For example:
  wasmvisor boot --kernel bzImage --initrd initrd.gz --append console=ttyS0 \\
    --expect '# ' --send 'uname -a\\n' --expect '# ' --send 'poweroff -f\\n'

Not yet: task gates and task switches, PAE, SYSENTER (a guest that needs
them stops the machine, status 3).

--vms N: N machines, each with its own memory (--memory each), devices
and translated code, in N worker threads (one core each, at best). Each
line a VM writes to its console is printed whole, prefixed [vm0] to
[vmN-1]; a last line without a newline gets one when its VM ends. A VM that
crashes (status 3) or runs out of time or instructions (124) is reported
and the others go on; when any VM did not end with 0 or printed a
diagnostic, one summary line per VM goes to stderr at the end.

Exit status: 0 when the guest halts with interrupts off (how a kernel
powers off without ACPI) or resets the machine; (V << 1) | 1 when it writes
V to port 0xF4 (low 8 bits); 2 when the kernel cannot be loaded or the
command line is wrong; 3 when the guest does something the machine cannot
deliver yet, or faults; 4 when the guest ended before an --expect text
appeared; 124 when --max-instructions or --timeout runs out.
With --vms: 0 when every VM ended with 0, else the status of the
lowest-numbered VM that did not (3 as well when a VM's worker crashed).`,
    )
    .action(async (opts: BootCommandOptions) => {
      const { vms, expect: _e, send: _s, ...boot } = opts;
      const stdout = (b: Uint8Array) => void process.stdout.write(b);
      const diag = (line: string) => void process.stderr.write(`${line}\n`);
      const script = opts.send ?? opts.expect;
      if (script !== undefined) boot.script = script;
      // Typing goes to the guest when a person is at a terminal and no script drives the console.
      const input = process.stdin.isTTY && script === undefined && vms === 1 ? ttyConsole(process.stdin, diag) : undefined;
      process.exitCode = vms === 1 ? await runBoot(boot, stdout, diag, input) : await runBootVms(boot, vms, stdout, diag);
    });

  program
    .command('disasm')
    .description('print Intel-syntax disassembly of a hex string or a file range')
    .argument('[file]', 'file to disassemble (raw bytes, or an ELF: then --address selects by virtual address)')
    .option('--hex <bytes>', 'disassemble these hex bytes instead of a file (spaces allowed)')
    .option('--mode <bits>', 'code size: 16 or 32', '32')
    .option('--offset <n>', 'file offset to start at', parseInteger)
    .option('--address <n>', 'virtual address to start at (ELF files) or to show for the first byte', parseInteger)
    .option('--length <n>', 'number of bytes to disassemble', parseInteger)
    .option('--count <n>', 'stop after this many instructions', parseInteger)
    .action((file: string | undefined, opts) => {
      process.exitCode = runDisasm(file, opts);
    });

  return program;
}

/** 128 + SIGPIPE, what a shell reports for a tool whose reader closed the pipe (as `run` does for a guest). */
const EXIT_BROKEN_PIPE = 141;

async function main(): Promise<void> {
  // `wasmvisor ... | head`: once the reader has gone, stop quietly as a native tool does on SIGPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(EXIT_BROKEN_PIPE);
  });
  const cli = buildCli();
  try {
    await cli.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed the message (and --help/--version exit 0).
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`wasmvisor: ${msg}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

void main();
