// The embedding API (src/embed): an Emulator as Unicorn's users know it.
// Guest code is assembled from source here with as --32 (binutils).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Emulator, Prot } from '../../src/embed/emulator.js';

const work = mkdtempSync(join(tmpdir(), 'wasmvisor-embed-'));
let counter = 0;

/** Assembles Intel-syntax 32-bit code placed at `origin`; returns its bytes. */
function assemble(source: string, origin = 0x1000): Uint8Array {
  const n = counter++;
  const src = join(work, `c${n}.s`), obj = join(work, `c${n}.o`), elf = join(work, `c${n}.elf`), bin = join(work, `c${n}.bin`);
  writeFileSync(src, `.intel_syntax noprefix\n.text\n.globl _start\n_start:\n${source}\n`);
  execFileSync('as', ['--32', '-o', obj, src]);
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext', `0x${origin.toString(16)}`, '-e', '_start', '-o', elf, obj]);
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
  return new Uint8Array(readFileSync(bin));
}

const CODE = 0x1000;
const DATA = 0x10000;

const ENGINES = ['interp', 'jit', 'auto'] as const;

function emulatorWith(source: string, engine: (typeof ENGINES)[number] = 'auto'): { emu: Emulator; code: Uint8Array } {
  const emu = new Emulator({ engine, translator: { threshold: 2 } });
  const code = assemble(source, CODE);
  emu.map(CODE, 0x1000, Prot.READ | Prot.EXEC);
  emu.map(DATA, 0x2000, Prot.READ | Prot.WRITE);
  emu.map(0x80000, 0x1000, Prot.READ | Prot.WRITE); // stack
  emu.writeMemory(CODE, code);
  emu.writeRegister('esp', 0x81000);
  return { emu, code };
}

// Sums 1..ECX into EAX, stores it at DATA, then INT 0x80.
const SUM_LOOP = `
  xor eax, eax
1: add eax, ecx
  dec ecx
  jnz 1b
  mov [${DATA}], eax
done:
  int 0x80
`;

