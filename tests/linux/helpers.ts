import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Slot } from '../../src/runtime/layout.js';
import { Machine, type StopReason } from '../../src/runtime/machine.js';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../src/linux/address-space.js';
import { LinuxProcess, type LinuxProcessOptions } from '../../src/linux/process.js';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'wasmvisor-linux-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Compiles C source to a static i386 executable with `gcc -m32`; returns its path. */
export function compileC(dir: string, name: string, source: string, flags: string[] = ['-static']): string {
  const src = path.join(dir, `${name}.c`);
  const out = path.join(dir, name);
  fs.writeFileSync(src, source);
  execFileSync('gcc', ['-m32', '-O1', ...flags, '-o', out, src], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

export interface TestProcess {
  vm: Machine;
  proc: LinuxProcess;
  stdout: () => string;
  stderr: () => string;
  diag: string[];
  /** A scratch page of guest memory for syscall arguments. */
  scratch: number;
  /** Calls syscall `nr` with up to six arguments and returns EAX (signed). */
  call: (nr: number, ...args: number[]) => number;
  /** Writes a NUL-terminated string at `at` and returns `at`. */
  str: (at: number, s: string) => number;
  stopped: () => StopReason | null;
}

/** A LinuxProcess on a real Machine with captured stdout/stderr and a scratch mapping, without running code. */
export function makeProcess(
  opts: Partial<LinuxProcessOptions> = {},
  memoryBytes = 64 << 20,
  { linearMemory = false }: { linearMemory?: boolean } = {},
): TestProcess {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const diag: string[] = [];
  const proc = new LinuxProcess({
    program: '/bin/test-program',
    diag: (l) => diag.push(l),
    stdio: { stdin: '', stdout: (d) => out.push(d), stderr: (d) => err.push(d) },
    ...opts,
  });
  const vm = new Machine({ memoryBytes, linearMemory, mapper: proc.mm, personality: proc });
  proc.attach(vm);
  const scratch = proc.mm.mmap(0, 64 * 1024, { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
  const regs = [Slot.EBX, Slot.ECX, Slot.EDX, Slot.ESI, Slot.EDI, Slot.EBP];
  return {
    vm,
    proc,
    diag,
    scratch,
    stdout: () => Buffer.concat(out).toString(),
    stderr: () => Buffer.concat(err).toString(),
    call: (nr, ...args) => {
      vm.cpu.r32[Slot.EAX] = nr;
      regs.forEach((r, i) => (vm.cpu.r32[r] = args[i] ?? 0));
      proc.onInterrupt(vm, 0x80);
      return vm.cpu.r32[Slot.EAX];
    },
    str: (at, s) => {
      vm.mmu.writeBytes(at, Buffer.from(`${s}\0`, 'latin1'));
      return at;
    },
    stopped: () => vm.stopped,
  };
}
