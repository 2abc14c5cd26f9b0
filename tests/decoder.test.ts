/**
 * Decoder tests.
 *
 * 1. Differential test against iced-x86 (the comparison harness, the sequence
 *    generators and the CPUID filter live in scripts/decoder-fuzz.mjs, which
 *    also runs the same comparison at 1,000,000 sequences per mode):
 *      - an exhaustive sweep: every opcode of the one-byte and 0F maps under
 *        ten prefix combinations with all 256 ModRM bytes (2.6 M sequences
 *        per mode);
 *      - 100,000 seeded random sequences per mode (16-bit and 32-bit code),
 *        biased towards prefixes, the 0F map, ModRM/SIB forms and x87.
 *    Asserted: 0 disagreements on the valid/invalid verdict and on the length,
 *    and 0 disagreements on memory operands, branch targets and immediates.
 *
 *    The CPUID filter: our CPU is an IA-32 CPU with x87, CMOV, CX8, TSC, MSR,
 *    SEP, MMX, FXSR, SSE, SSE2, SSE3, CLFSH, PAUSE, POPCNT (and RDPMC, RSM, hint
 *    NOPs) -- exactly what it reports through CPUID. iced decodes every x86
 *    extension; when iced says an instruction needs a CPUID feature outside
 *    SUPPORTED_FEATURE_NAMES (MONITOR/MWAIT, SSSE3, SSE4.x, AVX/VEX, EVEX, XOP, 3DNow!,
 *    AES, SHA, VMX, RTM, CET, SYSCALL...), the expected verdict is "invalid"
 *    (#UD), because that is what a CPU without the feature does. Nothing else
 *    is filtered: every other encoding iced accepts must decode, with the
 *    same length and operands.
 *
 *    iced options (ICED_OPTIONS): ForceReservedNop (0F 0D, 0F 18-1F are hint
 *    NOPs), NoMPFX_0FBC/0FBD (F3 0F BC/BD are BSF/BSR), NoWbnoinvd (F3 0F 09 is
 *    WBINVD): a P6/Pentium 4 decodes those that way.
 *
 * 2. Focused tests of operand decoding, the formatter and the ISA table.
 */

import { describe, expect, it } from 'vitest';
import { decode, formatInstruction, ISA_TABLE, COND_FLAGS, NP, Prefix, Seg } from '../src/decoder/index.js';
import type { DecodeResult, Instruction, IsaEntry } from '../src/decoder/index.js';

interface CompareResult {
  count: number;
  valid: number;
  filtered: number;
  disagreements: number;
  operandDisagreements: number;
  samples: string[];
}
interface Harness {
  SEQ: number;
  SUPPORTED_FEATURE_NAMES: string[];
  randomBuffer(seed: number, n: number): Uint8Array;
  sweepBuffer(): Uint8Array;
  compareWithIced(decoder: typeof decode, bits: 16 | 32, buf: Uint8Array, n: number, maxSamples?: number): CompareResult;
}
const harness = (await import(new URL('../scripts/decoder-fuzz.mjs', import.meta.url).href)) as Harness;

const RANDOM_PER_MODE = 100_000;

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.replace(/\s+/g, '').match(/../g)!.map((x) => parseInt(x, 16)));
}

function dec(hex: string, size: 2 | 4 = 4, eip = 0x1000): DecodeResult {
  const b = bytes(hex);
  return decode(b, 0, b.length, eip, size);
}

function ok(hex: string, size: 2 | 4 = 4, eip = 0x1000): Instruction {
  const r = dec(hex, size, eip);
  if (!r.ok) throw new Error(`${hex}: ${r.reason}`);
  return r.insn;
}

function fmt(hex: string, size: 2 | 4 = 4, eip = 0x1000): string {
  return formatInstruction(ok(hex, size, eip));
}

function report(r: CompareResult): string {
  return `${r.disagreements} verdict/length and ${r.operandDisagreements} operand disagreements\n${r.samples.join('\n')}`;
}

