import { readFileSync } from 'node:fs';
import { decode, formatInstruction } from '../decoder/index.js';

export interface DisasmOptions {
  hex?: string;
  mode: string;
  offset?: number;
  address?: number;
  length?: number;
  count?: number;
}

/** Finds the file offset of a virtual address in an ELF32 file's PT_LOAD segments, or -1. */
function elfOffsetOf(bytes: Uint8Array, vaddr: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = dv.getUint32(28, true), phentsize = dv.getUint16(42, true), phnum = dv.getUint16(44, true);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + 32 > bytes.length || dv.getUint32(p, true) !== 1) continue;
    const off = dv.getUint32(p + 4, true), va = dv.getUint32(p + 8, true), filesz = dv.getUint32(p + 16, true);
    if (vaddr >= va && vaddr < va + filesz) return off + (vaddr - va);
  }
  return -1;
}

/** `wasmvisor disasm`: returns the exit status. */
export function runDisasm(file: string | undefined, opts: DisasmOptions): number {
  const fail = (msg: string): number => {
    process.stderr.write(`wasmvisor disasm: ${msg}\n`);
    return 2;
  };
  const size = opts.mode === '16' ? 2 : opts.mode === '32' ? 4 : 0;
  if (!size) return fail(`--mode must be 16 or 32, not "${opts.mode}"`);
  let bytes: Uint8Array;
  let start = 0;
  let address = opts.address ?? 0;
  if (opts.hex !== undefined) {
    const clean = opts.hex.replace(/[\s,]|0x/gi, '');
    if (!/^([0-9a-f]{2})*$/i.test(clean)) return fail('--hex wants pairs of hex digits, e.g. "8b 44 24 04"');
    bytes = Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
  } else {
    if (!file) return fail('give a FILE or --hex BYTES');
    try {
      bytes = readFileSync(file);
    } catch (e) {
      return fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const isElf = bytes.length > 52 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
    if (opts.offset !== undefined) start = opts.offset;
    else if (opts.address !== undefined && isElf) {
      start = elfOffsetOf(bytes, opts.address);
      if (start < 0) return fail(`address 0x${opts.address.toString(16)} is not in a loaded segment of ${file}`);
    }
    if (opts.address === undefined) address = start;
  }
  if (start < 0 || start > bytes.length) return fail(`offset ${start} is outside the input (${bytes.length} bytes)`);
  const end = Math.min(bytes.length, opts.length !== undefined ? start + opts.length : bytes.length);
  const out: string[] = [];
  let pos = start;
  let n = 0;
  while (pos < end && (opts.count === undefined || n < opts.count)) {
    const eip = (address + (pos - start)) >>> 0;
    const r = decode(bytes, pos, end - pos, eip, size);
    const len = r.ok ? r.insn.length : Math.max(1, Math.min(r.length, end - pos));
    const hex = Array.from(bytes.subarray(pos, pos + len), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = r.ok ? formatInstruction(r.insn) : r.reason === 'truncated' ? '(truncated)' : '(bad)';
    out.push(`${eip.toString(16).padStart(8, '0')}:  ${hex.padEnd(30)} ${text}`);
    pos += len;
    n++;
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
  return 0;
}
