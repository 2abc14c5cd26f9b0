// Builds an example's guest functions from C (examples/guest/NAME.c) into a
// flat image for Emulator.writeMemory: gcc -m32 -ffreestanding, linked at
// BASE with text and data together, then objcopy -O binary; the function
// addresses come from nm. Needs gcc-multilib and binutils, as the tests do.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE = 0x100000;
const HERE = dirname(fileURLToPath(import.meta.url));
const BUILD = join(HERE, '..', '.build');

/** { image, base, symbols } for examples/guest/NAME.c, rebuilt when the source is newer. */
export function buildGuest(name) {
  const source = join(HERE, '..', 'guest', `${name}.c`);
  const obj = join(BUILD, `${name}.o`), elf = join(BUILD, `${name}.elf`), bin = join(BUILD, `${name}.bin`);
  mkdirSync(BUILD, { recursive: true });
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(source).mtimeMs) {
    const cflags = ['-m32', '-O2', '-ffreestanding', '-fno-pic', '-fno-pie', '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-nostdlib'];
    execFileSync('gcc', [...cflags, '-c', '-o', obj, source]);
    execFileSync('ld', ['-m', 'elf_i386', '--no-warn-rwx-segments', '-N', '-Ttext', `0x${BASE.toString(16)}`, '-e', '0', '-o', elf, obj]);
    execFileSync('objcopy', ['-O', 'binary', '-R', '.comment', '-R', '.note.GNU-stack', elf, bin]);
  }
  const symbols = new Map();
  for (const line of execFileSync('nm', [elf], { encoding: 'utf8' }).split('\n')) {
    const [address, type, symbol] = line.trim().split(/\s+/);
    if (symbol && /[TtDdRr]/.test(type)) symbols.set(symbol, parseInt(address, 16));
  }
  return { image: new Uint8Array(readFileSync(bin)), base: BASE, symbols };
}

/**
 * Sets up a cdecl call of `address` with integer `args`: the stack holds a
 * return address that is never mapped (`RETURN`), so run({ until: RETURN })
 * ends when the function returns, with its result in EAX.
 */
export const RETURN = 0xdead0000;
export const STACK_TOP = 0x800000;
export function prepareCall(emu, address, args) {
  let esp = STACK_TOP - 4 * (args.length + 1);
  const frame = new DataView(new ArrayBuffer(4 * (args.length + 1)));
  frame.setUint32(0, RETURN, true);
  args.forEach((a, i) => frame.setUint32(4 * (i + 1), a >>> 0, true));
  emu.writeMemory(esp, new Uint8Array(frame.buffer));
  emu.writeRegisters({ esp, eip: address });
}
