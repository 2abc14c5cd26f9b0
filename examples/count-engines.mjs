// Counts the instructions of one guest computation under each engine and
// compares them: longest_chain(LIMIT) (examples/guest/collatz.c) runs in a
// fresh Emulator per engine. The result and the instruction count must be
// the same everywhere; the time and the share of translated instructions
// are not. Exits 1 when the engines disagree.
//   node examples/count-engines.mjs [LIMIT]
import { Emulator, Prot } from 'wasmvisor';
import { BASE, RETURN, STACK_TOP, buildGuest, prepareCall } from './lib/guest.mjs';

const limit = Number(process.argv[2] ?? 30000);
const guest = buildGuest('collatz');
const rows = [];
for (const engine of ['interp', 'jit', 'auto']) {
  const emu = new Emulator({ engine });
  emu.map(BASE, Math.ceil(guest.image.length / 4096) * 4096, Prot.READ | Prot.EXEC);
  emu.writeMemory(BASE, guest.image);
  emu.map(STACK_TOP - 0x10000, 0x10000, Prot.READ | Prot.WRITE);
  prepareCall(emu, guest.symbols.get('longest_chain'), [limit]);
  const started = performance.now();
  const stop = emu.run({ until: RETURN, timeoutMs: 120_000 });
  const ms = performance.now() - started;
  if (stop.reason !== 'until') {
    console.error(`count-engines: ${engine}: the function did not return: ${JSON.stringify(stop)}`);
    process.exit(1);
  }
  const stats = emu.vm.stats();
  const translated = stats.translator?.translatedInstructions ?? 0;
  rows.push({ engine, result: emu.readRegister('eax'), instructions: emu.instructions, ms, translated });
}
console.log(`longest_chain(${limit})`);
console.log('engine   result  instructions   time ms   MIPS   translated');
for (const r of rows) {
  console.log(
    `${r.engine.padEnd(7)} ${String(r.result).padStart(7)} ${String(r.instructions).padStart(13)} ${r.ms.toFixed(1).padStart(9)} ${(r.instructions / r.ms / 1000).toFixed(0).padStart(6)}   ${((100 * r.translated) / r.instructions).toFixed(1).padStart(5)}%`,
  );
}
const agree = rows.every((r) => r.result === rows[0].result && r.instructions === rows[0].instructions);
console.log(agree ? 'all engines agree' : 'ENGINES DISAGREE');
process.exit(agree ? 0 : 1);
