/**
 * The decoder's output: what one x86 instruction is, with no execution
 * semantics. The interpreter, the translator and the disassembler all read
 * these records; the ISA table (isa-table.ts) is where their properties
 * come from.
 */

/** Segment register numbers, in encoding order. */
export const enum Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

/** EFLAGS bits. */
export const enum Flag {
  CF = 1 << 0,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
  IOPL = 3 << 12,
  NT = 1 << 14,
  RF = 1 << 16,
  VM = 1 << 17,
  AC = 1 << 18,
  VIF = 1 << 19,
  VIP = 1 << 20,
  ID = 1 << 21,
}

/** The six arithmetic status flags. */
export const ARITH_FLAGS = 0x8d5; // CF|PF|AF|ZF|SF|OF

/** Prefix bits recorded on a decoded instruction. */
export const enum Prefix {
  LOCK = 1 << 0,
  REP = 1 << 1, // F3 (REP / REPE / REPZ), also a mandatory SSE prefix
  REPNE = 1 << 2, // F2 (REPNE / REPNZ), also a mandatory SSE prefix
  OPSIZE = 1 << 3, // 66
  ADSIZE = 1 << 4, // 67
  SEG = 1 << 5, // some segment override was present (see Instruction.segOverride)
}

/**
 * Operand specifications in the Intel SDM appendix A notation, as used by
 * the ISA table. The decoder turns each into an Operand.
 *
 * Addressing method (first letter(s)):
 *   E = ModRM r/m (register or memory)   G = ModRM reg (general register)
 *   M = ModRM memory only                R = ModRM r/m register only
 *   I = immediate                        J = relative branch offset
 *   O = moffs (absolute offset)          A = far pointer (ptr16:16/32)
 *   S = ModRM reg as segment register    C = control reg   D = debug reg
 *   X = DS:eSI string source             Y = ES:eDI string destination
 *   P = ModRM reg MMX, Q = r/m MMX or mem, N = r/m MMX only
 *   V = ModRM reg XMM, W = r/m XMM or mem, U = r/m XMM only
 * Operand size (second letter(s)):
 *   b = byte, w = word, d = dword, q = qword, dq = 16 bytes,
 *   v = word/dword by operand size, z = same as v for immediates,
 *   p = far pointer 32/48 by operand size, a = BOUND pair,
 *   s = 6-byte pseudo descriptor (LGDT), x87 memory sizes via M-forms:
 *   Mf32 Mf64 Mf80 Mi16 Mi32 Mi64 Mbcd Menv Mstate (FSAVE area) Mfx (512 bytes).
 * Fixed registers: AL CL DX AX eAX eCX eDX eBX eSP eBP eSI eDI (e = sized by
 * operand size), segment registers ES CS SS DS FS GS, the constant 1 ("1"),
 * ST (st0) and STi (ModRM rm as x87 stack register).
 *
 * Additions used by the table (not in the SDM's own notation):
 *   Ibs = imm8 sign-extended to the operand size (83 /x, 6A, 6B);
 *   Evw = r/m whose register form is sized by operand size but whose memory
 *         form is a word (MOV Ev,Sw; SLDT; STR; SMSW; LAR/LSL source);
 *   Edw = r/m whose register form is a dword and memory form a word (PINSRW);
 *   DL BL AH CH DH BH = further fixed byte registers (MOV r8, imm8 rows).
 */
export type OperandSpec = string;

/** Kinds of operand after decoding. */
export type OperandKind =
  | 'reg' // general register; size 1 uses 0..3 = AL CL DL BL, 4..7 = AH CH DH BH
  | 'mem' // memory reference, see MemOperand fields
  | 'imm' // immediate value (also the constant 1 of shifts)
  | 'rel' // branch target (already resolved to an absolute EIP in `value`)
  | 'far' // far pointer immediate: `selector` and `value` (offset)
  | 'sreg' // segment register 0..5
  | 'creg' // control register
  | 'dreg' // debug register
  | 'st' // x87 stack register ST(reg)
  | 'mmx' // MMX register
  | 'xmm'; // XMM register

export interface Operand {
  kind: OperandKind;
  /** Size in bytes of the datum (1, 2, 4, 6, 8, 10, 16, or the area size for Menv/Mstate/Mfx). */
  size: number;
  /** Register number for reg/sreg/creg/dreg/st/mmx/xmm. */
  reg: number;
  /** imm: the value as the instruction uses it, sign-extended to 32 bits
   *  where the encoding sign-extends, zero-extended otherwise.
   *  rel: the absolute target EIP (wrapped to 16 bits with a 16-bit operand size).
   *  far: the offset part. mem: unused (see disp). */
  value: number;
  /** far: the selector part. */
  selector: number;
  // ---- memory operands ----
  /** Effective segment (after overrides and the SS default for eBP/eSP bases). */
  seg: Seg;
  /** Base register number, or -1. */
  base: number;
  /** Index register number, or -1. */
  index: number;
  /** log2 of the SIB scale: 0..3. */
  scale: number;
  /** Displacement (signed 32-bit; for 16-bit addressing, sign-extended disp8/disp16). */
  disp: number;
  /** Address size of the reference in bytes (2 or 4); 16-bit refs wrap at 64 KiB. */
  addrSize: number;
}

