/**
 * Differential fuzz test of the translator against the interpreter.
 *
 * Straight-line programs are built from the cases of tests/fuzz/generate.ts
 * (random valid integer instructions from the ISA table's rows: ALU, shifts
 * and rotates, MOV/MOVZX/MOVSX/LEA/XCHG, stack, flags, SETcc/CMOVcc,
 * MUL/IMUL/DIV, bit ops, BCD, strings...). A program chains several cases:
 * the first starts from its generated registers, flags and scratch memory;
 * before each later one its registers are set with MOV r32, imm32 (so its
 * memory operands still address the scratch area, while flags, memory and
 * the direction flag flow on from the cases before, and flag liveness sees
 * long blocks), sometimes not (then addresses are whatever the registers
 * hold: usually a #PF). A register or flag the case before left undefined
 * is defined again first (the tiers may disagree on undefined values: see
 * the known divergences). Some programs also get a load or store from an
 * unmapped page somewhere. Every program ends with INT3.
 *
 * Each program runs on two bare machines, one interpreting and one
 * translating every block before it runs (engine 'jit'), from the same
 * state; registers, EIP, EFLAGS (all bits, through readFlags), the data
 * pages, instructions retired and the trap (vector, error code, address)
 * must be identical. A divergence is narrowed to the shortest diverging
 * prefix of the program: the report names the instruction (bytes and
 * disassembly), the seed and program number, the state before it and both
 * results. Divergences matching a known bug (KNOWN_BUGS, each with a
 * test.fails reproducer at the end) are counted, not failed. Seeded
 * (mulberry32, generate.ts's Rng): a failure reproduces with its seed.
 */
import { describe, expect, test } from 'vitest';
import { decode, formatInstruction, ISA_TABLE, Seg } from '../../src/decoder/index.js';
import type { Instruction } from '../../src/decoder/index.js';
import { createBareMachine } from '../../src/runtime/bare.js';
import { VECTOR_NAMES } from '../../src/runtime/exceptions.js';
import { readFlags } from '../../src/runtime/flags.js';
import type { Engine } from '../../src/runtime/machine.js';
import type { TranslatorOptions } from '../../src/translator/translator.js';
import { FLAT_DATA_ATTR, USER_DS } from '../../src/runtime/segments.js';
import { generateCases, GS_BASE, REG32, Rng, SCRATCH, SCRATCH_SIZE } from './generate.js';
import type { FuzzCase, MachineState } from './generate.js';

/**
 * The seeds run by default. WV_JIT_FUZZ_SEEDS=first-last (or a list) runs
 * others, WV_JIT_FUZZ_PROGRAMS sets the programs per seed and
 * WV_JIT_FUZZ_REPORTS the divergences narrowed and reported per seed.
 */
const SEEDS = seedList(process.env.WV_JIT_FUZZ_SEEDS) ?? [101, 102, 103, 104, 105, 106];
const PROGRAMS_PER_SEED = Number(process.env.WV_JIT_FUZZ_PROGRAMS ?? 500);
const MAX_REPORTS = Number(process.env.WV_JIT_FUZZ_REPORTS ?? 3);

function seedList(text: string | undefined): number[] | null {
  if (!text) return null;
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (m) return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
  return text.split(/[ ,]+/).map(Number);
}

const CODE = 0x1000;
const CODE_SIZE = 0x2000;
/** Everything a generated memory operand can reach: GS_BASE + 0..0xffff (16-bit forms) and the scratch area around it. */
const DATA_LO = GS_BASE & ~0xfff;
const DATA_HI = (SCRATCH + 0x8000 + 0x1fff) & ~0xfff;
const DATA_SIZE = DATA_HI - DATA_LO;
/** An address in no mapped page (below CODE). */
const UNMAPPED = 0x40;
const INT3 = 0xcc;
const LIMIT = 1_000_000;

interface Program {
  seed: number;
  index: number;
  init: MachineState;
  code: Uint8Array;
  /** Offsets of the instructions in `code` (the final INT3 included). */
  starts: number[];
  cases: FuzzCase[];
}

