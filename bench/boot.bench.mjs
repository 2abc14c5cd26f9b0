// Booting Debian's i386 kernel: time from starting the emulator to the marker
// line its /init prints (WASMVISOR-GUEST-UP), side by side in one run, with
// the guest and command line of ../shared/GUEST-LINUX.md's reference timings:
//   - wasmvisor: `wasmvisor boot --kernel bzImage --initrd ...` (dist/, --engine
//     auto unless --engines names others: wasmvisor-jit, wasmvisor-interp);
//   - qemu: qemu-system-i386 (TCG, Debian's qemu-system-x86), -kernel/-initrd;
//   - v86: the npm package (a devDependency) in Node, with Debian's SeaBIOS
//     (package seabios, fetched with apt-get download into .cache/seabios),
//     booting the same files through its bzimage/initrd options.
// Each is a child process started from here (process start-up included), and
// is killed once the marker appears. Engines alternate within a round (the
// order rotates), so a load that comes and goes hits all of them; each
// engine's median over the rounds is reported, with the ratio to wasmvisor.
// The guest is built by scripts/build-linux-guest.sh (Debian's
// linux-image-686:i386 and busybox-static:i386).
// Plain timing, not benny: one op is a whole boot of several seconds, and
// benny would run the engines one after the other (see vms.bench.mjs).
// Usage: node bench/boot.bench.mjs [--rounds R] [--engines wasmvisor,qemu,v86]
// (`npm run bench:boot`); writes bench/results/boot.md and boot.json.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, markdownTable, saveResults } from './lib.mjs';

const MARKER = 'WASMVISOR-GUEST-UP';
const APPEND = 'console=ttyS0 quiet cryptomgr.notests noisapnp acpi=off noapic nolapic';
const MEMORY_MIB = 256;
const TIMEOUT_MS = 180_000;

