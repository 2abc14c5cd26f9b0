// Runs every built guest program natively twice (clean environment, its
// header args/stdin) and reports any difference between the two runs and
// the slowest programs: the corpus must be deterministic and fast natively.
//   node tests/guest/check-native.mjs [NAME-FILTER]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listGuests } from './build.mjs';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '../..');
const ENV = { PATH: '/usr/bin:/bin', LANG: 'C' };
const filter = process.argv[2];
let bad = 0;
const times = [];
for (const g of listGuests()) {
  if (filter && !g.name.includes(filter)) continue;
  if (!existsSync(g.path)) {
    console.log(`${g.name}: not built`);
    bad++;
    continue;
  }
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(g.path, g.args, { cwd: ROOT, env: ENV, input: g.stdin ?? '', maxBuffer: 256 << 20, timeout: 10000 });
    runs.push({ ...r, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
  }
  const [a, b] = runs;
  const same = a.stdout.equals(b.stdout) && a.stderr.equals(b.stderr) && a.status === b.status && a.signal === b.signal;
  times.push([Math.max(a.ms, b.ms), g.name]);
  const end = a.signal ? `signal ${a.signal}` : `status ${a.status}`;
  if (!same) bad++;
  console.log(`${same ? 'ok  ' : 'DIFF'} ${g.name.padEnd(22)} ${end.padEnd(16)} ${String(a.stdout.length).padStart(8)} bytes out ${String(a.stderr.length).padStart(5)} err ${a.ms.toFixed(0).padStart(5)} ms`);
}
times.sort((x, y) => y[0] - x[0]);
console.log(`slowest: ${times.slice(0, 5).map(([ms, n]) => `${n} ${ms.toFixed(0)} ms`).join(', ')}`);
console.log(bad ? `${bad} program(s) not deterministic or not built` : 'all deterministic');
process.exit(bad ? 1 : 0);
