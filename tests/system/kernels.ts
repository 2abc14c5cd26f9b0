import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The project's own multiboot kernel and its linker script. */
export const KERNEL_DIR = join('guests', 'hello-kernel');
const SYSTEM_GUESTS = join('tests', 'guest', 'system');

/** A scratch directory for kernels built by the tests. */
export const work = mkdtempSync(join(tmpdir(), 'wasmvisor-kernels-'));

/** Assembles and links a multiboot kernel from tests/guest/system at 1 MiB (binutils only). */
export function buildKernel(name: string): string {
  const obj = join(work, `${name}.o`);
  const out = join(work, `${name}.elf`);
  execFileSync('as', ['--32', '-I', SYSTEM_GUESTS, '-o', obj, join(SYSTEM_GUESTS, `${name}.S`)]);
  execFileSync('ld', ['-m', 'elf_i386', '-T', join(KERNEL_DIR, 'link.ld'), '--no-warn-rwx-segments', '-o', out, obj]);
  return out;
}

/** What guests/hello-kernel prints with the default 128 MiB and no command line. */
export const HELLO_OUTPUT =
  'wasmvisor hello-kernel: started by a multiboot loader\n' +
  'memory: 128 MiB\n' +
  'command line: \n' +
  'primes below 2000000: 148933\n' + // the count of primes below 2,000,000 (OEIS A006880 gives 148933)
  'halting with interrupts off\n';
