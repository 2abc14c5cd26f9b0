import { describe, expect, test } from 'vitest';
import { decode } from '../src/decoder/decoder.js';
import { deadFlagWriters, flagsLiveIn } from '../src/decoder/flag-liveness.js';
import { ARITH_FLAGS } from '../src/decoder/types.js';
import type { Instruction } from '../src/decoder/types.js';

/** Decodes a straight run of 32-bit code given as hex. */
function block(hex: string): Instruction[] {
  const bytes = Uint8Array.from(hex.replace(/\s+/g, '').match(/../g)!, (h) => parseInt(h, 16));
  const out: Instruction[] = [];
  for (let off = 0; off < bytes.length; ) {
    const r = decode(bytes, off, bytes.length - off, 0x1000 + off, 4);
    if (!r.ok) throw new Error(`cannot decode at ${off}`);
    out.push(r.insn);
    off += r.insn.length;
  }
  return out;
}

describe('flag liveness', () => {
  test('flags overwritten before any read are dead; a CF that survives DEC is not', () => {
    // add eax, ecx; xor edx, eax; dec ecx; jnz -6
    expect(deadFlagWriters(block('01 c8 31 c2 49 75 f9'))).toEqual([true, false, false, false]);
  });

  test('AF left undefined by TEST and MUL is still overwritten (wasmvisor clears it); by BT it is not', () => {
    // inc ecx; inc edx; test al, al; jne -6 (glibc's strcmp): no AF of an INC survives TEST
    expect(deadFlagWriters(block('41 42 84 c0 75 fa'))).toEqual([true, true, false, false]);
    // inc edx; imul eax, ecx; jne: IMUL gives SF ZF AF PF fixed values too
    expect(deadFlagWriters(block('42 0f af c1 75 fa'))).toEqual([true, false, false]);
    // add eax, 1; bt ecx, 3; jo: BT leaves OF SF AF PF undefined, and the interpreter keeps them
    expect(deadFlagWriters(block('83 c0 01 0f ba e1 03 70 fa'))).toEqual([false, false, false]);
  });

  test('everything is live at the end of the block', () => {
    // sub eax, 1; add ebx, 2
    expect(deadFlagWriters(block('83 e8 01 83 c3 02'))).toEqual([true, false]);
  });

  test('given what the successors need (the translator\'s region-wide pass), the last writer can be dead too', () => {
    const CF = 0x1;
    // add eax, ecx; cmp eax, 5; jb +2: the jump reads CF; nothing after it needs a flag
    const run = block('01 c8 83 f8 05 72 02');
    expect(deadFlagWriters(run, 0)).toEqual([true, false, false]);
    expect(flagsLiveIn(run, 0)).toBe(0);
    // sub ebx, 1 (ends the run): live only when a successor reads its flags
    expect(deadFlagWriters(block('83 eb 01'), 0)).toEqual([true]);
    expect(deadFlagWriters(block('83 eb 01'), CF)).toEqual([false]);
    // inc eax keeps CF: a successor that reads CF sees the flags from before the run
    expect(flagsLiveIn(block('40'), CF)).toBe(CF);
    // A call at the end pushes (may fault): every flag is live before it, whatever the successors need.
    expect(flagsLiveIn(block('83 eb 01 e8 00 00 00 00'), 0)).toBe(0);
    expect(deadFlagWriters(block('83 eb 01 e8 00 00 00 00'), 0)).toEqual([false, false]);
    expect(flagsLiveIn(block('e8 00 00 00 00'), 0)).toBe(ARITH_FLAGS);
  });

  test('an instruction that may fault reads every flag (exceptions see exact flags)', () => {
    // add eax, ecx; mov edx, [eax]; sub eax, 1
    expect(deadFlagWriters(block('01 c8 8b 10 83 e8 01'))).toEqual([false, false, false]);
  });

  test('an instruction that only reads memory faults before it writes a flag: its own flags can be dead; one that writes memory keeps them', () => {
    // imul edx, [ebx]; add eax, 4 (matmul's inner loop)
    expect(deadFlagWriters(block('0f af 13 83 c0 04'))).toEqual([true, false]);
    // cmp [ebx], eax; add eax, 4
    expect(deadFlagWriters(block('39 03 83 c0 04'))).toEqual([true, false]);
    // add [ebx], eax; add eax, 4: a store that hits code ends the block after it, with its flags
    expect(deadFlagWriters(block('01 03 83 c0 04'))).toEqual([false, false]);
    // add eax, ecx; imul edx, [ebx]: the IMUL's read may fault, so the ADD's flags stay
    expect(deadFlagWriters(block('01 c8 0f af 13 83 c0 04'))).toEqual([false, true, false]);
  });

  test('a write that depends on a run-time count kills nothing', () => {
    // add eax, ecx; shl eax, cl: with CL = 0 the flags of ADD reach the end of the block
    expect(deadFlagWriters(block('01 c8 d3 e0'))).toEqual([false, false]);
    // ... unless something unconditional overwrites them later: add; shl eax, cl; sub ebx, 1
    expect(deadFlagWriters(block('01 c8 d3 e0 83 eb 01'))).toEqual([true, true, false]);
  });

  test('a reader keeps the flags it reads alive', () => {
    // cmp eax, ecx; adc edx, 0; sub ebx, 1
    expect(deadFlagWriters(block('39 c8 83 d2 00 83 eb 01'))).toEqual([false, true, false]);
  });
});