describe('Emulator: memory, registers, run', () => {
  test.each(ENGINES)('runs a loop to an INT and stops there with the registers and memory the code left (%s)', (engine) => {
    const { emu } = emulatorWith(SUM_LOOP, engine);
    emu.writeRegister('ecx', 1000);
    const end = emu.run({ begin: CODE });
    expect(end).toEqual({ reason: 'interrupt', eip: expect.any(Number), vector: 0x80 });
    expect(emu.readRegister('eax')).toBe(500500);
    expect(new DataView(emu.readMemory(DATA, 4).buffer).getUint32(0, true)).toBe(500500);
    expect(emu.readRegister('ecx')).toBe(0);
    expect(emu.readRegister('eflags') & 0x40).toBe(0x40); // ZF from the last DEC
  });

  test.each(ENGINES)('until stops before that instruction; count stops after exactly that many (%s)', (engine) => {
    const { emu, code } = emulatorWith(SUM_LOOP, engine);
    const doneAt = CODE + code.length - 2; // the INT 0x80
    emu.writeRegister('ecx', 300);
    expect(emu.run({ begin: CODE, until: doneAt })).toEqual({ reason: 'until', eip: doneAt });
    expect(emu.readRegister('eax')).toBe(45150);
    // xor, then add, dec, jnz per iteration: 306 = 1 + 3 * 101 + 2 ends after the 102nd DEC.
    emu.writeRegister('ecx', 300);
    const before = emu.instructions;
    expect(emu.run({ begin: CODE, count: 306 })).toEqual({ reason: 'count', eip: expect.any(Number) });
    expect(emu.instructions - before).toBe(306);
    expect(emu.readRegister('ecx')).toBe(300 - 102);
    expect(emu.readRegister('eax')).toBe([...Array(102).keys()].reduce((a, i) => a + 300 - i, 0));
  });

  test.each(ENGINES)('flushTranslations of a range drops the code decoded there; a memory write to code is seen too (%s)', (engine) => {
    const { emu } = emulatorWith('mov eax, 1\nint 0x80', engine);
    for (let i = 0; i < 5; i++) emu.run({ begin: CODE }); // hot enough to translate under auto
    expect(emu.readRegister('eax')).toBe(1);
    const decoded = emu.vm.stats().blocksBuilt;
    emu.flushTranslations(0x50000, 0x1000); // elsewhere: nothing to drop
    emu.run({ begin: CODE });
    expect(emu.vm.stats().blocksBuilt).toBe(decoded);
    emu.flushTranslations(CODE, 1);
    emu.run({ begin: CODE });
    expect(emu.vm.stats().blocksBuilt).toBe(decoded + 1);
    emu.writeMemory(CODE + 1, Uint8Array.of(2)); // mov eax, 2
    emu.run({ begin: CODE });
    expect(emu.readRegister('eax')).toBe(2);
  });

  test('a timeout ends a guest that never stops', () => {
    const { emu } = emulatorWith('1: jmp 1b');
    const started = performance.now();
    expect(emu.run({ begin: CODE, timeoutMs: 100 }).reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('registers by name, in every width, and in batches', () => {
    const emu = new Emulator();
    emu.writeRegisters({ eax: 0x11223344, ebx: 0xdeadbeef });
    expect(emu.readRegisters(['al', 'ah', 'ax', 'bx', 'eax'])).toEqual([0x44, 0x33, 0x3344, 0xbeef, 0x11223344]);
    emu.writeRegister('bh', 0x12);
    expect(emu.readRegister('ebx')).toBe(0xdead12ef);
    expect(emu.readSegment('cs')).toMatchObject({ base: 0, limit: 0xffffffff });
    emu.writeRegister('fs_base', 0x5000);
    expect(emu.readSegment('fs').base).toBe(0x5000);
    const xmm = Uint8Array.from({ length: 16 }, (_, i) => i * 3);
    emu.writeXmm(5, xmm);
    expect(emu.readXmm(5)).toEqual(xmm);
    expect(() => emu.readRegister('rax' as never)).toThrow(/unknown register "rax"/);
  });

  test('x87 registers as numbers, the status word with TOP, and MMX registers as bytes', () => {
    const { emu } = emulatorWith(
      `fld qword ptr [${DATA}]\nfld1\nint 0x80\nfaddp\nfstp qword ptr [${DATA + 8}]\nmovq mm0, [${DATA + 16}]\npaddd mm0, mm0\nint 0x80\nmovq [${DATA + 24}], mm1\nint 0x80`,
    );
    const f = new DataView(new ArrayBuffer(8));
    f.setFloat64(0, 2.5, true);
    emu.writeMemory(DATA, new Uint8Array(f.buffer));
    emu.writeMemory(DATA + 16, Uint8Array.of(1, 0, 0, 0, 5, 0, 0, 0));
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    expect([emu.readSt(0), emu.readSt(1)]).toEqual([1, 2.5]);
    expect((emu.readRegister('fpsw') >> 11) & 7).toBe(6); // two pushes from TOP 0
    expect(emu.readTagWord()).toBe(0x0fff); // physical 6 and 7 valid, the rest empty
    emu.writeSt(0, 10);
    expect(emu.run().reason).toBe('interrupt');
    expect(new DataView(emu.readMemory(DATA + 8, 8).buffer).getFloat64(0, true)).toBe(12.5);
    expect(emu.readMmx(0)).toEqual(Uint8Array.of(2, 0, 0, 0, 10, 0, 0, 0));
    emu.writeMmx(1, Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2));
    expect(emu.run().reason).toBe('interrupt');
    expect(emu.readMemory(DATA + 24, 8)).toEqual(Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2));
  });

  test('x87 registers as 80-bit images: what FSTP m80 stores, and FLD m80 of a written one', () => {
    const { emu } = emulatorWith(`fldpi\nfld1\nfchs\nint 0x80\nfstp tbyte ptr [${DATA}]\nfstp tbyte ptr [${DATA + 16}]\nint 0x80`);
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    // -1.0: sign set, exponent 0x3fff, explicit integer bit.
    expect(emu.readStBytes(0)).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xbf));
    const pi = emu.readStBytes(1);
    expect(pi.subarray(8)).toEqual(Uint8Array.of(0x00, 0x40));
    // 1.5 * 2^10 = 1536 as an image, written into ST(1) (pi's register), read back as a number and stored by the guest.
    emu.writeStBytes(1, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0xc0, 0x09, 0x40));
    expect(emu.readSt(1)).toBe(1536);
    expect(emu.run().reason).toBe('interrupt');
    expect(emu.readMemory(DATA, 10)).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xbf));
    expect(emu.readMemory(DATA + 16, 10)).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0xc0, 0x09, 0x40));
    expect(() => emu.writeStBytes(0, new Uint8Array(8))).toThrow(/10 bytes/);
  });

  test.each(ENGINES)('mapShared gives a view the embedder and the guest both see (%s)', (engine) => {
    const { emu } = emulatorWith(`mov ecx, 1000\n1: add eax, [0x40000]\n mov [0x40004], eax\n dec ecx\n jnz 1b\n int 0x80`, engine);
    const view = emu.mapShared(0x40000, 0x2000, Prot.READ | Prot.WRITE);
    expect(view.length).toBe(0x2000);
    new DataView(view.buffer, view.byteOffset).setUint32(0, 3, true);
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    expect(new DataView(view.buffer, view.byteOffset).getUint32(4, true)).toBe(3000);
    expect(emu.readMemory(0x40004, 4)).toEqual(view.slice(4, 8));
    expect(emu.regions()).toContainEqual({ address: 0x40000, size: 0x2000, prot: Prot.READ | Prot.WRITE });
    expect(() => emu.mapShared(0x41000, 0x1000)).toThrow(/already mapped/);
  });

  test('map, protect and unmap: permissions fault as #PF with an error code, regions merge', () => {
    const { emu } = emulatorWith(`mov eax, [${DATA}]\nmov dword ptr [${DATA}], 7\nint 0x80`);
    expect(emu.regions()).toEqual([
      { address: CODE, size: 0x1000, prot: Prot.READ | Prot.EXEC },
      { address: DATA, size: 0x2000, prot: Prot.READ | Prot.WRITE },
      { address: 0x80000, size: 0x1000, prot: Prot.READ | Prot.WRITE },
    ]);
    emu.protect(DATA, 0x1000, Prot.READ);
    const end = emu.run({ begin: CODE });
    expect(end).toMatchObject({ reason: 'fault', vector: 14, errorCode: 7, address: DATA, eip: CODE + 5 });
    emu.unmap(DATA, 0x2000);
    expect(emu.run({ begin: CODE })).toMatchObject({ reason: 'fault', vector: 14, errorCode: 4, address: DATA, eip: CODE });
    expect(() => emu.map(CODE, 0x1000)).toThrow(/already mapped/);
    expect(() => emu.map(0x123, 0x1000)).toThrow(/multiples of 4 KiB/);
    expect(() => emu.readMemory(DATA, 4)).toThrow(/not mapped/);
  });
});

