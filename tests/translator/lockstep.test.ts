// --engine lockstep: every block runs interpreted and translated from the
// same state and the two results are compared (src/translator/lockstep.ts).
//
// On bare machines: the comparison agrees on correct code (loads, stores,
// calls, string moves, faults, self-modifying code) and reports a broken
// translation (an emitter patched to miscompile) with the block address,
// its disassembly and the differing fields. On the corpus: a representative
// subset of tests/guest runs under --engine lockstep with 0 divergences and
// the same output as native (the whole corpus takes many minutes under
// lockstep; WV_LOCKSTEP_ALL=1 runs all of it, with tests/guest/EXCLUDED).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runLinuxProgram } from '../../src/linux/run.js';
import { createBareMachine } from '../../src/runtime/bare.js';
import { Vector } from '../../src/runtime/exceptions.js';
import { readFlags } from '../../src/runtime/flags.js';
import { Slot } from '../../src/runtime/layout.js';
import type { Engine } from '../../src/runtime/machine.js';
import { Emitter } from '../../src/translator/emitter.js';
import { EXIT_LOCKSTEP_DIVERGENCE } from '../../src/translator/lockstep.js';
import { GUEST_DIR, listGuests } from '../guest/build.mjs';
import { exclusionOf, qemuDeviationOf } from '../lib/excluded.js';
import { Pool, compareRuns, i386Reference, runCli, runNative, type RunResult } from '../lib/run.js';
import { assemble } from '../runtime/asm.js';
import { mixedLoop, selfPatchingLoop } from './programs.js';

const CODE = 0x1000;
const DATA = 0x3000;

function bare(source: string, engine: Engine) {
  const m = createBareMachine({ code: assemble(source), address: CODE, map: [[CODE, 0x1000], [DATA, 0x2000]], engine });
  const stop = m.vm.run(10_000_000);
  const s = m.vm.cpu.s;
  return {
    ...m,
    stop,
    state: {
      trap: m.traps.last?.vector ?? null,
      regs: Array.from(s.subarray(0, 8)),
      eip: m.vm.cpu.eip,
      eflags: readFlags(s) >>> 0,
      data: Array.from(m.vm.mmu.readBytes(DATA, 0x2000)),
      icount: m.vm.icount,
    },
  };
}


/**
 * Runs `f` with Emitter.prototype[name] replaced by `patch(original)`: a
 * translator that miscompiles, for the tests that lockstep catches it.
 */
async function withBrokenEmitter<K extends 'setReg' | 'store', T>(
  name: K,
  patch: (original: Emitter[K]) => Emitter[K],
  f: () => T | Promise<T>,
): Promise<T> {
  const proto = Emitter.prototype as Emitter;
  const original = proto[name];
  proto[name] = patch(original);
  try {
    return await f();
  } finally {
    proto[name] = original;
  }
}

/** setReg that adds 1 to every 32-bit value written to EBX. */
const ebxOffByOne = (original: Emitter['setReg']): Emitter['setReg'] =>
  function (this: Emitter, r: number, size: number, v: number) {
    return original.call(this, r, size, r === 3 && size === 4 ? this.m.i32.add(v, this.m.i32.const(1)) : v);
  };

/** store that writes the value plus 1. */
const storePlusOne = (original: Emitter['store']): Emitter['store'] =>
  function (this: Emitter, size: number, a: () => number, v: () => number) {
    return original.call(this, size, a, () => this.m.i32.add(v(), this.m.i32.const(1)));
  };

