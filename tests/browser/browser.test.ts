// wasmvisor in a web page: src/browser.ts bundled with esbuild for the
// browser (a Node module anywhere in its imports fails the bundle), served
// from localhost, and run in headless Chromium (Debian's chromium, driven by
// playwright-core; no browser download). The page runs the count-engines
// example's computation, longest_chain(LIMIT) from examples/guest/collatz.c
// (built here, in Node, with gcc -m32), under the interpreter and under
// auto, and the result, the instruction count and the share of translated
// instructions come back from the page.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../lib/run.js';

const CHROMIUM = '/usr/bin/chromium';
const MISSING = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`;
const LIMIT = 20000;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>wasmvisor</title>
<pre id="out">loading</pre>
<script type="module">
  import { Emulator, Prot } from './wasmvisor.js';
  const RETURN = 0xdead0000, STACK_TOP = 0x800000;
  window.runGuest = ({ image, base, entry, limit, engine }) => {
    const emu = new Emulator({ engine });
    emu.map(base, Math.ceil(image.length / 4096) * 4096, Prot.READ | Prot.EXEC);
    emu.writeMemory(base, Uint8Array.from(image));
    emu.map(STACK_TOP - 0x10000, 0x10000, Prot.READ | Prot.WRITE);
    const esp = STACK_TOP - 8;
    const frame = new DataView(new ArrayBuffer(8));
    frame.setUint32(0, RETURN, true);
    frame.setUint32(4, limit, true);
    emu.writeMemory(esp, new Uint8Array(frame.buffer));
    emu.writeRegisters({ esp, eip: entry });
    const stop = emu.run({ until: RETURN, timeoutMs: 60000 });
    const result = { engine, stop: stop.reason, eax: emu.readRegister('eax'), instructions: emu.instructions, translated: emu.vm.stats().translator?.translatedInstructions ?? 0 };
    document.getElementById('out').textContent += '\\n' + JSON.stringify(result);
    return result;
  };
  document.getElementById('out').textContent = 'ready';
</script>`;

function longestChain(limit: number): number {
  let best = 1, bestSteps = 0;
  for (let n = 1; n < limit; n++) {
    let steps = 0;
    for (let m = n; m !== 1; m = m % 2 ? 3 * m + 1 : m / 2) steps++;
    if (steps > bestSteps) [best, bestSteps] = [n, steps];
  }
  return best;
}

describe.skipIf(MISSING !== null)(`in headless Chromium${MISSING ? ` (skipped: ${MISSING})` : ''}`, () => {
  let server: Server;
  let url = '';
  let bundle = '';

  beforeAll(async () => {
    const esbuild = await import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'wasmvisor-browser-'));
    const outfile = join(dir, 'wasmvisor.js');
    // platform 'browser': an import of a Node built-in anywhere in the graph is an error here.
    await esbuild.build({ entryPoints: [join(REPO_ROOT, 'src', 'browser.ts')], bundle: true, format: 'esm', platform: 'browser', outfile, logLevel: 'silent' });
    bundle = readFileSync(outfile, 'utf8');
    server = createServer((req, res) => {
      if (req.url === '/wasmvisor.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  }, 120_000);

  afterAll(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  test('the bundle has no Node built-ins, and the page runs guest code under interp and auto with the same result as JavaScript', async () => {
    expect(bundle).not.toMatch(/from ["']node:/);
    const { buildGuest } = (await import(join(REPO_ROOT, 'examples', 'lib', 'guest.mjs'))) as {
      buildGuest(name: string): { image: Uint8Array; base: number; symbols: Map<string, number> };
    };
    const guest = buildGuest('collatz');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // As ../shared's machine notes give them: no sandbox as root, no GPU, no background connections on a closed network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', undefined, { timeout: 30_000 });
      const input = { image: Array.from(guest.image), base: guest.base, entry: guest.symbols.get('longest_chain')!, limit: LIMIT };
      type Result = { engine: string; stop: string; eax: number; instructions: number; translated: number };
      const results: Result[] = [];
      for (const engine of ['interp', 'auto']) {
        results.push(await page.evaluate((arg) => (window as unknown as { runGuest(a: unknown): Result }).runGuest(arg), { ...input, engine }));
      }
      expect(errors).toEqual([]);
      const want = longestChain(LIMIT);
      for (const r of results) {
        expect(r.stop).toBe('until');
        expect(r.eax).toBe(want);
      }
      expect(results[0].instructions).toBe(results[1].instructions);
      expect(results[0].translated).toBe(0);
      // Under auto the hot loop was compiled to WebAssembly by the browser's engine.
      expect(results[1].translated / results[1].instructions).toBeGreaterThan(0.9);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
