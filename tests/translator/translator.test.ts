// The translation tier on bare machines: the same final state as the
// interpreter (the reference), invalidation of translated code that is
// written, discarded stale compiles, the module cap, precise faults, and
// the CLI's --stats and --dump-wasm.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createBareMachine } from '../../src/runtime/bare.js';
import { Seg } from '../../src/decoder/types.js';
import { readFlags } from '../../src/runtime/flags.js';
import { Slot } from '../../src/runtime/layout.js';
import type { Engine } from '../../src/runtime/machine.js';
import { binaryenCodegen } from '../../src/translator/binaryen-backend.js';
import type { TranslatorOptions } from '../../src/translator/translator.js';
import { runCli } from '../lib/run.js';
import { assemble } from '../runtime/asm.js';
import { mixedLoop, nestedLoops, selfPatchingLoop } from './programs.js';

const CODE = 0x1000;
const DATA = 0x3000;

function run(source: string, engine: Engine, translator: Partial<TranslatorOptions> = {}) {
  const { vm, traps } = createBareMachine({
    code: assemble(source),
    address: CODE,
    // Code and data share nothing but the first page is writable code (for self-modifying tests).
    map: [[CODE, 0x1000], [DATA, 0x2000]],
    engine,
    translator: { asyncCompile: false, threshold: 8, ...translator },
  });
  const stop = vm.run(50_000_000);
  const s = vm.cpu.s;
  return {
    vm,
    stop,
    trap: traps.last?.vector ?? null,
    regs: Array.from(s.subarray(0, 8)),
    eip: vm.cpu.eip,
    flags: readFlags(s) & 0x8d5,
    data: Array.from(vm.mmu.readBytes(DATA, 64)),
    icount: vm.icount,
    stats: vm.stats().translator,
  };
}

/** What a run's end state is compared by when memory is not in question. */
function registersAndFlags(r: { regs: number[]; flags: number }) {
  return { regs: r.regs, flags: r.flags };
}

/**
 * Runs `source` interpreted, then under auto with each option set; each
 * end state (registers and flags) must be the interpreter's. Returns the
 * auto runs, in order.
 */
function autoRunsLikeInterpreter(source: string, ...variants: Partial<TranslatorOptions>[]) {
  const ref = run(source, 'interp');
  return variants.map((opts, k) => {
    const r = run(source, 'auto', opts);
    expect(registersAndFlags(r), `variant ${k}`).toEqual(registersAndFlags(ref));
    return r;
  });
}

/** The two little-endian dwords of a double, for `mov dword ptr` initialisers. */
function doubleWords(v: number): [number, number] {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, v, true);
  return [d.getInt32(0, true), d.getInt32(4, true)];
}

/** Runs `source` (ending in INT 0x80) interpreted, then under jit and auto: `state` of each must be the interpreter's. */
function expectSameAsInterpreter(source: string, state: (r: ReturnType<typeof run>) => unknown): void {
  const ref = run(source, 'interp');
  expect(ref.trap).toBe(0x80);
  for (const engine of ['jit', 'auto'] as const) expect(state(run(source, engine)), engine).toEqual(state(ref));
}

/** Instructions that leave each kind of lazy flag record (or none), for the tests of what reads it. */
const FLAG_WRITERS: [string, string][] = [
  ['ADD', 'add eax, 0x0fffffff'],
  ['SUB', 'sub eax, 0x7fffffff'],
  ['CMP', 'cmp eax, ebx'],
  ['AND', 'and eax, 0x8000ffff'],
  ['INC', 'inc eax'],
  ['DEC', 'dec ebx'],
  ['SHL (the RESULT record)', 'shl eax, 3'],
  ['POPF (no record)', 'push 0x8d5\npopf'],
  ['a rotate', 'ror eax, 5'],
  ['a byte ADD', 'add al, 0x7b'],
];

/**
 * `writer`, then each of `readers` twice: in the same block (the record is
 * known) and after a jump (unknown at the start of its block). A store after
 * each keeps its flags live; EFLAGS and conditions are summed into DATA. CL is
 * 0 every fourth iteration, when a rotate by CL changes no flag.
 */
function expectFlagsKeptAcross(writer: string, readers: string[]): void {
  const steps = readers.flatMap((op, k) => [
    `${writer}\n${op}\nmov [${DATA + 4 * k}], eax\npushfd\npop edx\nadd [${DATA + 32}], edx\nsetb dl\nsetz dh\nadd [${DATA + 36}], edx\nsets dl\nseto dh\nadd [${DATA + 40}], edx\nsetp dl\nsetle dh\nadd [${DATA + 44}], edx\njmp ${10 + k}f\n${10 + k}:`,
    `${writer}\njmp ${20 + k}f\n${20 + k}:\n${op}\nmov [${DATA + 4 * k}], ebx\npushfd\npop edx\nadd [${DATA + 48}], edx\nja ${30 + k}f\ninc dword ptr [${DATA + 52}]\n${30 + k}:`,
  ]);
  const source = `mov esp, ${DATA + 0x1000}\nmov esi, 40\n1:\nmov eax, esi\nimul eax, 0x9e3779b9\nmov ebx, eax\nxor ebx, 0x5a5a5a5a\nmov ecx, esi\nand ecx, 3\n${steps.join('\n')}\ndec esi\njnz 1b\nint 0x80`;
  expectSameAsInterpreter(source, (r) => ({ regs: r.regs, flags: r.flags, data: r.data }));
}

const MIXED = mixedLoop(3000);

