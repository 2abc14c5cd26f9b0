import * as fs from 'node:fs';
import * as path from 'node:path';
import initWabt from 'wabt';
import type { CompiledRegion } from './region-compiler.js';

type Wabt = Awaited<ReturnType<typeof initWabt>>;

/**
 * --dump-wasm: each translated module as WebAssembly text, rendered by wabt
 * from the binary the engine compiled (so what a person reads is what ran),
 * headed by the guest blocks it holds.
 */
export class WasmDumper {
  private constructor(private readonly wabt: Wabt, private readonly dir: string) {}

  static async create(dir: string): Promise<WasmDumper> {
    fs.mkdirSync(dir, { recursive: true });
    return new WasmDumper(await initWabt(), dir);
  }

  readonly onModule = (id: number, binary: Uint8Array, region: CompiledRegion): void => {
    const module = this.wabt.readWasm(binary, { readDebugNames: true, tail_call: true, reference_types: true, sign_extension: true, bulk_memory: true, threads: true });
    try {
      const header = region.blocks
        .map((b, k) => `;; entry e${k}: block at 0x${(b.eip >>> 0).toString(16)}, ${b.insnCount} instructions`)
        .join('\n');
      const file = path.join(this.dir, `region-${String(id).padStart(5, '0')}.wat`);
      fs.writeFileSync(file, `${header}\n${module.toText({ foldExprs: false, inlineExport: false })}`);
    } finally {
      module.destroy();
    }
  };
}
