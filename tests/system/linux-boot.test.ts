import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LoadError } from '../../src/linux/elf.js';
import {
  BOOT_PARAMS_ADDRESS,
  CAN_USE_HEAP,
  CMDLINE_ADDRESS,
  decompressionAddress,
  E820_RAM,
  E820_RESERVED,
  KERNEL_LOAD_ADDRESS,
  kernelMemoryEnd,
  LOADED_HIGH,
  linuxHandover,
  parseBzImage,
  type BzImage,
} from '../../src/system/linux-boot.js';

const MIB = 1 << 20;
const PM_CODE = [0xfc, 0xfa, 0xf4, 0xeb, 0xfd]; // cld; cli; hlt; jmp $-1: stands in for the compressed kernel
const VERSION_STRING = '6.1.0-test (wasmvisor@tests) #1';

interface Fields {
  setupSects?: number;
  bootFlag?: number;
  magic?: string;
  protocol?: number;
  loadflags?: number;
  initSize?: number;
  initrdAddrMax?: number;
  cmdlineSize?: number;
  prefAddress?: number;
  kernelAlignment?: number;
  relocatable?: number;
  headerLength?: number;
}

/** A bzImage with a boot protocol 2.15 setup header (the fields Debian's kernel has), and a few bytes of "protected-mode code". */
function bzImage(f: Fields = {}): Uint8Array {
  const setupSects = f.setupSects ?? 4;
  const pmOffset = ((setupSects || 4) + 1) * 512;
  const bytes = new Uint8Array(pmOffset + PM_CODE.length);
  const dv = new DataView(bytes.buffer);
  bytes[0x1f1] = setupSects;
  dv.setUint16(0x1fa, 0xffff, true); // vid_mode "normal", as in Debian's header: must be copied untouched
  dv.setUint16(0x1fe, f.bootFlag ?? 0xaa55, true);
  bytes[0x200] = 0xeb;
  bytes[0x201] = f.headerLength ?? 0x6a; // header ends at 0x26c (protocol 2.15)
  bytes.set(new TextEncoder().encode(f.magic ?? 'HdrS'), 0x202);
  dv.setUint16(0x206, f.protocol ?? 0x020f, true);
  dv.setUint16(0x20e, 0x300, true); // kernel_version: offset from 0x200
  bytes.set(new TextEncoder().encode(VERSION_STRING), 0x500);
  bytes[0x211] = f.loadflags ?? LOADED_HIGH;
  dv.setUint32(0x214, 0x100000, true);
  dv.setUint32(0x22c, f.initrdAddrMax ?? 0x7fffffff, true);
  dv.setUint32(0x230, f.kernelAlignment ?? 0x1000000, true);
  bytes[0x234] = f.relocatable ?? 1;
  bytes[0x235] = 0x0d; // min_alignment
  dv.setUint16(0x236, 0x0004, true); // xloadflags
  dv.setUint32(0x238, f.cmdlineSize ?? 0x7ff, true);
  dv.setUint32(0x258, f.prefAddress ?? 0x1000000, true);
  dv.setUint32(0x260, f.initSize ?? 0x1018000, true);
  dv.setUint32(0x268, 0x5bf265, true); // kernel_info_offset: the last 2.15 field, copied like the rest
  bytes.set(PM_CODE, pmOffset);
  return bytes;
}

const parse = (f: Fields = {}): BzImage => parseBzImage(bzImage(f), 'vmlinuz');
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, true);
const u64 = (b: Uint8Array, o: number) => Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(o, true));
const writeAt = (h: { writes: Array<{ address: number; bytes: Uint8Array }> }, address: number) => {
  const w = h.writes.find((x) => x.address === address);
  expect(w, `a write at 0x${address.toString(16)}`).toBeDefined();
  return w!.bytes;
};
const loadError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a LoadError');
};