describe('differential test against iced-x86', () => {
  it('uses the documented CPUID filter', () => {
    expect(harness.SUPPORTED_FEATURE_NAMES).toEqual([
      'INTEL8086', 'INTEL186', 'INTEL286', 'INTEL386', 'INTEL486', 'FPU', 'FPU287', 'FPU387', 'CPUID', 'TSC', 'MSR',
      'CX8', 'SEP', 'CMOV', 'MMX', 'FXSR', 'SSE', 'SSE2', 'SSE3', 'CLFSH', 'PAUSE', 'RDPMC', 'SMM', 'MULTIBYTENOP', 'POPCNT',
    ]);
  });

  const sweep = harness.sweepBuffer();
  for (const bits of [32, 16] as const) {
    it(`agrees on every opcode x prefix set x ModRM byte (${bits}-bit)`, () => {
      const r = harness.compareWithIced(decode, bits, sweep, sweep.length / harness.SEQ);
      expect(r.valid).toBeGreaterThan(1_000_000);
      expect(r.disagreements + r.operandDisagreements, report(r)).toBe(0);
    }, 60_000);

    it(`agrees on ${RANDOM_PER_MODE} random sequences (${bits}-bit)`, () => {
      const buf = harness.randomBuffer(bits === 32 ? 0x5eed32 : 0x5eed16, RANDOM_PER_MODE);
      const r = harness.compareWithIced(decode, bits, buf, RANDOM_PER_MODE);
      expect(r.valid).toBeGreaterThan(RANDOM_PER_MODE / 2);
      expect(r.disagreements + r.operandDisagreements, report(r)).toBe(0);
    }, 60_000);
  }
});

