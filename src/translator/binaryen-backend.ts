import binaryen from 'binaryen';
import { IrBuilder, IrModule, IrModuleFactory, Ty } from './ir.js';

if (
  binaryen.none !== Ty.none || binaryen.i32 !== Ty.i32 || binaryen.i64 !== Ty.i64 || binaryen.unreachable !== Ty.unreachable ||
  binaryen.f32 !== Ty.f32 || binaryen.f64 !== Ty.f64
) {
  throw new Error('translator: this Binaryen numbers its types differently from ir.ts');
}

/**
 * The translator's modules built through Binaryen's API (`--codegen
 * binaryen`): Binaryen validates every module before it is emitted. Slower
 * to build than the direct encoder; kept as the reference the direct
 * encoder's output is tested against, and for readable IR when debugging.
 */
export class BinaryenModule implements IrModule {
  readonly ir: IrBuilder;
  private readonly m = new binaryen.Module();

  constructor(private readonly validate = true) {
    this.m.setFeatures(
      binaryen.Features.MVP | binaryen.Features.TailCall | binaryen.Features.SignExt | binaryen.Features.MutableGlobals |
        binaryen.Features.ReferenceTypes | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt |
        binaryen.Features.Atomics,
    );
    // Binaryen's expression methods already have the interface's shape and type numbering.
    this.ir = this.m as unknown as IrBuilder;
  }

  importMemory(module: string, base: string, pages: number, shared = false): void {
    // setMemory first: the other order silently replaces the import with a private memory.
    this.m.setMemory(pages, pages, null, [], shared);
    this.m.addMemoryImport('0', module, base);
  }

  importTable(name: string, module: string, base: string): void {
    this.m.addTableImport(name, module, base);
  }

  importGlobal(name: string, module: string, base: string, type: Ty): void {
    this.m.addGlobalImport(name, module, base, type, false);
  }

  importFunction(name: string, module: string, base: string, params: Ty[], result: Ty): void {
    this.m.addFunctionImport(name, module, base, binaryen.createType(params), result);
  }

  addFunction(name: string, params: Ty[], result: Ty, vars: Ty[], body: number): void {
    this.m.addFunction(name, binaryen.createType(params), result, vars, body);
  }

  exportFunction(name: string): void {
    this.m.addFunctionExport(name, name);
  }

  emitBinary(): Uint8Array<ArrayBuffer> {
    if (this.validate && !this.m.validate()) throw new Error('translator: Binaryen rejected the generated module');
    return this.m.emitBinary() as Uint8Array<ArrayBuffer>;
  }

  dispose(): void {
    this.m.dispose();
  }
}

/** The Binaryen backend as a `codegen` option (WV_NOVALIDATE=1 skips Binaryen's validation). */
export const binaryenCodegen: IrModuleFactory = () => new BinaryenModule(process.env.WV_NOVALIDATE !== '1');
