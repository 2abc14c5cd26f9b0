import { describe, expect, test } from 'vitest';
import { CpuException, Vector } from '../../src/runtime/exceptions.js';
import { FlatMapper } from '../../src/runtime/flat-mapper.js';
import { Tlb } from '../../src/runtime/layout.js';
import { GuestMemory } from '../../src/runtime/memory.js';
import { Access, Mmu, type PageMapper } from '../../src/runtime/mmu.js';
import {
  CR0_PG,
  CR0_WP,
  CR4_PGE,
  CR4_PSE,
  PDE_PS,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_P,
  PTE_RW,
  PTE_US,
  PagingMapper,
} from '../../src/system/paging.js';

const PHYS_BYTES = 16 << 20;
const PD = 0x1000; // page directory
const PT0 = 0x2000; // page table for 0-4 MiB: identity
const PT1 = 0x3000; // page table for 4-8 MiB: scattered mappings
const URW = PTE_P | PTE_RW | PTE_US;

/** Counts writes to paging structures (below 0x5000 here), to see that entries are written back only when a bit changes. */
class CountingMapper implements PageMapper {
  writes = 0;
  constructor(private readonly inner: PageMapper) {}
  translate(vaddr: number, access: Access, user: boolean): number {
    if (access === Access.WRITE && vaddr >>> 0 < 0x5000) this.writes++;
    return this.inner.translate(vaddr, access, user);
  }
}

function setup() {
  const mem = new GuestMemory(PHYS_BYTES);
  const flat = new FlatMapper(mem);
  flat.map(0, PHYS_BYTES);
  const physical = new CountingMapper(flat);
  const cr = { cr0: CR0_PG | 1, cr3: PD, cr4: 0 };
  const pg = new PagingMapper(mem, physical, { cr0: () => cr.cr0, cr3: () => cr.cr3, cr4: () => cr.cr4 });
  const host = (pa: number) => (flat.translate(pa, Access.READ, false) & Tlb.FRAME) | (pa & 0xfff);
  const poke = (pa: number, v: number) => mem.dv.setInt32(host(pa), v, true);
  const peek = (pa: number) => mem.dv.getInt32(host(pa), true);
  const pde = (i: number, v: number) => poke(PD + i * 4, v);
  const pte = (table: number, i: number, v: number) => poke(table + i * 4, v);
  /** Host offset of `va` as the paging mapper translates it. */
  const via = (va: number, access = Access.READ, user = false) => (pg.translate(va, access, user) & Tlb.FRAME) | (va & 0xfff);

  pde(0, PT0 | URW);
  for (let i = 0; i < 1024; i++) pte(PT0, i, (i << 12) | URW);
  pde(1, PT1 | URW);
  /** The #PF a translation throws. */
  const pf = (va: number, access: Access, user: boolean) => pageFault(() => pg.translate(va, access, user));
  return { mem, flat, physical, cr, pg, host, poke, peek, pde, pte, via, pageFault: pf };
}

/** The #PF `fn` throws (fails if it throws nothing or something else). */
function pageFault(fn: () => unknown): CpuException {
  try {
    fn();
  } catch (e) {
    if (e instanceof CpuException) {
      expect(e.vector).toBe(Vector.PF);
      return e;
    }
    throw e;
  }
  throw new Error('expected a #PF');
}

