import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildKernel, hasQemuSystem, HELLO_OUTPUT, KERNEL_DIR, qemuSystemOutput, work } from './kernels.js';
import { CLI, runCli } from '../lib/run.js';

describe('wasmvisor boot', () => {
  test.each(['auto', 'interp', 'jit'])('with no arguments boots the bundled hello-kernel to its halt (%s)', async (engine) => {
    const r = await runCli(['boot', '--engine', engine]);
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe(HELLO_OUTPUT);
    expect(r.code).toBe(0);
  });

  test('the committed hello-kernel image is what its source builds (same boot output), and --append and --memory reach the kernel', async () => {
    const out = join(work, 'hello-kernel.elf');
    execFileSync('sh', [join(KERNEL_DIR, 'build.sh'), out]);
    const r = await runCli(['boot', '--kernel', out, '--append', 'console=ttyS0 quiet', '--memory', '64M']);
    expect(r.stdout.toString()).toBe(HELLO_OUTPUT.replace('128 MiB', '64 MiB').replace('command line: ', 'command line: console=ttyS0 quiet'));
    expect(r.code).toBe(0);
  });

  test('a write to the isa-debug-exit port ends the VM with (value << 1) | 1', async () => {
    const r = await runCli(['boot', '--kernel', buildKernel('exit-status')]);
    expect(r.stdout.toString()).toBe('x');
    expect(r.code).toBe(33);
  });

  test('an interrupt without an IDT is a triple fault: one line and status 3', async () => {
    const r = await runCli(['boot', '--kernel', buildKernel('breakpoint')]);
    expect(r.stderr.toString().trim().split('\n')).toHaveLength(1);
    expect(r.stderr.toString()).toMatch(/^wasmvisor: triple fault: interrupt 0x3 at eip 0x00100\w+ could not be delivered: vector 0x3 is beyond the IDT's limit/);
    expect(r.code).toBe(3);
  });

  test.each(['interp', 'auto'])('a kernel with its own GDT and IDT takes INT3, a divide error and 10 timer interrupts (HLT waits for them) (%s)', async (engine) => {
    const started = performance.now();
    const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('interrupts')]);
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe('breakpoint\ndivide error\n10 timer interrupts\n');
    expect(r.code).toBe(0);
    // 10 ticks at 100 Hz of virtual time tied to the host clock: at least 90 ms of wall time.
    expect(performance.now() - started).toBeGreaterThan(90);
  });

  test.each(['interp', 'auto'])('a kernel turns on two-level paging: an alias mapping, accessed and dirty bits, a page fault it repairs and retries (%s)', async (engine) => {
    const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('paging')]);
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe('alias ok\naccessed and dirty\npage fault at 40400010 error 00000000\nretried 0000cafe\n');
    expect(r.code).toBe(0);
  });

  test.each(['interp', 'jit', 'auto'])(
    'code under changing mappings: a fetch fault repaired without INVLPG, a code page remapped with INVLPG, two address spaces by CR3 (%s)',
    async (engine) => {
      const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('remap'), '--timeout', '60']);
      expect(r.stderr.toString()).toBe('');
      expect(r.stdout.toString()).toBe('fetch fault repaired, page faults: 00000001\nremapped with invlpg\ntwo address spaces\n');
      expect(r.code).toBe(0);
    },
  );

  test.each(['interp', 'jit', 'auto'])(
    'back at ring 3 the user keeps its own pages but cannot read a supervisor page the kernel had just used (CR0.WP; error 5) (%s)',
    async (engine) => {
      const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('user-pages'), '--timeout', '60']);
      expect(r.stderr.toString()).toBe('');
      expect(r.stdout.toString()).toBe('system call from ring 3\npage fault at secret+00000000 error 00000005\n');
      expect(r.code).toBe(0);
    },
  );

  // As for the next test, the expected output is what qemu-system-i386 prints for the same kernel.
  test.each(['interp', 'jit', 'auto'])('INS and OUTS with REP through the I/O bus, forwards and backwards (%s)', async (engine) => {
    const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('io-strings'), '--timeout', '60']);
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe('rep outsb to COM1\n00000000\nrep insb from the PIC mask: 005a5a5a 00000003\nhello\n');
    expect(r.code).toBe(0);
  });

  // As for the next test, the expected output is what qemu-system-i386 prints for the same kernel.
  test.each(['interp', 'jit', 'auto'])('the TSS I/O bitmap lets ring 3 (IOPL 0) use COM1 and no other port (%s)', async (engine) => {
    const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('io-bitmap'), '--timeout', '60']);
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe('ok1\nrep outsb from ring 3\n#GP from ring 3, error 00000000\n');
    expect(r.code).toBe(0);
  });

  // The expected output is what qemu-system-i386 (TCG) prints for the same kernel.
  test.each(['interp', 'jit', 'auto'])(
    'SYSENTER and SYSEXIT: CPUID reports SEP, a null SYSENTER_CS MSR is #GP(0), ring 3 to ring 0 and back with the MSRs\' segments and stack, SYSEXIT at ring 3 is #GP(0) (%s)',
    async (engine) => {
      const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('sysenter'), '--timeout', '60']);
      expect(r.stderr.toString()).toBe('');
      expect(r.stdout.toString()).toBe(
        'cpuid sep 00000001\n' +
          '#GP error 00000000 at cpl 00000000\n' +
          'sysenter: cs ss esp 00000008 00000010 00000000 if 00000000\n' +
          'sysexit: cs ss 0000001b 00000023\n' +
          '#GP error 00000000 at cpl 00000003\n',
      );
      expect(r.code).toBe(0);
    },
  );

  // The expected output is what qemu-system-i386 (TCG) prints for the same kernel; where it is installed, it is run too.
  const REAL_MODE_OUTPUT =
    'protected mode\n' +
    'real mode, PE 00000000\n' +
    '0x4001:0 reads 0x4000:0x10: 0000beef\n' +
    'push at SP 0: word, SP abcdfffe\n' +
    'push dword: 11223344 00000004\n' +
    'int 0x42: 02002000 00000000\n' +
    'divide error\n' +
    'after the divide error\n' +
    'far call, CS 00001f00\n' +
    'copied by rep movsb\n' +
    'unreal mode: c0ffee42 c0ffee42\n' +
    '3 timer interrupts\n' +
    'back in protected mode\n';
  test.each(['interp', 'jit', 'auto'])(
    'real mode and back: segment arithmetic, a wrapping 16-bit stack, INT, a divide error and timer interrupts through the vector table, a far call, unreal mode (%s)',
    async (engine) => {
      const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('real-mode'), '--timeout', '60']);
      expect(r.stderr.toString()).toBe('');
      expect(r.stdout.toString()).toBe(REAL_MODE_OUTPUT);
      expect(r.code).toBe(1); // the exit device's (0 << 1) | 1
    },
  );

  test.skipIf(!hasQemuSystem)(
    `qemu-system-i386 prints the same for the real-mode kernel${hasQemuSystem ? '' : ' (skipped: qemu-system-i386 is not installed)'}`,
    () => {
      const q = qemuSystemOutput(buildKernel('real-mode'));
      expect(q.stdout).toBe(REAL_MODE_OUTPUT);
      expect(q.status).toBe(1);
    },
  );

  test.each(['interp', 'jit'])('a kernel with a TSS enters ring 3 by IRET and comes back through a system-call gate and a #GP; MSRs (%s)', async (engine) => {
    const r = await runCli(['boot', '--engine', engine, '--kernel', buildKernel('rings')]);
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString()).toBe('msr ok\nhello from ring 3\ngeneral protection from ring 3\n');
    expect(r.code).toBe(0);
  });

  test('--expect and --send drive the console: the hello-kernel\'s output is matched in order; one never printed is status 4', async () => {
    const met = await runCli(['boot', '--expect', 'hello', '--send', 'ignored\\n', '--expect', 'MiB']);
    expect(met.stdout.toString()).toBe(HELLO_OUTPUT);
    expect(met.code).toBe(0);
    // "hello" comes before "MiB" in the output, so asked the other way round the second never appears.
    const unmet = await runCli(['boot', '--expect', 'MiB', '--expect', 'hello']);
    expect(unmet.stderr.toString()).toBe('wasmvisor: the guest ended (halted with interrupts off) before --expect "hello" appeared\n');
    expect(unmet.code).toBe(4);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  test.skipIf(!hasScript)(
    `at a terminal, Ctrl-A X ends a guest that never stops: status 0 and one line${hasScript ? '' : ' (skipped: util-linux script(1), which gives the CLI a terminal, is not installed)'}`,
    async () => {
      // script(1) runs the CLI on a pseudo-terminal, so stdin is a TTY and goes raw; our bytes arrive as typed keys.
      const child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} boot --kernel ${JSON.stringify(buildKernel('spin'))} --timeout 60`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', resolve);
        setTimeout(() => child.stdin.write('\x01x'), 1500);
      });
      expect(out.trim()).toBe('wasmvisor: terminated by Ctrl-A X');
      expect(code).toBe(0);
    },
  );

  test('a guest that never stops ends at --timeout and at --max-instructions with status 124', async () => {
    const spin = buildKernel('spin');
    const t = await runCli(['boot', '--kernel', spin, '--timeout', '0.5']);
    expect(t.stderr.toString()).toMatch(/^wasmvisor: time limit reached \(0\.5 s\) at eip 0x0010/);
    expect(t.code).toBe(124);
    const n = await runCli(['boot', '--kernel', spin, '--max-instructions', '100000', '--engine', 'interp']);
    expect(n.stderr.toString()).toMatch(/^wasmvisor: instruction limit reached \(100000 instructions\)/);
    expect(n.code).toBe(124);
  });

  test.each([
    ['a Linux program (no multiboot header)', () => ['--kernel', join('tests', 'guest', 'build', 'exit_code')], /is not a multiboot kernel \(no multiboot header in its first 8 KiB\)/],
    ['a missing file', () => ['--kernel', join(work, 'nothing-here')], /cannot read the kernel .*nothing-here: ENOENT/],
    ['an impossible memory size', () => ['--memory', '1M'], /--memory 1 MiB is not possible/],
    ['memory too small for the kernel', () => {
      const big = join(work, 'big.elf');
      // The hello-kernel with its segment's memory size raised past 64 MiB (p_memsz of the first program header).
      const bytes = readFileSync(join(KERNEL_DIR, 'hello-kernel.elf'));
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      dv.setUint32(dv.getUint32(28, true) + 20, 80 << 20, true);
      writeFileSync(big, bytes);
      return ['--kernel', big, '--memory', '64M'];
    }, /needs memory up to 0x5100000 but the machine has 64 MiB; give more with --memory/],
    ['an initrd with a multiboot kernel', () => ['--initrd', join(KERNEL_DIR, 'hello-kernel.elf')], /is not a Linux bzImage, and only Linux kernels take an initrd/],
    ['a missing initrd', () => ['--initrd', join(work, 'no-initrd')], /cannot read the initrd .*no-initrd: ENOENT/],
    ['a file with a "HdrS" header but no boot sector signature', () => {
      const fake = join(work, 'fake-bzimage');
      const bytes = Buffer.alloc(4096);
      bytes.write('HdrS', 0x202, 'latin1');
      writeFileSync(fake, bytes);
      return ['--kernel', fake];
    }, /is not a Linux bzImage \(no boot sector signature 0xaa55 at 0x1fe\)/],
    ['an unknown escape in --send', () => ['--send', 'a\\qb'], /unknown escape "\\q"/],
  ])('bad input: %s is one line and status 2', async (_name, args, message) => {
    const r = await runCli(['boot', ...args()]);
    expect(r.stderr.toString().trim().split('\n')).toHaveLength(1);
    expect(r.stderr.toString()).toMatch(message);
    expect(r.code).toBe(2);
  });
});
