// The interrupt shadow: after an STI that sets IF (or a MOV SS / POP SS)
// the CPU runs one more instruction before it takes an external interrupt.
// The instructions record the shadow (Cpu.interruptShadowEip) and the
// system run loop asks takesExternalInterrupt at each slice boundary; a
// test kernel cannot make a slice end right after an STI, so this drives
// a bare machine one instruction at a time (Machine.step) instead.
import { describe, expect, test } from 'vitest';
import { createBareMachine } from '../../src/runtime/bare.js';
import { Slot } from '../../src/runtime/layout.js';
import { FLAT_DATA_ATTR } from '../../src/runtime/segments.js';
import { takesExternalInterrupt } from '../../src/system/system-vm.js';
import { assemble } from '../runtime/asm.js';

const IF = 0x200, IOPL3 = 0x3000;

function machineWith(source: string) {
  const { vm } = createBareMachine({ code: assemble(source), address: 0x1000, map: [[0x8000, 0x1000]], engine: 'interp' });
  vm.cpu.s[Slot.FLAGS] = IOPL3 | 2; // IF clear; IOPL 3 lets ring 3 run STI
  vm.cpu.s[Slot.ESP] = 0x9000;
  // Segment loads look their selector up: every one is the flat ring-3 data segment here.
  vm.cpu.descriptors = { lookup: () => ({ base: 0, limit: -1, attr: FLAT_DATA_ATTR }) };
  return vm;
}

describe('the interrupt shadow', () => {
  test('right after an STI that set IF no interrupt is taken; one instruction later it is', () => {
    const vm = machineWith('sti\nnop\nnop');
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(false); // IF clear
    vm.step(); // STI
    expect(vm.cpu.s[Slot.FLAGS] & IF).toBe(IF);
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(false); // in the shadow
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(true); // the shadow is consumed at the boundary
    vm.step(); // NOP
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(true);
    expect(takesExternalInterrupt(vm.cpu, false)).toBe(false); // nothing pending
  });

  test('an STI with IF already set opens no shadow', () => {
    const vm = machineWith('sti\nsti\nnop');
    vm.step();
    takesExternalInterrupt(vm.cpu, true); // consume the first STI's shadow
    vm.step(); // the second STI: IF was already set
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(true);
  });

  test('MOV SS and POP SS open the shadow too', () => {
    const vm = machineWith('sti\nnop\nmov ax, ss\nmov ss, ax\nnop\npush ss\npop ss\nnop');
    vm.step(); // STI
    vm.step(); // NOP: past the STI's shadow
    vm.step(); // MOV AX, SS
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(true);
    vm.step(); // MOV SS, AX
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(false);
    vm.step(); // NOP
    vm.step(); // PUSH SS
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(true);
    vm.step(); // POP SS
    expect(takesExternalInterrupt(vm.cpu, true)).toBe(false);
  });
});