describe('Emulator: hooks', () => {
  test.each(ENGINES)('a code hook on one instruction sees each of its runs while the rest of the loop stays translated (%s)', (engine) => {
    const { emu, code } = emulatorWith(SUM_LOOP, engine);
    const decAt = CODE + 4; // xor eax,eax (2) + add eax,ecx (2)
    const seen: number[] = [];
    emu.onCode(decAt, decAt, (address) => seen.push(emu.readRegister('ecx')));
    emu.writeRegister('ecx', 5000);
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    expect(seen.length).toBe(5000);
    expect(seen.slice(0, 3)).toEqual([5000, 4999, 4998]);
    expect(emu.readRegister('eax')).toBe(12502500);
    // The hooked DEC starts an interpreted block (DEC, JNZ); the ADD before it stays translated.
    const translated = emu.vm.stats().translator?.translatedInstructions ?? 0;
    if (engine === 'interp') expect(translated).toBe(0);
    else expect(translated).toBeGreaterThan(4900);
    expect(code.length).toBeGreaterThan(0);
  });

  test.each(ENGINES)('a block hook reports each block start and size; stop() from a hook ends the run there (%s)', (engine) => {
    const { emu } = emulatorWith(SUM_LOOP, engine);
    const blocks: [number, number][] = [];
    const hook = emu.onBlock((address, size) => {
      blocks.push([address, size]);
      if (blocks.length === 4) emu.stop();
    });
    emu.writeRegister('ecx', 10);
    expect(emu.run({ begin: CODE }).reason).toBe('stopped');
    expect(blocks[0][0]).toBe(CODE);
    expect(blocks.length).toBe(4);
    hook.remove();
    expect(emu.run().reason).toBe('interrupt');
    expect(blocks.length).toBe(4);
  });

  test.each(ENGINES)('memory hooks see reads and writes of their range, from translated code too (%s)', (engine) => {
    const { emu } = emulatorWith(
      `mov ecx, 200\n1: mov eax, [${DATA + 0x100}]\n inc eax\n mov [${DATA + 0x100}], eax\n mov [${DATA + 0x1800}], eax\n dec ecx\n jnz 1b\n int 0x80`,
      engine,
    );
    const events: string[] = [];
    emu.onMemory(DATA + 0x100, DATA + 0x103, (kind, address, size, value) =>
      events.push(`${kind}@${(address - DATA).toString(16)}${kind === 'write' ? `=${value}/${size}` : ''}`),
    );
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    expect(events.length).toBe(400);
    expect(events.slice(0, 4)).toEqual(['read@100', 'write@100=1/4', 'read@100', 'write@100=2/4']);
    expect(events[399]).toBe('write@100=200/4');
    expect(new DataView(emu.readMemory(DATA + 0x1800, 4).buffer).getUint32(0, true)).toBe(200);
  });

  test.each(ENGINES)('a fetch hook on the loop sees each instruction run there with its length; code hooks get the length too (%s)', (engine) => {
    const { emu } = emulatorWith(SUM_LOOP, engine);
    const loop = CODE + 2; // add eax,ecx (2), dec ecx (1), jnz 1b (2)
    const fetched = new Map<number, number[]>();
    emu.onMemory(loop, loop + 4, (kind, address, size, value) => {
      expect([kind, value]).toEqual(['fetch', 0]);
      fetched.set(address - CODE, [...(fetched.get(address - CODE) ?? []), size]);
    }, ['fetch']);
    const codeSizes = new Set<number>();
    emu.onCode(CODE, CODE, (_address, size) => codeSizes.add(size)); // xor eax, eax
    emu.writeRegister('ecx', 300);
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    expect([...fetched.keys()]).toEqual([2, 4, 5]);
    expect(fetched.get(2)).toEqual(Array(300).fill(2));
    expect(fetched.get(4)).toEqual(Array(300).fill(1));
    expect(fetched.get(5)).toEqual(Array(300).fill(2));
    expect([...codeSizes]).toEqual([2]);
    expect(emu.readRegister('eax')).toBe(45150);
  });

  test.each(ENGINES)('memory hooks give reads and writes their size and value; x87 and SSE accesses come as 4-byte pieces (%s)', (engine) => {
    // Three rounds: translated under jit and auto from the second on; the hooked page's accesses take the slow path there too.
    const { emu } = emulatorWith(
      `mov ecx, 3
1: fld1
  fstp tbyte ptr [${DATA + 0x100}]
  movdqu xmm0, [${DATA + 0x200}]
  movdqu [${DATA + 0x110}], xmm0
  movq [${DATA + 0x120}], xmm0
  mov eax, [${DATA + 0x100}]
  movzx ebx, word ptr [${DATA + 0x112}]
  add byte ptr [${DATA + 0x121}], 1
  fld qword ptr [${DATA + 0x110}]
  fstp st(0)
  dec ecx
  jnz 1b
  int 0x80`,
      engine,
    );
    emu.writeMemory(DATA + 0x200, Uint8Array.from({ length: 16 }, (_, i) => i + 1));
    const events: string[] = [];
    emu.onMemory(DATA + 0x100, DATA + 0x12f, (kind, address, size, value) => events.push(`${kind}@${(address - DATA).toString(16)}/${size}=${value.toString(16)}`));
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    const round = [
      'write@100/4=0', 'write@104/4=80000000', 'write@108/2=3fff', // FSTP m80 of 1.0
      'write@110/4=4030201', 'write@114/4=8070605', 'write@118/4=c0b0a09', 'write@11c/4=100f0e0d', // MOVDQU store
      'write@120/4=4030201', 'write@124/4=8070605', // MOVQ store
      'read@100/4=0', 'read@112/2=403', // the value each load reads
      'read@121/1=2', 'write@121/1=3', // ADD m8 reads, then writes
      'read@110/4=4030201', 'read@114/4=8070605', // FLD m64
    ];
    expect(events).toEqual([...round, ...round, ...round]);
  });

  test.each(ENGINES)('memory hooks see each element of REP STOS and REP MOVS with its size and value (%s)', (engine) => {
    // The strings run 50 times, so the loop gets translated; only the hooked 16 bytes at DATA + 0x100 are reported.
    const { emu } = emulatorWith(
      `mov edx, 50\n2: mov edi, ${DATA + 0xf8}\n mov eax, 0x11223344\n mov ecx, 8\n rep stosd\n` +
        `mov esi, ${DATA + 0xf8}\n mov edi, ${DATA + 0x800}\n mov ecx, 32\n rep movsb\n dec edx\n jnz 2b\n int 0x80`,
      engine,
    );
    const events: string[] = [];
    emu.onMemory(DATA + 0x100, DATA + 0x10f, (kind, address, size, value) =>
      events.push(`${kind}@${(address - DATA).toString(16)}${kind === 'write' ? `=${value.toString(16)}/${size}` : ''}`),
    );
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    const round = [
      ...[0x100, 0x104, 0x108, 0x10c].map((a) => `write@${a.toString(16)}=11223344/4`),
      ...Array.from({ length: 16 }, (_, i) => `read@${(0x100 + i).toString(16)}`),
    ];
    expect(events.slice(0, round.length)).toEqual(round);
    expect(events.length).toBe(50 * round.length);
    expect(emu.readMemory(DATA + 0x808, 4)).toEqual(Uint8Array.of(0x44, 0x33, 0x22, 0x11));
  });

  test('a fault hook maps the missing page and the instruction runs again', () => {
    const { emu } = emulatorWith(`mov dword ptr [0x200000], 42\nmov eax, [0x200000]\nint 0x80`);
    const faults: string[] = [];
    emu.onFault((kind, address, unmapped) => {
      faults.push(`${kind} ${address.toString(16)} ${unmapped}`);
      emu.map(address & ~0xfff, 0x1000, Prot.READ | Prot.WRITE);
      return true;
    });
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    expect(faults).toEqual(['write 200000 true']);
    expect(emu.readRegister('eax')).toBe(42);
  });

  test('interrupt hooks take INT n and continue after it; invalid-instruction hooks can skip the opcode', () => {
    const { emu } = emulatorWith(`int 0x80\ninc ebx\nud2\ninc ebx\nint 3`);
    const vectors: number[] = [];
    emu.onInterrupt((vector) => {
      vectors.push(vector);
      if (vector === 3) emu.stop();
    });
    emu.onInvalidInstruction((address) => {
      emu.writeRegister('eip', address + 2);
      return true;
    });
    expect(emu.run({ begin: CODE }).reason).toBe('stopped');
    expect(vectors).toEqual([0x80, 3]);
    expect(emu.readRegister('ebx')).toBe(2);
  });

  test.each(ENGINES)('syscall hooks take INT 0x80 and SYSENTER (CPUID reports SEP) and the code goes on after them (%s)', (engine) => {
    const { emu } = emulatorWith(`mov eax, 1\ncpuid\nmov esi, edx\nmov eax, 20\nint 0x80\nmov eax, 21\nsysenter\nint 3`, engine);
    const calls: string[] = [];
    emu.onSyscall((kind) => {
      calls.push(`${kind} ${emu.readRegister('eax')}`);
      emu.writeRegister('eax', 100 + emu.readRegister('eax'));
    });
    expect(emu.run({ begin: CODE })).toMatchObject({ reason: 'interrupt', vector: 3 });
    expect(calls).toEqual(['int80 20', 'sysenter 21']);
    expect(emu.readRegister('eax')).toBe(121);
    expect((emu.readRegister('esi') >>> 11) & 1).toBe(1);
  });

  test('without a syscall hook SYSENTER is an invalid opcode, at the instruction', () => {
    const { emu } = emulatorWith(`nop\nsysenter`);
    expect(emu.run({ begin: CODE })).toMatchObject({ reason: 'fault', vector: 6, eip: CODE + 1 });
  });

  test('runAsync lets a timer stop a guest that never ends', async () => {
    const { emu } = emulatorWith('1: inc eax\njmp 1b');
    setTimeout(() => emu.stop(), 50);
    const end = await emu.runAsync({ begin: CODE, timeoutMs: 10_000 });
    expect(end.reason).toBe('stopped');
    expect(emu.readRegister('eax')).toBeGreaterThan(0);
  });

  test('port hooks answer IN and see OUT', () => {
    const { emu } = emulatorWith(`mov dx, 0x3f8\nmov al, 'A'\nout dx, al\nin al, 0x60\nin eax, dx\nint 0x80`);
    const outs: string[] = [];
    emu.onPort((direction, port, size, value) => {
      if (direction === 'out') outs.push(`${port.toString(16)}:${String.fromCharCode(value)}`);
      else return port === 0x60 ? 0x1c : 0x12345678;
    });
    expect(emu.run({ begin: CODE }).reason).toBe('interrupt');
    expect(outs).toEqual(['3f8:A']);
    expect(emu.readRegister('eax')).toBe(0x12345678);
  });
});

