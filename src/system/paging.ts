import { CpuException, Vector } from '../runtime/exceptions.js';
import { PAGE_MASK, PAGE_SHIFT, Tlb } from '../runtime/layout.js';
import type { GuestMemory } from '../runtime/memory.js';
import { Access, type PageMapper } from '../runtime/mmu.js';

// Control-register bits (Intel SDM vol. 3 §2.5).
export const CR0_WP = 1 << 16;
export const CR0_PG = 1 << 31;
export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_PGE = 1 << 7;

// Page-directory and page-table entry bits, 32-bit paging (SDM vol. 3 §4.3, tables 4-4 to 4-6).
export const PTE_P = 1 << 0;
export const PTE_RW = 1 << 1;
export const PTE_US = 1 << 2;
export const PTE_A = 1 << 5;
export const PTE_D = 1 << 6;
/** In a PDE with CR4.PSE: the entry maps a 4 MiB page instead of pointing to a page table. */
export const PDE_PS = 1 << 7;
/** Global (with CR4.PGE): the walk marks the entry Tlb.GLOBAL, which a CR3 write keeps (Mmu.flushNonGlobal). */
export const PTE_G = 1 << 8;

/** Where the next level (or the 4 KiB page) lives: bits 31:12 of an entry. */
const ENTRY_FRAME = ~0xfff;
/** Physical base of a 4 MiB page: bits 31:22 of its PDE (no PSE-36, so bits 20:13 are not address bits). */
const PDE_4M_FRAME = 0xffc00000 | 0;
const OFFSET_4M = 0x3fffff;

// #PF error code (SDM vol. 3 §4.7, figure 4-12).
export const PF_P = 1 << 0;
export const PF_WR = 1 << 1;
export const PF_US = 1 << 2;

/** The control registers the walk depends on, read afresh on every translation. */
export interface PagingRegs {
  cr0(): number;
  cr3(): number;
  cr4(): number;
}

/**
 * IA-32 two-level paging (CR4.PAE clear): the guest's page directory and
 * page tables, found in guest-physical memory, map linear addresses to
 * guest-physical ones, which `physical` maps to host frames.
 *
 * Called only on a soft-TLB miss (or a write to an entry cached without
 * Tlb.WRITE), so the walk keeps no cache of its own: the soft TLB is the
 * TLB, and invalidating it (MOV CR3, INVLPG, global pages with CR4.PGE) is
 * the Mmu's business.
 *
 * What the returned entry means, and why the Mmu must flush when the CPU
 * enters user mode: the soft TLB holds one entry per virtual page, whatever
 * the privilege of the access that filled it, and its fast paths test only
 * Tlb.READ and Tlb.WRITE (never Tlb.USER). The entry returned is exact for
 * the privilege of the access being translated. An entry filled by a user
 * access is also safe for supervisor accesses (on IA-32 without SMEP/SMAP
 * the supervisor may do whatever user code may, and where it may do more,
 * the missing Tlb.WRITE sends it back here). The converse is not true: an
 * entry filled by the supervisor may map a supervisor-only page, or carry
 * Tlb.WRITE for a read-only page written with CR0.WP clear. The second case
 * cannot be withheld from the entry, since Mmu.slow faults any write whose
 * freshly translated entry lacks Tlb.WRITE. So on every change from CPL
 * 0-2 to CPL 3 the Mmu drops what the supervisor cached (Mmu.enterUserMode:
 * with CR0.WP set only supervisor-only pages, since Tlb.WRITE then means
 * the same for both; with it clear, everything). None are needed the other
 * way.
 *
 * Tlb.WRITE is given only when the page is writable for this privilege and
 * its Dirty bit is set (or this access sets it): the first write after reads
 * then comes back here to set Dirty, as the hardware's would.
 */
export class PagingMapper implements PageMapper {
  constructor(
    private readonly mem: GuestMemory,
    private readonly physical: PageMapper,
    private readonly regs: PagingRegs,
  ) {}

