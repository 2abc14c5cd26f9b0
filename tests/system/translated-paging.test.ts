// Translated code and the paging state of a system VM. With paging off, translated code reads guest RAM at a
// fixed host offset instead of through the soft TLB (Machine.directRam); what it must keep: reads at the top of RAM
// and above it (the open bus), and reads after paging is turned on, which go through the page tables again (the
// translations made before are dropped). With paging on, a CR3 write keeps global pages' TLB entries and the
// translated regions whose code is on them.
import { describe, expect, test } from 'vitest';
import { SystemVm } from '../../src/system/system-vm.js';
import { assemble } from '../runtime/asm.js';

const RAM = 16 << 20;
const CODE = 0x1000;
const PAGE_DIRECTORY = 0x10000;
const EAX = 0, ESI = 6, EDI = 7, EBP = 5;

function dword(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** Sets `cr4Bits` in CR4 (PSE 0x10, PGE 0x80), loads CR3 with the page directory and sets CR0.PG. */
function pagingOn(cr4Bits: number): string {
  return [
    'mov eax, cr4', `or eax, ${cr4Bits}`, 'mov cr4, eax',
    `mov eax, ${PAGE_DIRECTORY}`, 'mov cr3, eax',
    'mov eax, cr0', 'or eax, 0x80000000', 'mov cr0, eax',
  ].join('\n');
}

const PROGRAM = `
  mov esp, 0x8000
  mov ebx, 0x402000
  call 9f
  mov esi, eax
  mov ebx, ${RAM - 4}
  call 9f
  mov edi, eax
  mov ebx, ${RAM}
  call 9f
  mov ebp, eax
  ${pagingOn(0x10)}
  mov ebx, 0x402000
  call 9f
  hlt
9: mov eax, dword ptr [ebx]
  ret`;

describe('translated reads of RAM with paging off', () => {
  test.each(['interp', 'jit', 'auto'] as const)('read RAM and the open bus, then the page tables once paging is on (%s)', async (engine) => {
    const sys = new SystemVm({ memoryBytes: RAM, engine, translator: { threshold: 1 }, onSerial: () => {} });
    sys.writeMemory(CODE, assemble(PROGRAM));
    // 4 MiB pages: linear 0-4 MiB to itself, 4-8 MiB to physical 0 (an alias).
    sys.writeMemory(PAGE_DIRECTORY, dword(0x00000083));
    sys.writeMemory(PAGE_DIRECTORY + 4, dword(0x00000083));
    sys.writeMemory(0x2000, dword(0x11111111));
    sys.writeMemory(0x402000, dword(0x22222222));
    sys.writeMemory(RAM - 4, dword(0x33333333));
    expect(sys.vm.directRam).not.toBeNull();
    expect(await sys.run({ begin: CODE, timeoutMs: 20_000 })).toEqual({ kind: 'halted' });
    const r32 = sys.vm.cpu.r32;
    expect(r32[ESI] >>> 0).toBe(0x22222222); // physical 0x402000, paging off
    expect(r32[EDI] >>> 0).toBe(0x33333333); // the last dword of RAM
    expect(r32[EBP] >>> 0).toBe(0xffffffff); // above RAM: the open bus
    expect(r32[EAX] >>> 0).toBe(0x11111111); // linear 0x402000 through the alias: physical 0x2000
    expect(sys.vm.directRam).toBeNull();
  });
});

describe('global pages and translated code', () => {
  // A loop that writes CR3 every iteration, its blocks each a region of its own (maxRegionBlocks 1), so that
  // every jump between them goes through the dispatch cache. With the code on a global page, a CR3 write
  // leaves the kernel's regions in the cache (Translator.remapped); without, each write forgets them and
  // each jump after it goes back to JavaScript.
  const loop = `
    mov esp, 0x8000
    ${pagingOn(0x90)}
    xor ebx, ebx
    mov ecx, 200
  1: mov eax, ${PAGE_DIRECTORY}
    mov cr3, eax
    jmp 2f
  2: add ebx, 1
    jmp 3f
  3: add ebx, 2
    jmp 4f
  4: dec ecx
    jnz 1b
    hlt`;

  async function run(globalBit: number) {
    const sys = new SystemVm({ memoryBytes: RAM, engine: 'jit', translator: { maxRegionBlocks: 1 }, onSerial: () => {} });
    sys.writeMemory(CODE, assemble(loop));
    sys.writeMemory(PAGE_DIRECTORY, dword(0x00000083 | globalBit)); // 0-4 MiB to itself, a 4 MiB page
    expect(await sys.run({ begin: CODE, timeoutMs: 20_000 })).toEqual({ kind: 'halted' });
    return { ebx: sys.vm.cpu.r32[3], misses: sys.vm.stats().translator!.dispatchMisses, checks: sys.vm.blocks.mappingChecks };
  }

  test('a CR3 write keeps regions whose code is on global pages in the dispatch cache', async () => {
    const global = await run(0x100);
    const local = await run(0);
    expect(global.ebx).toBe(600);
    expect(local.ebx).toBe(600);
    expect(local.misses).toBeGreaterThan(400); // four per iteration: every jump after the CR3 write
    expect(global.misses).toBeLessThan(50);
  });

  test('a CR3 write does not make blocks on global pages be checked against the page tables again', async () => {
    const global = await run(0x100);
    const local = await run(0);
    expect(local.checks).toBeGreaterThan(600); // each of the loop's blocks after each write
    expect(global.checks).toBeLessThan(50);
  });
});
