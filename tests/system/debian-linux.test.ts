// Debian's i386 kernel (linux-image-686:i386) with an initramfs of Debian's
// busybox-static:i386, both built from the packages by
// scripts/build-linux-guest.sh at test time (downloaded with apt-get
// download into .cache/linux, kept across runs). The kernel boots through
// the Linux boot protocol to its /init, which prints a marker and, with
// wasmvisor_shell=1, gives a shell on the serial console; the test types a
// command, checks its output, and sees the VM end when the guest powers off.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli } from '../lib/run.js';

const GUEST = join(REPO_ROOT, '.cache/linux');
const KERNEL = join(GUEST, 'bzImage');
const INITRD = join(GUEST, 'initramfs.cpio.gz');
/** The timing command line of ../shared/GUEST-LINUX.md, and the switch for a shell on the console. */
const APPEND = 'console=ttyS0 quiet cryptomgr.notests noisapnp acpi=off noapic nolapic';

let kernelVersion = '';

beforeAll(() => {
  // Fails with the script's own one-line reason when i386 packages cannot be had (see .ci/run for the set-up).
  execFileSync('sh', [join(REPO_ROOT, 'scripts/build-linux-guest.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  kernelVersion = readFileSync(join(GUEST, 'kernel-version'), 'utf8').trim();
}, 600_000);

describe("Debian's i386 kernel", () => {
  test('boots to a shell on the serial console, runs a command typed there, and ends the VM when the guest powers off', async () => {
    const r = await runCli(
      [
        'boot', '--kernel', KERNEL, '--initrd', INITRD, '--memory', '256M', '--append', `${APPEND} wasmvisor_shell=1`,
        '--expect', '# ', '--send', 'uname -sr; echo $((6 * 7)) done\\n',
        '--expect', ' done', '--expect', '# ', '--send', 'exit\\n',
        '--timeout', '240',
      ],
      { timeoutMs: 300_000 },
    );
    const out = r.stdout.toString('latin1');
    expect(r.stderr.toString()).toBe('');
    expect(out).toContain('WASMVISOR-GUEST-UP');
    // The command's output, as the kernel's tty layer writes it (\r\n), after the echoed command line.
    expect(out).toContain(`\r\nLinux ${kernelVersion}\r\n42 done\r\n`);
    expect(out).toMatch(/reboot: System halted\r\n$/);
    expect(r.code).toBe(0);
  }, 320_000);

  test('two VMs boot it side by side (--vms 2), each to its own marker, uname and power-off', async () => {
    const r = await runCli(
      ['boot', '--vms', '2', '--kernel', KERNEL, '--initrd', INITRD, '--memory', '256M', '--append', APPEND, '--timeout', '240'],
      { timeoutMs: 300_000 },
    );
    const lines = r.stdout.toString('latin1').split('\n');
    for (const vm of ['vm0', 'vm1']) {
      expect(lines).toContain(`[${vm}] WASMVISOR-GUEST-UP\r`);
      expect(lines.some((l) => l.startsWith(`[${vm}] Linux (none) ${kernelVersion} `))).toBe(true);
      expect(lines.some((l) => l.startsWith(`[${vm}] [`) && l.endsWith('reboot: System halted\r'))).toBe(true);
    }
    expect(r.stderr.toString()).toBe('');
    expect(r.code).toBe(0);
  }, 320_000);

  test('an --expect the guest never prints: the VM still ends at the power-off, with status 4 and one line saying what was missing', async () => {
    const r = await runCli(
      ['boot', '--kernel', KERNEL, '--initrd', INITRD, '--memory', '256M', '--append', APPEND, '--expect', 'no such text', '--timeout', '240'],
      { timeoutMs: 300_000 },
    );
    expect(r.stdout.toString()).toContain(`Linux (none) ${kernelVersion} `); // /init ran uname -a
    expect(r.stderr.toString()).toBe('wasmvisor: the guest ended (halted with interrupts off) before --expect "no such text" appeared\n');
    expect(r.code).toBe(4);
  }, 320_000);
});