describe('parseBzImage', () => {
  test('reads the setup header', () => {
    const bytes = bzImage();
    const image = parseBzImage(bytes, 'vmlinuz');
    expect(image).toMatchObject({
      protocol: 0x020f,
      setupSects: 4,
      loadflags: LOADED_HIGH,
      kernelOffset: 5 * 512,
      kernelAlignment: 0x1000000,
      relocatable: true,
      initSize: 0x1018000,
      initrdAddrMax: 0x7fffffff,
      cmdlineSize: 0x7ff,
      prefAddress: 0x1000000,
      version: VERSION_STRING,
    });
    expect([...image.kernel]).toEqual(PM_CODE);
    // From setup_sects to 0x202 + the byte at 0x201.
    expect(image.header).toEqual(bytes.subarray(0x1f1, 0x26c));
  });

  test('setup_sects 0 means 4', () => {
    const image = parse({ setupSects: 0 });
    expect(image.setupSects).toBe(4);
    expect(image.kernelOffset).toBe(5 * 512);
    expect([...image.kernel]).toEqual(PM_CODE);
  });

  test('the protected-mode code starts after setup_sects + 1 sectors', () => {
    const image = parse({ setupSects: 30 });
    expect(image.kernelOffset).toBe(31 * 512);
    expect([...image.kernel]).toEqual(PM_CODE);
  });

  test('a protocol 2.06 kernel has no init_size or pref_address: it decompresses at 1 MiB in place', () => {
    const image = parse({ protocol: 0x0206, headerLength: 0x3a, relocatable: 0 });
    expect(image.initSize).toBe(0);
    expect(image.prefAddress).toBe(0x100000);
    expect(image.cmdlineSize).toBe(0x7ff);
    expect(decompressionAddress(image)).toBe(0x100000);
  });

  test('where the kernel decompresses itself', () => {
    expect(decompressionAddress(parse())).toBe(16 * MIB);
    expect(kernelMemoryEnd(parse())).toBe(16 * MIB + 0x1018000);
    // A relocatable kernel moves up to its alignment, but never below LOAD_PHYSICAL_ADDR.
    expect(decompressionAddress(parse({ kernelAlignment: 0x2000000 }))).toBe(32 * MIB);
    expect(decompressionAddress(parse({ kernelAlignment: 0x200000, prefAddress: 0x1000000 }))).toBe(16 * MIB);
    expect(decompressionAddress(parse({ relocatable: 0, kernelAlignment: 0x2000000 }))).toBe(16 * MIB);
  });

  test.each<[string, Fields | Uint8Array, string]>([
    ['a file too short for a boot sector', new Uint8Array(100), 'vmlinuz is not a Linux bzImage (no boot sector signature 0xaa55 at 0x1fe)'],
    ['no boot sector signature', { bootFlag: 0 }, 'vmlinuz is not a Linux bzImage (no boot sector signature 0xaa55 at 0x1fe)'],
    ['no HdrS', { magic: 'HdrX' }, 'vmlinuz is not a Linux bzImage (no "HdrS" setup header at 0x202)'],
    ['protocol 2.05', { protocol: 0x0205 }, 'vmlinuz uses Linux boot protocol 2.05; wasmvisor needs 2.06 or later (the 32-bit boot protocol)'],
    ['a zImage', { loadflags: 0 }, 'vmlinuz is a zImage (loadflags LOADED_HIGH clear); wasmvisor boots only bzImages'],
    ['a header longer than boot_params has room for', { headerLength: 0xff }, "vmlinuz has a setup header that ends at 0x301, past the setup code or boot_params' room for it"],
  ])('refuses %s', (_, f, message) => {
    const bytes = f instanceof Uint8Array ? f : bzImage(f);
    expect(loadError(() => parseBzImage(bytes, 'vmlinuz'))).toBe(message);
  });

  test('refuses a file that ends after its setup code', () => {
    expect(loadError(() => parseBzImage(bzImage().subarray(0, 5 * 512), 'vmlinuz'))).toBe(
      'vmlinuz is truncated: no protected-mode kernel after its 4 setup sectors',
    );
  });
});

