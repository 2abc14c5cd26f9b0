import { describe, expect, test } from 'vitest';
import {
  BytesSource,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_PRIVATE,
  MMAP_BASE,
  MREMAP_MAYMOVE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from '../../src/linux/address-space.js';
import { CpuException } from '../../src/runtime/exceptions.js';
import { FRAMES_BASE, TAG_VALID, Tlb } from '../../src/runtime/layout.js';
import { GuestMemory } from '../../src/runtime/memory.js';
import type { Machine } from '../../src/runtime/machine.js';
import { Access, Mmu } from '../../src/runtime/mmu.js';
import { makeProcess } from './helpers.js';

const PROT_NONE = 0;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const MiB = 1 << 20;

/** Writes a byte to each page from `a` on, for as many pages as the memory has free frames and one more: the first fault. */
function firstFaultWriting(vm: Machine, a: number): CpuException | null {
  const free = vm.mem.poolBytes - vm.mem.bytesInUse;
  for (let off = 0; off <= free; off += 4096) {
    try {
      vm.mmu.write8(a + off, 1);
    } catch (x) {
      if (x instanceof CpuException) return x;
      throw x;
    }
  }
  return null;
}

function fault(fn: () => unknown): CpuException {
  try {
    fn();
  } catch (e) {
    if (e instanceof CpuException) return e;
    throw e;
  }
  throw new Error('expected a fault');
}

describe('AddressSpace', () => {
  test('mmap places mappings top-down below the mmap base, page aligned', () => {
    const { proc } = makeProcess();
    const mm = proc.mm;
    const a = mm.mmap(0, 10000, { prot: RW, flags: ANON });
    const b = mm.mmap(0, 4096, { prot: RW, flags: ANON });
    expect(a % 4096).toBe(0);
    expect(a + 12288).toBeLessThanOrEqual(MMAP_BASE);
    expect(b).toBe(a - 4096);
    // A free hint is honoured.
    expect(mm.mmap(0x40000000, 4096, { prot: RW, flags: ANON })).toBe(0x40000000);
  });

  test('memory is backed lazily: a 200 MB mapping costs nothing until touched', () => {
    const { proc, vm } = makeProcess({}, 256 * MiB);
    const before = vm.mem.bytesInUse;
    const a = proc.mm.mmap(0, 200 * MiB, { prot: RW, flags: ANON });
    expect(a).toBeGreaterThan(0);
    expect(vm.mem.bytesInUse).toBe(before);
    vm.mmu.write32(a + 100 * MiB, 0x12345678);
    expect(vm.mem.bytesInUse).toBe(before + 4096);
    expect(vm.mmu.read32(a + 100 * MiB)).toBe(0x12345678);
    expect(vm.mmu.read32(a + 50 * MiB)).toBe(0);
  });

  test('a request larger than guest RAM fails with ENOMEM', () => {
    const { proc } = makeProcess({}, 16 * MiB);
    expect(proc.mm.mmap(0, 64 * MiB, { prot: RW, flags: ANON })).toBe(-12);
  });

  test('munmap frees frames and later accesses fault as unmapped', () => {
    const { proc, vm } = makeProcess();
    const a = proc.mm.mmap(0, 3 * 4096, { prot: RW, flags: ANON });
    for (let i = 0; i < 3; i++) vm.mmu.write8(a + i * 4096, i + 1);
    const used = vm.mem.bytesInUse;
    expect(proc.mm.munmap(a + 4096, 4096)).toBe(0);
    expect(vm.mem.bytesInUse).toBe(used - 4096);
    const e = fault(() => vm.mmu.read8(a + 4096));
    expect(e.vector).toBe(14);
    expect(e.detail).toBe('unmapped');
    expect(e.errorCode).toBe(4); // not present, read, user
    expect(e.address >>> 0).toBe(a + 4096);
    expect(vm.mmu.read8(a)).toBe(1);
    expect(vm.mmu.read8(a + 8192)).toBe(3);
    expect(proc.mm.munmap(a + 1, 4096)).toBe(-22);
  });

  test('mprotect makes pages read-only (write faults with present|write|user) and back', () => {
    const { proc, vm } = makeProcess();
    const a = proc.mm.mmap(0x20000000, 2 * 4096, { prot: RW, flags: ANON });
    vm.mmu.write32(a, 7);
    expect(proc.mm.mprotect(a, 4096, PROT_READ)).toBe(0);
    const e = fault(() => vm.mmu.write32(a, 8));
    expect(e.errorCode).toBe(7);
    expect(e.detail).toBe('read-only');
    expect(vm.mmu.read32(a)).toBe(7);
    vm.mmu.write32(a + 4096, 9); // the other page is still writable
    expect(proc.mm.mprotect(a, 4096, RW)).toBe(0);
    vm.mmu.write32(a, 8);
    expect(vm.mmu.read32(a)).toBe(8);
    // Both halves are alike again: they merge back into one mapping.
    expect(proc.mm.maps.filter((m) => m.start <= a && m.end > a).length).toBe(1);
    expect(proc.mm.find(a)!.end).toBe(a + 8192);
    expect(proc.mm.mprotect(a + 8192 * 1000, 4096, PROT_READ)).toBe(-12);
  });

  test('PROT_NONE and non-executable pages fault with the right detail', () => {
    const { proc, vm } = makeProcess();
    const a = proc.mm.mmap(0, 4096, { prot: PROT_NONE, flags: ANON });
    expect(fault(() => vm.mmu.read8(a)).detail).toBe('PROT_NONE');
    const b = proc.mm.mmap(0, 4096, { prot: RW, flags: ANON });
    const e = fault(() => vm.mmu.fetchAddress(b));
    expect(e.detail).toBe('not executable');
    expect(e.errorCode & 0x10).toBe(0x10);
    expect(proc.mm.translate(b, Access.READ, true) & 16).toBe(0);
    proc.mm.mprotect(b, 4096, RW | PROT_EXEC);
    expect(() => vm.mmu.fetchAddress(b)).not.toThrow();
  });

  test('MAP_FIXED replaces what was there; MAP_FIXED_NOREPLACE refuses', () => {
    const { proc, vm } = makeProcess();
    const a = proc.mm.mmap(0, 4 * 4096, { prot: RW, flags: ANON });
    vm.mmu.write8(a + 4096, 55);
    vm.mmu.write8(a + 8192, 66);
    expect(proc.mm.mmap(a + 4096, 4096, { prot: RW, flags: ANON | MAP_FIXED })).toBe(a + 4096);
    expect(vm.mmu.read8(a + 4096)).toBe(0);
    expect(vm.mmu.read8(a + 8192)).toBe(66);
    expect(proc.mm.mmap(a, 4096, { prot: RW, flags: ANON | MAP_FIXED_NOREPLACE })).toBe(-17);
    expect(proc.mm.mmap(a + 1, 4096, { prot: RW, flags: ANON | MAP_FIXED })).toBe(-22);
  });

  test('mremap grows in place when it can and moves frames (not bytes) when it cannot', () => {
    const { proc, vm } = makeProcess();
    const mm = proc.mm;
    const a = mm.mmap(0x30000000, 2 * 4096, { prot: RW, flags: ANON });
    vm.mmu.write32(a, 0xabcd);
    expect(mm.mremap(a, 8192, 4 * 4096, 0, 0)).toBe(a); // room above: in place
    mm.mmap(a + 4 * 4096, 4096, { prot: PROT_READ, flags: ANON | MAP_FIXED }); // block further growth
    expect(mm.mremap(a, 4 * 4096, 8 * 4096, 0, 0)).toBe(-12);
    const frame = mm.frameAt(a);
    const used = vm.mem.bytesInUse;
    const b = mm.mremap(a, 4 * 4096, 8 * 4096, MREMAP_MAYMOVE, 0);
    expect(b).not.toBe(a);
    expect(mm.frameAt(b)).toBe(frame);
    expect(vm.mem.bytesInUse).toBe(used);
    expect(vm.mmu.read32(b)).toBe(0xabcd);
    expect(() => vm.mmu.read32(a)).toThrow();
    // Shrinking unmaps the tail.
    expect(mm.mremap(b, 8 * 4096, 4096, 0, 0)).toBe(b);
    expect(mm.find(b + 4096)).toBeNull();
  });

  test('brk grows and shrinks the heap and refuses to overlap a mapping', () => {
    const { proc, vm } = makeProcess();
    const mm = proc.mm;
    mm.initBrk(0x0a000123);
    expect(mm.setBrk(0)).toBe(0x0a001000);
    expect(mm.setBrk(0x0a003010)).toBe(0x0a003010);
    vm.mmu.write32(0x0a003000, 5);
    expect(mm.find(0x0a003000)?.name).toBe('[heap]');
    expect(mm.setBrk(0x0a001800)).toBe(0x0a001800);
    expect(mm.find(0x0a002000)).toBeNull();
    mm.mmap(0x0a010000, 4096, { prot: RW, flags: ANON | MAP_FIXED });
    expect(mm.setBrk(0x0a020000)).toBe(0x0a001800);
    // Memory given back and taken again reads as zero.
    expect(mm.setBrk(0x0a004000)).toBe(0x0a004000);
    expect(vm.mmu.read32(0x0a003000)).toBe(0);
  });

  test('file-backed private mappings read their source; bytes past its end are zero; writes stay private', () => {
    const { proc, vm } = makeProcess();
    const data = Buffer.alloc(6000, 0x41);
    data.write('hello', 4096);
    const a = proc.mm.mmap(0, 3 * 4096, { prot: RW, flags: MAP_PRIVATE, source: new BytesSource(data), sourceOffset: 0 });
    expect(Buffer.from(vm.mmu.readBytes(a + 4096, 5)).toString()).toBe('hello');
    expect(vm.mmu.read8(a + 5999)).toBe(0x41);
    expect(vm.mmu.read8(a + 6000)).toBe(0);
    expect(vm.mmu.read8(a + 8192)).toBe(0);
    vm.mmu.write8(a, 1);
    expect(data[0]).toBe(0x41);
  });

  test('a process runs out of frames with a recognisable fault', () => {
    const { proc, vm } = makeProcess({}, 1 * MiB);
    const a = proc.mm.mmap(0, 1 * MiB, { prot: RW, flags: ANON });
    expect(firstFaultWriting(vm, a)?.detail).toBe('out of guest memory');
  });

  test('/proc/self/maps text lists the mappings', () => {
    const { proc } = makeProcess();
    proc.mm.initBrk(0x0a000000);
    proc.mm.setBrk(0x0a002000);
    expect(proc.mm.describe()).toMatch(/^0a000000-0a002000 rw-p 00000000 00:00 0 {10}\[heap\]$/m);
  });
});

describe('a linear guest memory (page P at host offset P, user mode\'s default)', () => {
  const linear = () => makeProcess({}, 64 * MiB, { linearMemory: true });

  test('every page lives at its own address, those above 2 GiB too, and its tags ask for no addend', () => {
    const { proc, vm } = linear();
    expect(vm.mem.linear).toBe(true);
    for (const a of [0x30000000, 0xf0000000]) {
      expect(proc.mm.mmap(a, 4096, { prot: RW, flags: ANON | MAP_FIXED }) >>> 0).toBe(a);
      vm.mmu.write32(a, 0x12345678);
      expect(proc.mm.frameAt(a) >>> 0).toBe(a);
      expect(vm.mem.dv.getUint32(a, true)).toBe(0x12345678);
      expect(vm.mmu.read32(a + 1) >>> 0).toBe(0x00123456);
      expect(vm.mem.writeTags[a >>> 12]).toBe((a | TAG_VALID) | 0);
      expect(vm.mem.addends[a >>> 12]).toBe(0);
    }
  });

  test('an unmapped page is cleared: mapped again it reads zeros', () => {
    const { proc, vm } = linear();
    const a = proc.mm.mmap(0x30000000, 4096, { prot: RW, flags: ANON | MAP_FIXED });
    vm.mmu.write32(a + 8, -1);
    const used = vm.mem.bytesInUse;
    expect(proc.mm.munmap(a, 4096)).toBe(0);
    expect(vm.mem.bytesInUse).toBe(used - 4096);
    expect(proc.mm.mmap(a, 4096, { prot: RW, flags: ANON | MAP_FIXED })).toBe(a);
    expect(vm.mmu.read32(a + 8)).toBe(0);
  });

  test('mremap moves the bytes, since a frame cannot move', () => {
    const { proc, vm } = linear();
    const mm = proc.mm;
    const a = mm.mmap(0x30000000, 2 * 4096, { prot: RW, flags: ANON | MAP_FIXED });
    mm.mmap(a + 2 * 4096, 4096, { prot: PROT_READ, flags: ANON | MAP_FIXED }); // no room to grow in place
    vm.mmu.write32(a + 4096 + 12, 0xabcd);
    const used = vm.mem.bytesInUse;
    const b = mm.mremap(a, 2 * 4096, 4 * 4096, MREMAP_MAYMOVE, 0);
    expect(b).not.toBe(a);
    expect(vm.mmu.read32(b + 4096 + 12)).toBe(0xabcd);
    expect(mm.frameAt(b + 4096) >>> 0).toBe((b + 4096) >>> 0);
    expect(vm.mem.bytesInUse).toBe(used);
    expect(vm.mem.dv.getUint32(a + 4096 + 12, true)).toBe(0); // the old frame was cleared
  });

  test('the VM\'s own pages below FRAMES_BASE cannot be mapped: MAP_FIXED there is EPERM and a hint goes elsewhere', () => {
    const { proc } = linear();
    const low = 0x100000;
    expect(low).toBeLessThan(FRAMES_BASE);
    expect(proc.mm.mmap(low, 4096, { prot: RW, flags: ANON | MAP_FIXED })).toBe(-1);
    expect(proc.mm.mmap(low, 4096, { prot: RW, flags: ANON }) >>> 0).toBeGreaterThanOrEqual(FRAMES_BASE);
    // A pooled memory keeps Linux's own mmap_min_addr.
    expect(makeProcess().proc.mm.mmap(low, 4096, { prot: RW, flags: ANON | MAP_FIXED })).toBe(low);
  });

  test('the frames in use are capped at the memory size', () => {
    const { proc, vm } = makeProcess({}, 1 * MiB, { linearMemory: true });
    const a = proc.mm.mmap(0, 1 * MiB, { prot: RW, flags: ANON });
    expect(firstFaultWriting(vm, a)?.detail).toBe('out of guest memory');
    expect(vm.mem.bytesInUse).toBe(1 * MiB);
  });

  test('its 4 GiB do not count as the engine\'s external memory (which forced a full GC per VM)', () => {
    const before = process.memoryUsage().external;
    const mem = new GuestMemory(64 * MiB, { linear: true });
    expect(mem.linear).toBe(true);
    expect(process.memoryUsage().external - before).toBeLessThan(64 * MiB);
  });

  test('a page that would not sit at its own address gets no tags, so translated code leaves it to the slow path', () => {
    const mem = new GuestMemory(64 * MiB, { linear: true });
    const elsewhere = 0x2000000;
    const mmu = new Mmu(mem, { translate: () => elsewhere | Tlb.READ | Tlb.WRITE | Tlb.USER });
    mmu.write32(0x3000000, 7);
    expect(mem.i32[elsewhere >>> 2]).toBe(7);
    expect(mmu.read32(0x3000000)).toBe(7);
    expect(mem.readTags[0x3000]).toBe(0);
    expect(mem.writeTags[0x3000]).toBe(0);
  });
});