describe('operand decoding', () => {
  it('decodes SIB addressing with the DS default', () => {
    const i = ok('8b448b10');
    expect(i.length).toBe(4);
    expect(i.operands[0]).toMatchObject({ kind: 'reg', size: 4, reg: 0 });
    expect(i.operands[1]).toMatchObject({ kind: 'mem', size: 4, base: 3, index: 1, scale: 2, disp: 0x10, seg: Seg.DS, addrSize: 4 });
  });

  it('defaults to SS for EBP/ESP bases and honours the last segment override', () => {
    expect(ok('8b45f8').operands[1]).toMatchObject({ base: 5, index: -1, disp: -8, seg: Seg.SS });
    expect(ok('8b0424').operands[1]).toMatchObject({ base: 4, index: -1, seg: Seg.SS });
    expect(ok('8b042c').operands[1]).toMatchObject({ base: 4, index: 5, seg: Seg.SS });
    expect(ok('8b44a508').operands[1]).toMatchObject({ base: 5, index: -1, disp: 8, seg: Seg.SS }); // SIB base EBP, no index
    expect(ok('8b0428').operands[1]).toMatchObject({ base: 0, index: 5, seg: Seg.DS }); // an EBP index keeps DS
    expect(ok('8b04ad00000000').operands[1]).toMatchObject({ base: -1, index: 5, scale: 2, seg: Seg.DS });
    expect(ok('8b0578563412').operands[1]).toMatchObject({ base: -1, index: -1, disp: 0x12345678, seg: Seg.DS });
    const fs = ok('648b4500');
    expect(fs.operands[1]).toMatchObject({ base: 5, seg: Seg.FS });
    expect(fs.segOverride).toBe(Seg.FS);
    expect(fs.prefixes & Prefix.SEG).toBeTruthy();
    expect(ok('26368b00').operands[1].seg).toBe(Seg.SS);
  });

  it('decodes 16-bit addressing', () => {
    expect(ok('8b46fe', 2).operands[1]).toMatchObject({ size: 2, base: 5, index: -1, disp: -2, seg: Seg.SS, addrSize: 2 });
    expect(ok('8b00', 2).operands[1]).toMatchObject({ base: 3, index: 6, disp: 0, seg: Seg.DS });
    expect(ok('8b02', 2).operands[1]).toMatchObject({ base: 5, index: 6, seg: Seg.SS });
    expect(ok('8b063412', 2).operands[1]).toMatchObject({ base: -1, index: -1, disp: 0x1234, seg: Seg.DS });
    expect(ok('8b870080', 2).operands[1]).toMatchObject({ base: 3, index: -1, disp: -0x8000 });
    const a32 = ok('678b0424', 2);
    expect(a32.addrSize).toBe(4);
    expect(a32.operands[1]).toMatchObject({ base: 4, seg: Seg.SS, addrSize: 4 });
    const o32 = ok('668b00', 2);
    expect(o32.opSize).toBe(4);
    expect(o32.operands[0].size).toBe(4);
  });

  it('sign-extends the imm8 of 83 /x and 6A to the operand size', () => {
    expect(ok('83c0ff').operands[1]).toMatchObject({ kind: 'imm', size: 4, value: 0xffffffff });
    expect(ok('83c0ff', 2).operands[1]).toMatchObject({ kind: 'imm', size: 2, value: 0xffff });
    expect(ok('6a80').operands[0].value).toBe(0xffffff80);
    expect(ok('80c0ff').operands[1]).toMatchObject({ size: 1, value: 0xff });
    expect(ok('b8efbeadde').operands[1].value).toBe(0xdeadbeef);
    expect(ok('c8100001').operands.map((o) => o.value)).toEqual([0x10, 1]);
  });

  it('resolves relative targets to absolute EIPs', () => {
    expect(ok('75fe').operands[0]).toMatchObject({ kind: 'rel', value: 0x1000 });
    expect(ok('e800000000', 4, 0x8048000).operands[0].value).toBe(0x8048005);
    expect(ok('0f85f0ffffff').operands[0].value).toBe(0x1000 + 6 - 16);
    expect(ok('e9fbffffff', 4, 0).operands[0].value).toBe(0); // wraps at 4 GiB
    expect(ok('eb80', 2, 0x10).operands[0].value).toBe(0xff92); // wraps at 64 KiB
    expect(ok('66e90010', 4, 0xfff0).operands[0].value).toBe((0xfff0 + 4 + 0x1000) & 0xffff);
    expect(ok('66e900001000', 2, 0x10).operands[0].value).toBe(0x10 + 6 + 0x100000);
  });

  it('decodes string operands, moffs and far pointers', () => {
    const movs = ok('f3a5');
    expect(movs.rep).toBe(1);
    expect(movs.mnemonic).toBe('movsd');
    expect(movs.operands[0]).toMatchObject({ kind: 'mem', seg: Seg.ES, base: 7, size: 4 });
    expect(movs.operands[1]).toMatchObject({ kind: 'mem', seg: Seg.DS, base: 6, size: 4 });
    const es = ok('26a4');
    expect(es.operands[0].seg).toBe(Seg.ES);
    expect(es.operands[1].seg).toBe(Seg.ES);
    expect(ok('67a4').operands[0].addrSize).toBe(2);
    expect(ok('a178563412').operands[1]).toMatchObject({ kind: 'mem', base: -1, disp: 0x12345678, seg: Seg.DS, size: 4 });
    expect(ok('64a200100000').operands[0]).toMatchObject({ seg: Seg.FS, disp: 0x1000, size: 1 });
    expect(ok('ea785634120800').operands[0]).toMatchObject({ kind: 'far', selector: 8, value: 0x12345678 });
    expect(ok('66ea34120800').operands[0]).toMatchObject({ kind: 'far', selector: 8, value: 0x1234 });
  });

  it('selects SSE rows by the last F2/F3 prefix, else 66', () => {
    expect(ok('0f10c1').mnemonic).toBe('movups');
    expect(ok('660f10c1').mnemonic).toBe('movupd');
    expect(ok('66f30f10c1').mnemonic).toBe('movss');
    expect(ok('f3660f10c1').mnemonic).toBe('movss');
    expect(ok('f2f30f10c1').mnemonic).toBe('movss');
    expect(ok('f3f20f10c1').mnemonic).toBe('movsd');
    expect(ok('f390').mnemonic).toBe('pause');
    expect(ok('66f30fb8c1').operands[0].size).toBe(2); // POPCNT r16: 66 is the operand size here
    expect(dec('660f77').ok).toBe(false); // EMMS is NP only
  });

  it('picks 16-bit mnemonics', () => {
    expect(ok('98', 2).mnemonic).toBe('cbw');
    expect(ok('6698').mnemonic).toBe('cbw');
    expect(ok('98').mnemonic).toBe('cwde');
    expect(ok('66a5').mnemonic).toBe('movsw');
    expect(ok('e3fe').mnemonic).toBe('jecxz');
    expect(ok('67e3fe').mnemonic).toBe('jcxz');
    expect(ok('66e3fe').mnemonic).toBe('jecxz'); // JECXZ follows the address size
  });

  it('reports #UD encodings as invalid', () => {
    for (const hex of ['8ec8', '8cf0', '8ef8', '0f20c8', '0f22e8', 'f001c0', 'f090', 'f08500', '0f3800c0', 'c4c0', '0f04', 'ffd8', 'fe10', '0fc7c8', 'dd28', 'd9d1', '0f05', '0f0e']) {
      const r = dec(hex + '00000000000000');
      expect(r.ok, hex).toBe(false);
      if (!r.ok) expect(r.reason, hex).toBe('invalid');
    }
    expect(ok('0f0b').entry.op).toBe('ud');
    expect(ok('0fff00').length).toBe(3); // UD0 has a ModRM byte
    expect(ok('f00100').prefixes & Prefix.LOCK).toBeTruthy();
  });

  it('reports truncation and the 15-byte limit', () => {
    for (const hex of ['8b448b10', 'e800000000', '0f85f0ffffff', '66f30f10c1', 'c8100001', '81c078563412', '26a178563412']) {
      const b = bytes(hex);
      for (let n = 0; n < b.length; n++) {
        const r = decode(b, 0, n, 0, 4);
        expect(r.ok, `${hex} with ${n} bytes`).toBe(false);
        if (!r.ok) expect(r.reason, `${hex} with ${n} bytes`).toBe('truncated');
      }
      expect(decode(b, 0, b.length, 0, 4).ok).toBe(true);
    }
    const long = bytes('26'.repeat(14) + '0000');
    const r = decode(long, 0, long.length, 0, 4);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('too-long');
    expect(dec('26'.repeat(13) + '0000').ok).toBe(true);
    // Decoding at an offset reads from there.
    const buf = bytes('90909089d8');
    const at = decode(buf, 3, 2, 0, 4);
    expect(at.ok && at.insn.entry.mnemonic).toBe('mov');
  });
});

