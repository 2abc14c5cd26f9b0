// Helpers for bench/micro.bench.mjs: an ELF section reader, wasm binaries made
// unique for the engine's compile, and the translator seams the bench drives.
import { readFileSync } from 'node:fs';

/** A section of a 32-bit little-endian ELF file: { bytes, addr } (addr = its virtual address). */
export function elfSection(path, wanted = '.text') {
  const f = readFileSync(path);
  if (f.readUInt32BE(0) !== 0x7f454c46 || f[4] !== 1 || f[5] !== 1) throw new Error(`${path}: not a 32-bit little-endian ELF file`);
  const shoff = f.readUInt32LE(0x20), shentsize = f.readUInt16LE(0x2e), shnum = f.readUInt16LE(0x30), shstrndx = f.readUInt16LE(0x32);
  const sh = (i) => {
    const o = shoff + i * shentsize;
    return { name: f.readUInt32LE(o), addr: f.readUInt32LE(o + 12), offset: f.readUInt32LE(o + 16), size: f.readUInt32LE(o + 20) };
  };
  const strtab = sh(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    const start = strtab.offset + s.name;
    const name = f.toString('latin1', start, f.indexOf(0, start));
    if (name === wanted) return { bytes: new Uint8Array(f.buffer, f.byteOffset + s.offset, s.size), addr: s.addr };
  }
  throw new Error(`${path}: no ${wanted} section`);
}

/**
 * V8 keeps a cache of native modules keyed by their bytes: compiling the same
 * binary again while the last module is alive costs almost nothing. Each
 * binary gets an 8-byte custom section whose counter changes before every
 * compile, so every compile is a real one.
 */
export class FreshBinaries {
  constructor(binaries) {
    this.binaries = binaries.map((b) => {
      const x = new Uint8Array(b.length + 8);
      x.set(b);
      x.set([0x00, 0x06, 0x01, 0x6e], b.length); // custom section, 6 bytes, name "n", 4-byte counter
      return x;
    });
    this.views = this.binaries.map((x) => new DataView(x.buffer));
    this.counter = 0;
  }

  /** Binary i, with a counter not seen before. */
  get(i) {
    const x = this.binaries[i];
    this.views[i].setUint32(x.length - 4, ++this.counter, true);
    return x;
  }

  get length() {
    return this.binaries.length;
  }
}
