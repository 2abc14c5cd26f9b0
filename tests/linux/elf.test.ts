import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ET_DYN_BASE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/linux/address-space.js';
import { LoadError, loadElf, parseElf, readElfFile } from '../../src/linux/elf.js';
import { compileC, makeProcess, tempDir } from './helpers.js';

const HELLO = `
#include <stdio.h>
int initialized = 42;
char big[100000];
int main(void) { printf("hi %d\\n", initialized + big[5]); return 0; }
`;

let dir: string;
let exe: string;
let pie: string;

beforeAll(() => {
  dir = tempDir();
  exe = compileC(dir, 'hello', HELLO);
  pie = compileC(dir, 'hello-pie', HELLO, ['-static-pie', '-fPIE']);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function loadError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return (e as LoadError).message;
  }
  throw new Error('expected a LoadError');
}

describe('ELF validation', () => {
  test('a text file is not an ELF', () => {
    const p = path.join(dir, 'script.sh');
    fs.writeFileSync(p, '#!/bin/sh\necho hi\n');
    expect(loadError(() => readElfFile(p))).toBe(`${p} is not an ELF file (bad magic)`);
  });

  test('an empty file is not an ELF', () => {
    expect(loadError(() => parseElf(new Uint8Array(0), 'empty'))).toMatch(/bad magic/);
  });

  test('a 64-bit ELF is refused with a clear message', () => {
    const p = compileC(dir, 'hello64', HELLO, ['-m64', '-static']);
    expect(loadError(() => readElfFile(p))).toBe(`${p} is a 64-bit ELF; wasmvisor runs 32-bit i386 programs`);
  });

  test('another machine is refused', () => {
    const bytes = Uint8Array.from(fs.readFileSync(exe));
    bytes[18] = 40; // EM_ARM
    bytes[19] = 0;
    expect(loadError(() => parseElf(bytes, 'arm'))).toBe('arm is an ELF for ARM (e_machine 40), not i386');
  });

  test('a truncated file is refused', () => {
    const bytes = fs.readFileSync(exe);
    expect(loadError(() => parseElf(bytes.subarray(0, 30), 't'))).toMatch(/^t is truncated/);
    expect(loadError(() => parseElf(bytes.subarray(0, 4096), 't'))).toMatch(/^t is truncated \(segment \d+ at file offset 0x[0-9a-f]+ extends beyond the end of the file\)$/);
  });

  test('an object file is not an executable', () => {
    const src = path.join(dir, 'obj.c');
    fs.writeFileSync(src, 'int f(void) { return 1; }\n');
    const obj = path.join(dir, 'obj.o');
    execFileSync('gcc', ['-m32', '-c', '-o', obj, src]);
    expect(loadError(() => readElfFile(obj))).toMatch(/relocatable object file/);
  });

  test('a dynamically linked program names its interpreter', () => {
    const p = compileC(dir, 'dyn', HELLO, []);
    expect(readElfFile(p).interp).toBe('/lib/ld-linux.so.2');
    expect(readElfFile(exe).interp).toBeNull();
  });

  test('a PT_INTERP without its NUL or beyond the file is refused', () => {
    const bytes = Uint8Array.from(fs.readFileSync(compileC(dir, 'dyn2', HELLO, [])));
    const dv = new DataView(bytes.buffer);
    const phoff = dv.getUint32(28, true);
    const phnum = dv.getUint16(44, true);
    const i = Array.from({ length: phnum }, (_, k) => k).find((k) => dv.getUint32(phoff + k * 32, true) === 3)!;
    const at = phoff + i * 32;
    const unterminated = Uint8Array.from(bytes);
    const offset = dv.getUint32(at + 4, true);
    const size = dv.getUint32(at + 16, true);
    unterminated[offset + size - 1] = 0x41;
    expect(loadError(() => parseElf(unterminated, 'p'))).toBe(`p has a bad PT_INTERP segment ${i}`);
    const beyond = Uint8Array.from(bytes);
    new DataView(beyond.buffer).setUint32(at + 4, bytes.length - 2, true);
    expect(loadError(() => parseElf(beyond, 'p'))).toBe(`p has a bad PT_INTERP segment ${i}`);
  });

  test('unreadable paths name the path and the reason', () => {
    const missing = path.join(dir, 'missing');
    expect(loadError(() => readElfFile(missing))).toBe(`cannot open ${missing}: No such file or directory`);
    expect(loadError(() => readElfFile(dir))).toBe(`cannot open ${dir}: Is a directory`);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked');
      fs.copyFileSync(exe, locked);
      fs.chmodSync(locked, 0);
      expect(loadError(() => readElfFile(locked))).toBe(`cannot open ${locked}: Permission denied`);
    }
  });
});

describe('ELF loading', () => {
  test('ET_EXEC segments land at their addresses with their protections, bss zeroed', () => {
    const { proc, vm } = makeProcess();
    const image = readElfFile(exe);
    const loaded = loadElf(image, proc.mm);
    expect(loaded.bias).toBe(0);
    expect(loaded.entry).toBe(new DataView(image.bytes.buffer, image.bytes.byteOffset).getUint32(24, true));
    const loads = image.phdrs.filter((p) => p.type === 1);
    for (const ph of loads) {
      const m = proc.mm.find(ph.vaddr)!;
      expect(m).not.toBeNull();
      const want = (ph.flags & 4 ? PROT_READ : 0) | (ph.flags & 2 ? PROT_WRITE : 0) | (ph.flags & 1 ? PROT_EXEC : 0);
      expect(m.prot).toBe(want);
      // File bytes are there...
      const sample = Math.min(ph.filesz, 64);
      expect(Buffer.from(vm.mmu.readBytes(ph.vaddr, sample))).toEqual(
        Buffer.from(image.bytes.subarray(ph.offset, ph.offset + sample)),
      );
      // ...and the bss after them reads as zero, including the rest of the partial page.
      if (ph.memsz > ph.filesz) {
        const bss = vm.mmu.readBytes(ph.vaddr + ph.filesz, Math.min(ph.memsz - ph.filesz, 8192));
        expect(bss.every((b) => b === 0)).toBe(true);
      }
    }
    // The ELF header lies in the first page of the text segment: AT_PHDR points into it.
    expect(loaded.phdr).toBe(0x08048000 + image.phoff);
    expect(vm.mmu.read32(loaded.phdr)).toBe(image.phdrs[0].type);
    const last = loads[loads.length - 1];
    expect(proc.mm.brkStart).toBe(Math.ceil((last.vaddr + last.memsz) / 4096) * 4096);
  });

  test('a static-pie is loaded at the i386 PIE base', () => {
    const { proc } = makeProcess();
    const image = readElfFile(pie);
    expect(image.type).toBe(3);
    const loaded = loadElf(image, proc.mm);
    expect(loaded.bias).toBe(ET_DYN_BASE);
    expect(proc.mm.find(ET_DYN_BASE)).not.toBeNull();
    expect(loaded.entry).toBeGreaterThan(ET_DYN_BASE);
  });

  test('text is not writable', () => {
    const { proc, vm } = makeProcess();
    const loaded = loadElf(readElfFile(exe), proc.mm);
    expect(() => vm.mmu.write8(loaded.entry, 0)).toThrowError();
    try {
      vm.mmu.write8(loaded.entry, 0);
    } catch (e) {
      expect((e as { detail: string }).detail).toBe('read-only');
      expect((e as { errorCode: number }).errorCode).toBe(7);
    }
  });
});
