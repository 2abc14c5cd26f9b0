import { describe, expect, test } from 'vitest';
import { createBareMachine } from '../../src/runtime/bare.js';
import { insnsOf } from '../../src/runtime/block-cache.js';
import { Slot } from '../../src/runtime/layout.js';
import { Vector } from '../../src/runtime/exceptions.js';
import { assemble } from './asm.js';

const CODE = 0x1000;
const DATA = 0x100000;

describe('Machine', () => {
  test('two VMs in one process keep separate registers, memory and code', () => {
    const sum = assemble(`mov ecx, 1000\nxor eax, eax\n1: add eax, ecx\nmov [${DATA}], eax\ndec ecx\njnz 1b\nint 0x80`);
    const prod = assemble(`mov ecx, 10\nmov eax, 1\n1: imul eax, ecx\nmov [${DATA}], eax\ndec ecx\njnz 1b\nint 0x80`);
    const a = createBareMachine({ code: sum, address: CODE, map: [[DATA, 4096]] });
    const b = createBareMachine({ code: prod, address: CODE, map: [[DATA, 4096]] });
    // Interleave small slices so both are mid-run at the same time.
    while (!a.vm.stopped || !b.vm.stopped) {
      if (!a.vm.stopped) a.vm.run(7);
      if (!b.vm.stopped) b.vm.run(5);
    }
    expect(a.vm.cpu.r32[Slot.EAX]).toBe(500500);
    expect(b.vm.cpu.r32[Slot.EAX]).toBe(3628800);
    expect(a.vm.mmu.read32(DATA)).toBe(500500);
    expect(b.vm.mmu.read32(DATA)).toBe(3628800);
  });

  test('an interpreted block keeps its bytes, not Instruction objects, until insnsOf decodes them again', () => {
    const code = assemble(`mov eax, 5\nadd eax, 7\nlea ebx, [eax+eax*2+4]\nint 0x80`);
    const { vm } = createBareMachine({ code, address: CODE, engine: 'interp' });
    vm.run();
    expect(vm.cpu.r32[Slot.EBX]).toBe(40);
    const block = vm.blocks.peek(CODE)!;
    expect(block.insns).toBeNull();
    expect(block.insnCount).toBe(4);
    const insns = insnsOf(block);
    expect(insns.map((i) => [i.eip - CODE, i.length, i.entry.op])).toEqual([[0, 5, 'mov'], [5, 3, 'add'], [8, 4, 'lea'], [12, 2, 'int']]);
    expect(insnsOf(block)).toBe(insns); // decoded once
  });

  test('a fault inside a block is precise: EIP at the faulting instruction, earlier effects kept', () => {
    const code = assemble(`mov eax, 1\nmov ebx, 2\nmov [0x5000000], eax\nmov ecx, 3\nint 0x80`);
    const { vm, traps } = createBareMachine({ code, address: CODE });
    vm.run();
    expect(traps.last?.vector).toBe(Vector.PF);
    expect(traps.last?.exception?.address).toBe(0x5000000);
    expect(vm.cpu.eip).toBe(CODE + 10); // two 5-byte movs before it
    expect(vm.cpu.r32[Slot.EBX]).toBe(2);
    expect(vm.cpu.r32[Slot.ECX]).toBe(0);
  });

  test('a write to code that already ran invalidates it (self-modifying code)', () => {
    // Patch the immediate of "mov eax, imm" and run it again.
    const code = assemble(`
      xor ebx, ebx
    again:
      mov eax, 1
    patch_end:
      add ebx, eax
      mov dword ptr [patch_end - 4], 100
      cmp ebx, 101
      jne again
      int 0x80`);
    // Unlinked code addresses its own labels from 0, so load it there.
    const run = createBareMachine({ code, address: 0 });
    run.vm.run(1000);
    expect(run.vm.cpu.r32[Slot.EBX]).toBe(101);
    expect(run.vm.stats().blockInvalidations).toBeGreaterThan(0);
  });

  test('a write to the rest of the running block takes effect before it executes', () => {
    const code = assemble(`
      mov byte ptr [target + 1], 42
    target:
      mov al, 7
      int 0x80`);
    const { vm } = createBareMachine({ code, address: 0 });
    vm.run(100);
    expect(vm.cpu.r8[0]).toBe(42);
  });

  test('a long REP STOS into the data part of a page that holds running code finishes', () => {
    // The bulk path must write through a code page (blocks stay cached before the
    // destination), not wait for the page to become writable.
    const code = assemble(`mov edi, 0x800\nmov ecx, 64\nmov eax, 0x11223344\ncld\nrep stosd\nint 0x80`);
    const { vm } = createBareMachine({ code, address: 0, map: [[0, 0x1000]] });
    const stop = vm.run(1000);
    expect(stop.kind).toBe('exit');
    expect(vm.cpu.r32[Slot.ECX]).toBe(0);
    expect(vm.mmu.read32(0x800)).toBe(0x11223344);
    expect(vm.mmu.read32(0x8fc)).toBe(0x11223344);
    expect(vm.mmu.read32(0x900)).toBe(0);
  });
});