describe('lockstep on bare machines', () => {
  test('a mixed loop: every block is compared, none differs, the end state is the interpreter\'s', () => {
    const ref = bare(mixedLoop(300), 'interp');
    const r = bare(mixedLoop(300), 'lockstep');
    expect(ref.state.trap).toBe(0x80);
    expect(r.stop).toEqual({ kind: 'exit', status: 0 });
    expect(r.state).toEqual(ref.state);
    const l = r.vm.stats().lockstep!;
    expect(l.divergences).toBe(0);
    expect(l.blocksCompared).toBeGreaterThan(600); // two or three blocks per iteration
    expect(l.instructionsCompared).toBeGreaterThan(0.99 * r.vm.icount);
    expect(l.blocksInterpreted).toBe(1); // the block with INT 0x80
    // The translated runs really happened: they retired (nearly) every instruction.
    expect(r.vm.stats().translator!.translatedInstructions).toBe(l.instructionsCompared);
  });

  test('a fault inside a compared block: same precise state as the interpreter, delivered once', () => {
    const source = `mov esi, ${DATA}\nxor eax, eax\n1: add eax, [esi]\nmov [esi+4], eax\nadd esi, 512\ninc ebx\njmp 1b`;
    const ref = bare(source, 'interp');
    const r = bare(source, 'lockstep');
    expect(ref.state.trap).toBe(Vector.PF);
    expect(r.state).toEqual(ref.state);
    expect(r.traps.last?.exception?.address).toBe(DATA + 0x2000);
    expect(r.vm.stats().lockstep!.divergences).toBe(0);
  });

  test('a block that writes its own code runs through the interpreter only, and execution stays exact', () => {
    const source = selfPatchingLoop(50, CODE);
    const ref = bare(source, 'interp');
    const r = bare(source, 'lockstep');
    expect(r.state).toEqual(ref.state);
    const l = r.vm.stats().lockstep!;
    expect(l.selfModifying).toBeGreaterThan(0);
    expect(l.blocksCompared).toBeGreaterThan(0);
    expect(l.divergences).toBe(0);
  });

  test('a translator that miscompiles a register write is caught: block address, disassembly, differing fields marked', async () => {
    const source = `mov eax, 1\nmov ebx, 5\nadd eax, ebx\njmp 1f\n1: int 0x80`;
    const r = await withBrokenEmitter('setReg', ebxOffByOne, () => bare(source, 'lockstep'));
    expect(r.stop.kind).toBe('error');
    if (r.stop.kind !== 'error') return;
    expect(r.stop.status).toBe(EXIT_LOCKSTEP_DIVERGENCE);
    const msg = r.stop.message;
    expect(msg).toContain('lockstep: the translated block at 0x00001000 diverges');
    expect(msg).toMatch(/0x00001005 +bb 05 00 00 00 +mov ebx, 0x5/);
    expect(msg).toMatch(/^ {2}ebx +0x00000005 +0x00000006 +<-- differs$/m);
    expect(msg).toMatch(/^ {2}eax +0x00000006 +0x00000007 +<-- differs$/m);
    expect(msg).toMatch(/^ {2}eip +0x0000100e +0x0000100e$/m); // agreeing fields are shown unmarked
    expect(r.vm.stats().lockstep!.divergences).toBe(1);
    // The guest's interrupt was never reached.
    expect(r.traps.last).toBeNull();
  });

  test('a translator that miscompiles a store is caught, with the bytes that differ', async () => {
    const source = `mov dword ptr [${DATA + 8}], 0x11223344\njmp 1f\n1: int 0x80`;
    const r = await withBrokenEmitter('store', storePlusOne, () => bare(source, 'lockstep'));
    expect(r.stop.kind).toBe('error');
    if (r.stop.kind !== 'error') return;
    expect(r.stop.message).toMatch(/memory: 4 byte\(s\) written, 1 differ/);
    expect(r.stop.message).toMatch(/mem 0x00003008 +44 33 22 11 +45 33 22 11 +<-- differs \(before: 00 00 00 00\)/);
  });

  test('the CLI path: a divergence ends the Linux run with status 3 and the report', async () => {
    const diag: string[] = [];
    let out = '';
    const status = await withBrokenEmitter('store', storePlusOne, () =>
      runLinuxProgram({
        program: join(GUEST_DIR, 'build', 'sieve.O2'),
        args: [],
        env: [],
        memoryBytes: 64 << 20,
        engine: 'lockstep',
        stats: true,
        stdio: { stdin: '', stdout: (d) => (out += Buffer.from(d).toString()), stderr: (d) => (out += Buffer.from(d).toString()) },
        diag: (l) => diag.push(l),
      }),
    );
    expect(status).toBe(EXIT_LOCKSTEP_DIVERGENCE);
    const text = diag.join('\n');
    expect(text).toMatch(/lockstep: the translated block at 0x[0-9a-f]{8} diverges from the interpreter/);
    expect(text).toMatch(/<-- differs/);
    expect(text).toMatch(/lockstep compared \d+ blocks .*; 1 divergences/);
  });
});

