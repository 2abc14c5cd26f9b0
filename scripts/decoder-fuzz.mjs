#!/usr/bin/env node
// Differential test of the wasmvisor decoder against iced-x86.
//
//   node scripts/decoder-fuzz.mjs [count-per-mode] [seed] [path-to-decoder-index.js]
//
// Defaults: 1,000,000 random sequences per mode (16-bit and 32-bit code),
// seed 1, dist/decoder/index.js (build first: `npx tsc -p tsconfig.json`).
// Before the random sequences it runs an exhaustive sweep: every opcode of
// the one-byte and 0F maps under ten prefix combinations with all 256 ModRM
// bytes. Compared for every sequence: (a) the valid/invalid verdict, (b) the
// length of valid instructions, and for valid instructions also the memory
// operand (base, index, scale, displacement, effective segment), branch
// targets, far pointers and immediates. Prints the first disagreements and
// exits with status 1 if there are any.
//
// This file is also the harness of tests/decoder.test.ts, which imports the
// generator, the iced options and the CPUID filter from here so that they
// exist once.

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import iced from 'iced-x86';

const { Decoder, DecoderOptions, Code, CpuidFeature, Instruction, Formatter, FormatterSyntax, OpKind, Register } = iced;

/**
 * iced options matching an IA-32 CPU of the P6 / Pentium 4 era:
 *  - ForceReservedNop: 0F 0D and 0F 18-1F are the hint-NOP space (executed as
 *    NOP since the P6); without it iced reinterprets parts of it as CET
 *    (ENDBR32, RDSSP...), MPX (BND*), CLDEMOTE or PREFETCHW, which a P4 runs
 *    as NOPs;
 *  - NoMPFX_0FBC / NoMPFX_0FBD: F3 0F BC/BD are BSF/BSR with an ignored REP
 *    prefix, not TZCNT/LZCNT (BMI1/ABM);
 *  - NoWbnoinvd: F3 0F 09 is WBINVD, not WBNOINVD.
 * PAUSE (F3 90) is kept: the Pentium 4 has it (older CPUs run it as NOP, the
 * length is the same). No AMD, Cyrix, UMOV, LOADALL, MOV TR or old-FPU
 * extensions: those opcodes are #UD on our CPU.
 */
export const ICED_OPTIONS =
  DecoderOptions.ForceReservedNop | DecoderOptions.NoMPFX_0FBC | DecoderOptions.NoMPFX_0FBD | DecoderOptions.NoWbnoinvd;

/**
 * The CPUID features of our CPU (what it reports through CPUID). iced decodes
 * the instruction sets of every x86 CPU ever made; an instruction whose
 * iced-reported features are not all in this list is #UD on our CPU, so the
 * expected verdict for it is "invalid". Everything else iced decodes must be
 * valid for us with the same length.
 *
 * In: 8086/186/286/386/486 base instructions, x87 (8087/287/387 forms), CPUID,
 * TSC, MSR, CX8, SEP (SYSENTER/SYSEXIT), CMOV (incl. FCMOV/FCOMI), MMX, FXSR,
 * SSE, SSE2, SSE3 (with FISTTP), CLFSH, PAUSE, RDPMC, RSM (SMM), the multi-byte/hint NOPs and
 * POPCNT.
 * Out (examples seen by the fuzzer): MONITOR/MWAIT (their own CPUID bit),
 * SSSE3, SSE4.1/4.2, AVX/AVX2/AVX-512 (VEX/EVEX), XOP, 3DNow! (FEMMS), AES,
 * PCLMULQDQ, SHA, MOVBE, CRC32, ADX, BMI, RTM (XBEGIN/XABORT), CET,
 * VMX/SVM/SMX, XSAVE*, RDTSCP, RDRAND/RDSEED, CLFLUSHOPT/CLWB, PTWRITE,
 * WAITPKG, SERIALIZE, PadLock, SYSCALL/SYSRET (#UD outside 64-bit mode on
 * Intel), and the 8086-/286-/386-only encodings iced marks *_ONLY.
 */
export const SUPPORTED_FEATURE_NAMES = [
  'INTEL8086', 'INTEL186', 'INTEL286', 'INTEL386', 'INTEL486', 'FPU', 'FPU287', 'FPU387', 'CPUID', 'TSC', 'MSR',
  'CX8', 'SEP', 'CMOV', 'MMX', 'FXSR', 'SSE', 'SSE2', 'SSE3', 'CLFSH', 'PAUSE', 'RDPMC', 'SMM', 'MULTIBYTENOP', 'POPCNT',
];
const SUPPORTED = new Set(SUPPORTED_FEATURE_NAMES.map((name) => CpuidFeature[name]));

/** Bytes per test sequence: every x86 instruction fits in 15. */
export const SEQ = 16;