describe('linuxHandover', () => {
  const memoryBytes = 64 * MIB;
  const cmdline = 'console=ttyS0 quiet cryptomgr.notests acpi=off noapic nolapic';

  test('puts the kernel at 1 MiB and enters it there with ESI at the zero page', () => {
    const image = parse();
    const h = linuxHandover(image, { memoryBytes, cmdline }, 'vmlinuz');
    expect(h.eip).toBe(KERNEL_LOAD_ADDRESS);
    expect(h.eip).toBe(0x100000);
    expect(h.esi).toBe(BOOT_PARAMS_ADDRESS);
    expect([...writeAt(h, 0x100000)]).toEqual(PM_CODE);
    // Nothing overlaps, and all of it is RAM below the top of memory.
    const spans = h.writes.map((w) => [w.address, w.address + w.bytes.length] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(spans.at(-1)![1]).toBeLessThanOrEqual(memoryBytes);
    expect(spans[0]![0]).toBeGreaterThanOrEqual(0x1000);
  });

  test('fills the zero page: the setup header in place, then the loader fields', () => {
    const bytes = bzImage({ loadflags: LOADED_HIGH | CAN_USE_HEAP });
    const h = linuxHandover(parseBzImage(bytes, 'vmlinuz'), { memoryBytes, cmdline }, 'vmlinuz');
    const bp = writeAt(h, BOOT_PARAMS_ADDRESS);
    expect(bp.length).toBe(4096);
    // Everything before the header is zero except alt_mem_k and e820_entries; the sentinel at 0x1ef stays 0.
    const before = [...bp.subarray(0, 0x1f1)];
    before.fill(0, 0x1e0, 0x1e4);
    before[0x1e8] = 0;
    expect(before.every((b) => b === 0)).toBe(true);
    expect(bp[0x1ef]).toBe(0);
    expect(u32(bp, 0x1e0)).toBe((memoryBytes - MIB) / 1024); // alt_mem_k
    // The header, byte for byte, except the fields a loader writes.
    const header = bytes.slice(0x1f1, 0x26c);
    const expected = new Uint8Array(4096);
    expected.set(header, 0x1f1);
    const loaderFields = [0x210, 0x211, 0x214, 0x215, 0x216, 0x217, ...Array.from({ length: 8 }, (_, i) => 0x218 + i), 0x228, 0x229, 0x22a, 0x22b];
    for (let o = 0x1f1; o < 0x26c; o++) if (!loaderFields.includes(o)) expect(bp[o], `boot_params[0x${o.toString(16)}]`).toBe(expected[o]);
    expect(bp[0x1f1]).toBe(4); // setup_sects
    expect(u32(bp, 0x202)).toBe(0x53726448); // HdrS
    expect(bp[0x206] | (bp[0x207]! << 8)).toBe(0x020f);
    expect(bp[0x1fa] | (bp[0x1fb]! << 8)).toBe(0xffff); // vid_mode
    expect(bp[0x210]).toBe(0xff); // type_of_loader: undefined loader
    expect(bp[0x211]).toBe(LOADED_HIGH); // CAN_USE_HEAP cleared: there is no real-mode setup code running
    expect(bp[0x224] | (bp[0x225]! << 8)).toBe(0); // heap_end_ptr
    expect(u32(bp, 0x214)).toBe(0x100000); // code32_start
    expect(u32(bp, 0x228)).toBe(CMDLINE_ADDRESS); // cmd_line_ptr
    expect(u32(bp, 0x218)).toBe(0); // ramdisk_image: no initrd
    expect(u32(bp, 0x21c)).toBe(0); // ramdisk_size
    expect(u32(bp, 0x260)).toBe(0x1018000); // init_size, copied
    expect(u32(bp, 0x268)).toBe(0x5bf265); // kernel_info_offset, copied
    // Past the header: zero, but for the E820 table.
    expect(bp.subarray(0x26c, 0x2d0).every((b) => b === 0)).toBe(true);
    expect(bp.subarray(0x2d0 + 4 * 20).every((b) => b === 0)).toBe(true);
    // ext_ramdisk_image, ext_ramdisk_size, ext_cmd_line_ptr: everything is below 4 GiB.
    expect(u32(bp, 0xc0) | u32(bp, 0xc4) | u32(bp, 0xc8)).toBe(0);
  });

  test('gives a PC E820 map', () => {
    const h = linuxHandover(parse(), { memoryBytes: 96 * MIB, cmdline }, 'vmlinuz');
    const bp = writeAt(h, BOOT_PARAMS_ADDRESS);
    expect(bp[0x1e8]).toBe(4);
    const entries = Array.from({ length: bp[0x1e8]! }, (_, i) => {
      const o = 0x2d0 + 20 * i;
      return [u64(bp, o), u64(bp, o + 8), u32(bp, o + 16)];
    });
    expect(entries).toEqual([
      [0, 0x9fc00, E820_RAM],
      [0x9fc00, 0x400, E820_RESERVED],
      [0xf0000, 0x10000, E820_RESERVED],
      [0x100000, 96 * MIB - 0x100000, E820_RAM],
    ]);
    expect(E820_RAM).toBe(1);
    expect(E820_RESERVED).toBe(2);
  });

  test('copies the command line NUL-terminated, in conventional memory', () => {
    const h = linuxHandover(parse(), { memoryBytes, cmdline }, 'vmlinuz');
    const bytes = writeAt(h, CMDLINE_ADDRESS);
    expect(CMDLINE_ADDRESS + bytes.length).toBeLessThan(0x9fc00);
    expect(bytes.at(-1)).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(0, -1))).toBe(cmdline);
    const empty = writeAt(linuxHandover(parse(), { memoryBytes, cmdline: '' }, 'vmlinuz'), CMDLINE_ADDRESS);
    expect([...empty]).toEqual([0]);
  });

  test('takes a command line of exactly cmdline_size bytes and refuses a longer one', () => {
    const image = parse({ cmdlineSize: 16 });
    expect(writeAt(linuxHandover(image, { memoryBytes, cmdline: 'x'.repeat(16) }, 'vmlinuz'), CMDLINE_ADDRESS).length).toBe(17);
    expect(loadError(() => linuxHandover(image, { memoryBytes, cmdline: 'x'.repeat(17) }, 'vmlinuz'))).toBe(
      'the kernel command line is too long (17 bytes; vmlinuz takes at most 16)',
    );
    // Counted in bytes, as the kernel counts them.
    expect(loadError(() => linuxHandover(image, { memoryBytes, cmdline: 'é'.repeat(9) }, 'vmlinuz'))).toBe(
      'the kernel command line is too long (18 bytes; vmlinuz takes at most 16)',
    );
  });

  test('places the initrd page-aligned at the top of memory', () => {
    const initrd = new Uint8Array(1_085_246).fill(0x5a);
    const h = linuxHandover(parse(), { memoryBytes, cmdline, initrd }, 'vmlinuz');
    const bp = writeAt(h, BOOT_PARAMS_ADDRESS);
    const address = u32(bp, 0x218);
    expect(address % 4096).toBe(0);
    expect(address + initrd.length).toBeLessThanOrEqual(memoryBytes);
    expect(address + initrd.length + 4096).toBeGreaterThan(memoryBytes); // as high as it goes
    expect(address).toBe(Math.floor((memoryBytes - initrd.length) / 4096) * 4096);
    expect(u32(bp, 0x21c)).toBe(initrd.length);
    expect(writeAt(h, address)).toBe(initrd);
  });

  test('keeps the initrd below initrd_addr_max', () => {
    const initrd = new Uint8Array(5000);
    const image = parse({ initrdAddrMax: 40 * MIB - 1 });
    const bp = writeAt(linuxHandover(image, { memoryBytes, cmdline, initrd }, 'vmlinuz'), BOOT_PARAMS_ADDRESS);
    expect(u32(bp, 0x218)).toBe(40 * MIB - 8192);
    expect(u32(bp, 0x218) + initrd.length - 1).toBeLessThanOrEqual(40 * MIB - 1);
  });

  test('an empty initrd is no initrd', () => {
    const h = linuxHandover(parse(), { memoryBytes, cmdline, initrd: new Uint8Array(0) }, 'vmlinuz');
    const bp = writeAt(h, BOOT_PARAMS_ADDRESS);
    expect(u32(bp, 0x218)).toBe(0);
    expect(u32(bp, 0x21c)).toBe(0);
    expect(h.writes.length).toBe(3);
  });

  test('needs 16 MiB + init_size of memory, rounded up to whole MiB', () => {
    const image = parse(); // init_size 0x1018000: the kernel's decompression area ends at 32 MiB + 96 KiB
    expect(() => linuxHandover(image, { memoryBytes: 16 * MIB + 0x1018000, cmdline }, 'vmlinuz')).not.toThrow();
    expect(loadError(() => linuxHandover(image, { memoryBytes: 32 * MIB, cmdline }, 'vmlinuz'))).toBe(
      'vmlinuz needs at least 33 MiB of memory; give more with --memory',
    );
    expect(loadError(() => linuxHandover(parse({ initSize: 0x2000000 }), { memoryBytes: 40 * MIB, cmdline }, 'vmlinuz'))).toBe(
      'vmlinuz needs at least 48 MiB of memory; give more with --memory',
    );
  });

  test('keeps the initrd above the decompression area, or asks for more memory', () => {
    const image = parse(); // decompression area: [16 MiB, 16 MiB + 0x1018000)
    const initrd = new Uint8Array(3 * MIB);
    const bp = writeAt(linuxHandover(image, { memoryBytes: 36 * MIB, cmdline, initrd }, 'vmlinuz'), BOOT_PARAMS_ADDRESS);
    expect(u32(bp, 0x218)).toBe(33 * MIB);
    expect(u32(bp, 0x218)).toBeGreaterThanOrEqual(16 * MIB + 0x1018000);
    expect(loadError(() => linuxHandover(image, { memoryBytes: 35 * MIB, cmdline, initrd }, 'vmlinuz'))).toBe(
      'the initrd (3145728 bytes) does not fit in memory above vmlinuz\'s decompression area: needs at least 36 MiB of memory; give more with --memory',
    );
  });

  test('refuses an initrd that initrd_addr_max keeps below the decompression area', () => {
    const image = parse({ initrdAddrMax: 34 * MIB - 1 });
    expect(loadError(() => linuxHandover(image, { memoryBytes: 64 * MIB, cmdline, initrd: new Uint8Array(2 * MIB) }, 'vmlinuz'))).toBe(
      "the initrd (2097152 bytes) does not fit between vmlinuz's decompression area (up to 0x2018000) and its initrd_addr_max 0x21fffff",
    );
  });
});

