// The embedding API's code, block and memory hooks on a whole PC (SystemVm.hooks),
// counted against what the project's hello-kernel does: every byte it prints goes
// through its putc, and its sieve writes a 2 MB array at 0x200000.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SystemVm } from '../../src/system/system-vm.js';
import { HELLO_OUTPUT, KERNEL_DIR } from './kernels.js';

const KERNEL = join(KERNEL_DIR, 'hello-kernel.elf');
const ENGINES = ['interp', 'jit', 'auto'] as const;

function symbol(name: string): number {
  const line = execFileSync('nm', [KERNEL], { encoding: 'utf8' }).split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${KERNEL}`);
  return parseInt(line.split(' ')[0], 16);
}

function helloVm(engine: (typeof ENGINES)[number]): { vm: SystemVm; output: () => string } {
  let out = '';
  const vm = new SystemVm({ memoryBytes: 128 << 20, engine, onSerial: (b) => (out += String.fromCharCode(b)) });
  vm.loadKernel(new Uint8Array(readFileSync(KERNEL)), KERNEL, '');
  return { vm, output: () => out };
}

describe('SystemVm.hooks: hooks on a whole PC', () => {
  test.each(ENGINES)('a code hook on putc runs once per byte printed; the sieve around it stays translated (%s)', async (engine) => {
    const { vm, output } = helloVm(engine);
    const putc = symbol('putc');
    let calls = 0;
    vm.hooks.onCode(putc, putc, (address) => {
      expect(address).toBe(putc);
      calls++;
    });
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe(HELLO_OUTPUT);
    expect(calls).toBe(HELLO_OUTPUT.length);
    const s = vm.vm.stats();
    if (engine !== 'interp') expect(s.translator!.translatedInstructions / s.instructions).toBeGreaterThan(0.9);
  });

  test.each(ENGINES)('a memory hook on the sieve\'s first flags sees the kernel clear and read them (%s)', async (engine) => {
    const { vm, output } = helloVm(engine);
    const sieve = symbol('SIEVE');
    const events: string[] = [];
    vm.hooks.onMemory(sieve, sieve + 3, (kind, address, size, value) => events.push(`${kind}@${address - sieve}${kind === 'write' ? `=${value}/${size}` : ''}`));
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe(HELLO_OUTPUT);
    // `mov byte ptr [SIEVE], 0` and `[SIEVE + 1], 0` after the fill; 2 and 3 are prime, so nothing crosses them out.
    expect(events).toContain('write@0=0/1');
    expect(events).toContain('write@1=0/1');
    expect(events.filter((e) => e.startsWith('read@')).length).toBeGreaterThan(0);
  });

  test('stop() from a block hook ends the VM there, with the output so far', async () => {
    const { vm, output } = helloVm('auto');
    let blocks = 0;
    vm.hooks.onBlock(() => {
      if (++blocks === 20) vm.stop('enough blocks');
    });
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'stopped', message: 'enough blocks' });
    expect(blocks).toBe(20);
    expect(HELLO_OUTPUT.startsWith(output())).toBe(true);
    expect(output().length).toBeLessThan(HELLO_OUTPUT.length);
  });
});