// ---------------------------------------------------------------------------
// Sequence generators

/** Small deterministic PRNG (mulberry32), returns floats in [0, 1). */
export function mulberry32(seed) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = [0x66, 0x66, 0xf3, 0xf3, 0xf2, 0xf2, 0xf0, 0xf0, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
/** Opcodes with ModRM.reg groups, mandatory prefixes or other special cases. */
const INTERESTING = [
  [0x80], [0x81], [0x82], [0x83], [0x8c], [0x8e], [0x8f], [0x62], [0x63], [0xc4], [0xc5], [0xc6], [0xc7],
  [0xd0], [0xd3], [0xf6], [0xf7], [0xfe], [0xff], [0x9a], [0xea], [0xa0], [0xa3], [0xe3], [0xc8], [0x90],
  [0x0f, 0x00], [0x0f, 0x01], [0x0f, 0x20], [0x0f, 0x22], [0x0f, 0x23], [0x0f, 0x71], [0x0f, 0x72],
  [0x0f, 0x73], [0x0f, 0xae], [0x0f, 0xba], [0x0f, 0xc7], [0x0f, 0x18], [0x0f, 0xb8], [0x0f, 0xc5],
  [0x0f, 0x12], [0x0f, 0x16], [0x0f, 0xd6], [0x0f, 0xb2], [0x0f, 0xff], [0x0f, 0xb9],
];

/**
 * Write one random sequence of SEQ bytes at buf[at]. 20 % are uniformly
 * random bytes; the rest are biased: 0-5 (rarely 10-15) prefixes, then a
 * one-byte opcode (30 %), a 0F opcode (35 %), an x87 escape (17 %), a 0F 38 /
 * 0F 3A opcode (5 %) or one of INTERESTING, then a ModRM byte biased towards
 * register forms, SIB forms and the disp-only forms, then random bytes.
 */
export function fillRandom(rand, buf, at) {
  for (let i = 0; i < SEQ; i++) buf[at + i] = (rand() * 256) | 0;
  if (rand() < 0.2) return;
  let p = at;
  const r = rand();
  const nPrefixes = r < 0.4 ? 0 : r < 0.7 ? 1 : r < 0.85 ? 2 : r < 0.97 ? 3 + ((rand() * 3) | 0) : 10 + ((rand() * 6) | 0);
  for (let i = 0; i < nPrefixes && p < at + SEQ - 1; i++) buf[p++] = PREFIXES[(rand() * PREFIXES.length) | 0];
  const o = rand();
  let opcode;
  if (o < 0.3) opcode = [(rand() * 256) | 0];
  else if (o < 0.65) opcode = [0x0f, (rand() * 256) | 0];
  else if (o < 0.82) opcode = [0xd8 + ((rand() * 8) | 0)];
  else if (o < 0.87) opcode = [0x0f, rand() < 0.5 ? 0x38 : 0x3a, (rand() * 256) | 0];
  else opcode = INTERESTING[(rand() * INTERESTING.length) | 0];
  for (const b of opcode) if (p < at + SEQ) buf[p++] = b;
  if (p >= at + SEQ) return;
  const m = rand();
  const reg = (rand() * 8) | 0;
  let modrm;
  if (m < 0.3) modrm = 0xc0 | (reg << 3) | ((rand() * 8) | 0);
  else if (m < 0.5) modrm = (((rand() * 3) | 0) << 6) | (reg << 3) | 4;
  else if (m < 0.6) modrm = (reg << 3) | (rand() < 0.5 ? 5 : 6);
  else modrm = (rand() * 256) | 0;
  buf[p++] = modrm;
}

/** `n` random sequences from `seed`, as one buffer. */
export function randomBuffer(seed, n) {
  const rand = mulberry32(seed);
  const buf = new Uint8Array(n * SEQ);
  for (let k = 0; k < n; k++) fillRandom(rand, buf, k * SEQ);
  return buf;
}

/**
 * The exhaustive sweep: every opcode of the one-byte and 0F maps (and a few of
 * 0F 38 / 0F 3A) under ten prefix combinations, with every ModRM byte and two
 * tails (one starting with a SIB byte whose base is 5, one of zeros).
 */
export function sweepBuffer() {
  const PREFIX_SETS = [[], [0x66], [0xf3], [0xf2], [0xf0], [0x67], [0x66, 0xf3], [0xf3, 0x66], [0xf2, 0xf3], [0xf0, 0x66]];
  const isPrefix = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);
  const opcodes = [];
  for (let b = 0; b < 256; b++) if (b !== 0x0f && !isPrefix.has(b)) opcodes.push([b]);
  for (let b = 0; b < 256; b++) opcodes.push([0x0f, b]);
  for (const b of [0x00, 0x01, 0x10, 0xf0, 0xf1]) opcodes.push([0x0f, 0x38, b]);
  for (const b of [0x0f, 0x14, 0x44, 0xcc]) opcodes.push([0x0f, 0x3a, b]);
  const TAILS = [
    [0x25, 0x78, 0x56, 0x34, 0x12, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44],
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
  ];
  const n = PREFIX_SETS.length * opcodes.length * 256 * TAILS.length;
  const buf = new Uint8Array(n * SEQ);
  let at = 0;
  for (const prefixes of PREFIX_SETS) {
    for (const opcode of opcodes) {
      for (let modrm = 0; modrm < 256; modrm++) {
        for (const tail of TAILS) {
          buf.set([...prefixes, ...opcode, modrm, ...tail].slice(0, SEQ), at);
          at += SEQ;
        }
      }
    }
  }
  return buf;
}

