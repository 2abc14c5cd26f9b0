import { describe, expect, test } from 'vitest';
import { IoBus } from '../../src/devices/io-bus.js';
import { createBareMachine } from '../../src/runtime/bare.js';
import { Slot } from '../../src/runtime/layout.js';
import { assemble } from '../runtime/asm.js';

const CODE = 0x1000;

/** A bus with one byte-wide device at 0x3f8..0x3ff that logs writes and answers reads with offset + 0x40. */
function loggingBus() {
  const bus = new IoBus();
  const writes: string[] = [];
  bus.register('probe', 0x3f8, 8, {
    read8: (o) => 0x40 + o,
    write8: (o, v) => void writes.push(`${o}:${v.toString(16)}`),
  });
  return { bus, writes };
}

function run(source: string, engine: 'interp' | 'jit', iopl: number) {
  const { bus, writes } = loggingBus();
  const { vm, traps } = createBareMachine({
    code: assemble(source), address: CODE, map: [[CODE, 0x1000]], engine, io: bus,
    translator: { asyncCompile: false, threshold: 2 },
  });
  vm.cpu.s[Slot.FLAGS] |= iopl << 12;
  vm.run(1_000_000);
  return { trap: traps.last?.vector ?? null, regs: Array.from(vm.cpu.s.subarray(0, 8)), writes };
}

describe('IN and OUT through the I/O bus', () => {
  // A loop so that the jit engine translates it (IN/OUT go through the interpreter helper from translated code).
  const source = `mov ecx, 5\n1: mov dx, 0x3f9\nmov al, cl\nout dx, al\nout 0xfa, al\nmov ax, 0x1234\nout dx, ax\n` +
    `in al, dx\nmov bl, al\nmov dx, 0x3fc\nin ax, dx\nmov si, ax\nmov dx, 0x3f9\nin eax, dx\nmov edi, eax\nmov dx, 0x80\nin al, dx\nmov bh, al\nloop 1b\nint 0x80`;

  test.each(['interp', 'jit'] as const)('%s: bytes, words and dwords reach the device (split low byte first); unclaimed ports read 0xff', (engine) => {
    const r = run(source, engine, 3);
    expect(r.trap).toBe(0x80);
    expect(r.regs[3] & 0xffff).toBe(0xff41); // BL = port 0x3f9, BH = unclaimed 0x80
    expect(r.regs[6] & 0xffff).toBe(0x4544); // SI = ports 0x3fc, 0x3fd
    expect(r.regs[7] >>> 0).toBe(0x44434241); // EDI = ports 0x3f9..0x3fc
    expect(r.writes.slice(0, 4)).toEqual(['1:5', '1:34', '2:12', '1:4']); // OUT 0xFA went to an unclaimed port
    expect(r.writes).toHaveLength(15);
  });

  test.each(['interp', 'jit'] as const)('%s: above IOPL, IN and OUT raise #GP before touching the device', (engine) => {
    const r = run(source, engine, 0);
    expect(r.trap).toBe(13);
    expect(r.writes).toEqual([]);
  });

  test('without a bus (a Linux process) they raise #GP whatever IOPL says', () => {
    const { vm, traps } = createBareMachine({ code: assemble('mov al, 1\nout 0x80, al\nint 0x80'), address: CODE, map: [[CODE, 0x1000]] });
    vm.cpu.s[Slot.FLAGS] |= 3 << 12;
    vm.run(1000);
    expect(traps.last?.vector).toBe(13);
  });
});