describe('formatter', () => {
  it('prints Intel syntax', () => {
    expect(fmt('8b448b10')).toBe('mov eax, dword ptr [ebx+ecx*4+0x10]');
    expect(fmt('8b45f8')).toBe('mov eax, dword ptr [ebp-0x8]');
    expect(fmt('75fe', 4, 0x8049000)).toBe('jne 0x8049000');
    expect(fmt('f3a5')).toBe('rep movsd');
    expect(fmt('f3a6')).toBe('repe cmpsb');
    expect(fmt('dd00')).toBe('fld qword ptr [eax]');
    expect(fmt('d8c3')).toBe('fadd st(0), st(3)');
    expect(fmt('83c0ff')).toBe('add eax, 0xffffffff');
    expect(fmt('f00fc10b')).toBe('lock xadd dword ptr [ebx], ecx');
    expect(fmt('648b0d30000000')).toBe('mov ecx, dword ptr fs:[0x30]');
    expect(fmt('8b46fe', 2)).toBe('mov ax, word ptr [bp-0x2]');
    expect(fmt('8d0400')).toBe('lea eax, [eax+eax]');
    expect(fmt('660fefc1')).toBe('pxor xmm0, xmm1');
    expect(fmt('0f6fc1')).toBe('movq mm0, mm1');
    expect(fmt('0f20e0')).toBe('mov eax, cr4');
    expect(fmt('8cd8')).toBe('mov eax, ds');
    expect(fmt('ea785634120800')).toBe('jmp 0x8:0x12345678');
    expect(fmt('dfe0')).toBe('fnstsw ax');
    expect(fmt('0fa2')).toBe('cpuid');
  });
});

describe('ISA table', () => {
  it('has consistent rows', () => {
    for (const e of ISA_TABLE) {
      const name = `${e.mnemonic} ${e.operands.join(',')}`;
      expect(e.flagsWritten & e.flagsUndefined, name).toBe(e.flagsUndefined);
      if (e.cond >= 0) expect(e.flagsRead & COND_FLAGS[e.cond], name).toBe(COND_FLAGS[e.cond]);
      if (e.lockable) expect(/^[EM]/.test(e.operands[0] ?? ''), name).toBe(true);
      if (e.ext >= 0 || e.rm >= 0) expect(e.modrm, name).toBe(true);
    }
  });

  /** An encoding of the row: its mandatory prefix, opcode bytes, a ModRM byte matching it, zeros. */
  function encode(e: IsaEntry): Uint8Array {
    const out: number[] = [];
    if (e.mandatory !== 0 && e.mandatory !== NP) out.push(e.mandatory);
    if (e.map === 0x0f) out.push(0x0f);
    else if (e.map === 0x0f38) out.push(0x0f, 0x38);
    else if (e.map === 0x0f3a) out.push(0x0f, 0x3a);
    out.push(e.opcode);
    if (e.modrm) {
      const mod = e.modForm === 'mem' ? 0 : 3;
      const reg = e.ext >= 0 ? e.ext : 0;
      const rm = e.rm >= 0 ? e.rm : 0;
      out.push((mod << 6) | (reg << 3) | rm);
    }
    while (out.length < 15) out.push(0);
    return Uint8Array.from(out);
  }

  it('decodes an encoding of every row back to that row', () => {
    for (const e of ISA_TABLE) {
      const b = encode(e);
      const r = decode(b, 0, b.length, 0, 4);
      expect(r.ok && r.insn.entry, `${e.mnemonic} ${e.operands.join(',')}`).toBe(e);
    }
  });
});
