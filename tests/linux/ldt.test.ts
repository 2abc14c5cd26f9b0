import { describe, expect, test } from 'vitest';
import { Seg } from '../../src/decoder/types.js';
import { decodeUserDesc, fillDescriptor, LinuxDescriptorTables, type UserDesc } from '../../src/linux/descriptors.js';
import { CpuException, Vector } from '../../src/runtime/exceptions.js';
import { decodeDescriptor, FLAT_CODE_ATTR, needsAccessChecks, SegAttr, segmentAllows, USER_CS } from '../../src/runtime/segments.js';
import { makeProcess } from './helpers.js';

// modify_ldt (the corpus program tests/guest/ldt.S and the fault_ldt_* programs compare with the real
// kernel; these pin the pieces: user_desc -> descriptor, the table, the access checks).

const MODIFY_LDT = 123;
const EINVAL = -22;
const EFAULT = -14;
const ENOSYS = -38;

const F_32 = 1, F_CODE = 4, F_CONF = 6, F_RO = 8, F_PAGES = 16, F_NP = 32, F_AVL = 64;

function desc(entry: number, base: number, limit: number, flags: number): UserDesc {
  return decodeUserDesc([entry, base, limit, flags]);
}

describe('descriptors from struct user_desc', () => {
  test('fill_ldt places base, limit, type, DPL 3 and the flags where the SDM puts them', () => {
    const [low, high] = fillDescriptor(desc(0, 0x12345678, 0xabcde, F_32 | F_PAGES | F_AVL));
    expect(low >>> 0).toBe(0x5678bcde);
    // base 31:24 | G D/B 0 AVL | limit 19:16 | P DPL=3 S=1 type=0011 (RW data, accessed) | base 23:16
    expect(high >>> 0).toBe(0x12daf334);
    const d = decodeDescriptor(low, high);
    expect(d.base >>> 0).toBe(0x12345678);
    expect(d.limit >>> 0).toBe(0xabcdefff); // page granular
    expect(d.attr & SegAttr.DEFAULT_BIG).toBeTruthy();
  });

  test('execute-only code, not present, 16-bit', () => {
    const d = decodeDescriptor(...fillDescriptor(desc(0, 0x1000, 0xffff, F_CODE | F_RO | F_NP)));
    expect(d.attr & 0xff).toBe(0x79); // DPL 3, S, code, not readable, accessed; P clear
    expect(d.attr & SegAttr.DEFAULT_BIG).toBe(0);
    expect(d.limit).toBe(0xffff);
  });
});

describe('the LDT of LinuxDescriptorTables', () => {
  test('grows to the highest entry written; cleared entries and entries past the end name nothing', () => {
    const t = new LinuxDescriptorTables();
    expect(t.lookup(0x07)).toBeNull();
    expect(t.writeLdt(desc(3, 0x2000, 0xff, F_32), false)).toBe(0);
    expect(t.ldtEntries).toBe(4);
    expect(t.lookup(0x1f)?.base).toBe(0x2000);
    expect(t.lookup(0x1c)?.base).toBe(0x2000); // the RPL does not matter to the table
    expect(t.lookup(0x18)).toBeNull(); // TI clear: the GDT's entry 3 (kernel data at DPL 0)
    expect(t.lookup(0x07)).toBeNull(); // entry 0 exists but is zero
    expect(t.lookup(0x27)).toBeNull();
    expect(t.writeLdt(desc(3, 0, 0, F_RO | F_NP), false)).toBe(0); // LDT_empty
    expect(t.lookup(0x1f)).toBeNull();
    expect(t.ldtEntries).toBe(4);
  });

  test('validation: entry range, conforming code only not present and only in the new mode', () => {
    const t = new LinuxDescriptorTables();
    expect(t.writeLdt(desc(8192, 0, 0xff, F_32), false)).toBe(EINVAL);
    expect(t.writeLdt(desc(-1, 0, 0xff, F_32), false)).toBe(EINVAL);
    expect(t.writeLdt(desc(8191, 0, 0xff, F_32), false)).toBe(0);
    expect(t.writeLdt(desc(1, 0, 0xff, F_32 | F_CONF), false)).toBe(EINVAL);
    expect(t.writeLdt(desc(1, 0, 0xff, F_32 | F_CONF | F_NP), true)).toBe(EINVAL);
    expect(t.writeLdt(desc(1, 0, 0xff, F_32 | F_CONF | F_NP), false)).toBe(0);
  });

  test('the old mode clears AVL and treats a zero base and limit as clearing', () => {
    const t = new LinuxDescriptorTables();
    t.writeLdt(desc(0, 0x4000, 0xff, F_32 | F_AVL), true);
    expect(t.lookup(0x07)!.attr & SegAttr.AVAILABLE).toBe(0);
    t.writeLdt(desc(1, 0x4000, 0xff, F_32 | F_AVL), false);
    expect(t.lookup(0x0f)!.attr & SegAttr.AVAILABLE).toBeTruthy();
    t.writeLdt(desc(1, 0, 0, F_32), true);
    expect(t.lookup(0x0f)).toBeNull();
    // In the new mode an all-zero user_desc is a present 16-bit data segment with limit 0.
    t.writeLdt(desc(1, 0, 0, 0), false);
    expect(t.lookup(0x0f)).toEqual({ base: 0, limit: 0, attr: 0xf3 });
  });

  test('read_ldt copies the raw descriptors and zero-fills past the table', () => {
    const t = new LinuxDescriptorTables();
    t.writeLdt(desc(1, 0x11223344, 0x5678, F_32), false);
    const bytes = t.readLdt(24);
    expect(bytes.length).toBe(24);
    const dv = new DataView(bytes.buffer);
    const [low, high] = fillDescriptor(desc(1, 0x11223344, 0x5678, F_32));
    expect([dv.getInt32(0, true), dv.getInt32(4, true)]).toEqual([0, 0]);
    expect([dv.getInt32(8, true), dv.getInt32(12, true)]).toEqual([low, high]);
    expect([dv.getInt32(16, true), dv.getInt32(20, true)]).toEqual([0, 0]);
    expect(t.readLdt(1 << 20).length).toBe(8192 * 8);
  });
});

