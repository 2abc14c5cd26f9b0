// The TSC of a system VM: it counts the platform clock's nanoseconds, CPUID
// says so (leaf 0x16: 1000 MHz; invariant TSC; TSC_ADJUST), and the MSRs
// behave as the SDM has them. Debian's kernel relies on this to skip timing
// the TSC against the PIT (which failed here) and to keep time with RDTSC.
import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/devices/device.js';
import { SystemVm } from '../../src/system/system-vm.js';
import { assemble } from '../runtime/asm.js';

const CODE_AT = 0x1000;
const EAX = 0, ECX = 1, EDX = 2, EBX = 3;

function vmRunning(source: string) {
  const clock = new ManualClock(5_000);
  const sys = new SystemVm({ memoryBytes: 1 << 20, clock, engine: 'interp', onSerial: () => {} });
  sys.writeMemory(CODE_AT, assemble(source));
  const r32 = sys.vm.cpu.r32;
  const regs = () => ({ eax: r32[EAX] >>> 0, ebx: r32[EBX] >>> 0, ecx: r32[ECX] >>> 0, edx: r32[EDX] >>> 0 });
  let begun = false;
  /** Runs `n` more instructions and returns the registers. */
  const step = async (n = 1) => {
    const end = await sys.run(begun ? { count: n } : { begin: CODE_AT, count: n });
    begun = true;
    expect(end.kind).toBe('count');
    return regs();
  };
  return { clock, step };
}

describe('the TSC of a system VM', () => {
  test('CPUID reports leaves up to 0x16, the TSC at 1000 MHz, an invariant TSC and TSC_ADJUST', async () => {
    const { step } = vmRunning(`
      xor eax, eax
      cpuid
      mov eax, 0x16
      cpuid
      mov eax, 0x80000000
      cpuid
      mov eax, 0x80000007
      cpuid
      mov eax, 7
      xor ecx, ecx
      cpuid
      mov eax, 0x15
      cpuid
      hlt`);
    expect((await step(2)).eax).toBe(0x16);
    expect(await step(2)).toEqual({ eax: 1000, ebx: 1000, ecx: 100, edx: 0 });
    expect((await step(2)).eax).toBe(0x80000007);
    expect((await step(2)).edx).toBe(1 << 8);
    expect((await step(3)).ebx).toBe(1 << 1);
    // Leaf 0x15 (the crystal ratio) is not implemented: all zero, so Linux takes the rate from leaf 0x16.
    expect(await step(2)).toEqual({ eax: 0, ebx: 0, ecx: 0, edx: 0 });
  });

  test('RDTSC reads the clock in nanoseconds; a write of the TSC moves TSC_ADJUST by as much, and TSC_ADJUST moves the TSC', async () => {
    const { clock, step } = vmRunning(`
      rdtsc
      mov ecx, 0x10
      mov eax, 0x100000
      xor edx, edx
      wrmsr
      rdtsc
      mov ecx, 0x3b
      rdmsr
      mov eax, 1000
      xor edx, edx
      wrmsr
      rdtsc
      hlt`);
    expect(await step(1)).toMatchObject({ eax: 5_000, edx: 0 });
    clock.advance(300);
    expect(await step(5)).toMatchObject({ eax: 0x100000, edx: 0 });
    expect(await step(2)).toMatchObject({ eax: 0x100000 - 5_300, edx: 0 });
    clock.advance(50);
    expect(await step(4)).toMatchObject({ eax: 5_350 + 1000, edx: 0 });
  });
});
