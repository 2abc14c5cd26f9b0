import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildKernel, HELLO_OUTPUT, work } from './kernels.js';
import { REPO_ROOT, runCli } from '../lib/run.js';

// The worker entry is compiled JavaScript (dist/system/vm-worker.js, next to vm-pool.js): the pool is used from dist/.
const { DEFAULT_VM_RESOURCE_LIMITS, runVms } = (await import(join(REPO_ROOT, 'dist/system/vm-pool.js'))) as typeof import('../../src/system/vm-pool.js');

/** Splits prefixed output into each VM's own text, checking every line has a prefix. */
function demultiplex(stdout: string, count: number): string[] {
  const per = Array.from({ length: count }, () => '');
  for (const line of stdout.split('\n').slice(0, -1)) {
    const m = /^\[vm(\d+)\] (.*)$/s.exec(line);
    expect(m, `unprefixed line ${JSON.stringify(line)}`).not.toBeNull();
    per[Number(m![1])] += `${m![2]}\n`;
  }
  return per;
}

describe('wasmvisor boot --vms', () => {
  test('--vms 3 boots three hello-kernels, each line prefixed with its VM, status 0 and nothing on stderr', async () => {
    const r = await runCli(['boot', '--vms', '3']);
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString().endsWith('\n')).toBe(true);
    expect(demultiplex(r.stdout.toString(), 3)).toEqual([HELLO_OUTPUT, HELLO_OUTPUT, HELLO_OUTPUT]);
    expect(r.code).toBe(0);
  });

  test('a last line without a newline is ended when its VM ends; the status is the first non-zero one, with a summary per VM', async () => {
    const r = await runCli(['boot', '--vms', '2', '--kernel', buildKernel('exit-status')]);
    expect(r.stdout.toString().split('\n').sort()).toEqual(['', '[vm0] x', '[vm1] x']);
    expect(r.stderr.toString().trim().split('\n')).toEqual([
      expect.stringMatching(/^wasmvisor: vm0: status 33 \(5 instructions, \d+\.\d\d s\)$/),
      expect.stringMatching(/^wasmvisor: vm1: status 33 \(5 instructions, \d+\.\d\d s\)$/),
    ]);
    expect(r.code).toBe(33);
  });

  test('--vms must be a positive integer', async () => {
    const r = await runCli(['boot', '--vms', '0']);
    expect(r.stderr.toString()).toMatch(/^wasmvisor: option '--vms <n>' argument '0' is invalid/);
    expect(r.code).toBe(2);
  });
});

describe('runVms', () => {
  test('VMs that fault, hang, cannot load or run out of their heap are reported; the others boot to the end', async () => {
    const hello = { append: '', memory: 128 << 20, engine: 'auto' as const };
    const output = Array.from({ length: 6 }, () => '');
    const endedEarly: number[] = [];
    const results = await runVms({
      count: 6,
      boot: [
        hello,
        { ...hello, kernel: buildKernel('breakpoint') }, // an interrupt without an IDT: a triple fault
        { ...hello, kernel: buildKernel('spin'), timeout: 0.5 }, // never stops by itself
        { ...hello, kernel: join(work, 'nothing-here') },
        hello, // its worker's heap is far too small for the emulator (below)
        { ...hello, append: 'console=ttyS0', memory: 64 << 20 },
      ],
      // A real limit, only far below what any VM needs: the worker dies as it would on a runaway heap.
      resourceLimits: [0, 1, 2, 3, 4, 5].map((vm) => (vm === 4 ? { maxOldGenerationSizeMb: 2 } : DEFAULT_VM_RESOURCE_LIMITS)),
      onOutput: (vm, bytes) => void (output[vm] += Buffer.from(bytes).toString('latin1')),
      onEnd: (r) => void endedEarly.push(r.vm),
    });
    expect(results.map((r) => [r.vm, r.status, r.crashed])).toEqual([
      [0, 0, false],
      [1, 3, false],
      [2, 124, false],
      [3, 2, false],
      [4, 3, true],
      [5, 0, false],
    ]);
    expect(results[0].message).toBeNull();
    expect(results[1].message).toMatch(/^triple fault: interrupt 0x3 at eip 0x00100\w+ could not be delivered/);
    expect(results[2].message).toMatch(/^time limit reached \(0\.5 s\) at eip 0x0010/);
    expect(results[3].message).toMatch(/^cannot read the kernel .*nothing-here: ENOENT$/);
    expect(results[4].message).toMatch(/^its worker crashed: .*memory limit/);
    expect(results[4].instructions).toBeNull();
    expect(output[0]).toBe(HELLO_OUTPUT);
    expect(output[5]).toBe(HELLO_OUTPUT.replace('128 MiB', '64 MiB').replace('command line: ', 'command line: console=ttyS0'));
    expect(output.slice(1, 5)).toEqual(['', '', '', '']);
    expect(results[0].instructions).toBeGreaterThan(1_000_000);
    expect(results[5].instructions).toBeGreaterThan(1_000_000);
    expect(endedEarly.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of results) expect(r.wallMs).toBeGreaterThan(0);
  });

  test('per-VM options must match the count', async () => {
    await expect(runVms({ count: 2, boot: [{ append: '', memory: 128 << 20, engine: 'auto' }], onOutput: () => {} })).rejects.toThrow(/boot has 1 entries for 2 VMs/);
  });
});
