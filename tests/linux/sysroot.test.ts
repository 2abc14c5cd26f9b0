import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ET_DYN_BASE, MMAP_BASE } from '../../src/linux/address-space.js';
import { LoadError, readElfFile } from '../../src/linux/elf.js';
import { Slot } from '../../src/runtime/layout.js';
import { At } from '../../src/linux/stack.js';
import { Sysroot } from '../../src/linux/sysroot.js';
import { compileC, makeProcess, tempDir } from './helpers.js';

const HELLO = '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n';
const O_RDONLY = 0;
const NR_OPEN = 5;
const NR_ACCESS = 33;
const NR_READLINK = 85;
const ENOENT = 2;

let dir: string;
/** A sysroot with a few files (and a non-ASCII name, to check the byte-string form). */
let root: string;

beforeAll(() => {
  dir = tempDir();
  root = path.join(dir, 'root-é');
  for (const d of ['lib', 'etc', 'dev', 'proc/self', 'usr/share']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib/libonly-in-sysroot.so'), 'sysroot library\n');
  fs.writeFileSync(path.join(root, 'dev/null'), 'not the host null\n');
  fs.writeFileSync(path.join(root, 'proc/self/status'), 'not the host status\n');
  fs.symlinkSync('libonly-in-sysroot.so', path.join(root, 'lib/liblink.so'));
  fs.symlinkSync('missing-target', path.join(root, 'lib/dangling.so'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('Sysroot path lookup (qemu-user -L)', () => {
  test('an absolute path the sysroot has is taken from it; one it lacks is the host path', () => {
    const s = new Sysroot(root);
    expect(s.dir).toBe(latin1(root));
    expect(s.lookup('/lib/libonly-in-sysroot.so')).toBe(`${latin1(root)}/lib/libonly-in-sysroot.so`);
    expect(s.lookup('/lib/liblink.so')).toBe(`${latin1(root)}/lib/liblink.so`);
    expect(s.lookup('/usr/share')).toBe(`${latin1(root)}/usr/share`);
    expect(s.lookup('/lib/not-there.so')).toBe('/lib/not-there.so');
    expect(s.lookup('/etc/hostname')).toBe('/etc/hostname');
    // like access(F_OK): a dangling symlink does not count
    expect(s.lookup('/lib/dangling.so')).toBe('/lib/dangling.so');
  });

  test('/, /proc, /dev and /sys are always the host\'s; relative paths are not prefixed', () => {
    const s = new Sysroot(`${root}/`);
    for (const p of ['/', '//', '/dev/null', '/dev', '/proc/self/status', '/proc', '/sys/kernel']) expect(s.lookup(p)).toBe(p);
    expect(s.lookup('lib/libonly-in-sysroot.so')).toBe('lib/libonly-in-sysroot.so');
  });

  test("the dynamic loader's cache and preload list are only the sysroot's", () => {
    const s = new Sysroot(root);
    expect(s.lookup('/etc/ld.so.cache')).toBe(`${latin1(root)}/etc/ld.so.cache`);
    expect(s.lookup('/etc/ld.so.preload')).toBe(`${latin1(root)}/etc/ld.so.preload`);
  });
});

describe('guest system calls under a sysroot', () => {
  test('open, access and readlink see the sysroot first, the host next', () => {
    const t = makeProcess({ sysroot: root });
    const buf = t.scratch + 1024;
    const fd = t.call(NR_OPEN, t.str(t.scratch, '/lib/liblink.so'), O_RDONLY, 0);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(t.proc.file(fd).path).toBe(`${latin1(root)}/lib/liblink.so`);
    expect(t.call(NR_ACCESS, t.str(t.scratch, '/lib/libonly-in-sysroot.so'), 4)).toBe(0);
    expect(t.call(NR_ACCESS, t.str(t.scratch, '/etc/ld.so.cache'), 0)).toBe(-ENOENT);
    // the host's /dev/null, not the sysroot's file of that name
    const nul = t.call(NR_OPEN, t.str(t.scratch, '/dev/null'), O_RDONLY, 0);
    expect(t.proc.file(nul).path).toBe('/dev/null');
    // a path the sysroot lacks: the host's
    expect(t.call(NR_ACCESS, t.str(t.scratch, '/bin/sh'), 0)).toBe(0);
    const n = t.call(NR_READLINK, t.str(t.scratch, '/lib/liblink.so'), buf, 100);
    expect(Buffer.from(t.vm.mmu.readBytes(buf, n)).toString()).toBe('libonly-in-sysroot.so');
  });

  test('without a sysroot the host paths are used as given', () => {
    const t = makeProcess();
    expect(t.call(NR_ACCESS, t.str(t.scratch, '/lib/libonly-in-sysroot.so'), 0)).toBe(-ENOENT);
    expect(t.call(NR_ACCESS, t.str(t.scratch, '/etc/ld.so.cache'), 0)).toBe(fs.existsSync('/etc/ld.so.cache') ? 0 : -ENOENT);
  });
});

describe('exec of a dynamically linked program', () => {
  /** The host's i386 dynamic loader (gcc-multilib's libc6-i386) copied into a sysroot of its own. */
  function sysrootWithLoader(): string {
    const r = path.join(dir, `ldso-root-${Math.random().toString(36).slice(2)}`);
    fs.mkdirSync(path.join(r, 'lib'), { recursive: true });
    fs.copyFileSync(fs.realpathSync('/lib/ld-linux.so.2'), path.join(r, 'lib/ld-linux.so.2'));
    return r;
  }

  function auxvOf(t: ReturnType<typeof makeProcess>): Map<number, number> {
    const mmu = t.vm.mmu;
    const u32 = (a: number) => mmu.read32(a) >>> 0;
    let p = t.vm.cpu.r32[Slot.ESP] >>> 0;
    p += 4 * (u32(p) + 2); // argc, argv[], NULL
    while (u32(p) !== 0) p += 4; // envp[]
    const auxv = new Map<number, number>();
    for (p += 4; u32(p) !== At.NULL; p += 8) auxv.set(u32(p), u32(p + 4));
    return auxv;
  }

  test('the interpreter is mapped top down and runs first; auxv describes the program and AT_BASE the interpreter', () => {
    const r = sysrootWithLoader();
    const prog = compileC(dir, 'dyn-pie', HELLO, ['-pie', '-fpie']);
    const image = readElfFile(prog);
    expect(image.interp).toBe('/lib/ld-linux.so.2');
    const t = makeProcess({ sysroot: r, program: prog });
    t.proc.exec(image, [prog], ['A=1']);
    const auxv = auxvOf(t);
    const base = auxv.get(At.BASE)!;
    const ldso = readElfFile(path.join(r, 'lib/ld-linux.so.2'));
    expect(base).toBeGreaterThan(ET_DYN_BASE);
    expect(base).toBeLessThan(MMAP_BASE);
    expect(base % 4096).toBe(0);
    expect(t.vm.cpu.eip >>> 0).toBe((base + ldso.entry) >>> 0);
    expect(auxv.get(At.ENTRY)).toBe(ET_DYN_BASE + image.entry);
    expect(auxv.get(At.PHDR)).toBe(ET_DYN_BASE + image.phdrs.find((p) => p.type === 6)!.vaddr);
    expect(auxv.get(At.PHNUM)).toBe(image.phnum);
    expect(auxv.has(32)).toBe(false); // no AT_SYSINFO: glibc makes its system calls with int 0x80
    expect(auxv.has(33)).toBe(false); // no AT_SYSINFO_EHDR: there is no vDSO
    // the ELF header of ld.so is at AT_BASE, its mapping named after the file
    expect(t.vm.mmu.read32(base) >>> 0).toBe(0x464c457f);
    expect(t.proc.mm.find(base)!.name).toBe(latin1(fs.realpathSync(path.join(r, 'lib/ld-linux.so.2'))));
    // brk follows the program, not the interpreter
    expect(t.proc.mm.brkStart).toBeLessThan(base);
    expect(t.proc.mm.brkStart).toBeGreaterThan(ET_DYN_BASE);
  });

  test('a non-PIE dynamically linked program stays at its link address', () => {
    const r = sysrootWithLoader();
    const prog = compileC(dir, 'dyn-exec', HELLO, ['-no-pie', '-fno-pie']);
    const image = readElfFile(prog);
    const t = makeProcess({ sysroot: r, program: prog });
    t.proc.exec(image, [prog], []);
    const auxv = auxvOf(t);
    expect(auxv.get(At.ENTRY)).toBe(image.entry);
    expect(t.vm.cpu.eip >>> 0).not.toBe(image.entry);
    expect(t.proc.mm.find(auxv.get(At.BASE)!)).not.toBeNull();
  });

  test('an interpreter found nowhere is a LoadError that says to use --sysroot', () => {
    const prog = compileC(dir, 'dyn-fake', HELLO, ['-Wl,--dynamic-linker=/nonexistent/ld-fake.so.1']);
    const t = makeProcess({ program: prog });
    expect(() => t.proc.exec(readElfFile(prog), [prog], [])).toThrow(
      new LoadError(
        `${prog} is dynamically linked and its interpreter /nonexistent/ld-fake.so.1 is not on the host; ` +
          "give the root of an i386 system that has it with --sysroot DIR (for example Debian's libc6:i386 unpacked with dpkg-deb -x DEB DIR)",
      ),
    );
  });
});