/** Builds `count` programs for `seed` from generated cases. */
function buildPrograms(seed: number, count: number): Program[] {
  const rng = new Rng(seed ^ 0x5eed);
  const cases = generateCases(ISA_TABLE, { seed, cases: count * 4, sequenceRate: 0.5 });
  const programs: Program[] = [];
  let next = 0;
  for (let index = 0; index < count; index++) {
    const take = cases.slice(next, next + rng.range(1, 7));
    next += take.length;
    if (take.length === 0) break;
    const bytes: number[] = [];
    const starts: number[] = [];
    const emit = (insn: number[]) => {
      starts.push(bytes.length);
      bytes.push(...insn);
    };
    const faultAt = rng.chance(0.15) ? rng.below(take.length) : -1;
    take.forEach((c, k) => {
      if (k > 0) {
        // Registers: all of this case's (usually), or only those the case before left undefined (BSF of 0...).
        const prev = take[k - 1];
        const all = rng.chance(0.85);
        for (let r = 0; r < 8; r++) if (all || prev.regMask & (1 << r)) emit([0xb8 + r, ...le32(c.init.regs[r])]);
        // Flags the case before left undefined (after MUL, BT, AND's AF...) are defined again before anything
        // can read them: the two tiers may legitimately disagree on undefined flags (see the known-bug test below).
        if ((prev.flagMask & STATUS_FLAGS) !== STATUS_FLAGS) emit(DEFINE_FLAGS);
      }
      if (k === faultAt) emit(rng.pick(FAULTING));
      for (const insn of c.insns) emit(insn.bytes);
    });
    emit([INT3]);
    programs.push({ seed, index, init: take[0].init, code: Uint8Array.from(bytes), starts, cases: take });
  }
  return programs;
}

const STATUS_FLAGS = 0x8d5;
/** add esp, 0: sets all six status flags, changes no register. */
const DEFINE_FLAGS = [0x83, 0xc4, 0x00];

/** Loads and stores of UNMAPPED (#PF), in a few forms the translator inlines. */
const FAULTING: number[][] = [
  [0xa1, ...le32(UNMAPPED)], // mov eax, [UNMAPPED]
  [0xa3, ...le32(UNMAPPED)], // mov [UNMAPPED], eax
  [0x01, 0x05, ...le32(UNMAPPED)], // add [UNMAPPED], eax
  [0x03, 0x1d, ...le32(UNMAPPED)], // add ebx, [UNMAPPED]
  [0x0f, 0xb6, 0x0d, ...le32(UNMAPPED)], // movzx ecx, byte [UNMAPPED]
  [0xff, 0x35, ...le32(UNMAPPED)], // push dword [UNMAPPED]
];

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

// ------------------------------------------------------------------------------------------- running

interface Outcome {
  regs: number[];
  eip: number;
  eflags: number;
  icount: number;
  trap: string;
  mem: Uint8Array;
}

type Bare = ReturnType<typeof createBareMachine>;

function machine(engine: Engine, translator: Partial<TranslatorOptions> = {}): Bare {
  const m = createBareMachine({ memoryBytes: 16 << 20, map: [[CODE, CODE_SIZE], [DATA_LO, DATA_SIZE]], engine, translator });
  // The generator's 16-bit forms address the scratch area through GS.
  m.vm.cpu.setSegment(Seg.GS, USER_DS, { base: GS_BASE, limit: -1, attr: FLAT_DATA_ATTR });
  return m;
}

/** Data pages outside the scratch area: a fixed random pattern (some programs read there). */
function background(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const a = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < a.length; i += 4) a.set(le32(rng.u32()), i);
  return a;
}

