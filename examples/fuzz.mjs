// A fuzz harness: runs parse() (examples/guest/parser.c) on mutated inputs.
// The machine is set up once; before each run the CPU context saved after
// set-up is restored and the input is written, so every run starts from the
// same state. A run that faults, or does not return within its time, is a
// crash, reported with the guest fault. The PRNG is seeded: the same
// arguments give the same runs.
//   node examples/fuzz.mjs [RUNS] [SEED]
import { Emulator, Prot } from 'wasmvisor';
import { BASE, RETURN, STACK_TOP, buildGuest, prepareCall } from './lib/guest.mjs';

const runs = Number(process.argv[2] ?? 5000);
let seed = Number(process.argv[3] ?? 1) >>> 0 || 1;
const INPUT = 0x400000;
const MAX_INPUT = 256;

const guest = buildGuest('parser');
const emu = new Emulator({ engine: 'auto' });
emu.map(BASE, Math.ceil(guest.image.length / 4096) * 4096, Prot.READ | Prot.EXEC);
emu.writeMemory(BASE, guest.image);
emu.map(STACK_TOP - 0x10000, 0x10000, Prot.READ | Prot.WRITE);
emu.map(INPUT, 0x1000, Prot.READ);
const parse = guest.symbols.get('parse');

/** xorshift32 */
function random(n) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

// Well-formed inputs: a type-1, a type-2 and a type-3 record (handler 1).
const corpus = [Uint8Array.of(1, 3, 10, 20, 30, 2, 2, 7, 9, 3, 3, 1, 5, 6)];

function mutate(input) {
  const out = Array.from(input);
  for (let k = 1 + random(3); k > 0; k--) {
    const what = random(4);
    if (what === 0 && out.length) out[random(out.length)] = random(256);
    else if (what === 1 && out.length) out[random(out.length)] ^= 1 << random(8);
    else if (what === 2 && out.length < MAX_INPUT) out.splice(random(out.length + 1), 0, random(256));
    else if (out.length > 1) out.splice(random(out.length), 1);
  }
  return Uint8Array.from(out);
}

// Set up the call once with an empty input; each run restores this context and writes its input.
prepareCall(emu, parse, [INPUT, 0]);
const context = emu.saveContext();
const argsAt = emu.readRegister('esp') + 4;

const crashes = new Map(); // "vector@eip" -> first input
let returned = 0;
const started = performance.now();
for (let i = 0; i < runs; i++) {
  const input = mutate(corpus[random(corpus.length)]);
  emu.restoreContext(context);
  emu.writeMemory(INPUT, input); // the embedder writes whatever the page's permissions
  emu.writeMemory(argsAt + 4, Uint8Array.of(input.length, 0, 0, 0));
  const stop = emu.run({ until: RETURN, timeoutMs: 200 });
  if (stop.reason === 'until') {
    returned++;
    if (corpus.length < 64 && random(8) === 0) corpus.push(input);
    continue;
  }
  const key = stop.reason === 'fault' ? `#${stop.vector}@${stop.eip.toString(16)}` : stop.reason;
  if (!crashes.has(key)) crashes.set(key, { input, stop });
}
const seconds = (performance.now() - started) / 1000;
console.log(`${runs} runs in ${seconds.toFixed(2)} s (${Math.round(runs / seconds)} runs/s, each restoring the saved context): ${returned} returned, ${runs - returned} crashed`);
console.log(`${crashes.size} distinct crashes:`);
for (const [key, { input, stop }] of crashes) {
  const detail = stop.reason === 'fault' ? `${stop.message} (vector ${stop.vector}, error code ${stop.errorCode}, address 0x${stop.address.toString(16)})` : stop.reason;
  console.log(`  ${key}: ${detail}; input ${Buffer.from(input).toString('hex')}`);
}
process.exit(crashes.size > 0 ? 0 : 3);