describe('PagingMapper', () => {
  test('identity-mapped 4 KiB pages translate to the frame of the same physical page', () => {
    const t = setup();
    for (const va of [0, 0x7123, 0x3ff000, 0x3fffff]) {
      expect(t.via(va)).toBe(t.host(va));
    }
    const e = t.pg.translate(0x7123, Access.READ, false);
    expect(e & ~Tlb.FRAME).toBe(Tlb.READ | Tlb.EXEC | Tlb.USER); // clean page: no WRITE yet
  });

  test('a page mapped elsewhere reads the bytes written to its physical page', () => {
    const t = setup();
    t.pte(PT1, 5, 0x9000 | URW); // 0x405000 -> 0x9000
    t.poke(0x9010, 0x12345678);
    expect(t.mem.dv.getInt32(t.via(0x405010), true)).toBe(0x12345678);
    t.mem.dv.setInt32(t.via(0x405ffc, Access.WRITE), -2, true);
    expect(t.peek(0x9ffc)).toBe(-2);
  });

  test('CR3 low bits (PWT, PCD) are ignored', () => {
    const t = setup();
    t.cr.cr3 = PD | 0x18;
    expect(t.via(0x5000)).toBe(t.host(0x5000));
  });

  test.each([
    ['supervisor read', 0, Access.READ, false],
    ['supervisor write', 2, Access.WRITE, false],
    ['user read', 4, Access.READ, true],
    ['user write', 6, Access.WRITE, true],
    ['supervisor fetch', 0, Access.EXEC, false],
    ['user fetch', 4, Access.EXEC, true], // I/D stays 0: no NX or SMEP with 32-bit paging
  ])('not-present PDE and PTE: %s faults with error code %i', (_name, code, access, user) => {
    const t = setup();
    t.pde(2, 0x5000 | PTE_RW | PTE_US); // P clear: the rest is ignored
    const pd = t.pageFault(0x00812345, access, user);
    expect(pd.errorCode).toBe(code);
    expect(pd.address >>> 0).toBe(0x00812345);
    expect(pd.detail).toMatch(/not present/);
    t.pte(PT1, 7, 0x9000 | PTE_RW | PTE_US); // P clear
    const pt = t.pageFault(0x00407abc, access, user);
    expect(pt.errorCode).toBe(code);
    expect(pt.address >>> 0).toBe(0x00407abc);
    expect(pt.detail).toMatch(/not present/);
    const high = t.pageFault(0xfffff001 | 0, access, user); // PDE 1023 empty
    expect(high.address >>> 0).toBe(0xfffff001);
  });

  test('a not-present PTE under a supervisor PDE is a not-present fault for user code too', () => {
    const t = setup();
    t.pde(1, PT1 | PTE_P | PTE_RW);
    expect(t.pageFault(0x400000, Access.READ, true).errorCode).toBe(4);
  });

  test('user access to a supervisor page: P and U/S set in the error code', () => {
    const t = setup();
    t.pte(PT1, 1, 0x9000 | PTE_P | PTE_RW); // supervisor PTE
    t.pde(2, 0x4000 | PTE_P | PTE_RW); // supervisor PDE over a user PTE
    t.pte(0x4000, 0, 0xa000 | URW);
    for (const va of [0x401000, 0x800000]) {
      const r = t.pageFault(va, Access.READ, true);
      expect(r.errorCode).toBe(5);
      expect(r.detail).toBe('user access to a supervisor page');
      expect(t.pageFault(va, Access.WRITE, true).errorCode).toBe(7);
      expect(t.pageFault(va, Access.EXEC, true).errorCode).toBe(5);
      // The supervisor may, and the entry says user code may not.
      const e = t.pg.translate(va, Access.WRITE, false);
      expect(e & Tlb.USER).toBe(0);
      expect(e & Tlb.WRITE).toBe(Tlb.WRITE);
    }
  });

  test('user write to a read-only page: error code 7; reads are fine and the entry has no WRITE', () => {
    const t = setup();
    t.pte(PT1, 2, 0x9000 | PTE_P | PTE_US | PTE_D); // read-only PTE, already dirty
    t.pde(2, 0x4000 | PTE_P | PTE_US); // read-only PDE over a writable PTE
    t.pte(0x4000, 0, 0xa000 | URW | PTE_D);
    for (const va of [0x402000, 0x800000]) {
      const e = t.pg.translate(va, Access.READ, true);
      expect(e & ~Tlb.FRAME).toBe(Tlb.READ | Tlb.EXEC | Tlb.USER);
      const w = t.pageFault(va + 8, Access.WRITE, true);
      expect(w.errorCode).toBe(7);
      expect(w.address).toBe(va + 8);
      expect(w.detail).toBe('write to a read-only page');
    }
  });

  test('supervisor write to a read-only page: allowed with CR0.WP clear, error code 3 with it set', () => {
    const t = setup();
    t.pte(PT1, 3, 0x9000 | PTE_P | PTE_US);
    t.cr.cr0 = CR0_PG | 1;
    const e = t.pg.translate(0x403004, Access.WRITE, false);
    expect(e & Tlb.FRAME).toBe(t.host(0x9000));
    expect(e & Tlb.WRITE).toBe(Tlb.WRITE);
    expect(t.peek(PT1 + 3 * 4) & PTE_D).toBe(PTE_D);
    // A user write to the same page still faults: the entry is exact only for the privilege it was made for.
    expect(t.pageFault(0x403004, Access.WRITE, true).errorCode).toBe(7);

    t.cr.cr0 = CR0_PG | CR0_WP | 1;
    const f = t.pageFault(0x403004, Access.WRITE, false);
    expect(f.errorCode).toBe(3);
    expect(f.detail).toBe('write to a read-only page');
    // Reads by the supervisor stay fine, and a dirty read-only page is still cached without WRITE.
    expect(t.pg.translate(0x403004, Access.READ, false) & Tlb.WRITE).toBe(0);
  });

  test('Accessed set on every walk, Dirty only in the PTE and only on a write', () => {
    const t = setup();
    t.pte(PT1, 4, 0x9000 | URW);
    const pdeAt = PD + 4;
    const pteAt = PT1 + 4 * 4;
    expect(t.peek(pdeAt) & (PTE_A | PTE_D)).toBe(0);

    const r = t.pg.translate(0x404000, Access.READ, true);
    expect(t.peek(pdeAt) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(t.peek(pteAt) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(r & Tlb.WRITE).toBe(0); // so that the first write comes back to set D

    const w = t.pg.translate(0x404000, Access.WRITE, true);
    expect(w & Tlb.WRITE).toBe(Tlb.WRITE);
    expect(t.peek(pteAt) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(t.peek(pdeAt) & PTE_D).toBe(0); // D means nothing in a PDE that points to a page table
    expect(t.peek(pteAt) & ~0x60).toBe(0x9000 | URW); // nothing else touched

    // Once dirty, a read may hand out WRITE, and nothing is written back.
    const before = t.physical.writes;
    expect(before).toBeGreaterThan(0);
    expect(t.pg.translate(0x404000, Access.READ, true) & Tlb.WRITE).toBe(Tlb.WRITE);
    t.pg.translate(0x404000, Access.WRITE, false);
    expect(t.physical.writes).toBe(before);
  });

  test('faults leave Accessed and Dirty untouched', () => {
    const t = setup();
    t.pte(PT1, 6, 0x9000 | PTE_P | PTE_US);
    t.pageFault(0x406000, Access.WRITE, true);
    expect(t.peek(PT1 + 6 * 4) & (PTE_A | PTE_D)).toBe(0);
    expect(t.peek(PD + 4) & PTE_A).toBe(0);
  });

  test('4 MiB pages with CR4.PSE: PDE bits 31:22 plus the low 22 bits of the address; A and D in the PDE', () => {
    const t = setup();
    t.cr.cr4 = CR4_PSE;
    t.pde(3, 0x00400000 | PDE_PS | URW); // 0xc00000-0xffffff -> 0x400000-0x7fffff
    t.poke(0x400000 + 0x2ab004, 0x55aa55aa);
    expect(t.mem.dv.getInt32(t.via(0xc00000 + 0x2ab004), true)).toBe(0x55aa55aa);
    expect(t.via(0xffffff)).toBe(t.host(0x7fffff));
    expect(t.peek(PD + 12) & (PTE_A | PTE_D)).toBe(PTE_A);
    t.via(0xc01000, Access.WRITE);
    expect(t.peek(PD + 12) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
    expect(t.peek(PD + 12) & ~0x60).toBe(0x00400000 | PDE_PS | URW);

    // The PDE alone decides the permissions of a large page.
    t.pde(4, 0x00800000 | PDE_PS | PTE_P);
    expect(t.pageFault(0x1000000, Access.READ, true).errorCode).toBe(5);
    t.cr.cr0 |= CR0_WP;
    expect(t.pageFault(0x1000000, Access.WRITE, false).errorCode).toBe(3);
  });

  test('PS is ignored without CR4.PSE: the PDE points to a page table', () => {
    const t = setup();
    t.pde(3, 0x00400000 | PDE_PS | URW);
    t.pte(0x400000, 0x2ab, 0x9000 | URW); // the page table at physical 0x400000
    t.poke(0x9004, 0x77);
    expect(t.mem.dv.getInt32(t.via(0xc00000 + 0x2ab004), true)).toBe(0x77);
    // And the rest of the would-be large page is not mapped.
    expect(t.pageFault(0xc00000, Access.READ, false).errorCode).toBe(0);
  });

  test('with CR0.PG clear, translations pass straight to the physical mapper', () => {
    const t = setup();
    t.cr.cr0 = 1 | CR0_WP;
    t.cr.cr3 = 0x7fff000; // nothing there: must not be walked
    t.cr.cr4 = CR4_PSE;
    for (const [va, access, user] of [
      [0x405123, Access.READ, false],
      [0x800000, Access.WRITE, true],
      [0xabc, Access.EXEC, false],
    ] as const) {
      expect(t.pg.translate(va, access, user)).toBe(t.flat.translate(va, access, user));
    }
    // And its faults are the physical mapper's.
    expect(t.pageFault(PHYS_BYTES + 0x1000, Access.READ, false).detail).toBe('unmapped');
  });

  test('a recursive page directory entry: the directory is its own page table, and both A updates land', () => {
    const t = setup();
    t.pde(1023, PD | PTE_P | PTE_RW); // supervisor self-map
    // 0xffc00000 + 4096 * i shows page table i; 0xfffff000 shows the directory itself.
    expect(t.mem.dv.getInt32(t.via(0xfffff000 + 4), true)).toBe(PT1 | URW);
    expect(t.via(0xffc00000)).toBe(t.host(PT0));
    t.via(0xfffff000, Access.WRITE);
    expect(t.peek(PD + 1023 * 4)).toBe(PD | PTE_P | PTE_RW | PTE_A | PTE_D);
  });

  test('through the Mmu: the first write after a read comes back to set Dirty; WP=0 supervisor writes work', () => {
    const t = setup();
    const mmu = new Mmu(t.mem, t.pg);
    t.pte(PT1, 8, 0x9000 | URW);
    t.pte(PT1, 9, 0xa000 | PTE_P | PTE_US);
    t.poke(0x9000, 42);
    mmu.user = true;
    expect(mmu.read32(0x408000)).toBe(42);
    expect(t.peek(PT1 + 8 * 4) & PTE_D).toBe(0);
    mmu.write32(0x408004, 7);
    expect(t.peek(0x9004)).toBe(7);
    expect(t.peek(PT1 + 8 * 4) & PTE_D).toBe(PTE_D);
    expect(() => mmu.write8(0x409000, 1)).toThrow(CpuException);

    mmu.flush(); // a CPL change to the supervisor (not needed in this direction, but the test starts clean)
    mmu.user = false;
    mmu.write8(0x409000, 9);
    expect(t.peek(0xa000) & 0xff).toBe(9);
  });

  test('global pages (G with CR4.PGE) keep their TLB entries across a CR3 write; INVLPG, a full flush or PGE clear drop them', () => {
    const t = setup();
    const mmu = new Mmu(t.mem, t.pg);
    mmu.user = false;
    for (const [pa, v] of [[0x9000, 1], [0xa000, 2], [0xb000, 3], [0xc000, 4]]) t.poke(pa, v);
    const mapBoth = (global: number, local: number) => {
      t.pte(PT1, 8, global | URW | PTE_G);
      t.pte(PT1, 9, local | URW);
    };
    t.cr.cr4 = CR4_PGE;
    mapBoth(0x9000, 0xa000);
    expect([mmu.read32(0x408000), mmu.read32(0x409000)]).toEqual([1, 2]);
    // Another address space's tables: MOV CR3 (flushNonGlobal) keeps the global page's entry (the OS maps it alike
    // everywhere and would INVLPG it after changing it, SDM vol. 3 4.10.4.1), and the other page is walked again.
    mapBoth(0xb000, 0xc000);
    mmu.flushNonGlobal();
    expect([mmu.read32(0x408000), mmu.read32(0x409000)]).toEqual([1, 4]);
    mmu.flushRange(0x408000, 0x1000); // INVLPG
    expect(mmu.read32(0x408000)).toBe(3);
    mapBoth(0x9000, 0xa000);
    mmu.flush(); // CR4.PGE or CR0 changed
    expect(mmu.read32(0x408000)).toBe(1);
    // Without CR4.PGE the G bit means nothing.
    t.cr.cr4 = 0;
    mmu.flush();
    expect(mmu.read32(0x408000)).toBe(1);
    mapBoth(0xb000, 0xc000);
    mmu.flushNonGlobal();
    expect(mmu.read32(0x408000)).toBe(3);
  });
});
