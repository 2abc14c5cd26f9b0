// A hook-driven tracer: runs collatz_steps(N) (examples/guest/collatz.c) and
// prints every basic block of the function it executed, with its size and
// how many times it ran, in the order each was first reached.
//   node examples/tracer.mjs [N]
import { Emulator, Prot } from 'wasmvisor';
import { BASE, RETURN, STACK_TOP, buildGuest, prepareCall } from './lib/guest.mjs';

const n = Number(process.argv[2] ?? 27);
const guest = buildGuest('collatz');
const emu = new Emulator({ engine: 'auto' });
emu.map(BASE, Math.ceil(guest.image.length / 4096) * 4096, Prot.READ | Prot.EXEC);
emu.writeMemory(BASE, guest.image);
emu.map(STACK_TOP - 0x10000, 0x10000, Prot.READ | Prot.WRITE);

const start = guest.symbols.get('collatz_steps');
const end = Math.min(...[...guest.symbols.values()].filter((a) => a > start));
const blocks = new Map(); // address -> { size, runs }
emu.onBlock((address, size) => {
  const b = blocks.get(address) ?? { size, runs: 0 };
  b.runs++;
  blocks.set(address, b);
}, start, end - 1);

prepareCall(emu, start, [n]);
const stop = emu.run({ until: RETURN, timeoutMs: 10_000 });
if (stop.reason !== 'until') {
  console.error(`tracer: the function did not return: ${JSON.stringify(stop)}`);
  process.exit(1);
}
console.log(`collatz_steps(${n}) = ${emu.readRegister('eax')}`);
for (const [address, b] of blocks) {
  console.log(`  block collatz_steps+0x${(address - start).toString(16).padStart(2, '0')}  ${String(b.size).padStart(2)} bytes  ran ${b.runs} times`);
}