function run(m: Bare, code: Uint8Array, init: MachineState, data: Uint8Array): Outcome {
  const { vm, traps } = m;
  vm.flushCode();
  const padded = new Uint8Array(CODE_SIZE).fill(INT3);
  padded.set(code);
  vm.mmu.writeBytes(CODE, padded, true);
  data.set(init.mem, SCRATCH - DATA_LO);
  vm.mmu.writeBytes(DATA_LO, data, true);
  for (let r = 0; r < 8; r++) vm.cpu.r32[r] = init.regs[r];
  vm.cpu.eflags = init.eflags;
  vm.cpu.eip = CODE;
  vm.icount = 0;
  traps.last = null;
  vm.run(LIMIT);
  const t = (traps as typeof traps).last; // (not narrowed to null by the reset above: run() sets it)
  return {
    regs: Array.from(vm.cpu.r32),
    eip: vm.cpu.eip,
    eflags: readFlags(vm.cpu.s) >>> 0,
    icount: vm.icount,
    trap: t === null ? 'none' : t.exception === null ? `INT ${t.vector}` : trapText(t.exception.vector, t.exception.errorCode, t.exception.address),
    mem: vm.mmu.readBytes(DATA_LO, DATA_SIZE),
  };
}

function trapText(vector: number, errorCode: number, address: number): string {
  return `${(VECTOR_NAMES[vector] ?? `vector ${vector}`).split(' ')[0]} error ${errorCode} address ${hex(address)}`;
}

