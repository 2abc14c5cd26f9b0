// The direct wasm encoder behind the translator's IR: constants at LEB128
// edges, branch depths through nested blocks, loops and ifs, br_table,
// tail calls, and every module a real program's regions produce validates
// under wabt and runs like the Binaryen-built one.
import initWabt from 'wabt';
import { describe, expect, test } from 'vitest';
import { BinaryenModule } from '../../src/translator/binaryen-backend.js';
import { IrModule, Ty } from '../../src/translator/ir.js';
import { WasmModule } from '../../src/translator/wasm-builder.js';

const I32 = Ty.i32;
const NONE = Ty.none;

/** Builds the same function with both backends and returns both instances' export. */
function both(build: (mod: IrModule) => void): Array<(...args: number[]) => number> {
  return [new WasmModule(), new BinaryenModule()].map((mod) => {
    try {
      build(mod);
      const instance = new WebAssembly.Instance(new WebAssembly.Module(mod.emitBinary()), {});
      return instance.exports.f as (...args: number[]) => number;
    } finally {
      mod.dispose();
    }
  });
}

describe('direct wasm encoder', () => {
  test('i32 and i64 constants at LEB128 edges come back unchanged', () => {
    const values = [0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, -8193, 0x7fffffff, -0x80000000, 0x12345678];
    for (const v of values) {
      const [direct, reference] = both((mod) => {
        mod.addFunction('f', [], I32, [], mod.ir.i32.const(v));
        mod.exportFunction('f');
      });
      expect(direct(), `i32.const ${v}`).toBe(reference());
      expect(direct()).toBe(v | 0);
    }
    for (const v of [32n, -1n, 1n << 40n, -(1n << 63n), (1n << 63n) - 1n]) {
      const [direct] = both((mod) => {
        const m = mod.ir;
        // The high and low halves, xor-ed, as an i32: checks all 64 bits.
        const big = () => m.i64.const(v);
        mod.addFunction('f', [], I32, [], m.i32.xor(m.i32.wrap(big()), m.i32.wrap(m.i64.shr_u(big(), m.i64.const(32n)))));
        mod.exportFunction('f');
      });
      const u = BigInt.asUintN(64, v);
      expect(direct(), `i64.const ${v}`).toBe(Number(BigInt.asIntN(32, (u & 0xffffffffn) ^ (u >> 32n))));
    }
  });

  test('branches reach the right label through blocks, loops, ifs and br_table', () => {
    // f(n): sum of a br_table-selected step over a counted loop, with an early exit from inside an if.
    const build = (mod: IrModule) => {
      const m = mod.ir;
      const n = () => m.local.get(0, I32);
      const acc = () => m.local.get(1, I32);
      const body = m.block(null, [
        m.block('done', [
          m.loop('again', m.block(null, [
            m.br('done', m.i32.eqz(n())),
            m.if(m.i32.eq(n(), m.i32.const(37)), m.block(null, [m.local.set(1, m.i32.add(acc(), m.i32.const(1000))), m.br('done')])),
            m.block('c2', [
              m.block('c1', [
                m.block('c0', [m.switch(['c0', 'c1'], 'c2', m.i32.and(n(), m.i32.const(3)))]),
                m.local.set(1, m.i32.add(acc(), m.i32.const(1))),
                m.br('c2'),
              ]),
              m.local.set(1, m.i32.add(acc(), m.i32.const(10))),
            ]),
            m.local.set(1, m.i32.add(acc(), m.i32.const(100))),
            m.local.set(0, m.i32.sub(n(), m.i32.const(1))),
            m.br('again'),
          ], NONE)),
        ], NONE),
        acc(),
      ], I32);
      mod.addFunction('f', [I32], I32, [I32], body);
      mod.exportFunction('f');
    };
    const [direct, reference] = both(build);
    for (const n of [0, 1, 2, 3, 4, 36, 37, 38, 100]) expect(direct(n), `f(${n})`).toBe(reference(n));
  });

  test('calls, tail calls and select', () => {
    const build = (mod: IrModule) => {
      const m = mod.ir;
      mod.addFunction('max', [I32, I32], I32, [], m.select(m.i32.gt_s(m.local.get(0, I32), m.local.get(1, I32)), m.local.get(0, I32), m.local.get(1, I32)));
      mod.addFunction('f', [I32], I32, [], m.return_call('max', [m.local.get(0, I32), m.call('max', [m.i32.const(-5), m.i32.const(7)], I32)], I32));
      mod.exportFunction('f');
    };
    const [direct, reference] = both(build);
    for (const n of [-10, 0, 7, 8, 1 << 30]) expect(direct(n)).toBe(reference(n));
  });

  test('modules of a real program validate under wabt', async () => {
    const wabt = await initWabt();
    const { createBareMachine } = await import('../../src/runtime/bare.js');
    const { assemble } = await import('../runtime/asm.js');
    const { mixedLoop } = await import('./programs.js');
    const binaries: Uint8Array[] = [];
    const { vm } = createBareMachine({
      code: assemble(mixedLoop(200)),
      address: 0x1000,
      map: [[0x1000, 0x1000], [0x3000, 0x2000]],
      engine: 'jit',
      translator: { onModule: (_id, binary) => binaries.push(binary) },
    });
    vm.run(10_000_000);
    expect(binaries.length).toBeGreaterThan(0);
    for (const binary of binaries) {
      const module = wabt.readWasm(binary, { tail_call: true, reference_types: true, sign_extension: true, bulk_memory: true });
      try {
        expect(() => module.validate()).not.toThrow();
      } finally {
        module.destroy();
      }
    }
  });
});
