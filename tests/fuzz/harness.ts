/**
 * Differential fuzzing of the interpreter against the real CPU: building,
 * running and comparing the programs of generate.ts.
 *
 * For one seed: generate the cases, assemble and link them (as --32,
 * ld -m elf_i386 -static, no libc), run the program natively and under
 * `wasmvisor run --engine interp`, compare the two outputs byte for byte.
 * Every differing case is then minimised: its instruction prefixes are run
 * to find the first instruction that diverges, and that instruction alone
 * is re-run from the native machine state before it. The report gives the
 * instruction (bytes and text), its inputs and both results.
 *
 * Like generate.ts this module has only type imports from src/: the decoder
 * (for the disassembly in reports and the encoding self-check) is passed in.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IsaEntry } from '../../src/decoder/types.js';
import {
  analyzeCase, DUMP_SIZE, generateCases, isReject, parseDump, programSource, REG32, rowName, SCRATCH, SECTION_ADDR, SECTION_SIZE,
} from './generate.js';
import type { Dump, FuzzCase, GenerateOptions, Insn, MachineState } from './generate.js';

export interface HarnessDeps {
  table: readonly IsaEntry[];
  /** path of dist/cli/main.js */
  cli: string;
  /** decodes one instruction: its row, its length and its Intel-syntax text (null when invalid) */
  decode: (bytes: Uint8Array) => { row: IsaEntry; length: number; text: string } | null;
}

export interface ProcessResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  signal: string | null;
  error?: string;
}

export function runProcess(cmd: string, args: string[], timeoutMs = 300_000): Promise<ProcessResult> {
  return new Promise((done) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let error: string | undefined;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } });
    const timer = setTimeout(() => {
      error = `timed out after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      error = String(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString(), code, signal, error });
    });
  });
}

/** Assembles and links `source` into dir/name; returns the executable's path. */
export async function buildProgram(source: string, dir: string, name: string): Promise<string> {
  const src = join(dir, `${name}.s`);
  const obj = join(dir, `${name}.o`);
  const exe = join(dir, name);
  writeFileSync(src, source);
  const as = await runProcess('as', ['--32', '-o', obj, src]);
  if (as.code !== 0) throw new Error(`as failed for ${src}: ${as.error ?? ''}${as.stderr.slice(0, 2000)}`);
  const ld = await runProcess('ld', ['-m', 'elf_i386', '-static', `--section-start=.scratch=0x${SECTION_ADDR.toString(16)}`, '-o', exe, obj]);
  if (ld.code !== 0) throw new Error(`ld failed for ${obj}: ${ld.error ?? ''}${ld.stderr.slice(0, 2000)}`);
  return exe;
}

interface Runs {
  native: ProcessResult;
  emu: ProcessResult;
}

async function runBoth(deps: HarnessDeps, exe: string): Promise<Runs> {
  const [native, emu] = await Promise.all([
    runProcess(exe, []),
    runProcess(process.execPath, [deps.cli, 'run', '--engine', 'interp', exe]),
  ]);
  return { native, emu };
}

function describeExit(r: ProcessResult): string {
  if (r.error) return r.error;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit status ${r.code}`;
}

// ---------------------------------------------------------------------------
// Text

const hex = (v: number, w = 8) => '0x' + (v >>> 0).toString(16).padStart(w, '0');
const FLAG_NAMES: [number, string][] = [
  [0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x100, 'TF'], [0x200, 'IF'], [0x400, 'DF'],
  [0x800, 'OF'], [0x3000, 'IOPL'], [0x4000, 'NT'], [0x10000, 'RF'], [0x20000, 'VM'], [0x40000, 'AC'],
  [0x80000, 'VIF'], [0x100000, 'VIP'], [0x200000, 'ID'],
];

export function flagText(v: number): string {
  const names = FLAG_NAMES.filter(([b]) => v & b).map(([, n]) => n);
  return `${hex(v, 6)} [${names.join(' ')}]`;
}

function bytesText(b: ArrayLike<number>): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export function insnText(deps: HarnessDeps, insn: Insn): string {
  const d = deps.decode(Uint8Array.from(insn.bytes));
  return `${bytesText(insn.bytes).padEnd(36)} ${d ? d.text : '(does not decode)'}   [${rowName(insn.row)}]`;
}

function stateText(s: MachineState | Dump, mask?: number): string {
  const regs = s.regs.map((v, r) => `${REG32[r]}=${hex(v)}`).join(' ');
  const flags = 'eflags' in s ? flagText(s.eflags) : '';
  return `${regs}\n    eflags=${flags}${mask !== undefined ? `  (compared: ${flagText(mask)})` : ''}`;
}

function memText(mem: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < mem.length; i += 32) lines.push(`    ${hex(SCRATCH + i)}: ${bytesText(mem.subarray(i, i + 32))}`);
  return lines.join('\n');
}