function differences(a: Outcome, b: Outcome): string[] {
  const out: string[] = [];
  for (let r = 0; r < 8; r++) if (a.regs[r] !== b.regs[r]) out.push(`${REG32[r]}: interpreter ${hex(a.regs[r])}, translated ${hex(b.regs[r])}`);
  if (a.eip !== b.eip) out.push(`eip: interpreter ${hex(a.eip)}, translated ${hex(b.eip)}`);
  if (a.eflags !== b.eflags) {
    const diff = a.eflags ^ b.eflags;
    const names = FLAGS.filter(([bit]) => diff & bit).map(([bit, n]) => `${n}=${a.eflags & bit ? 1 : 0}/${b.eflags & bit ? 1 : 0}`);
    out.push(`eflags: interpreter ${flagText(a.eflags)}, translated ${flagText(b.eflags)} (interpreter/translated: ${names.join(' ')})`);
  }
  if (a.icount !== b.icount) out.push(`instructions retired: interpreter ${a.icount}, translated ${b.icount}`);
  if (a.trap !== b.trap) out.push(`trap: interpreter ${a.trap}, translated ${b.trap}`);
  if (Buffer.compare(a.mem, b.mem) !== 0) {
    let shown = 0;
    for (let i = 0; i < a.mem.length && shown < 8; i++) {
      if (a.mem[i] === b.mem[i]) continue;
      let j = i;
      while (j + 1 < a.mem.length && j - i < 15 && a.mem[j + 1] !== b.mem[j + 1]) j++;
      out.push(`memory ${hex(DATA_LO + i)}..+${j - i + 1}: interpreter ${bytesText(a.mem.subarray(i, j + 1))}, translated ${bytesText(b.mem.subarray(i, j + 1))}`);
      shown++;
      i = j;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------- reports

const FLAGS: [number, string][] = [
  [0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x100, 'TF'], [0x200, 'IF'], [0x400, 'DF'], [0x800, 'OF'],
];
const hex = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');
const bytesText = (b: ArrayLike<number>) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const flagText = (v: number) => `${hex(v)} [${FLAGS.filter(([bit]) => v & bit).map(([, n]) => n).join(' ')}]`;

function disassemble(code: Uint8Array, starts: number[], upTo = starts.length): string[] {
  const lines: string[] = [];
  for (let i = 0; i < upTo; i++) {
    const at = starts[i];
    const end = i + 1 < starts.length ? starts[i + 1] : code.length;
    const r = decode(code, at, code.length - at, CODE + at, 4);
    const text = r.ok ? formatInstruction(r.insn) : `(${r.reason})`;
    lines.push(`  ${hex(CODE + at)}  ${bytesText(code.subarray(at, end)).padEnd(40)} ${text}`);
  }
  return lines;
}

function stateText(s: { regs: number[]; eflags: number }): string {
  return `${s.regs.map((v, r) => `${REG32[r]}=${hex(v)}`).join(' ')} eflags=${flagText(s.eflags)}`;
}

interface Narrowed {
  /** Instructions in the shortest diverging prefix (the last one diverges). */
  n: number;
  insn: Instruction | null;
  interp: Outcome;
  jit: Outcome;
  /** The interpreter's state before the last instruction (a run of the prefix without it). */
  before: Outcome;
}

/** The shortest diverging prefix of a diverging program (each run on fresh machines), or null if none diverges alone. */
function narrow(p: Program, data: Uint8Array): Narrowed | null {
  const prefix = (n: number) => Uint8Array.from([...p.code.subarray(0, p.starts[n]), INT3]);
  for (let n = 1; n < p.starts.length; n++) {
    const code = prefix(n);
    const interp = run(machine('interp'), code, p.init, data.slice());
    const jit = run(machine('jit'), code, p.init, data.slice());
    if (differences(interp, jit).length === 0) continue;
    const at = p.starts[n - 1];
    const r = decode(p.code, at, p.code.length - at, CODE + at, 4);
    const before = run(machine('interp'), prefix(n - 1), p.init, data.slice());
    return { n, insn: r.ok ? r.insn : null, interp, jit, before };
  }
  return null;
}

/**
 * Divergences already reported, each with a reproducer among the known-bug
 * tests below (test.fails): recognised by the diverging instruction and the
 * two outcomes, counted, and not failing the seed tests. Delete an entry
 * once its bug is fixed (its test.fails then fails, as a reminder).
 */
const KNOWN_BUGS: {
  name: string;
  matches: (insn: Instruction, interp: Outcome, jit: Outcome, before: Outcome) => boolean;
}[] = [];

function knownBug(nw: Narrowed | null): string | null {
  if (nw === null || nw.insn === null) return null;
  return KNOWN_BUGS.find((k) => k.matches(nw.insn!, nw.interp, nw.jit, nw.before))?.name ?? null;
}

function report(p: Program, nw: Narrowed | null): string {
  const lines = [`seed ${p.seed} program ${p.index}: the translated code differs from the interpreter`];
  if (nw === null) {
    lines.push('(no prefix diverges on fresh machines: the whole program, on the reused machines, did)', ...disassemble(p.code, p.starts));
    return lines.join('\n');
  }
  lines.push(
    `first diverging prefix: ${nw.n} instruction(s); the last one:`,
    ...disassemble(p.code, p.starts, nw.n).slice(-1),
    'the prefix (then INT3):',
    ...disassemble(p.code, p.starts, nw.n),
    `initial state: ${stateText(p.init)}`,
    `scratch memory at ${hex(SCRATCH)}: ${bytesText(p.init.mem)}`,
  );
  lines.push(`state before the instruction (interpreter): ${stateText(nw.before)}`);
  lines.push(`after, interpreter: ${stateText(nw.interp)} trap=${nw.interp.trap}`);
  lines.push(`after, translated:  ${stateText(nw.jit)} trap=${nw.jit.trap}`);
  lines.push('differences:', ...differences(nw.interp, nw.jit).map((d) => `  ${d}`));
  return lines.join('\n');
}

/** Runs hand-written bytes (then INT3) on both tiers from a small fixed state. */
function both(hexBytes: string, regs: number[] = [0, 0, 0, 0, SCRATCH + 64, 0, 0, 0], eflags = 0x202) {
  const code = Uint8Array.from([...hexBytes.trim().split(/\s+/).map((x) => parseInt(x, 16)), INT3]);
  const init: MachineState = { regs, eflags, mem: new Uint8Array(SCRATCH_SIZE) };
  const data = new Uint8Array(DATA_SIZE);
  return { interp: run(machine('interp'), code, init, data.slice()), jit: run(machine('jit'), code, init, data.slice()) };
}

// ------------------------------------------------------------------------------------------- tests

describe('translator fuzz (the interpreter as the oracle)', () => {
  test('programs are deterministic per seed and decode instruction by instruction', () => {
    const a = buildPrograms(7, 50), b = buildPrograms(7, 50);
    expect(a.map((p) => bytesText(p.code))).toEqual(b.map((p) => bytesText(p.code)));
    for (const p of a) {
      for (let i = 0; i < p.starts.length; i++) {
        const r = decode(p.code, p.starts[i], p.code.length - p.starts[i], CODE + p.starts[i], 4);
        expect(r.ok && r.insn.length === (i + 1 < p.starts.length ? p.starts[i + 1] : p.code.length) - p.starts[i]).toBe(true);
      }
    }
  });

  test('the comparison sees a difference (a corrupted register after the translated run)', () => {
    const [p] = buildPrograms(8, 1);
    const data = background(8);
    const interp = run(machine('interp'), p.code, p.init, data.slice());
    const jit = run(machine('jit'), p.code, p.init, data.slice());
    expect(differences(interp, jit)).toEqual([]);
    jit.regs[3] ^= 1;
    jit.mem[SCRATCH - DATA_LO] ^= 0x80;
    expect(differences(interp, jit).map((d) => d.split(':')[0])).toEqual(['ebx', `memory ${hex(SCRATCH)}..+1`]);
  });

  /**
   * With slowPathExits (the default), a program's first access to each data page
   * misses the TLB (run() starts from a flushed one) and leaves translated
   * code, and the interpreter runs the rest of that block: a smaller share
   * runs translated than with the helper-call slow path.
   */
  const minTranslatedShare = (translator: Partial<TranslatorOptions>) =>
    translator.slowPathExits === false || translator.inlineTlb === false ? 0.95 : 0.5;
  /** Runs the programs of one seed on both tiers; fails on any divergence that is not a known bug. */
  const fuzzSeed = (seed: number, count: number, translator: Partial<TranslatorOptions> = {}) => {
    const programs = buildPrograms(seed, count);
    const data = background(seed);
    const interp = machine('interp');
    const jit = machine('jit', translator);
    const failures: string[] = [];
    const known = new Map<string, number>();
    let diverging = 0;
    let instructions = 0;
    let traps = 0;
    for (const p of programs) {
      const a = run(interp, p.code, p.init, data);
      const b = run(jit, p.code, p.init, data);
      instructions += a.icount;
      if (a.trap !== 'INT 3') traps++;
      if (differences(a, b).length === 0) continue;
      const nw = narrow(p, data);
      const bug = knownBug(nw);
      if (bug !== null) {
        known.set(bug, (known.get(bug) ?? 0) + 1);
        continue;
      }
      diverging++;
      if (failures.length < MAX_REPORTS) failures.push(report(p, nw));
    }
    for (const [bug, n] of known) console.log(`seed ${seed}: ${n} program(s) hit a known bug: ${bug}`);
    const stats = jit.vm.stats().translator!;
    // The programs really ran as translated code (not just through the interpreter's fallback).
    expect(stats.translatedInstructions / instructions, 'share of instructions run as translated code').toBeGreaterThan(minTranslatedShare(translator));
    expect(traps, 'programs ending in a fault').toBeGreaterThan(count / 20);
    if (diverging) {
      throw new Error(`seed ${seed}: ${diverging} of ${programs.length} programs diverge\n\n${failures.join('\n\n')}`);
    }
  };

  for (const seed of SEEDS) {
    test(`seed ${seed}: ${PROGRAMS_PER_SEED} programs, translated code ends in the interpreter's state (known bugs counted, not failed)`, () =>
      fuzzSeed(seed, PROGRAMS_PER_SEED));
  }

  // The translator's switches change code generation, not results.
  for (const [k, name] of (['registerCaching', 'flagLiveness', 'inlineTlb', 'slowPathExits'] as const).entries()) {
    test(`seed ${111 + k} with ${name} off: ${PROGRAMS_PER_SEED / 2} programs (known bugs counted, not failed)`, () =>
      fuzzSeed(111 + k, PROGRAMS_PER_SEED / 2, { [name]: false }));
  }
});

/**
 * Divergences the fuzz found, reproduced by hand-written code (then INT3),
 * each stating the correct behaviour. A bug found but not yet fixed gets a
 * test.fails here and a KNOWN_BUGS entry; none is open.
 */
describe('divergences the fuzz found (fixed), reproduced', () => {
  test('translator: shl dword ptr [eax], 0x20 reads its operand (#PF on an unmapped address) like the interpreter', () => {
    // mov eax, 0x40 (unmapped); shl dword ptr [eax], 0x20 (c1 20 20: count 32 & 31 = 0)
    const r = both('b8 40 00 00 00  c1 20 20');
    expect(r.interp.trap).toBe('#PF error 4 address 0x00000040');
    expect(r.jit.trap).toBe(r.interp.trap); // translated: INT 3 (the operand is never read)
  });

  test('translator: rep lodsb faulting after some elements keeps ESI/ECX/AL of the completed elements', () => {
    // mov esi, <4 bytes before the end of the data pages>; mov ecx, 8; cld; rep lodsb: faults on the 5th byte
    const esi = DATA_HI - 4;
    const r = both(`be ${bytesText(le32(esi))}  b9 08 00 00 00  fc  f3 ac`);
    expect(r.interp.trap).toBe(`#PF error 4 address ${hex(DATA_HI)}`);
    expect(r.interp.regs[6]).toBe(DATA_HI); // ESI advanced over the 4 bytes read
    expect(r.interp.regs[1]).toBe(4); // ECX counted down
    // Translated: ESI, ECX (and AL) as before the instruction: the helper's changes are dropped by the fault path.
    expect(differences(r.interp, r.jit)).toEqual([]);
  });

  test('translator: repe cmpsb faulting after some elements keeps ESI/EDI/ECX and the flags of the last compare', () => {
    const a = DATA_HI - 4;
    const r = both(`be ${bytesText(le32(a))}  bf ${bytesText(le32(a))}  b9 08 00 00 00  fc  f3 a6`);
    expect(r.interp.trap).toBe(`#PF error 4 address ${hex(DATA_HI)}`);
    expect(differences(r.interp, r.jit)).toEqual([]);
  });

  test('interpreter: rep movsb with unmapped source and destination faults on the source read first (as the CPU does)', () => {
    // mov ecx, 16 (the bulk path); mov esi, 0x40; mov edi, 0x80; cld; rep movsb
    const r = both('b9 10 00 00 00  be 40 00 00 00  bf 80 00 00 00  fc  f3 a4');
    expect(r.jit.trap).toBe('#PF error 4 address 0x00000040'); // the translator (inline MOVS) reads first
    expect(r.interp.trap).toBe(r.jit.trap); // interpreted: #PF error 6 at 0x80 (bulkForward checks the destination first)
  });

  test('OF left undefined by BTS is the same in both tiers (an AND before it is not dead: BTS does not kill OF)', () => {
    // and dl, 0x80 (OF=0; its flags are dead: SAHF and BTS overwrite or leave undefined all of them); sahf; bts ecx, edx.
    // Initial OF=1. The interpreter computes the AND's flags anyway (8-bit forms ignore liveness) and BTS keeps OF=0;
    // translated code skips them and OF stays 1. Undefined by the SDM, so not wrong, only inconsistent.
    const r = both('80 e2 80  9e  0f ab d1', [0, 0, 0, 0, SCRATCH + 64, 0, 0, 0], 0xa02);
    expect(r.interp.eflags & 0x800).toBe(0);
    expect(differences(r.interp, r.jit)).toEqual([]);
  });

  test('AF left undefined (AND, then BT) is the same in both tiers, so AAA computes the same result', () => {
    // mov byte [SCRATCH+0x15], 0x27; mov esi, SCRATCH+0x15; mov ecx, 0xcbf7b3c3; stc; sbb ch, [esi]; and ch, 0x66;
    // bt ebp, 3; mov eax, 0x0fc09a09; aaa. AF after AND and BT is undefined (SDM), so this is not wrong, only
    // inconsistent: the interpreter gives AF=0 (no adjustment), translated code AF=1 (AL+6, AH+1, CF=AF=1).
    const at = bytesText(le32(SCRATCH + 0x15));
    const r = both(`c6 05 ${at} 27  be ${at}  b9 c3 b3 f7 cb  f9  1a 2e  82 e5 66  0f ba e5 03  b8 09 9a c0 0f  37`);
    expect(r.interp.regs[0]).toBe(0x0fc09a09);
    expect(differences(r.interp, r.jit)).toEqual([]);
  });
});