describe('modify_ldt', () => {
  test('func 0, 1, 2, 0x11 and the rest', () => {
    const t = makeProcess();
    const u = t.scratch, buf = t.scratch + 256;
    expect(t.call(MODIFY_LDT, 0, buf, 64)).toBe(0); // no LDT yet
    expect(t.call(MODIFY_LDT, 2, buf, 200)).toBe(128);
    expect(t.call(MODIFY_LDT, 3, buf, 16)).toBe(ENOSYS);
    [2, 0x5000, 0xfff, F_32].forEach((v, i) => t.vm.mmu.write32(u + 4 * i, v));
    expect(t.call(MODIFY_LDT, 0x11, u, 12)).toBe(EINVAL);
    expect(t.call(MODIFY_LDT, 0x11, 0x10, 16)).toBe(EFAULT);
    expect(t.call(MODIFY_LDT, 0x11, u, 16)).toBe(0);
    expect(t.call(MODIFY_LDT, 0, buf, 64)).toBe(64);
    expect(t.vm.mmu.read32(buf + 16) >>> 16).toBe(0x5000);
  });

  test('rewriting the entry ES holds reloads ES; clearing it leaves the null selector', () => {
    const t = makeProcess();
    const u = t.scratch;
    const write = (entry: number, base: number, limit: number, flags: number): number => {
      [entry, base, limit, flags].forEach((v, i) => t.vm.mmu.write32(u + 4 * i, v));
      return t.call(MODIFY_LDT, 0x11, u, 16);
    };
    expect(write(0, 0x1000, 0xff, F_32)).toBe(0);
    const cpu = t.vm.cpu;
    cpu.loadSegment(Seg.ES, 0x07);
    cpu.loadSegment(Seg.FS, 0x07);
    expect(write(0, 0x3000, 0xff, F_32)).toBe(0);
    expect(cpu.segBase(Seg.ES)).toBe(0x3000);
    expect(cpu.segBase(Seg.FS)).toBe(0x1000); // FS keeps its cached descriptor
    expect(write(0, 0, 0, F_RO | F_NP)).toBe(0);
    expect(cpu.selector(Seg.ES)).toBe(0);
  });
});

