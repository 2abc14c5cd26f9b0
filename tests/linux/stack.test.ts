import { describe, expect, test } from 'vitest';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, STACK_TOP } from '../../src/linux/address-space.js';
import { At, HWCAP_I386, buildInitialStack } from '../../src/linux/stack.js';
import { makeProcess } from './helpers.js';

function setup() {
  const t = makeProcess();
  t.proc.mm.mapFixed(STACK_TOP - (1 << 20), 1 << 20, { prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
  const random = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);
  const stack = buildInitialStack(t.vm.mmu, {
    argv: ['/bin/prog', 'one', 'zwei drei'],
    envp: ['HOME=/root', 'LANG=C.UTF-8'],
    execfn: '/bin/prog',
    entry: 0x8049000,
    phdr: 0x8048034,
    phnum: 9,
    uid: 1000,
    euid: 1001,
    gid: 100,
    egid: 101,
    random,
  });
  const mmu = t.vm.mmu;
  const u32 = (a: number): number => mmu.read32(a) >>> 0;
  const cstr = (a: number): string => Buffer.from(mmu.readCString(a)).toString();
  return { t, stack, u32, cstr, random };
}

describe('initial stack', () => {
  test('argc, argv, envp and auxv in the kernel order, ESP 16-byte aligned', () => {
    const { stack, u32, cstr } = setup();
    const sp = stack.sp;
    expect(sp % 16).toBe(0);
    expect(u32(sp)).toBe(3);
    const argv = [1, 2, 3].map((i) => cstr(u32(sp + 4 * i)));
    expect(argv).toEqual(['/bin/prog', 'one', 'zwei drei']);
    expect(u32(sp + 16)).toBe(0);
    expect([cstr(u32(sp + 20)), cstr(u32(sp + 24))]).toEqual(['HOME=/root', 'LANG=C.UTF-8']);
    expect(u32(sp + 28)).toBe(0);
    const auxv = new Map<number, number>();
    const order: number[] = [];
    for (let a = sp + 32; ; a += 8) {
      const key = u32(a);
      order.push(key);
      if (key === At.NULL) break;
      auxv.set(key, u32(a + 4));
    }
    expect(order[order.length - 1]).toBe(At.NULL);
    expect(auxv.get(At.PHDR)).toBe(0x8048034);
    expect(auxv.get(At.PHENT)).toBe(32);
    expect(auxv.get(At.PHNUM)).toBe(9);
    expect(auxv.get(At.PAGESZ)).toBe(4096);
    expect(auxv.get(At.BASE)).toBe(0);
    expect(auxv.get(At.FLAGS)).toBe(0);
    expect(auxv.get(At.ENTRY)).toBe(0x8049000);
    expect([auxv.get(At.UID), auxv.get(At.EUID), auxv.get(At.GID), auxv.get(At.EGID)]).toEqual([1000, 1001, 100, 101]);
    expect(auxv.get(At.SECURE)).toBe(0);
    expect(auxv.get(At.HWCAP)).toBe(HWCAP_I386);
    expect(auxv.get(At.CLKTCK)).toBe(100);
    expect(cstr(auxv.get(At.PLATFORM)!)).toBe('i686');
    expect(cstr(auxv.get(At.EXECFN)!)).toBe('/bin/prog');
    expect(auxv.has(32)).toBe(false); // no AT_SYSINFO: there is no vDSO
  });

  test('strings sit at the top: a NULL word, the exec name, env strings, then argv strings', () => {
    const { stack, u32, cstr } = setup();
    expect(u32(STACK_TOP - 4)).toBe(0);
    expect(stack.execfn).toBe(STACK_TOP - 4 - '/bin/prog'.length - 1);
    expect(cstr(stack.execfn)).toBe('/bin/prog');
    // env strings directly below the exec name, argv strings below them, entry 0 lowest.
    expect(stack.envp[1]).toBe(stack.execfn - 'LANG=C.UTF-8'.length - 1);
    expect(stack.envp[0]).toBeLessThan(stack.envp[1]);
    expect(stack.argv[2]).toBeLessThan(stack.envp[0]);
    expect(stack.argv[0]).toBeLessThan(stack.argv[1]);
    expect(stack.argv[2] + 'zwei drei'.length + 1).toBe(stack.envp[0]);
    expect(stack.platform).toBeLessThan(stack.argv[0]);
    expect(stack.random).toBe(stack.platform - 16);
  });

  test('AT_RANDOM points at the 16 random bytes', () => {
    const { t, stack, random } = setup();
    expect(Array.from(t.vm.mmu.readBytes(stack.random, 16))).toEqual(Array.from(random));
    expect(stack.auxv.find(([k]) => k === At.RANDOM)?.[1]).toBe(stack.random);
  });

  test('exec sets the registers and segments of a new process', () => {
    const t = makeProcess();
    // Any static binary will do; the loader tests cover the mapping. Use a tiny hand-made ELF.
    const code = Uint8Array.from([0xb8, 1, 0, 0, 0, 0xcd, 0x80]); // mov eax,1; int 0x80
    const elf = tinyElf(code);
    t.proc.exec({ path: '/tiny', bytes: elf, type: 2, entry: 0x8048054, phoff: 52, phnum: 1, interp: null, phdrs: [
      { type: 1, offset: 0, vaddr: 0x8048000, filesz: elf.length, memsz: elf.length, flags: 5, align: 4096 },
    ] }, ['tiny', 'x'], ['A=b']);
    const cpu = t.vm.cpu;
    expect(cpu.eip).toBe(0x8048054);
    expect((cpu.r32[4] >>> 0) % 16).toBe(0);
    expect(t.vm.mmu.read32(cpu.r32[4])).toBe(2);
    expect(cpu.selector(1)).toBe(0x23);
    expect(cpu.selector(2)).toBe(0x2b);
    expect(cpu.selector(5)).toBe(0);
    expect(cpu.eflags & 0x200).toBe(0x200);
  });
});

/** An ELF32 header + one PT_LOAD program header followed by `code` (entry at 0x8048054). */
function tinyElf(code: Uint8Array): Uint8Array {
  const b = new Uint8Array(84 + code.length);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true);
  dv.setUint16(18, 3, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x8048054, true);
  dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, 1, true);
  dv.setUint32(52, 1, true);
  dv.setUint32(60, 0x8048000, true);
  dv.setUint32(64, 0x8048000, true);
  dv.setUint32(68, b.length, true);
  dv.setUint32(72, b.length, true);
  dv.setUint32(76, 5, true);
  dv.setUint32(80, 4096, true);
  b.set(code, 84);
  return b;
}
