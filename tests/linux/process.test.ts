import { describe, expect, test } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_EXEC, PROT_READ } from '../../src/linux/address-space.js';
import { Seg } from '../../src/decoder/types.js';
import { CpuException } from '../../src/runtime/exceptions.js';
import { FLAT_CODE_ATTR, USER_CS } from '../../src/runtime/segments.js';
import { makeProcess } from './helpers.js';

/** A process with `code` mapped executable at 0x08049000 and EIP there. */
function withCode(code: number[]) {
  const t = makeProcess();
  t.proc.mm.mapFixed(0x08049000, 4096, { prot: PROT_READ | PROT_EXEC, flags: MAP_PRIVATE | MAP_ANONYMOUS });
  t.vm.mmu.writeBytes(0x08049000, Uint8Array.from(code), true);
  t.vm.cpu.eip = 0x08049000;
  t.vm.cpu.setSegment(Seg.CS, USER_CS, { base: 0, limit: -1, attr: FLAT_CODE_ATTR });
  return t;
}

describe('faults become signals', () => {
  test('#PF on a write to an unmapped page: SIGSEGV, 139, with the instruction', () => {
    const t = withCode([0x89, 0x03]); // mov [ebx], eax
    t.proc.onException(t.vm, new CpuException(14, 6, 0, 'unmapped'));
    expect(t.stopped()).toEqual({
      kind: 'error',
      status: 139,
      message:
        'wasmvisor: guest SIGSEGV (#PF: write to unmapped address 0x00000000) at eip 0x08049000: 89 03  mov dword ptr [ebx], eax',
    });
  });

  test('#PF on a read-only page and on a fetch', () => {
    const t = withCode([0x89, 0x03]);
    t.proc.onException(t.vm, new CpuException(14, 7, 0x08049000, 'read-only'));
    expect((t.stopped() as { message: string }).message).toContain('(#PF: write to read-only address 0x08049000)');
    const u = makeProcess();
    u.vm.cpu.eip = 0x1234;
    u.proc.onException(u.vm, new CpuException(14, 0x14, 0x1234, 'unmapped'));
    expect(u.stopped()).toEqual({
      kind: 'error',
      status: 139,
      message: 'wasmvisor: guest SIGSEGV (#PF: execute at unmapped address 0x00001234) at eip 0x00001234',
    });
  });

  test('#UD is SIGILL (132); an unimplemented instruction says so', () => {
    const t = withCode([0x0f, 0x0b]);
    t.proc.onException(t.vm, new CpuException(6, -1, 0, 'invalid opcode'));
    expect(t.stopped()).toMatchObject({ status: 132, message: expect.stringMatching(/^wasmvisor: guest SIGILL \(#UD: invalid opcode\) at eip 0x08049000: 0f 0b {2}ud2$/) });
    const u = withCode([0xd9, 0xe8]); // fld1
    u.proc.onException(u.vm, new CpuException(6, -1, 0, 'unimplemented: fld1'));
    expect(u.stopped()).toMatchObject({ status: 132, message: expect.stringMatching(/^wasmvisor: unimplemented instruction at eip 0x08049000: d9 e8 {2}fld1$/) });
  });

  test('#DE is SIGFPE (136), #GP is SIGSEGV, int3 is SIGTRAP (133)', () => {
    const t = withCode([0xf7, 0xf1]);
    t.proc.onException(t.vm, new CpuException(0));
    expect(t.stopped()).toMatchObject({ status: 136, message: expect.stringContaining('guest SIGFPE (#DE) at eip 0x08049000: f7 f1') });
    const g = withCode([0xcd, 0x21]);
    g.vm.cpu.eip = 0x08049002; // INT n reports with EIP past the instruction
    g.proc.onInterrupt(g.vm, 0x21);
    expect(g.stopped()).toMatchObject({ status: 139, message: expect.stringContaining('(#GP: int 0x21) at eip 0x08049000: cd 21') });
    const b = withCode([0xcc]);
    b.vm.cpu.eip = 0x08049001;
    b.proc.onInterrupt(b.vm, 3);
    expect(b.stopped()).toMatchObject({ status: 133, message: expect.stringContaining('guest SIGTRAP (#BP: int3) at eip 0x08049000: cc') });
  });

  test('running out of guest memory is reported like the OOM killer (137)', () => {
    const t = makeProcess();
    t.proc.onException(t.vm, new CpuException(14, 6, 0x1000, 'out of guest memory'));
    expect(t.stopped()).toMatchObject({ kind: 'error', status: 137, message: expect.stringContaining('ran out of memory') });
  });
});

describe('/proc/self', () => {
  test('maps and cmdline describe the guest', () => {
    const t = makeProcess();
    t.proc.argv = [Buffer.from('prog'), Buffer.from('arg')];
    const fd = t.call(5, t.str(t.scratch, '/proc/self/cmdline'), 0, 0);
    expect(t.call(3, fd, t.scratch + 256, 100)).toBe(9);
    expect(Buffer.from(t.vm.mmu.readBytes(t.scratch + 256, 9)).toString()).toBe('prog\0arg\0');
    const m = t.call(5, t.str(t.scratch, '/proc/self/maps'), 0, 0);
    const n = t.call(3, m, t.scratch + 256, 4000);
    expect(Buffer.from(t.vm.mmu.readBytes(t.scratch + 256, n)).toString()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8} rw-p /);
  });
});