// ---------------------------------------------------------------------------
// Comparison

const SEG_NAMES = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];
const REG16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI'];
const REG32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'];

function regName(reg, addrSize) {
  return reg < 0 ? 'None' : (addrSize === 2 ? REG16 : REG32)[reg];
}

/** Operand-level differences between iced's instruction and ours (same length), or ''. */
function operandDiff(instr, insn) {
  const ours = insn.operands;
  const oursImm = ours.filter((o) => o.kind === 'imm');
  let immIndex = 0;
  for (let i = 0; i < instr.opCount; i++) {
    const kind = instr.opKind(i);
    switch (kind) {
      case OpKind.Memory: {
        const m = ours.find((o) => o.kind === 'mem');
        if (!m) {
          if (insn.entry.op === 'xlat') break; // our XLAT keeps its implicit [eBX+AL] implicit
          return 'no memory operand';
        }
        const base = Register[instr.memoryBase];
        const index = Register[instr.memoryIndex];
        const bits = m.addrSize * 8;
        const disp = Number(BigInt.asUintN(bits, instr.memoryDisplacement));
        const ourDisp = Number(BigInt.asUintN(bits, BigInt(m.disp)));
        const seg = Register[instr.memorySegment];
        if (base !== regName(m.base, m.addrSize)) return `base ${base} vs ${regName(m.base, m.addrSize)}`;
        if (index !== regName(m.index, m.addrSize)) return `index ${index} vs ${regName(m.index, m.addrSize)}`;
        if (m.index >= 0 && instr.memoryIndexScale !== 1 << m.scale) return `scale ${instr.memoryIndexScale} vs ${1 << m.scale}`;
        if (disp !== ourDisp) return `disp ${disp.toString(16)} vs ${ourDisp.toString(16)}`;
        if (seg !== SEG_NAMES[m.seg]) return `segment ${seg} vs ${SEG_NAMES[m.seg]}`;
        break;
      }
      case OpKind.NearBranch16:
      case OpKind.NearBranch32: {
        const rel = ours.find((o) => o.kind === 'rel');
        const target = Number(instr.nearBranchTarget);
        if (!rel || rel.value !== target) return `branch target ${target.toString(16)} vs ${rel?.value.toString(16)}`;
        break;
      }
      case OpKind.FarBranch16:
      case OpKind.FarBranch32: {
        const far = ours.find((o) => o.kind === 'far');
        const offset = kind === OpKind.FarBranch16 ? instr.farBranch16 : instr.farBranch32;
        if (!far || far.value !== offset || far.selector !== instr.farBranchSelector) return 'far pointer';
        break;
      }
      case OpKind.Immediate8:
      case OpKind.Immediate8_2nd:
      case OpKind.Immediate16:
      case OpKind.Immediate32:
      case OpKind.Immediate8to16:
      case OpKind.Immediate8to32: {
        const o = oursImm[immIndex++];
        if (!o) return 'missing immediate';
        const value = Number(BigInt.asUintN(o.size * 8, instr.immediate(i)));
        if (value !== o.value) return `immediate ${value.toString(16)} vs ${o.value.toString(16)}`;
        break;
      }
    }
  }
  return '';
}

/**
 * Decode the `n` sequences of `buf` with iced and with `decode` (our decoder)
 * in `bits`-bit code and compare. Returns counts and the first disagreements.
 */