function argument(name, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
}
const rounds = Number(argument('--rounds', '3'));
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: "${argument('--rounds')}" is not a positive integer`);
const wanted = argument('--engines', 'wasmvisor,qemu,v86').split(',');

execFileSync('sh', [join(ROOT, 'scripts', 'build-linux-guest.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
const guest = join(ROOT, '.cache', 'linux');
const kernel = join(guest, 'bzImage');
const initrd = join(guest, 'initramfs.cpio.gz');
const kernelVersion = readFileSync(join(guest, 'kernel-version'), 'utf8').trim();

/** Debian's SeaBIOS and its standard VGA BIOS, for v86 (which has no BIOS of its own). */
function seabios() {
  const dir = join(ROOT, '.cache', 'seabios');
  const bios = join(dir, 'root', 'usr', 'share', 'seabios');
  if (!existsSync(join(bios, 'bios.bin'))) {
    mkdirSync(dir, { recursive: true });
    if (!readdirSync(dir).some((f) => f.endsWith('.deb'))) execFileSync('apt-get', ['download', 'seabios'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
    execFileSync('dpkg-deb', ['-x', join(dir, deb), join(dir, 'root')]);
  }
  return { bios: join(bios, 'bios.bin'), vga: join(bios, 'vgabios-stdvga.bin') };
}

// v86 in a child Node process: the same files, its serial port on stdout.
const V86_SCRIPT = `
import { readFileSync } from 'node:fs';
const [lib, wasm, bios, vga, kernel, initrd, cmdline, memory] = process.argv.slice(1);
const { V86 } = await import(lib);
const image = (p) => { const b = readFileSync(p); return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) }; };
const emulator = new V86({
  wasm_path: wasm, memory_size: Number(memory) << 20, vga_memory_size: 2 << 20,
  bios: image(bios), vga_bios: image(vga), bzimage: image(kernel), initrd: image(initrd), cmdline,
  autostart: true, disable_speaker: true, disable_keyboard: true, disable_mouse: true,
});
emulator.add_listener('serial0-output-byte', (b) => process.stdout.write(Buffer.of(b)));
`;

const engines = {
  wasmvisor: () => ({ command: process.execPath, args: [join(ROOT, 'dist', 'cli', 'main.js'), 'boot', '--kernel', kernel, '--initrd', initrd, '--memory', `${MEMORY_MIB}M`, '--append', APPEND] }),
  'wasmvisor-jit': () => ({ ...engines.wasmvisor(), args: [...engines.wasmvisor().args, '--engine', 'jit'] }),
  'wasmvisor-interp': () => ({ ...engines.wasmvisor(), args: [...engines.wasmvisor().args, '--engine', 'interp'] }),
  qemu: () => {
    if (spawnSync('qemu-system-i386', ['--version']).error) return { missing: 'qemu-system-i386 not found (apt-get install qemu-system-x86)' };
    return { command: 'qemu-system-i386', args: ['-m', String(MEMORY_MIB), '-nographic', '-no-reboot', '-monitor', 'none', '-kernel', kernel, '-initrd', initrd, '-append', APPEND] };
  },
  v86: () => {
    const lib = join(ROOT, 'node_modules', 'v86', 'build', 'libv86.mjs');
    if (!existsSync(lib)) return { missing: 'the v86 package is not installed (npm install)' };
    const { bios, vga } = seabios();
    const wasm = join(ROOT, 'node_modules', 'v86', 'build', 'v86.wasm');
    return { command: process.execPath, args: ['--input-type=module', '-e', V86_SCRIPT, lib, wasm, bios, vga, kernel, initrd, APPEND, String(MEMORY_MIB)] };
  },
};
for (const name of wanted) if (!(name in engines)) throw new Error(`--engines: unknown engine "${name}" (known: ${Object.keys(engines).join(', ')})`);

/** One boot: milliseconds from spawn to the marker line; the process is killed then. */
function boot(spec) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const finish = (f) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`no marker within ${TIMEOUT_MS / 1000} s; output ends ${JSON.stringify(out.slice(-300))}`))), TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      out += chunk.toString('latin1');
      if (out.includes(MARKER)) {
        const ms = performance.now() - started;
        finish(() => resolve(ms));
      }
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => finish(() => reject(new Error(`ended (status ${code}) before the marker: ${err.trim().split('\n').pop() ?? ''} ${JSON.stringify(out.slice(-300))}`))));
  });
}

const specs = new Map();
const missing = new Map();
for (const name of wanted) {
  const spec = engines[name]();
  if (spec.missing) missing.set(name, spec.missing);
  else specs.set(name, spec);
}
const samples = new Map([...specs.keys()].map((n) => [n, []]));
const names = [...specs.keys()];
for (let round = 0; round < rounds; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const ms = await boot(specs.get(name));
    samples.get(name).push(ms);
    console.log(`round ${round + 1}/${rounds}: ${name} ${(ms / 1000).toFixed(2)} s`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const reference = samples.has('wasmvisor') ? median(samples.get('wasmvisor')) : null;
const rows = [];
for (const name of wanted) {
  if (missing.has(name)) {
    rows.push([name, '—', '—', missing.get(name)]);
    continue;
  }
  const m = median(samples.get(name));
  const range = `${(Math.min(...samples.get(name)) / 1000).toFixed(2)}–${(Math.max(...samples.get(name)) / 1000).toFixed(2)}`;
  rows.push([name, (m / 1000).toFixed(2), reference !== null ? `${(reference / m).toFixed(2)}×` : '—', range]);
}
const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
const markdown =
  `Time to the marker line, Debian ${kernelVersion} with busybox /init, ${MEMORY_MIB} MiB, \`${APPEND}\`; ` +
  `median of ${rounds} rounds, ${when} UTC.\n\n` +
  markdownTable(['engine', 'seconds', 'wasmvisor time / this', 'range (s) or why missing'], rows, ['l', 'r', 'r', 'l']);
saveResults('boot', markdown, { when, kernelVersion, append: APPEND, memoryMiB: MEMORY_MIB, rounds, samplesMs: Object.fromEntries(samples), missing: Object.fromEntries(missing) });