function dumpDifferences(a: Dump, b: Dump): string[] {
  const out: string[] = [];
  for (let r = 0; r < 8; r++) if (a.regs[r] !== b.regs[r]) out.push(`${REG32[r]}: native ${hex(a.regs[r])}, wasmvisor ${hex(b.regs[r])}`);
  if (a.eflags !== b.eflags) {
    const diff = a.eflags ^ b.eflags;
    const names = FLAG_NAMES.filter(([bit]) => diff & bit).map(([bit, n]) => `${n}=${a.eflags & bit ? 1 : 0}/${b.eflags & bit ? 1 : 0}`);
    out.push(`eflags: native ${flagText(a.eflags)}, wasmvisor ${flagText(b.eflags)} (native/wasmvisor: ${names.join(' ')})`);
  }
  for (let i = 0; i < a.mem.length; i++) {
    if (a.mem[i] === b.mem[i]) continue;
    let j = i;
    while (j + 1 < a.mem.length && a.mem[j + 1] !== b.mem[j + 1]) j++;
    out.push(`memory ${hex(SCRATCH + i)}..+${j - i + 1}: native ${bytesText(a.mem.subarray(i, j + 1))}, wasmvisor ${bytesText(b.mem.subarray(i, j + 1))}`);
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Running cases

export interface CaseOutcome {
  native: Dump | null;
  /** null when wasmvisor died before this case's dump */
  emu: Dump | null;
  emuExit: string;
  emuStderr: string;
  nativeExit: string;
}

/** Runs cases (each dump flushed at once) and returns, per case, both dumps. */
async function runCases(deps: HarnessDeps, dir: string, name: string, cases: FuzzCase[]): Promise<CaseOutcome[]> {
  const exe = await buildProgram(programSource(cases, true), dir, name);
  const { native, emu } = await runBoth(deps, exe);
  return cases.map((_, i) => ({
    native: parseDump(native.stdout, i),
    emu: parseDump(emu.stdout, i),
    emuExit: describeExit(emu),
    emuStderr: emu.stderr.trim().split('\n').slice(-3).join(' | '),
    nativeExit: describeExit(native),
  }));
}

function sameDump(a: Dump | null, b: Dump | null): boolean {
  if (!a || !b) return a === b;
  return a.eflags === b.eflags && a.regs.every((v, i) => v === b.regs[i]) && Buffer.compare(Buffer.from(a.mem), Buffer.from(b.mem)) === 0;
}

export interface Divergence {
  seed: number;
  caseIndex: number;
  /** the case as generated */
  original: FuzzCase;
  /** the smallest case that still diverges (one instruction when possible) */
  minimal: FuzzCase;
  outcome: CaseOutcome;
  /** the minimal case is a single instruction */
  single: boolean;
  report: string;
}

function stateFromDump(d: Dump): MachineState {
  return { regs: d.regs.slice(), eflags: (d.eflags | 0x2) >>> 0, mem: d.mem.slice() };
}

function divergenceReport(deps: HarnessDeps, seed: number, original: FuzzCase, minimal: FuzzCase, o: CaseOutcome): string {
  const lines: string[] = [];
  lines.push(`seed ${seed} case ${original.index}: ${original.insns.length} instruction(s) generated, minimal case ${minimal.insns.length}:`);
  for (const insn of minimal.insns) lines.push(`  ${insnText(deps, insn)}`);
  if (original.insns.length > minimal.insns.length) {
    lines.push('  (generated sequence:');
    for (const insn of original.insns) lines.push(`     ${insnText(deps, insn)}`);
    lines.push('  )');
  }
  lines.push(`  input:\n    ${stateText(minimal.init, minimal.flagMask)}`);
  if (minimal.regMask) lines.push(`    undefined (masked) registers: ${REG32.filter((_, r) => minimal.regMask & (1 << r)).join(' ')}`);
  lines.push(`  input memory:\n${memText(minimal.init.mem)}`);
  if (!o.native) {
    lines.push(`  native run failed: ${o.nativeExit}`);
  } else if (!o.emu) {
    lines.push(`  native:\n    ${stateText(o.native)}`);
    lines.push(`  wasmvisor died: ${o.emuExit}: ${o.emuStderr}`);
  } else {
    lines.push(`  native:    ${stateText(o.native)}`);
    lines.push(`  wasmvisor: ${stateText(o.emu)}`);
    lines.push('  differences:');
    for (const d of dumpDifferences(o.native, o.emu)) lines.push(`    ${d}`);
  }
  return lines.join('\n');
}

/** Finds the smallest diverging form of case `c` (see the module comment). */
export async function minimise(deps: HarnessDeps, dir: string, seed: number, c: FuzzCase): Promise<Divergence> {
  let prefixes: FuzzCase[] = [];
  let outs: CaseOutcome[] = [];
  let k = c.insns.length;
  if (c.insns.length > 1) {
    prefixes = c.insns.map((_, n) => analyzeCase(c.init, c.insns.slice(0, n + 1), n));
    outs = await runCases(deps, dir, `seed${seed}-case${c.index}-prefix`, prefixes);
    k = outs.findIndex((o) => !sameDump(o.native, o.emu)) + 1;
    if (k === 0) k = c.insns.length; // only diverges in the full program (should not happen)
  } else {
    prefixes = [analyzeCase(c.init, c.insns, 0)];
    outs = await runCases(deps, dir, `seed${seed}-case${c.index}-alone`, prefixes);
  }
  let minimal = prefixes[k - 1];
  let outcome = outs[k - 1];
  if (k > 1 && outs[k - 2].native) {
    // the diverging instruction alone, from the native state before it
    try {
      const single = analyzeCase(stateFromDump(outs[k - 2].native!), [c.insns[k - 1]], 0);
      const [o] = await runCases(deps, dir, `seed${seed}-case${c.index}-single`, [single]);
      if (!sameDump(o.native, o.emu)) {
        minimal = single;
        outcome = o;
      }
    } catch (e) {
      if (!isReject(e)) throw e;
    }
  }
  return {
    seed, caseIndex: c.index, original: c, minimal, outcome, single: minimal.insns.length === 1,
    report: divergenceReport(deps, seed, c, minimal, outcome),
  };
}

// ---------------------------------------------------------------------------
// One seed

export interface SeedResult {
  seed: number;
  cases: number;
  instructions: number;
  /** rows executed, by rowName */
  rows: Map<string, number>;
  groups: Map<string, number>;
  /** generator self-check failures (an encoding that does not decode to its row) */
  encodingErrors: string[];
  /** the native run did not produce every dump: a generator bug */
  nativeError?: string;
  /** all dumps match but memory outside the scratch area differs at the end */
  strayWrite?: string;
  /** wasmvisor exit when it was not a clean 0 */
  emuExit?: string;
  divergences: Divergence[];
  /** number of differing cases (divergences holds at most maxReports of them) */
  differing: number;
  ms: number;
}

export interface SeedOptions extends Omit<GenerateOptions, 'seed' | 'cases'> {
  /** cases minimised and reported (default 10) */
  maxReports?: number;
  /** keep the build directory */
  keep?: boolean;
  /** build directory (default: a new temporary directory) */
  dir?: string;
}

export function checkEncodings(deps: HarnessDeps, cases: readonly FuzzCase[]): string[] {
  const errors: string[] = [];
  for (const c of cases) {
    for (const insn of c.insns) {
      const d = deps.decode(Uint8Array.from(insn.bytes));
      const r = insn.row;
      if (!d) errors.push(`case ${c.index}: ${bytesText(insn.bytes)} does not decode (${rowName(r)})`);
      else if (d.length !== insn.bytes.length) errors.push(`case ${c.index}: ${bytesText(insn.bytes)} decodes with length ${d.length}`);
      else if (d.row.op !== r.op || d.row.opcode !== r.opcode || d.row.map !== r.map || d.row.mnemonic !== r.mnemonic) {
        errors.push(`case ${c.index}: ${bytesText(insn.bytes)} decodes as ${rowName(d.row)}, generated for ${rowName(r)}`);
      }
    }
  }
  return errors;
}

export async function fuzzSeed(deps: HarnessDeps, seed: number, count: number, opts: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const cases = generateCases(deps.table, { ...opts, seed, cases: count });
  const rows = new Map<string, number>();
  const groups = new Map<string, number>();
  let instructions = 0;
  for (const c of cases) {
    for (const insn of c.insns) {
      instructions++;
      const n = rowName(insn.row);
      rows.set(n, (rows.get(n) ?? 0) + 1);
      groups.set(insn.row.group, (groups.get(insn.row.group) ?? 0) + 1);
    }
  }
  const result: SeedResult = {
    seed, cases: cases.length, instructions, rows, groups, encodingErrors: checkEncodings(deps, cases), divergences: [],
    differing: 0, ms: 0,
  };
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'wasmvisor-fuzz-'));
  try {
    const exe = await buildProgram(programSource(cases), dir, `seed${seed}`);
    const { native, emu } = await runBoth(deps, exe);
    const size = cases.length * DUMP_SIZE + SECTION_SIZE;
    if (native.code !== 0 || native.stdout.length !== size) {
      result.nativeError = `native run: ${describeExit(native)}, ${native.stdout.length} of ${size} bytes (${exe})`;
      // a generator bug: find the case with per-case flushes
      const from = Math.floor(native.stdout.length / DUMP_SIZE);
      const rest = cases.slice(from);
      const outs = await runCases(deps, dir, `seed${seed}-native-from${from}`, rest);
      const j = outs.findIndex((o) => !o.native);
      if (j >= 0) {
        const c = rest[j];
        result.nativeError += `\n  first failing case ${c.index}:\n${c.insns.map((i) => '    ' + insnText(deps, i)).join('\n')}\n    ${stateText(c.init)}`;
      }
      return result;
    }
    if (emu.code !== 0 || emu.signal || emu.error) result.emuExit = `${describeExit(emu)}: ${emu.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    if (emu.code === 0 && Buffer.compare(native.stdout, emu.stdout) === 0) return result;
    const dumps = cases.length * DUMP_SIZE;
    if (emu.stdout.length === size && Buffer.compare(native.stdout.subarray(0, dumps), emu.stdout.subarray(0, dumps)) === 0) {
      // every dump matches but memory outside the scratch area differs at the end
      const a = native.stdout.subarray(dumps);
      const b = emu.stdout.subarray(dumps);
      const at = a.findIndex((v, i) => v !== b[i]);
      result.differing = 1;
      result.strayWrite = `memory outside the scratch area differs at the end of the program, first at ${hex(SECTION_ADDR + at)}: native ${bytesText(a.subarray(at, at + 8))}, wasmvisor ${bytesText(b.subarray(at, at + 8))} (bisect the cases with --filter / fewer cases)`;
      return result;
    }
    // differing cases (a dead emulator loses the dumps still in its output buffer)
    const diverging: FuzzCase[] = [];
    for (let i = 0; i < cases.length; i++) {
      const a = parseDump(native.stdout, i);
      const b = parseDump(emu.stdout, i);
      if (!b) {
        // wasmvisor died somewhere after its last flush: find the case with per-case flushes
        // (and go on after each case that kills it, up to maxReports divergences)
        let from = i;
        while (from < cases.length && diverging.length < (opts.maxReports ?? 10)) {
          const rest = cases.slice(from);
          const outs = await runCases(deps, dir, `seed${seed}-from${from}`, rest);
          from = cases.length;
          for (let j = 0; j < outs.length; j++) {
            if (sameDump(outs[j].native, outs[j].emu)) continue;
            diverging.push(rest[j]);
            result.differing++;
            if (!outs[j].emu) {
              from = rest[j].index + 1; // the case that killed it
              break;
            }
          }
        }
        break;
      }
      if (!sameDump(a, b)) {
        diverging.push(cases[i]);
        result.differing++;
      }
    }
    const max = opts.maxReports ?? 10;
    for (const c of diverging.slice(0, max)) result.divergences.push(await minimise(deps, dir, seed, c));
    return result;
  } finally {
    result.ms = Date.now() - started;
    if (!opts.keep && !opts.dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Summary lines for a set of seed results. */
export function summary(results: readonly SeedResult[], table: readonly IsaEntry[], included: readonly IsaEntry[]): string {
  const rows = new Map<string, number>();
  const groups = new Map<string, number>();
  let cases = 0;
  let instructions = 0;
  for (const r of results) {
    cases += r.cases;
    instructions += r.instructions;
    for (const [k, v] of r.rows) rows.set(k, (rows.get(k) ?? 0) + v);
    for (const [k, v] of r.groups) groups.set(k, (groups.get(k) ?? 0) + v);
  }
  const unexercised = included.map(rowName).filter((n, i, a) => a.indexOf(n) === i && !rows.has(n));
  const lines = [
    `${results.length} seed(s), ${cases} cases, ${instructions} instructions; ${rows.size} of ${new Set(included.map(rowName)).size} fuzzable rows exercised (${table.length} rows in the ISA table)`,
    `by group: ${[...groups].sort((a, b) => b[1] - a[1]).map(([g, n]) => `${g} ${n}`).join(', ')}`,
  ];
  if (unexercised.length) lines.push(`rows not exercised: ${unexercised.join('; ')}`);
  return lines.join('\n');
}