export function compareWithIced(decode, bits, buf, n, maxSamples = 20) {
  const defaultSize = bits === 16 ? 2 : 4;
  const result = { count: n, valid: 0, filtered: 0, disagreements: 0, operandDisagreements: 0, samples: [], filteredBy: new Map() };
  const supportedByCode = new Map();
  const instr = new Instruction();
  const decoder = new Decoder(bits, buf, ICED_OPTIONS);
  const fmt = new Formatter(FormatterSyntax.Intel);
  const hexOf = (at) => Array.from(buf.subarray(at, at + SEQ), (x) => x.toString(16).padStart(2, '0')).join(' ');
  for (let k = 0; k < n; k++) {
    const at = k * SEQ;
    decoder.position = at;
    decoder.ip = 0x1000n;
    decoder.decodeOut(instr);
    let expValid = instr.code !== Code.INVALID;
    const expLen = instr.length;
    if (expValid) {
      let supported = supportedByCode.get(instr.code);
      if (supported === undefined) {
        supported = [...instr.cpuidFeatures()].every((f) => SUPPORTED.has(f));
        supportedByCode.set(instr.code, supported);
      }
      if (supported) result.valid++;
      else {
        expValid = false;
        result.filtered++;
        const key = [...instr.cpuidFeatures()].filter((f) => !SUPPORTED.has(f)).map((f) => CpuidFeature[f]).join('+');
        result.filteredBy.set(key, (result.filteredBy.get(key) ?? 0) + 1);
      }
    }
    const r = decode(buf, at, SEQ, 0x1000, defaultSize);
    let problem = '';
    if (r.ok !== expValid || (expValid && r.insn.length !== expLen)) {
      result.disagreements++;
      problem = 'verdict/length';
    } else if (expValid) {
      const diff = operandDiff(instr, r.insn);
      if (diff) {
        result.operandDisagreements++;
        problem = `operands: ${diff}`;
      }
    }
    if (problem && result.samples.length < maxSamples) {
      const features = instr.code !== Code.INVALID ? [...instr.cpuidFeatures()].map((f) => CpuidFeature[f]).join(',') : '';
      const icedText = instr.code !== Code.INVALID ? `${fmt.format(instr)} [${features}]` : '';
      const ours = r.ok ? `valid len ${r.insn.length} ${r.insn.mnemonic}` : `${r.reason} len ${r.length}`;
      result.samples.push(
        `${bits}-bit ${hexOf(at)}: ${problem}\n    iced: ${expValid ? 'valid' : 'invalid'} len ${expLen} ${icedText}\n    ours: ${ours}`,
      );
    }
  }
  fmt.free();
  decoder.free();
  instr.free();
  return result;
}

// ---------------------------------------------------------------------------
// Command line

/** Decode speed: a stream of valid instructions, decoded repeatedly. */
function measureSpeed(decode) {
  const buf = randomBuffer(12345, 200_000);
  const starts = [];
  for (let k = 0; k < 200_000 && starts.length < 100_000; k++) if (decode(buf, k * SEQ, SEQ, 0, 4).ok) starts.push(k * SEQ);
  for (const at of starts) decode(buf, at, SEQ, 0, 4); // warm up
  let n = 0;
  const t0 = performance.now();
  for (let rep = 0; rep < 20; rep++) for (const at of starts) if (decode(buf, at, SEQ, 0, 4).ok) n++;
  const seconds = (performance.now() - t0) / 1000;
  return n / seconds;
}

async function main() {
  const count = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? 1);
  const modulePath = path.resolve(process.argv[4] ?? 'dist/decoder/index.js');
  const { decode } = await import(pathToFileURL(modulePath).href);

  console.log(`decode speed: ${(measureSpeed(decode) / 1e6).toFixed(2)} M instructions/s`);
  let bad = 0;
  const samples = [];
  const report = (label, r) => {
    bad += r.disagreements + r.operandDisagreements;
    samples.push(...r.samples);
    console.log(
      `${label}: ${r.count} sequences, ${r.valid} valid, ${r.filtered} filtered by CPUID feature, ` +
        `${r.disagreements} verdict/length disagreements, ${r.operandDisagreements} operand disagreements`,
    );
  };
  const sweep = sweepBuffer();
  for (const bits of [32, 16]) report(`${bits}-bit sweep`, compareWithIced(decode, bits, sweep, sweep.length / SEQ));
  for (const bits of [32, 16]) {
    const total = { count: 0, valid: 0, filtered: 0, disagreements: 0, operandDisagreements: 0, samples: [], filteredBy: new Map() };
    const chunk = 100_000;
    for (let done = 0, part = 0; done < count; done += chunk, part++) {
      const n = Math.min(chunk, count - done);
      const r = compareWithIced(decode, bits, randomBuffer(seed * 1_000_003 + bits * 1009 + part, n), n);
      for (const key of ['count', 'valid', 'filtered', 'disagreements', 'operandDisagreements']) total[key] += r[key];
      total.samples.push(...r.samples.slice(0, 20 - total.samples.length));
      for (const [k, v] of r.filteredBy) total.filteredBy.set(k, (total.filteredBy.get(k) ?? 0) + v);
    }
    report(`${bits}-bit random (seed ${seed})`, total);
    const top = [...total.filteredBy].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
    console.log(`  filtered: ${top.join(', ')}`);
  }
  if (samples.length) console.log(`first disagreements:\n${samples.slice(0, 40).join('\n')}`);
  process.exit(bad ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