describe("Debian's i386 kernel", () => {
  const dir = join(process.cwd(), '.cache', 'linux');
  const kernelPath = join(dir, 'bzImage');
  const initrdPath = join(dir, 'initramfs.cpio.gz');
  const exists = existsSync(kernelPath);

  test.skipIf(!exists)(`parses .cache/linux/bzImage${exists ? '' : ' (skipped: run scripts/build-linux-guest.sh first)'}`, () => {
    const bytes = new Uint8Array(readFileSync(kernelPath));
    const image = parseBzImage(bytes, kernelPath);
    expect(image.protocol).toBeGreaterThanOrEqual(0x020f);
    expect(image.loadflags & LOADED_HIGH).toBe(LOADED_HIGH);
    expect(image.relocatable).toBe(true);
    expect(image.prefAddress).toBe(16 * MIB); // LOAD_PHYSICAL_ADDR
    expect(image.initSize).toBeGreaterThan(8 * MIB);
    expect(image.cmdlineSize).toBeGreaterThanOrEqual(255);
    expect(image.kernelOffset).toBe((image.setupSects + 1) * 512);
    expect(image.version).toMatch(/^\d+\.\d+\.\d+-\d+-686 /);
    expect(decompressionAddress(image)).toBe(16 * MIB);

    const initrd = existsSync(initrdPath) ? new Uint8Array(readFileSync(initrdPath)) : undefined;
    const h = linuxHandover(image, { memoryBytes: 64 * MIB, cmdline: 'console=ttyS0 quiet', initrd }, kernelPath);
    expect(h.eip).toBe(0x100000);
    expect(writeAt(h, 0x100000).length).toBe(bytes.length - image.kernelOffset);
    if (initrd !== undefined) {
      const bp = writeAt(h, BOOT_PARAMS_ADDRESS);
      expect(u32(bp, 0x218)).toBeGreaterThanOrEqual(kernelMemoryEnd(image));
      expect(u32(bp, 0x21c)).toBe(initrd.length);
      expect([...initrd.subarray(0, 2)]).toEqual([0x1f, 0x8b]); // gzip
    }
    // GUEST-LINUX.md: below ~36 MiB the kernel hangs silently; the loader refuses what it can compute.
    expect(loadError(() => linuxHandover(image, { memoryBytes: 32 * MIB, cmdline: '' }, kernelPath))).toMatch(/needs at least 33 MiB of memory; give more with --memory$/);
  });
});