describe('Emulator: 16-bit real mode (mode: 16)', () => {
  // Segment arithmetic, a wrapping 16-bit stack, a 32-bit operand, INT to the interrupt hook, IN to the port hook, HLT.
  const REAL_MODE = `.code16
mov ax, 0x1000
mov ds, ax
mov word ptr [0x10], 0x5678
mov ax, 0x1001
mov es, ax
mov bx, es:[0]
mov ax, 0x2000
mov ss, ax
xor sp, sp
push bx
push dword ptr 0x11223344
pop edx
int 0x21
in al, 0x60
hlt`;

  test.each(ENGINES)('segments are paragraphs, SP wraps, INT goes to the hook, HLT ends the run past it (%s)', (engine) => {
    const emu = new Emulator({ engine, mode: 16, translator: { threshold: 2 } });
    const code = assemble(REAL_MODE, CODE);
    emu.map(0, 0x40000);
    emu.writeMemory(CODE, code);
    const vectors: number[] = [];
    emu.onInterrupt((vector) => void vectors.push(vector));
    emu.onPort((direction, port) => (direction === 'in' && port === 0x60 ? 0x1c : undefined));
    expect(emu.run({ begin: CODE, count: 1000 })).toEqual({ reason: 'halt', eip: CODE + code.length });
    expect(vectors).toEqual([0x21]);
    // ebx, edx, esp, ds, es, ss, cs, cr0 (PE clear)
    expect(emu.readRegisters(['ebx', 'edx', 'esp', 'ds', 'es', 'ss', 'cs', 'cr0'])).toEqual([0x5678, 0x11223344, 0xfffe, 0x1000, 0x1001, 0x2000, 0, 0x10]);
    expect(emu.readRegister('eax') & 0xff).toBe(0x1c);
    expect(Array.from(emu.readMemory(0x2fffe, 2))).toEqual([0x78, 0x56]); // pushed at SS:0xFFFE, the wrapped SP
  });

  test('writing a segment register in real mode sets its base to selector x 16', () => {
    const emu = new Emulator({ engine: 'interp', mode: 16 });
    const code = assemble('.code16\nmov cx, es:[4]\nhlt', CODE);
    emu.map(0, 0x40000);
    emu.writeMemory(CODE, code);
    emu.writeMemory(0x30004, Uint8Array.of(0x21, 0x43));
    emu.writeRegister('es', 0x3000);
    expect(emu.run({ begin: CODE }).reason).toBe('halt');
    expect(emu.readRegister('ecx')).toBe(0x4321);
  });
});

describe('Emulator: contexts and isolation', () => {
  test('a saved context restored gives the same run again; two emulators do not share state', () => {
    const a = emulatorWith(SUM_LOOP).emu;
    const b = emulatorWith(SUM_LOOP).emu;
    a.writeRegisters({ ecx: 10, eip: CODE });
    b.writeRegisters({ ecx: 20, eip: CODE });
    const saved = a.saveContext();
    a.run();
    b.run();
    expect(a.readRegister('eax')).toBe(55);
    expect(b.readRegister('eax')).toBe(210);
    a.restoreContext(saved);
    expect(a.readRegisters(['ecx', 'eip', 'eax'])).toEqual([10, CODE, 0]);
    a.run();
    expect(a.readRegister('eax')).toBe(55);
  });
});