describe('segment loads and access checks', () => {
  test('loads fault in the SDM order: type (#GP) before presence (#NP, #SS)', () => {
    const t = makeProcess();
    t.vm.cpu.setSegment(Seg.CS, USER_CS, { base: 0, limit: -1, attr: FLAT_CODE_ATTR }); // CPL 3
    const gdt = t.proc.gdt;
    gdt.writeLdt(desc(0, 0, 0xfff, F_32 | F_NP), false);
    gdt.writeLdt(desc(1, 0, 0xfff, F_32 | F_CODE | F_RO | F_NP), false);
    const vectorOf = (seg: Seg, sel: number): number | null => {
      try {
        t.vm.cpu.loadSegment(seg, sel);
        return null;
      } catch (e) {
        return e instanceof CpuException ? e.vector : null;
      }
    };
    expect(vectorOf(Seg.ES, 0x07)).toBe(Vector.NP);
    expect(vectorOf(Seg.SS, 0x07)).toBe(Vector.SS);
    expect(vectorOf(Seg.ES, 0x0f)).toBe(Vector.GP); // execute-only code, and not present
    expect(vectorOf(Seg.SS, 0x28)).toBe(Vector.GP); // RPL 0 at CPL 3
    expect(vectorOf(Seg.SS, 0x2b)).toBeNull();
  });

  test('which segments need checks, and what they allow', () => {
    expect(needsAccessChecks(Seg.DS, 0x2b, { base: 0, limit: -1, attr: 0xf3 | SegAttr.DEFAULT_BIG })).toBe(false);
    expect(needsAccessChecks(Seg.GS, 0x63, { base: 0x1234, limit: -1, attr: 0xf3 | SegAttr.DEFAULT_BIG })).toBe(false);
    expect(needsAccessChecks(Seg.DS, 0, { base: 0, limit: 0, attr: 0 })).toBe(false);
    expect(needsAccessChecks(Seg.DS, 0x07, { base: 0, limit: 0xff, attr: 0xf3 })).toBe(true);
    expect(needsAccessChecks(Seg.DS, 0x07, { base: 0, limit: -1, attr: 0xf1 })).toBe(true); // read-only
    // B clear with a 4 GiB limit: unchecked in FS (Linux's kernel per-CPU segment, 0x8092), checked as SS (a stack of SP).
    expect(needsAccessChecks(Seg.FS, 0xd8, { base: 0x7df7000, limit: -1, attr: 0x8092 })).toBe(false);
    expect(needsAccessChecks(Seg.SS, 0x0f, { base: 0, limit: -1, attr: 0x8092 })).toBe(true);
    // Real mode: selector 0 is the segment at 0, and its 64 KiB limit is checked.
    expect(needsAccessChecks(Seg.DS, 0, { base: 0, limit: 0xffff, attr: 0x93 }, true)).toBe(true);

    const rw = 0xf3 | SegAttr.DEFAULT_BIG;
    expect(segmentAllows(rw, 0xff, 0xfc, 4, true)).toBe(true);
    expect(segmentAllows(rw, 0xff, 0xfd, 4, false)).toBe(false);
    expect(segmentAllows(0xf1, 0xff, 0, 1, false)).toBe(true);
    expect(segmentAllows(0xf1, 0xff, 0, 1, true)).toBe(false);
    expect(segmentAllows(0xfb, -1, 0, 4, false)).toBe(true); // readable code
    expect(segmentAllows(0xf9, -1, 0, 4, false)).toBe(false); // execute-only
    expect(segmentAllows(0xfb, -1, 0, 4, true)).toBe(false);
    // Expand-down: above the limit, up to 0xffff (B clear) or 0xffffffff (B set).
    expect(segmentAllows(0xf7, 0xfff, 0x1000, 4, true)).toBe(true);
    expect(segmentAllows(0xf7, 0xfff, 0xfff, 1, true)).toBe(false);
    expect(segmentAllows(0xf7, 0xfff, 0xfffe, 4, true)).toBe(false);
    expect(segmentAllows(0xf7 | SegAttr.DEFAULT_BIG, 0xfff, 0xfffe, 4, true)).toBe(true);
  });
});

describe('access checks are only paid for when a segment needs them', () => {
  test('flat and TLS segments leave the block cache unchecked; a limited LDT segment turns checks on', () => {
    const t = makeProcess();
    t.vm.cpu.setSegment(Seg.CS, USER_CS, { base: 0, limit: -1, attr: FLAT_CODE_ATTR });
    const u = t.scratch;
    // A glibc-style TLS descriptor: base somewhere, 4 GiB limit in pages.
    [-1, 0x12345000, 0xfffff, F_32 | F_PAGES | F_AVL].forEach((v, i) => t.vm.mmu.write32(u + 4 * i, v));
    expect(t.call(243 /* set_thread_area */, u)).toBe(0);
    t.vm.cpu.loadSegment(Seg.GS, 0x63);
    t.vm.cpu.loadSegment(Seg.FS, 0);
    expect(t.vm.cpu.checkedSegments).toBe(0);
    expect(t.vm.blocks.accessChecks).toBe(false);
    [0, 0x1000, 0xff, F_32].forEach((v, i) => t.vm.mmu.write32(u + 4 * i, v));
    expect(t.call(MODIFY_LDT, 0x11, u, 16)).toBe(0);
    expect(t.vm.blocks.accessChecks).toBe(false); // an LDT entry costs nothing until it is loaded
    t.vm.cpu.loadSegment(Seg.ES, 0x07);
    expect(t.vm.cpu.checkedSegments).toBe(1 << Seg.ES);
    expect(t.vm.blocks.accessChecks).toBe(true);
    t.vm.cpu.loadSegment(Seg.ES, 0x2b);
    expect(t.vm.cpu.checkedSegments).toBe(0);
  });
});