/** What an instruction does to control flow (a block boundary when not 'none'). */
export type ControlFlow =
  | 'none'
  | 'jmp' // unconditional direct
  | 'jcc' // conditional direct (includes LOOP/JCXZ)
  | 'jmp-indirect'
  | 'call'
  | 'call-indirect'
  | 'ret'
  | 'far' // far jmp/call/ret, iret
  | 'int' // INT n, INT3, INTO, syscalls
  | 'stop'; // HLT, and anything else that must end a block (mode changes, UD)

/** One row of the ISA table. */
export interface IsaEntry {
  /** Opcode map: 0 one-byte, 0x0f two-byte, 0x0f38 / 0x0f3a three-byte. x87 rows use map 0 with opcode 0xd8..0xdf. */
  map: number;
  opcode: number;
  /** ModRM.reg extension for group opcodes (0..7), or -1. */
  ext: number;
  /** x87 register forms (mod = 3): ModRM rm selector or -1 for "any". */
  rm: number;
  /** Mandatory prefix for SSE-style rows: 0 none, 0x66, 0xf3, 0xf2.
   *  0 means 66/F2/F3 do not select the row (they may still act as operand-size
   *  or REP prefixes); NP (0x100) marks rows the SDM writes "NP": valid only
   *  when none of 66/F2/F3 is present. When an opcode has rows with a mandatory
   *  prefix, the last F2/F3 prefix selects, else 66, else none. */
  mandatory: number;
  /** Whether this row applies only to mod = 3 ('reg'), only to mod != 3 ('mem') or both. */
  modForm: 'any' | 'reg' | 'mem';
  /** Display mnemonic for the default (32-bit) operand size, lower case Intel name. */
  mnemonic: string;
  /** Mnemonic with a 16-bit operand size when it differs ('cbw' for 'cwde',
   *  'movsw' for 'movsd'); for JECXZ it follows the address size instead. */
  mnemonic16?: string;
  /** Semantic operation name shared by variants: 'add', 'jcc', 'setcc', 'movs', 'fadd', ... */
  op: string;
  /** Condition code 0..15 for jcc/setcc/cmovcc/fcmovcc rows, else -1. */
  cond: number;
  operands: OperandSpec[];
  /** EFLAGS bits read, written, and left undefined (subset of written). */
  flagsRead: number;
  flagsWritten: number;
  flagsUndefined: number;
  /** The flags in flagsWritten are only written under a run-time condition
   *  (shift/rotate/SHLD/SHRD with a masked count of 0, REP CMPS/SCAS with
   *  eCX = 0 leave them unchanged), so flag liveness must not treat this
   *  instruction as killing earlier flag definitions. */
  flagsConditional?: boolean;
  /** wasmvisor gives the undefined flags fixed values, the same in the
   *  interpreter and the translator (logic ops clear AF; MUL/IMUL set SF ZF
   *  PF from the low result and clear AF), so flag liveness may treat them
   *  as written. Elsewhere an undefined flag may keep its old value. */
  undefinedFlagsFixed?: boolean;
  control: ControlFlow;
  /** Has a ModRM byte. */
  modrm: boolean;
  /** Privileged (CPL 0) or I/O-sensitive: interpreted, never translated inline. */
  privileged: boolean;
  /** Group for tests and statistics: 'alu', 'shift', 'string', 'x87', 'mmx', 'sse', 'sse2', 'system', ... */
  group: string;
  /** Valid with a LOCK prefix (when the destination is memory). */
  lockable: boolean;
}

/** A decoded instruction. */
export interface Instruction {
  /** Offset (EIP) of the first byte within CS. */
  eip: number;
  length: number;
  entry: IsaEntry;
  /** Mnemonic adjusted for operand size (e.g. 'cwde' vs 'cbw', 'movsd' vs 'movsw'). */
  mnemonic: string;
  /** Operand size in bytes: 2 or 4. */
  opSize: number;
  /** Address size in bytes: 2 or 4. */
  addrSize: number;
  /** Prefix bits (Prefix). */
  prefixes: number;
  /** Segment override 0..5, or -1. */
  segOverride: number;
  /** REP (F3) = 1, REPNE (F2) = 2, none = 0; only meaningful for string instructions. */
  rep: number;
  operands: Operand[];
  /** ModRM fields, or -1 when absent. */
  mod: number;
  regField: number;
  rm: number;
}

export type DecodeResult =
  | { ok: true; insn: Instruction }
  /** 'invalid': #UD on the real CPU (length = bytes consumed up to the point of the verdict).
   *  'truncated': the bytes ran out before the instruction did (the caller had fewer than 15).
   *  'too-long': the instruction would exceed 15 bytes (#GP(0) on the real CPU, not #UD). */
  | { ok: false; reason: 'invalid' | 'truncated' | 'too-long'; length: number };

/** IsaEntry.mandatory value for rows valid only without any 66/F2/F3 prefix (SDM "NP"). */
export const NP = 0x100;