describe('translator', () => {
  test('a mixed loop ends in the same state under jit, auto and the interpreter', () => {
    const ref = run(MIXED, 'interp');
    expect(ref.trap).toBe(0x80);
    for (const engine of ['jit', 'auto'] as const) {
      const r = run(MIXED, engine);
      expect({ regs: r.regs, eip: r.eip, flags: r.flags, data: r.data, icount: r.icount }, engine).toEqual({
        regs: ref.regs, eip: ref.eip, flags: ref.flags, data: ref.data, icount: ref.icount,
      });
      expect(r.stats!.translatedInstructions / r.icount, `${engine}: share of translated instructions`).toBeGreaterThan(0.99);
    }
  });

  test('nested loops entered in the middle by an indirect jump, flags read across blocks: the same state', () => {
    const source = nestedLoops(400);
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(0x80);
    for (const [engine, opts] of [['jit', {}], ['auto', {}], ['jit', { flagsAcrossBlocks: false }], ['jit', { maxRegionBlocks: 3 }]] as const) {
      const r = run(source, engine, opts);
      expect({ regs: r.regs, eip: r.eip, flags: r.flags, icount: r.icount }, `${engine} ${JSON.stringify(opts)}`).toEqual({
        regs: ref.regs, eip: ref.eip, flags: ref.flags, icount: ref.icount,
      });
    }
  });

  test('DF set in one block reaches a string move in the next, whose status flags are overwritten first', () => {
    // The edge from STD's block needs no status flag (SUB overwrites them), but FLAGS carries DF along.
    const source = `mov esp, ${DATA + 0x2000}\nmov ecx, 50\n2:\nmov esi, ${DATA + 15}\nmov edi, ${DATA + 47}\nstd\nshr ecx, 1\njae 1f\nnop\n1:\nsub ecx, ecx\nmov ecx, 16\nrep movsb\ncld\nadd byte ptr [${DATA}], 1\nmov ecx, [${DATA}]\nand ecx, 63\njnz 2b\nint 0x80`;
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(0x80);
    for (const engine of ['jit', 'auto'] as const) {
      const r = run(source, engine);
      expect({ regs: r.regs, flags: r.flags, data: r.data }, engine).toEqual({ regs: ref.regs, flags: ref.flags, data: ref.data });
    }
  });

  test.each([
    ['a load', 'mov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a rotate (it keeps SF ZF PF AF of the previous iteration\'s CMP), then a load', 'rol eax, 1\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['an INC (it keeps CF of the previous iteration\'s CMP), then a load', 'inc eax\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a write to a register the flags came from, then a load', 'mov esi, 0x4800\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a write to a register the flags came from, a rotate, then a load', 'mov esi, 0x4800\nror eax, 3\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a write to a register the flags came from, an INC (CF from the record), then a load', 'mov esi, 0xf0000000\ninc eax\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a SUB at the end', 'add eax, [ecx]\nadd ecx, 0x44\nsub edi, 1'],
    // A rotate whose flags only a fault would see keeps them deferred (Emitter.deferRotateFlags); these set CF and OF,
    // which the previous iteration's CMP clears.
    ['a rotate that sets CF and OF, then a load', 'mov ebx, 4\nror ebx, 3\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['two rotates (the second replaces CF and OF of the first), then a load', 'mov ebx, 4\nrol eax, 1\nror ebx, 3\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a rotate, a load, an ADC (it reads the rotate\'s CF)', 'mov ebx, 0x80000000\nrol ebx, 1\nmov edx, [ecx]\nadc edx, 0\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a rotate, a load, a shift by 3 (it replaces the flags), a SETZ', 'mov ebx, 4\nror ebx, 3\nmov edx, [ecx]\nshl edx, 3\nsetz bl\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a rotate, a load, an INC (it keeps the rotate\'s CF), a load', 'mov ebx, 4\nror ebx, 3\nmov edx, [ecx]\ninc edi\nmov edx, [ecx+0x40]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a rotate of memory, then a load', 'rol dword ptr [ecx], 5\nmov edx, [ecx+4]\nadd ecx, 0x44\ncmp ecx, esi'],
    ['a rotate, a store, a CLD (it keeps the status flags)', 'mov ebx, 0x80000000\nrol ebx, 1\nmov [ecx], eax\ncld\nmov edx, [ecx]\nadd ecx, 0x44\ncmp ecx, esi'],
  ])('a self-loop whose back edge leaves its flags unstored faults in a later iteration with exact flags (%s)', (_name, body) => {
    // The loop walks from DATA into the unmapped page after DATA + 0x2000: #PF in its 122nd iteration.
    // ECX passes ESI (never equal) on the way, so the flags differ between that fault and the first touch of the second page.
    const source = `mov ecx, ${DATA}\nmov esi, 0x4800\nmov edi, 1000\nmov eax, 0x80000001\n1:\n${body}\njne 1b\nint 0x80`;
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(14);
    const r = run(source, 'jit');
    expect({ trap: r.trap, regs: r.regs, eip: r.eip, flags: r.flags, icount: r.icount }).toEqual({
      trap: ref.trap, regs: ref.regs, eip: ref.eip, flags: ref.flags, icount: ref.icount,
    });
  });

  test.each(FLAG_WRITERS)('a rotate after %s keeps every flag it does not write: EFLAGS, conditions and a store after it', (_name, writer) => {
    expectFlagsKeptAcross(writer, ['rol eax, 7', 'ror ebx, 13', 'rol al, 3', 'ror bx, 9', 'rol eax, cl', 'ror ebx, cl']);
  });

  test.each(FLAG_WRITERS)('an instruction that reads only CF after %s, at the start of a block or inside it', (_name, writer) => {
    expectFlagsKeptAcross(writer, ['inc eax', 'dec bl', 'adc eax, ebx', 'sbb bl, 3', 'setb cl\nand ecx, 1', 'cmc']);
  });

  test.each([
    ['registerCaching', { registerCaching: false }],
    ['flagLiveness', { flagLiveness: false }],
    ['flag liveness across blocks', { flagsAcrossBlocks: false }],
    ['inlineTlb', { inlineTlb: false }],
    ['the page caches of table accesses in loops', { pageCaches: false }],
    ['continuations (small blocks emitted again as part of their predecessor)', { continuations: false }],
    ['slowPathExits (a TLB miss calls the slow-path helper instead of leaving)', { slowPathExits: false }],
    ['the direct encoder (codegen through Binaryen)', { codegen: binaryenCodegen }],
  ])('switching off %s changes nothing but speed', (_name, opts) => {
    const ref = run(MIXED, 'interp');
    const r = run(MIXED, 'jit', opts);
    expect({ regs: r.regs, flags: r.flags, data: r.data }).toEqual({ regs: ref.regs, flags: ref.flags, data: ref.data });
    if ('inlineTlb' in opts) expect(r.stats!.slowMemoryAccesses).toBeGreaterThan(3000);
  });

  test('a store into translated code invalidates it (the new instruction runs)', () => {
    const source = selfPatchingLoop(200, CODE);
    const ref = run(source, 'interp');
    const r = run(source, 'jit');
    expect(ref.trap).toBe(0x80);
    expect(r.regs[0]).toBe(ref.regs[0]);
    expect(r.stats!.invalidations).toBeGreaterThan(0);
  });

  test('a region whose code is written while it compiles is discarded, not installed', async () => {
    const { vm } = createBareMachine({
      code: assemble('mov ecx, 100000\n1: add eax, ecx\ndec ecx\njnz 1b\nint 0x80'),
      address: CODE,
      map: [[CODE, 0x1000], [DATA, 0x1000]],
      engine: 'auto',
      translator: { asyncCompile: true, threshold: 4 },
    });
    vm.run(100); // hot: the loop's region is now compiling in the background
    expect(vm.translator!.busy).toBe(true);
    vm.mmu.write8(CODE + 0x40, 0x90); // a write into the code page, over no instruction: blocks stay valid
    vm.mmu.write8(CODE + 5, 0x01); // over `add eax, ecx` (same opcode byte): the loop block is invalidated
    while (vm.translator!.busy) await new Promise((resolve) => setImmediate(resolve));
    expect(vm.stats().translator!.discarded).toBe(1);
    expect(vm.stats().translator!.liveModules).toBe(0);
  });

  test('a branch that warms up late next to a big region waits before recompiling it (or is compiled apart), and execution stays exact', () => {
    // A loop of 20 blocks (a chain of conditional steps) becomes one region; a side path taken every 4th
    // iteration reaches the threshold after it, and its region would absorb the loop's.
    const steps = Array.from({ length: 18 }, (_, k) => `test eax, ${1 << (k % 8)}\njz ${100 + k}f\nadd ebx, ${k + 1}\n${100 + k}:`);
    const source = [
      'xor eax, eax', 'xor ebx, ebx', 'mov ecx, 3000', '1:', 'inc eax', ...steps,
      'test eax, 3', 'jnz 2f', 'add ebx, 1000', 'xor ebx, 0x55', '2:', 'dec ecx', 'jnz 1b', 'int 0x80',
    ].join('\n');
    const [waits, eager, apart] = autoRunsLikeInterpreter(source, {}, { lateFactor: 0 }, { lateBlocks: 'apart' });
    expect(waits.stats!.postponed).toBeGreaterThan(0);
    expect(eager.stats!.postponed).toBe(0);
    // The side path still gets translated after 8 x 8 runs: about 2,000 instructions are interpreted in all
    // (the loop's first 8 iterations too); a side path left to the interpreter would make that 40,000.
    const interpreted = (r: ReturnType<typeof run>) => r.icount - r.stats!.translatedInstructions;
    expect(interpreted(waits)).toBeLessThan(8000);
    // Kept apart: the side path is compiled at the threshold into a region of its own; the loop's is not compiled again.
    expect(apart.stats!.postponed).toBe(0);
    expect(apart.stats!.keptApart).toBeGreaterThan(0);
    expect(apart.stats!.instructionsCompiled).toBeLessThan(eager.stats!.instructionsCompiled);
    expect(interpreted(apart)).toBeLessThan(interpreted(waits));
  });

  test('blocks that warm up together with a big region are not postponed: a long straight-line function whose tail got hot first', () => {
    // 33 blocks of 64 instructions in a row (head: 16, tail: 17). The tail runs once on its own first, so it is
    // translated one call before the head, whose region then absorbs the tail's: young, so no waiting.
    const straight = (blocks: number) => `.rept ${blocks * 32}\ninc eax\nadd ebx, eax\n.endr`;
    const source = [`mov esp, ${DATA + 0x2000}`, 'xor eax, eax', 'xor ebx, ebx', 'call 9f', 'mov ecx, 200', '1: call 8f', 'dec ecx', 'jnz 1b', 'int 0x80',
      `8: ${straight(16)}`, `9: ${straight(17)}`, 'ret'].join('\n');
    const [r] = autoRunsLikeInterpreter(source, { threshold: 64 });
    expect(r.stats!.postponed).toBe(0);
    // About the first 64 calls interpreted (135 K instructions); with the head postponed, all 200 calls of it would be.
    expect(r.icount - r.stats!.translatedInstructions).toBeLessThan(150_000);
  });

  test('blocks that get hot one after another within the batch window compile into one region, once', () => {
    // A function of three loops in a row (as sha256's compress), called 300 times: its blocks reach the
    // threshold at different moments of the first calls; compiled as each does, every new region absorbs
    // (recompiles) the one before it.
    const source = [
      `mov esp, ${DATA + 0x2000}`, 'xor eax, eax', 'mov edi, 300', '1: call 8f', 'dec edi', 'jnz 1b', 'int 0x80',
      '8: mov ecx, 16', '2: add eax, ecx', 'rol eax, 3', 'dec ecx', 'jnz 2b',
      'mov ecx, 48', '3: xor eax, ecx', 'add eax, 7', 'dec ecx', 'jnz 3b',
      'mov ecx, 64', '4: sub eax, ecx', 'ror eax, 5', 'dec ecx', 'jnz 4b', 'ret',
    ].join('\n');
    const [atOnce, batched] = autoRunsLikeInterpreter(source, {}, { batchWindow: 5_000 });
    expect(atOnce.stats!.regionsCompiled).toBeGreaterThan(2);
    expect(batched.stats!.regionsCompiled).toBe(1);
    expect(batched.stats!.instructionsCompiled).toBeLessThan(atOnce.stats!.instructionsCompiled);
    // The window delays translation by 5,000 instructions, not more: the rest of the 300 calls run translated.
    expect(batched.stats!.translatedInstructions).toBeGreaterThan(0.95 * batched.icount);
  });

  test('a hot block that waits for the batch window is compiled when the window ends, with no other block getting hot', () => {
    const source = 'mov ecx, 100000\n1: add eax, ecx\nrol eax, 1\ndec ecx\njnz 1b\nint 0x80';
    const ref = run(source, 'interp');
    const r = run(source, 'auto', { batchWindow: 20_000 });
    expect(r.regs).toEqual(ref.regs);
    expect(r.stats!.regionsCompiled).toBe(1);
    // Hot after 8 iterations, compiled 20,000 instructions (5,000 iterations) later.
    const interpreted = r.icount - r.stats!.translatedInstructions;
    expect(interpreted).toBeGreaterThanOrEqual(20_000);
    expect(interpreted).toBeLessThan(20_200);
  });

  test('a small block entered only from a JCC\'s fall-through and reading CF is emitted again as part of its predecessor; the state is the interpreter\'s', () => {
    // Block 1's CMP + JAE falls through into DEC + ADC (both read CF; the DEC keeps the CMP's): emitted as part
    // of block 1, they take CF from the CMP's record in locals instead of an unknown record in memory.
    const source = `xor esi, esi\nxor edi, edi\nmov ecx, 3000\n1:\nmov eax, esi\nimul eax, 0x9e3779b9\ncmp eax, 0x60000000\njae 2f\ndec edi\nadc esi, 0\n2:\nadd esi, 1\ndec ecx\njnz 1b\nint 0x80`;
    const ref = run(source, 'interp');
    expect(ref.regs[6]).toBeGreaterThan(3000); // the ADC added carries
    for (const [continuations, codegen] of [[true, 'direct'], [true, binaryenCodegen], [false, 'direct']] as const) {
      const r = run(source, 'auto', { continuations, codegen });
      expect({ ...registersAndFlags(r), icount: r.icount }, `continuations ${continuations}`).toEqual({ ...registersAndFlags(ref), icount: ref.icount });
      if (continuations) expect(r.stats!.continuedBlocks).toBeGreaterThan(0);
      else expect(r.stats!.continuedBlocks).toBe(0);
      expect(r.stats!.translatedInstructions / r.icount).toBeGreaterThan(0.95);
    }
  });

  test('reaching the live-module cap flushes translations and execution stays exact', () => {
    const loops = [1, 2, 3, 4, 5, 6].map((k) => `mov ecx, 50\n${k}: add eax, ${k}\nrol eax, 1\ndec ecx\njnz ${k}b`).join('\n');
    const source = `${loops}\nint 0x80`;
    const ref = run(source, 'interp');
    const r = run(source, 'auto', { maxModules: 2, threshold: 2 });
    expect(r.regs).toEqual(ref.regs);
    expect(r.stats!.flushes).toBeGreaterThan(0);
    expect(r.stats!.liveModules).toBeLessThanOrEqual(2);
  });

  test('a new DS base reaches translated code (translations assumed the old one and are flushed)', () => {
    // Sums [DATA + 0x100] in a loop; part-way the embedder moves DS up by 4 bytes.
    const source = `mov ecx, 4000\nxor eax, eax\n1: add eax, [${DATA + 0x100}]\ndec ecx\njnz 1b\nint 0x80`;
    const states = (['interp', 'jit'] as const).map((engine) => {
      const { vm } = createBareMachine({
        code: assemble(source),
        address: CODE,
        map: [[CODE, 0x1000], [DATA, 0x2000]],
        engine,
        translator: { asyncCompile: false, threshold: 8 },
      });
      vm.mmu.write32(DATA + 0x100, 1);
      vm.mmu.write32(DATA + 0x104, 1000);
      vm.run(6000);
      const ds = vm.cpu.selector(Seg.DS);
      vm.cpu.setSegment(Seg.DS, ds, { base: 4, limit: -1, attr: vm.cpu.s[Slot.SEG_ATTR + Seg.DS] });
      vm.run(50_000_000);
      return { eax: vm.cpu.s[0], flushes: vm.stats().translator?.flushes ?? 0 };
    });
    const [ref, jit] = states;
    // 2000 iterations read 1 and 2000 read 1000, give or take the stop point: both engines must agree exactly.
    expect(ref.eax).toBeGreaterThan(1_000_000);
    expect(jit.eax).toBe(ref.eax);
  });

  test.each([
    ['div', 0, 100, 7],
    ['div', 6, 0, 7], // quotient does not fit: #DE
    ['div', 1, 2, 0], // divide by zero: #DE
    ['idiv', -1, -100, 7],
    ['idiv', 0, 5, -1], // IDIV by -1 goes through the interpreter: fits
    ['idiv', -1, 0x80000000, -1], // -2^31 / -1 does not fit: #DE
    ['idiv', 3, 0, -2], // quotient too large (negative): #DE
  ])('%s of EDX:EAX = %d:%d by %d gives the interpreter\'s registers and exception', (op, edx, eax, d) => {
    const source = `mov edx, ${edx}\nmov eax, ${eax}\nmov ebx, ${d}\nmov ecx, 20\n1: push eax\npush edx\n${op} ebx\npop edx\npop eax\ndec ecx\njnz 1b\n${op} ebx\nint 0x80`;
    const ref = run(source, 'interp');
    const r = run(source, 'jit');
    expect({ trap: r.trap, regs: r.regs, eip: r.eip }).toEqual({ trap: ref.trap, regs: ref.regs, eip: ref.eip });
  });

  test.each([
    'push eax\npop ebx',
    'push dword ptr [esi]\npop dword ptr [edi]',
    'xchg eax, [esi]',
    'add [esi], eax\nadc [edi+2], ebx',
    'movsd\nlodsd\nstosd',
    'sub [esi+8], eax\nsetc [edi]\nmovzx ebx, byte ptr [esi+8]',
    'call 2f\n2: pop edx',
    'push 7\nlea eax, [esp+4]\npush eax\npop ebp\nleave',
    'inc dword ptr [esi+4094]\nmov ax, [edi+4095]',
  ])('a first access to a page leaves translated code before the instruction, which the interpreter then runs: %s', (body) => {
    // The second data page is untouched until the loop body reaches it: its first access misses the TLB.
    const page = DATA + 0x1000;
    const source = `mov esp, ${page + 0x800}\nmov esi, ${page + 0x100}\nmov edi, ${page + 0x200}\nmov eax, 0x1234\nmov ebx, 77\n` +
      `mov ecx, 30\n1: ${body}\ndec ecx\njnz 1b\nint 0x80`;
    const final = (engine: Engine) => {
      const r = run(source, engine);
      return { r, state: { trap: r.trap, regs: r.regs, eip: r.eip, flags: r.flags, icount: r.icount, page: Array.from(r.vm.mmu.readBytes(page, 0x1000)) } };
    };
    const ref = final('interp');
    const jit = final('jit');
    expect(jit.state).toEqual(ref.state);
    expect(jit.r.stats!.slowMemoryAccesses).toBeGreaterThan(0);
  });

  test.each([
    ['rep movsd across pages', `mov esi, ${DATA + 0x10}\nmov edi, ${DATA + 0x2008}\nmov ecx, 1500\nrep movsd`],
    ['rep movsb, destination inside the source (a repeating pattern)', `mov esi, ${DATA + 0x100}\nmov edi, ${DATA + 0x103}\nmov ecx, 5000\nrep movsb`],
    ['rep movsw, destination below the source', `mov esi, ${DATA + 0x903}\nmov edi, ${DATA + 0x900}\nmov ecx, 3000\nrep movsw`],
    ['rep stosd of a repeated byte', `mov eax, 0x5a5a5a5a\nmov edi, ${DATA + 0x7f2}\nmov ecx, 2500\nrep stosd`],
    ['rep stosd of a mixed value (element by element)', `mov eax, 0x12345678\nmov edi, ${DATA + 0x20}\nmov ecx, 1200\nrep stosd`],
    ['rep stosb backwards (DF set)', `std\nmov al, 7\nmov edi, ${DATA + 0x1800}\nmov ecx, 3000\nrep stosb\ncld`],
    ['rep movsd running into an unmapped page (#PF part-way)', `mov esi, ${DATA}\nmov edi, ${DATA + 0x3800}\nmov ecx, 1024\nrep movsd`],
  ])('REP string moves in whole-page chunks give the interpreter\'s memory and registers: %s', (_name, body) => {
    // Four data pages, the first seeded; each body runs 3 times (translated from the second time on under auto).
    const seed = `mov edi, ${DATA}\nmov ecx, 1024\nmov eax, 0x01020304\n1: mov [edi], eax\nadd eax, 0x01010101\nadd edi, 4\ndec ecx\njnz 1b\n`;
    const source = `${seed}mov ebx, 3\n2: ${body}\ndec ebx\njnz 2b\nint 0x80`;
    const final = (engine: Engine) => {
      const { vm, traps } = createBareMachine({
        code: assemble(source), address: CODE, map: [[CODE, 0x1000], [DATA, 0x4000]], engine,
        translator: { asyncCompile: false, threshold: 2 },
      });
      vm.run(50_000_000);
      return { trap: traps.last?.vector ?? null, regs: Array.from(vm.cpu.s.subarray(0, 8)), eip: vm.cpu.eip, memory: Array.from(vm.mmu.readBytes(DATA, 0x4000)) };
    };
    const ref = final('interp');
    expect(final('jit')).toEqual(ref);
    expect(final('auto')).toEqual(ref);
  });

  test('an indirect call and its return stay inside the region once the interpreter saw where the call went', () => {
    // qsort's comparator called through a pointer: 21 million trips through the dispatch cache per run before.
    const source = [
      `mov esp, ${DATA + 0x1000}`, 'call getpc', 'getpc: pop esi', 'lea edi, [esi + (func - getpc)]',
      'mov ecx, 3000', 'mov eax, 0', '2: call edi', 'dec ecx', 'jnz 2b', 'int 0x80',
      'func: add eax, ecx', 'xor eax, 0x55', 'ret',
    ].join('\n');
    const ref = run(source, 'interp');
    const auto = run(source, 'auto');
    expect(auto.regs).toEqual(ref.regs);
    expect(auto.flags).toBe(ref.flags);
    expect(auto.stats!.translatedInstructions).toBeGreaterThan(0.9 * auto.icount);
    expect(auto.stats!.chainHits).toBeLessThan(50);
  });

  test('a function called from six sites of one region returns to each without leaving the region (RET tests where it was seen to return, then return sites)', () => {
    const calls = [1, 2, 3, 4, 5, 6].map((n) => `call f${n}`);
    const funcs = [1, 2, 3, 4, 5, 6].map((n) => `f${n}: add eax, ${n}\nrol eax, ${n}\nret`);
    const source = [`mov esp, ${DATA + 0x1000}`, 'mov ecx, 2000', 'mov eax, 0', '2:', ...calls, 'dec ecx', 'jnz 2b', 'int 0x80', ...funcs].join('\n');
    const ref = run(source, 'interp');
    const auto = run(source, 'auto');
    expect(auto.regs).toEqual(ref.regs);
    expect(auto.stats!.translatedInstructions).toBeGreaterThan(0.9 * auto.icount);
    expect(auto.stats!.chainHits).toBeLessThan(50);
  });

  test('x87 instructions in translated code: the same FPU state, and a faulting FLD is precise with the block\'s flags', () => {
    // FLD/FADD/FSTP call the interpreter without moving the block's registers and flags out of locals;
    // the FLD that runs into the unmapped page must still see them exact.
    const source = [
      `mov esi, ${DATA + 0x1e00}`, 'mov ecx, 200', 'mov eax, 1', 'fldz',
      '1: fld qword ptr [esi]', 'fadd st(1), st(0)', 'fstp qword ptr [esi + 8]', 'add esi, 8', 'add eax, ecx', 'dec ecx', 'jnz 1b',
      'int 0x80',
    ].join('\n');
    const fpu = (r: ReturnType<typeof run>) => ({
      words: Array.from(r.vm.cpu.s.subarray(64, 68)),
      regs: Array.from(new Uint8Array(r.vm.cpu.s.buffer, r.vm.cpu.s.byteOffset + 0x120, 64)),
    });
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(14);
    for (const engine of ['jit', 'auto'] as const) {
      const r = run(source, engine);
      expect({ trap: r.trap, eip: r.eip, regs: r.regs, flags: r.flags, icount: r.icount }, engine).toEqual({ trap: ref.trap, eip: ref.eip, regs: ref.regs, flags: ref.flags, icount: ref.icount });
      expect(fpu(r), engine).toEqual(fpu(ref));
    }
  });

  test('inline x87 arithmetic, conversions and compares over edge values give the interpreter\'s state in every rounding mode', () => {
    // Each round loads two table entries (NaN, infinities, zeros, huge and tiny values among them), divides, adds,
    // subtracts, squares and takes the root, compares with FCOMI, stores as f64, f32 and int32 under the round's
    // RC, then pushes nine values (a stack overflow): the inline paths and every way out of them to the interpreter.
    const values = [1.5, -2.25, 0, -0, Infinity, NaN, 1e300, 3e9, -7.5e-310, 2 ** 31 - 0.5, -(2 ** 31) - 0.5, 1e-5];
    const table = values.flatMap((v, i) => doubleWords(v).map((w, k) => `mov dword ptr [${DATA + 8 * i + 4 * k}], ${w}`));
    const source = [
      ...table, `mov esi, ${DATA}`, `mov edi, ${DATA + 0x200}`, 'xor ecx, ecx', 'fninit',
      '1: mov ebx, ecx', 'and ebx, 3', 'shl ebx, 10', 'or ebx, 0x37f', `mov [${DATA + 0x100}], bx`, `fldcw [${DATA + 0x100}]`,
      'lea edx, [ecx + ecx*2 + 1]', 'and edx, 7', 'mov eax, ecx', 'and eax, 7',
      'fld qword ptr [esi + eax*8 + 32]', 'fld qword ptr [esi + edx*8]', 'fdiv st(1), st(0)', 'fadd st(0), st(1)',
      'fsub qword ptr [esi + 8]', 'fmul st(0), st(0)', 'fsqrt', 'fcomi st(0), st(1)', 'setb byte ptr [edi + 14]', 'sete byte ptr [edi + 15]',
      'fst qword ptr [edi]', 'fst dword ptr [edi + 8]', 'fxch st(1)', 'fistp dword ptr [edi + 12]', 'fistp word ptr [edi + 16]',
      'fild dword ptr [esi + 4]', 'fchs', 'fabs', 'fstp qword ptr [edi + 24]', 'fnstsw ax', 'mov [edi + 18], ax', 'fnclex',
      'add edi, 32', 'inc ecx', 'cmp ecx, 24', 'jne 1b',
      ...Array.from({ length: 9 }, () => 'fld1'), 'fnstsw ax', 'mov [edi], ax', ...Array.from({ length: 9 }, (_, k) => `fstp qword ptr [edi + ${8 + 8 * k}]`),
      'int 0x80',
    ].join('\n');
    const state = (r: ReturnType<typeof run>) => ({
      words: Array.from(r.vm.cpu.s.subarray(64, 68)),
      regs: Array.from(new Uint8Array(r.vm.cpu.s.buffer, r.vm.cpu.s.byteOffset + 0x120, 64)),
      out: Array.from(r.vm.mmu.readBytes(DATA + 0x200, 32 * 24 + 88)),
      cpu: r.regs,
      flags: r.flags,
    });
    expectSameAsInterpreter(source, state);
    // Only FNINIT, FNCLEX and INT 0x80 are helper calls (about 30 of the 121 compiled instructions are x87 ones);
    // the rare cases leave the region for the interpreter instead.
    const jit = run(source, 'jit');
    expect(jit.stats!.helperSites).toBeLessThanOrEqual(5);
  });

  test('a block holding the x87 stack in locals leaves exact FPU state at every way out: helper, underflow, overflow, fault', () => {
    // Loop 1 pushes one more value than it pops each time (TOP moves between blocks, the ninth push overflows);
    // inside it: FNSTSW after pushes, helper-run FXAM and FSIN between inline operations, an FADD reading a
    // register the block emptied or never filled (underflow). Loop 2 pops one value per block (the last two
    // underflow); loop 3 pushes and stores until its loads reach the unmapped page (#PF, precise).
    const fpu = (r: ReturnType<typeof run>) => ({
      words: Array.from(r.vm.cpu.s.subarray(64, 68)),
      regs: Array.from(new Uint8Array(r.vm.cpu.s.buffer, r.vm.cpu.s.byteOffset + 0x120, 64)),
      out: Array.from(r.vm.mmu.readBytes(DATA + 0x100, 0x400)),
      cpu: r.regs,
      trap: r.trap,
      eip: r.eip,
    });
    const source = [
      `mov esi, ${DATA + 0x1f00}`, `mov edi, ${DATA + 0x100}`, 'mov ecx, 12', 'fninit',
      `mov dword ptr [${DATA}], 0`, `mov dword ptr [${DATA + 4}], 0x3ff80000`,
      '1:', `fld qword ptr [${DATA}]`, 'fld1', 'fadd st(0), st(1)', 'fnstsw ax', 'mov [edi], ax', 'fxam', 'fnstsw ax', 'mov [edi + 2], ax',
      'fld st(0)', 'fsin', 'fmul st(0), st(1)', 'fstp qword ptr [edi + 4]', 'fxch st(1)', 'fstp st(0)', 'fnstsw ax', 'mov [edi + 12], ax',
      'fld1', 'fstp st(0)', 'fadd st(0), st(7)', 'fnstsw ax', 'mov [edi + 14], ax', 'fnclex', 'fst qword ptr [edi + 16]',
      'add edi, 24', 'dec ecx', 'jnz 1b',
      'mov ecx, 10', '2:', 'fstp qword ptr [edi]', 'fnstsw ax', 'mov [edi + 8], ax', 'add edi, 10', 'dec ecx', 'jnz 2b',
      'fnclex', '3:', 'fld qword ptr [esi]', 'fld1', 'faddp st(1), st(0)', 'fstp qword ptr [edi]', 'add esi, 0x18', 'add edi, 8', 'jmp 3b',
    ].join('\n');
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(14);
    for (const engine of ['jit', 'auto'] as const) expect(fpu(run(source, engine)), engine).toEqual(fpu(ref));
  });

  test('inline SSE2 scalar arithmetic over edge values gives the interpreter\'s XMM registers, MXCSR flags and EFLAGS', () => {
    // Each round sets one of five MXCSRs (PE clear or set, round down, FTZ, DAZ), loads two table entries (zeros,
    // denormals, the smallest normal, infinities, NaN, values whose product underflows), and runs ADDSD MULSD DIVSD
    // SQRTSD COMISD CVTTSD2SI CVTSI2SD and the 128-bit moves and logic ops, storing every result and MXCSR.
    const values = [1.5, -2.25, 0, -0, 2.2250738585072014e-308, 5e-324, Infinity, NaN, 1e-200, 3e9, -1e308, 7.25];
    const csrs = [0x1f80, 0x1fa0, 0x3fa0, 0x9fa0, 0x1fe0];
    const table = [
      ...values.flatMap((v, i) => doubleWords(v).map((w, k) => `mov dword ptr [${DATA + 8 * i + 4 * k}], ${w}`)),
      ...csrs.map((c, i) => `mov dword ptr [${DATA + 0x100 + 4 * i}], ${c}`),
    ];
    const source = [
      ...table, `mov esi, ${DATA}`, `mov edi, ${DATA + 0x200}`, 'xor ecx, ecx',
      '1: mov eax, ecx', 'xor edx, edx', 'mov ebx, 5', 'div ebx', `ldmxcsr [${DATA + 0x100} + edx*4]`,
      'mov eax, ecx', 'xor edx, edx', 'mov ebx, 12', 'div ebx', 'mov ebp, edx', 'lea eax, [ecx*4 + ecx + 3]', 'xor edx, edx',
      'div ebx', 'mov ebx, ebp',
      // Each step is a block of its own, so a step that leaves for the interpreter leaves the next ones inline.
      ...[
        'movsd xmm0, qword ptr [esi + ebx*8]\nmovsd xmm1, qword ptr [esi + edx*8]\nmovapd xmm2, xmm0',
        'addsd xmm0, xmm1', 'mulsd xmm2, xmm1', 'movsd xmm3, xmm2\ndivsd xmm3, qword ptr [esi + ebx*8]', 'sqrtsd xmm4, xmm3',
        'comisd xmm0, xmm1\nsetb byte ptr [edi + 40]\nsete byte ptr [edi + 41]', 'ucomisd xmm2, xmm4\nsetp byte ptr [edi + 42]',
        'cvttsd2si eax, xmm3\nmov [edi + 44], eax', 'cvtsi2sd xmm5, eax\nxorpd xmm5, xmm0\nandpd xmm5, xmm1',
        'movsd xmm6, qword ptr [esi + ebx*8]\nmulsd xmm6, xmm6', // 1e-200 squared underflows
        'movapd xmm7, xmm0\nunpcklpd xmm7, xmm1', 'mulpd xmm7, xmm7', 'addpd xmm7, xmm2', 'divpd xmm7, xmm1',
        'unpckhpd xmm7, xmm7\nmovhpd qword ptr [edi + 72], xmm2\nmovlpd xmm6, qword ptr [edi + 72]',
        'movd xmm3, ecx\npshufd xmm3, xmm3, 0x1b', 'paddd xmm3, xmm7\npsubq xmm3, xmm0', 'psubd xmm3, xmm1\npaddq xmm3, xmm2',
        'movd eax, xmm3\nmov [edi + 108], eax',
      ].flatMap((step, k) => [step, `jmp ${k + 2}f`, `${k + 2}:`]),
      'movsd qword ptr [edi], xmm0', 'movsd qword ptr [edi + 8], xmm2', 'movupd [edi + 16], xmm4', 'movsd qword ptr [edi + 32], xmm5',
      'movsd qword ptr [edi + 56], xmm6', 'movupd [edi + 80], xmm7', 'movupd [edi + 92], xmm3', `stmxcsr [edi + 48]`, 'add edi, 112', 'inc ecx', 'cmp ecx, 60', 'jne 1b',
      'int 0x80',
    ].join('\n');
    const state = (r: ReturnType<typeof run>) => ({
      xmm: Array.from(new Uint8Array(r.vm.cpu.s.buffer, r.vm.cpu.s.byteOffset + 0x160, 128)),
      mxcsr: r.vm.cpu.s[68],
      out: Array.from(r.vm.mmu.readBytes(DATA + 0x200, 112 * 60)),
      cpu: r.regs,
      flags: r.flags,
    });
    expectSameAsInterpreter(source, state);
  });

  test('non-temporal stores (MOVNTDQ/MOVNTPS/MOVNTPD, glibc\'s large memset) run inline, and a misaligned one raises #GP as in the interpreter', () => {
    // A loop fills DATA+0x100.. with three kinds of 16-byte non-temporal stores, then one store 8 bytes off alignment.
    const source = [
      'mov eax, 0x01020304', 'movd xmm0, eax', 'pshufd xmm0, xmm0, 0x1b', 'movapd xmm1, xmm0', 'paddd xmm1, xmm0',
      `mov edi, ${DATA + 0x100}`, 'mov ecx, 40',
      '1: movntdq [edi], xmm0', 'movntps [edi + 16], xmm1', 'movntpd [edi + 32], xmm0', 'paddd xmm0, xmm1', 'add edi, 48', 'dec ecx', 'jnz 1b',
      `mov edi, ${DATA + 0x8}`, 'movntdq [edi], xmm0', 'int 0x80',
    ].join('\n');
    const state = (r: ReturnType<typeof run>) => ({
      trap: r.trap, eip: r.eip, regs: r.regs, memory: Array.from(r.vm.mmu.readBytes(DATA, 0x100 + 48 * 40)),
    });
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(13);
    for (const engine of ['jit', 'auto'] as const) expect(state(run(source, engine)), engine).toEqual(state(ref));
    expect(run(source, 'jit').stats!.helperInstructions).toBe(0);
  });

  test('misaligned loads and stores of every width inside a page stay inline; those crossing into the next page, mapped or not, are exact', () => {
    // ESI walks byte by byte over the last 12 bytes of the first data page and 4 of the second: 2-, 4- and
    // 8-byte accesses (integer, x87 and SSE2) at every alignment, some crossing; then a load crossing from the
    // second data page into the unmapped page after it faults.
    const source = [
      `mov esp, ${DATA + 0x800}`, `mov esi, ${DATA + 0x1000 - 12}`, `mov edi, ${DATA + 0x40}`, 'mov ecx, 16', 'mov eax, 0x11223344', 'fninit',
      '1:', 'mov [esi], eax', 'add eax, 0x01010101', 'mov bx, [esi + 1]', 'add [edi], ebx', 'mov edx, [esi]', 'add [edi + 4], edx',
      'inc word ptr [esi + 2]', 'fld qword ptr [esi]', 'fstp qword ptr [edi + 8]', 'movq xmm0, qword ptr [esi + 1]', 'movq qword ptr [edi + 16], xmm0',
      'mov edx, [esi - 1]', 'xor [edi + 24], edx', 'inc esi', 'dec ecx', 'jnz 1b',
      `mov esi, ${DATA + 0x2000 - 2}`, 'mov eax, [esi]', 'int 0x80',
    ].join('\n');
    const state = (r: ReturnType<typeof run>) => ({
      trap: r.trap, eip: r.eip, regs: r.regs, flags: r.flags,
      pages: Array.from(r.vm.mmu.readBytes(DATA + 0x1000 - 16, 24)), out: Array.from(r.vm.mmu.readBytes(DATA + 0x40, 32)),
    });
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(14);
    for (const engine of ['jit', 'auto'] as const) expect(state(run(source, engine)), engine).toEqual(state(ref));
    // Inside the page the misaligned accesses take the inline path: only the crossing ones (a few per
    // iteration near the boundary) and the final fault leave it.
    expect(run(source, 'jit').stats!.slowMemoryAccesses).toBeLessThan(16 * 4);
  });

  test('an unaligned REP MOVSD whose elements straddle page boundaries stays in translated code', () => {
    // Each straddling element misses the inline TLB; leaving there would hand the rest of the REP to the
    // interpreter every time round the loop (memops in the bench suite ran 71% interpreted).
    const source = `mov ebx, 200\n2: mov esi, ${DATA + 0x0f02}\nmov edi, ${DATA + 0x1f01}\nmov ecx, 300\nrep movsd\nadd byte ptr [${DATA + 0x0f05}], 3\ndec ebx\njnz 2b\nint 0x80`;
    const final = (engine: Engine) => {
      const { vm } = createBareMachine({
        code: assemble(source), address: CODE, map: [[CODE, 0x1000], [DATA, 0x4000]], engine,
        translator: { asyncCompile: false, threshold: 2 },
      });
      vm.run(50_000_000);
      return { vm, regs: Array.from(vm.cpu.s.subarray(0, 8)), memory: Array.from(vm.mmu.readBytes(DATA, 0x4000)) };
    };
    const ref = final('interp');
    const jit = final('jit');
    expect({ regs: jit.regs, memory: jit.memory }).toEqual({ regs: ref.regs, memory: ref.memory });
    const stats = jit.vm.stats().translator!;
    expect(stats.slowMemoryAccesses).toBeGreaterThanOrEqual(400); // two straddling elements per REP, all in wasm
    expect(stats.entries).toBeLessThan(20);
  });

  test('the stack page cache follows ESP across pages and into an unmapped one (#PF as in the interpreter)', () => {
    // Pushes walk down from the top of the data pages, 256 bytes a step, reading back through [esp] and [ebp]:
    // the cached stack page changes every 16 steps, and the walk ends in a fault below DATA.
    const source = `mov esp, ${DATA + 0x2000}\nmov ebp, esp\nxor eax, eax\n1: push eax\nadd eax, [esp]\nmov ebp, esp\nadd eax, [ebp]\n` +
      `sub esp, 252\ninc ebx\njmp 1b`;
    const ref = run(source, 'interp');
    const r = run(source, 'jit');
    expect(ref.trap).toBe(14);
    expect({ trap: r.trap, eip: r.eip, regs: r.regs, icount: r.icount, data: r.data }).toEqual({
      trap: ref.trap, eip: ref.eip, regs: ref.regs, icount: ref.icount, data: ref.data,
    });
  });

  test.each([
    ['starts below the cached stack page and ends in it', 0x1008, -6],
    ['starts at the end of the cached stack page and ends in the next', 0x800, 0x802],
  ])('a misaligned stack read that %s reads both pages', (_name, top, offset) => {
    // The push fills the stack page cache with the page of DATA + top - 4; [esp+offset] is DATA + 0xffe .. DATA + 0x1001.
    // The upper page is touched first, so (frames being handed out in order) the two are not adjacent in host memory.
    const source = `mov dword ptr [${DATA + 0x1000}], 0x55667788\nmov dword ptr [${DATA + 0xffc}], 0x11223344\nmov ecx, 100\n` +
      `1: mov esp, ${DATA + top}\npush ecx\nadd eax, [esp${offset < 0 ? '' : '+'}${offset}]\ndec ecx\njnz 1b\nint 0x80`;
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(0x80);
    const r = run(source, 'jit');
    expect({ regs: r.regs, data: r.data }).toEqual({ regs: ref.regs, data: ref.data });
  });

  test('a fault inside translated code is precise: EIP, registers and retired count as in the interpreter', () => {
    // Walks ESI up through the data pages until it reads the unmapped page after them.
    const source = `mov esi, ${DATA}\nxor eax, eax\n1: add eax, [esi]\nadd esi, 512\ninc ebx\njmp 1b`;
    const ref = run(source, 'interp');
    const r = run(source, 'jit');
    expect(ref.trap).toBe(14);
    expect({ trap: r.trap, eip: r.eip, regs: r.regs, icount: r.icount }).toEqual({
      trap: ref.trap, eip: ref.eip, regs: ref.regs, icount: ref.icount,
    });
  });
});

describe('translator CLI', () => {
  const sieve = join('tests', 'guest', 'build', 'sieve.O2');

  test('--stats reports translated and interpreted instructions, compiles and dispatch', async () => {
    const r = await runCli(['run', '--engine', 'auto', '--stats', sieve]);
    expect(r.code).toBe(0);
    const stderr = String(r.stderr);
    const m = /translated (\d+) instructions \(([\d.]+)%\), interpreted (\d+)/.exec(stderr);
    expect(m, String(r.stderr)).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(99);
    expect(stderr).toMatch(/compiled \d+ modules, \d+ blocks, \d+ instructions in [\d.]+ ms/);
    expect(stderr).toMatch(/chain hits in wasm, \d+ dispatch misses; \d+ invalidations/);
  }, 120_000);

  test('--dump-wasm writes each module as WebAssembly text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wv-dump-'));
    const r = await runCli(['run', '--engine', 'jit', '--dump-wasm', dir, join('tests', 'guest', 'build', 'exit_code')]);
    expect(existsSync(dir)).toBe(true);
    const files = readdirSync(dir).filter((f) => f.endsWith('.wat'));
    expect(files.length, String(r.stderr)).toBeGreaterThan(0);
    const text = readFileSync(join(dir, files[0]), 'utf8');
    expect(text).toMatch(/;; entry e0: block at 0x[0-9a-f]+/);
    expect(text).toContain('(module');
    expect(text).toContain('return_call');
  }, 120_000);
});
