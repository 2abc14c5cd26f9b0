// The embedding API's hooks on a whole PC (SystemVm.hooks). Code, block and memory
// hooks are counted against what the project's hello-kernel does: every byte it
// prints goes through its putc, and its sieve writes a 2 MB array at 0x200000.
// Interrupt and port hooks watch (and change) the test kernels of tests/guest/system.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { SystemVm } from '../../src/system/system-vm.js';
import { buildKernel, HELLO_OUTPUT, KERNEL_DIR } from './kernels.js';

const KERNEL = join(KERNEL_DIR, 'hello-kernel.elf');
const ENGINES = ['interp', 'jit', 'auto'] as const;

function kernelSymbol(path: string, name: string): number {
  const line = execFileSync('nm', [path], { encoding: 'utf8' }).split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${path}`);
  return parseInt(line.split(' ')[0], 16);
}

function symbol(name: string): number {
  return kernelSymbol(KERNEL, name);
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

  test.each(ENGINES)('run({ count }) pauses after exactly that many instructions, and the next run() goes on from there (%s)', async (engine) => {
    const { vm, output } = helloVm(engine);
    for (const count of [1, 63, 65, 1000, 250_000, 3]) {
      const before = vm.vm.icount;
      const end = await vm.run({ count, timeoutMs: 60_000 });
      expect(end).toEqual({ kind: 'count', eip: vm.vm.cpu.eip });
      expect(vm.vm.icount - before).toBe(count);
    }
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe(HELLO_OUTPUT);
  });

  test.each(ENGINES)('run({ until }) pauses before putc; vm.cpu reads and writes its registers, readMemory and writeMemory its memory (%s)', async (engine) => {
    const { vm, output } = helloVm(engine);
    const putc = symbol('putc');
    expect(await vm.run({ until: putc, timeoutMs: 60_000 })).toEqual({ kind: 'until', eip: putc });
    expect(output()).toBe('');
    expect(vm.cpu.readRegister('eip')).toBe(putc);
    expect(String.fromCharCode(vm.cpu.readRegister('al'))).toBe(HELLO_OUTPUT[0]);
    expect(vm.cpu.readSegment('cs')).toMatchObject({ selector: 0x08, base: 0 });
    vm.cpu.writeRegister('al', 'W'.charCodeAt(0)); // the first byte the kernel prints
    expect(Array.from(vm.readMemory(putc, 2))).toEqual([0x52, 0x50]); // push edx; push eax
    vm.writeMemory(0x600000, Uint8Array.of(1, 2, 3));
    expect(Array.from(vm.readMemory(0x600000, 3))).toEqual([1, 2, 3]);
    // At `until` nothing runs; one instruction past it, the next call of putc is the next byte.
    expect(await vm.run({ until: putc })).toEqual({ kind: 'until', eip: putc });
    expect(await vm.run({ begin: putc, count: 1 })).toEqual({ kind: 'count', eip: putc + 1 }); // push edx
    expect(await vm.run({ until: putc, timeoutMs: 60_000 })).toEqual({ kind: 'until', eip: putc });
    expect(String.fromCharCode(vm.cpu.readRegister('al'))).toBe(HELLO_OUTPUT[1]);
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe('W' + HELLO_OUTPUT.slice(1));
  });

  function testKernelVm(name: string, engine: (typeof ENGINES)[number]): { vm: SystemVm; output: () => string } {
    let out = '';
    const vm = new SystemVm({ memoryBytes: 128 << 20, engine, onSerial: (b) => (out += String.fromCharCode(b)) });
    const path = buildKernel(name);
    vm.loadKernel(new Uint8Array(readFileSync(path)), path, '');
    return { vm, output: () => out };
  }

  test.each(ENGINES)('interrupt hooks see INT3 (software), the divide error (exception) and the timer (external) before the IDT delivers them (%s)', async (engine) => {
    const { vm, output } = testKernelVm('interrupts', engine);
    const seen: string[] = [];
    vm.hooks.onInterrupt((vector, source, errorCode) => void seen.push(`${vector}/${source}/${errorCode}`));
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe('breakpoint\ndivide error\n10 timer interrupts\n');
    expect(seen.slice(0, 2)).toEqual(['3/software/-1', '0/exception/-1']);
    // The kernel halts once it has counted 10 ticks: exactly 10 timer interrupts were delivered, all seen.
    expect(seen.slice(2)).toEqual(Array(10).fill('32/external/-1'));
  });

  test('an interrupt hook that returns true handles the interrupt itself: a real-mode INT 0x42 answered by the host', async () => {
    const { vm, output } = testKernelVm('real-mode', 'auto');
    vm.hooks.onInterrupt((vector, source) => {
      if (vector !== 0x42 || source !== 'software') return;
      vm.vm.cpu.r32[0] = 0xabcd; // EAX, as a BIOS call would answer
      return true;
    });
    const end = await vm.run({ timeoutMs: 60_000 });
    expect(end).toEqual({ kind: 'exit-device', status: 1 }); // (0 << 1) | 1
    // The guest's own handler would have answered 02002000 (pushed IF, IF inside, CS).
    expect(output()).toContain('\nint 0x42: 0000abcd 00000000\n');
    expect(output()).toContain('back in protected mode\n');
  });

  const SYSENTER_OUTPUT =
    'cpuid sep 00000001\n' +
    '#GP error 00000000 at cpl 00000000\n' +
    'sysenter: cs ss esp 00000008 00000010 00000000 if 00000000\n' +
    'sysexit: cs ss 0000001b 00000023\n' +
    '#GP error 00000000 at cpl 00000003\n';

  test.each(ENGINES)('SYSENTER hooks see each SYSENTER before its checks, EIP past it, at the CPL it ran at (%s)', async (engine) => {
    const { vm, output } = testKernelVm('sysenter', engine);
    const seen: string[] = [];
    vm.hooks.onSysenter(() => void seen.push(`cpl ${vm.vm.cpu.cpl} eip ${vm.vm.cpu.eip.toString(16)}`));
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe(SYSENTER_OUTPUT);
    const afterSysexit = kernelSymbol(buildKernel('sysenter'), 'after_sysexit');
    // The first (SYSENTER_CS still 0) raises #GP after the hook saw it; the second enters ring 0.
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/^cpl 0 /);
    expect(seen[1]).toBe(`cpl 3 eip ${afterSysexit.toString(16)}`);
  });

  test('a SYSENTER hook that returns true serves the call: the guest goes on after it at ring 3, the kernel\'s entry never runs', async () => {
    const { vm, output } = testKernelVm('sysenter', 'auto');
    vm.hooks.onSysenter(() => vm.vm.cpu.cpl === 3);
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe(SYSENTER_OUTPUT.replace(/sysenter: .*\n/, ''));
  });

  test.each(ENGINES)('port hooks see each OUT before the device and may replace what an IN (and each INSB element) reads (%s)', async (engine) => {
    const { vm, output } = testKernelVm('io-strings', engine);
    let com1 = '';
    vm.hooks.onPort((direction, port, size, value) => {
      if (direction === 'out' && port === 0x3f8) com1 += String.fromCharCode(value);
      if (direction === 'in' && port === 0x21) {
        expect([size, value]).toEqual([1, 0x5a]); // what the PIC answered: the mask the kernel wrote
        return 0x77;
      }
    });
    expect(await vm.run({ timeoutMs: 60_000 })).toEqual({ kind: 'halted' });
    expect(output()).toBe('rep outsb to COM1\n00000000\nrep insb from the PIC mask: 00777777 00000003\nhello\n');
    expect(com1).toBe(output());
  });
});