// ---------------------------------------------------------------------------------------------- corpus

/**
 * The corpus programs run under lockstep by default: the ISA-level assembly
 * tests, a few C programs (libc start-up, printf, setjmp, TLS, stdin,
 * faults, self-modifying code) and a string/REP test: under a minute on
 * two cores, where the full corpus takes about seven.
 */
const SUBSET = [
  'alu_logic', 'alu_unary', 'bitscan', 'cond', 'div_idiv', 'far', 'flags', 'loops', 'misc', 'mul_imul', 'segquery', 'stack',
  'startup', 'string',
  'fault_div0.O2', 'fault_segv.O2', 'fp_longdouble.O2', 'matrix.O2', 'printf.O2', 'selfmod.O2', 'setjmp.O2', 'stdin_filter.O2', 'tls.O2',
];
const ALL = process.env.WV_LOCKSTEP_ALL === '1';
const pool = new Pool();


/** Splits --stats off wasmvisor's stderr (printStats writes last, starting with "N instructions in"). */
function withoutStats(r: RunResult): { run: RunResult; stats: string } {
  const text = r.stderr.toString('latin1');
  const at = text.search(/^wasmvisor: \d+ instructions in /m);
  if (at < 0) return { run: r, stats: '' };
  return { run: { ...r, stderr: Buffer.from(text.slice(0, at), 'latin1') }, stats: text.slice(at) };
}

describe.concurrent(`corpus under --engine lockstep (${ALL ? 'all programs' : 'a representative subset; WV_LOCKSTEP_ALL=1 for all'})`, () => {
  const guests = listGuests().filter((g) => ALL || SUBSET.includes(g.name));

  test('every program of the subset exists in the corpus', () => {
    expect(guests.map((g) => g.name).sort()).toEqual(ALL ? expect.any(Array) : [...SUBSET].sort());
  });

  for (const g of guests) {
    const reason = exclusionOf(g.name);
    if (reason) {
      test.skip(`${g.name} (excluded: ${reason})`, () => {});
      continue;
    }
    // where qemu-i386 is the reference and differs from the CPU (tests/guest/QEMU-DEVIATIONS), the output is compared with the interpreter's
    const deviation = i386Reference().name === 'qemu-i386' ? qemuDeviationOf(g.name) : undefined;
    test(
      `${g.name}: no divergence, same output as ${deviation ? 'interp (qemu-i386 differs from the CPU here)' : 'native'}`,
      async () => {
        expect(existsSync(g.path), `${g.path} was not built`).toBe(true);
        const opts = { args: g.args, stdin: g.stdin };
        const [native, emu] = await Promise.all([
          pool.run(() => (deviation ? runCli(['run', '--engine', 'interp', ...g.wasmvisor, g.path, ...g.args], opts) : runNative(g.path, opts))),
          pool.run(() => runCli(['run', '--engine', 'lockstep', '--stats', ...g.wasmvisor, g.path, ...g.args], { ...opts, timeoutMs: 600_000 })),
        ]);
        if (emu.timedOut) throw new Error(`${g.name}: wasmvisor --engine lockstep timed out after ${emu.durationMs} ms`);
        const { run, stats } = withoutStats(emu);
        const m = /lockstep compared (\d+) blocks \((\d+) instructions\), (\d+) blocks interpreted only.*; (\d+) divergences/.exec(stats);
        if (!m) throw new Error(`${g.name}: no lockstep statistics in wasmvisor's stderr:\n${emu.stderr.toString().slice(-3000)}`);
        const problems = compareRuns(native, run);
        if (problems.length) throw new Error(`${g.name}: wasmvisor --engine lockstep differs from native\n${problems.join('\n')}`);
        expect(Number(m[4]), stats).toBe(0);
        // The subset's programs all have blocks to compare (some fault_*.S programs have none: every block makes a system call or faults).
        if (!ALL) expect(Number(m[1]), 'blocks compared').toBeGreaterThan(0);
      },
      900_000,
    );
  }
});
