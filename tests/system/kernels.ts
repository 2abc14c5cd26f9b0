import { execFileSync, spawnSync } from 'node:child_process';
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

/** Whether Debian's qemu-system-i386 (TCG) is installed: it is the reference for the test kernels' output. */
export const hasQemuSystem = spawnSync('qemu-system-i386', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * What a test kernel prints on COM1 under qemu-system-i386, with QEMU's
 * isa-debug-exit device at 0xF4 as wasmvisor has it; the kernel must end
 * itself through that port (a timeout is an error).
 */
export function qemuSystemOutput(kernel: string): { stdout: string; status: number | null } {
  const r = spawnSync(
    'qemu-system-i386',
    ['-kernel', kernel, '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-no-reboot'],
    { timeout: 60_000 },
  );
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString(), status: r.status };
}