  translate(vaddr: number, access: Access, user: boolean): number {
    const cr0 = this.regs.cr0();
    if (!(cr0 & CR0_PG)) return this.physical.translate(vaddr, access, user);
    const cr4 = this.regs.cr4();
    // Walking PAE tables as 32-bit ones would silently map garbage; the CPU should never advertise PAE.
    if (cr4 & CR4_PAE) throw new Error('PAE paging is not supported (CR4.PAE is set)');
    const write = access === Access.WRITE;
    const pdeAddr = (this.regs.cr3() & ENTRY_FRAME) + ((vaddr >>> 22) << 2);
    const pde = this.mem.dv.getInt32(this.entryHost(pdeAddr, Access.READ), true);
    if (!(pde & PTE_P)) throw fault(vaddr, write, user, false, 'not present (page directory entry)');

    let rights: number; // PTE_RW | PTE_US as both levels combine them
    let phys: number;
    let pteAddr = 0;
    let dirty: boolean;
    /** The entry that maps the page (the PDE of a 4 MiB page, else the PTE): its G bit. */
    let leaf: number;
    const large = (cr4 & CR4_PSE) !== 0 && (pde & PDE_PS) !== 0;
    if (large) {
      rights = pde;
      dirty = (pde & PTE_D) !== 0;
      phys = (pde & PDE_4M_FRAME) + (vaddr & OFFSET_4M & ENTRY_FRAME);
      leaf = pde;
    } else {
      pteAddr = (pde & ENTRY_FRAME) + (((vaddr >>> PAGE_SHIFT) & 0x3ff) << 2);
      const pte = this.mem.dv.getInt32(this.entryHost(pteAddr, Access.READ), true);
      if (!(pte & PTE_P)) throw fault(vaddr, write, user, false, 'not present (page table entry)');
      rights = pde & pte;
      dirty = (pte & PTE_D) !== 0;
      phys = pte & ENTRY_FRAME;
      leaf = pte;
    }

    if (user && !(rights & PTE_US)) throw fault(vaddr, write, user, true, 'user access to a supervisor page');
    // CR0.WP clear lets the supervisor write read-only pages (SDM §4.6.1).
    const writable = (rights & PTE_RW) !== 0 || (!user && !(cr0 & CR0_WP));
    if (write && !writable) throw fault(vaddr, write, user, true, 'write to a read-only page');

    const frame = this.physical.translate(phys, access, false);
    // Set A (and D on a write) only once the access is known to succeed.
    if (large) {
      this.setBits(pdeAddr, write ? PTE_A | PTE_D : PTE_A);
    } else {
      this.setBits(pdeAddr, PTE_A);
      this.setBits(pteAddr, write ? PTE_A | PTE_D : PTE_A);
    }

    let e = (frame & Tlb.FRAME) | Tlb.READ | Tlb.EXEC; // no NX without PAE: whatever is readable is executable
    if (rights & PTE_US) e |= Tlb.USER;
    if (cr4 & CR4_PGE && leaf & PTE_G) e |= Tlb.GLOBAL;
    // A physical mapper may refuse writes (ROM); keep its verdict.
    if (writable && (write || dirty) && frame & Tlb.WRITE) e |= Tlb.WRITE;
    return e;
  }

  /** Whether `vaddr` lies in a present 4 MiB page under the current CR3 and CR4 (INVLPG then drops all of it). */
  largePageAt(vaddr: number): boolean {
    if (!(this.regs.cr0() & CR0_PG) || !(this.regs.cr4() & CR4_PSE)) return false;
    const pdeAddr = (this.regs.cr3() & ENTRY_FRAME) + ((vaddr >>> 22) << 2);
    const pde = this.mem.dv.getInt32(this.entryHost(pdeAddr, Access.READ), true);
    return (pde & PTE_P) !== 0 && (pde & PDE_PS) !== 0;
  }

  /** Host offset of the 4-byte paging-structure entry at guest-physical `phys` (4-aligned, so within one page). */
  private entryHost(phys: number, access: Access): number {
    return (this.physical.translate(phys, access, false) & Tlb.FRAME) | (phys & PAGE_MASK);
  }

  /**
   * ORs `bits` into the entry at guest-physical `phys`, writing only when one is
   * new. Re-reads memory rather than reusing the value the walk saw, so a
   * directory that doubles as a page table (a PDE that is also this walk's
   * PTE) ends up with the union of both updates.
   */
  private setBits(phys: number, bits: number): void {
    const old = this.mem.dv.getInt32(this.entryHost(phys, Access.READ), true);
    if ((old & bits) !== bits) this.mem.dv.setInt32(this.entryHost(phys, Access.WRITE), old | bits, true);
  }
}

/** A #PF with the SDM's error code; I/D (bit 4) stays 0: 32-bit paging without SMEP never sets it. */
function fault(vaddr: number, write: boolean, user: boolean, present: boolean, detail: string): CpuException {
  const code = (present ? PF_P : 0) | (write ? PF_WR : 0) | (user ? PF_US : 0);
  return new CpuException(Vector.PF, code, vaddr | 0, detail);
}
