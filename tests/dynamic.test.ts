// Dynamically linked programs under `wasmvisor run --sysroot DIR`, DIR being
// Debian's libc6:i386 (and the libraries of lua5.4:i386 and sqlite3:i386)
// downloaded at test time with `apt-get download` into .cache/sysroot-i386/
// (kept across runs, never committed) and unpacked with dpkg-deb -x.
//
// - The corpus programs of tests/guest built dynamically linked (NAME.dyn):
//   native runs use the host's i386 libc (gcc-multilib's libc6-i386), the
//   emulated ones DIR's; both are Debian 12's glibc.
// - Debian's own lua5.4 and sqlite3 binaries: natively they run through DIR's
//   dynamic loader (`DIR/lib/ld-linux.so.2 --library-path ... PROGRAM`), the
//   real-CPU oracle; under wasmvisor as a user would run them (and also with
//   that same command line, ld.so as the program).
// stdout, stderr and exit status must be identical under interp, jit and auto.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listGuests } from './guest/build.mjs';
import { qemuDeviationOf } from './lib/excluded.js';
import { CLEAN_ENV, CLI, Pool, REPO_ROOT, compareRuns, i386Reference, runNative, runProcess, type RunOptions } from './lib/run.js';

const { DEBIAN_CACHE, unpackDebianPackages } = (await import(join(REPO_ROOT, 'dist/bench/debian.js'))) as typeof import('../src/bench/debian.js');

/** The closure of lua5.4:i386 and sqlite3:i386 (their Depends, minus data-only readline-common). */
const PACKAGES = ['libc6:i386', 'libtinfo6:i386', 'libreadline8:i386', 'zlib1g:i386', 'lua5.4:i386', 'libsqlite3-0:i386', 'sqlite3:i386'];
const ENGINES = ['interp', 'jit', 'auto'] as const;
const TEST_TIMEOUT = 300_000;
/**
 * A run of Debian's programs: --engine jit translates every block of sqlite3
 * (about 40,000 blocks, 40 s on a loaded 2-core machine) before running it.
 */
const DEBIAN_RUN_TIMEOUT = 240_000;
const pool = new Pool();

/** `wasmvisor run --engine ENGINE [--sysroot DIR] PROGRAM ARGS...` */
function runUnder(engine: string, sysroot: string | null, program: string, opts: RunOptions & { options?: string[] } = {}) {
  const root = sysroot !== null ? ['--sysroot', sysroot] : [];
  return runProcess(process.execPath, [CLI, 'run', '--engine', engine, ...root, ...(opts.options ?? []), program, ...(opts.args ?? [])], opts);
}

const LUA_SCRIPT = `-- closures, tables, strings, integers and floats, coroutines, errors, stdin
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(22), 2 ^ 0.5, math.sin(1), math.exp(1), math.log(10), math.floor(-3.5), math.fmod(7.5, 2))
print(string.format('%5.3f|%x|%q|%-6s|%+d|%g|%e', math.pi, 255, 'a\\nb', 'ab', 42, 1e21, -0.000123))
local t = {}
for i = 1, 2000 do t[i] = (i * 7919) % 1009 end
table.sort(t, function(a, b) return a > b end)
print(t[1], t[1000], t[2000], #t)
local words = {}
for w in ('the quick brown fox jumps over the lazy dog'):gmatch('%a+') do words[#words + 1] = w:upper():reverse() end
print(table.concat(words, ','), ('x'):rep(3, '-'), ('hello world'):gsub('o', '0'))
print(utf8.char(228, 8364), #utf8.char(8364), 7 // 2, 7 % -3, -7 // 2, 1e300 * 1e10, -0.0, math.maxinteger, math.mininteger, 3 | 5, ~0, 1 << 62)
print(0.1 + 0.2, 100 / 3, 2 ^ 53 + 1, math.tointeger(3.0), 10 // 0.0, tostring(0 / 0):gsub('-', ''))
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
print(co(1), co(10))
local ok, err = pcall(function() error({ code = 42 }) end)
print(ok, type(err), err.code, select('#', 1, nil, 3), pcall(error, 'plain'))
local s = 0
for line in io.lines() do for n in line:gmatch('-?%d+') do s = s + tonumber(n) end end
print('sum of stdin numbers', s)
local big = {}
for i = 1, 50000 do big[i] = tostring(i) end
print(#table.concat(big), collectgarbage('count') > 0)
io.stderr:write('to stderr\\n')
os.exit(7)
`;

const SQL_SCRIPT = `CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)
INSERT INTO t(name, score) SELECT printf('n%04d', x), (x * 7919 % 1009) / 7.0 FROM c;
CREATE INDEX ts ON t(score);
SELECT count(*), sum(score), avg(score), min(name), max(name) FROM t;
SELECT name, round(score, 3) FROM t ORDER BY score DESC, name LIMIT 5;
SELECT substr(name, 2) % 7 AS k, count(*), group_concat(id, ',') FROM t WHERE id < 40 GROUP BY k ORDER BY k;
SELECT upper('hello'), length('wörld'), hex(zeroblob(3)), 7 / 2, 7 / 2.0, 1e308 * 10, abs(-3), typeof(1.5), printf('%.10f', 1.0 / 3);
UPDATE t SET score = score * 2 WHERE id % 3 = 0;
DELETE FROM t WHERE id % 5 = 0;
SELECT count(*), total(score) FROM t;
.mode csv
SELECT * FROM t WHERE id % 97 = 1;
SELECT no_such_function(1);
`;

const DLOPEN_C = `#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  void *m = dlopen("libm.so.6", RTLD_NOW);
  if (!m) { printf("dlopen: %s\\n", dlerror()); return 1; }
  double (*f)(double) = (double (*)(double))dlsym(m, "cbrt");
  printf("cbrt(27.5) = %.12f\\n", f(27.5));
  // dlerror names the library by its path: the host's /lib32 natively, the sysroot's multiarch directory under wasmvisor
  const char *err = dlsym(m, "no_such_symbol") ? "found?" : dlerror();
  printf("missing symbol: %s\\n", strstr(err, "undefined symbol"));
  printf("missing library: %s\\n", dlopen("libwasmvisor-none.so.1", RTLD_LAZY) ? "found?" : dlerror());
  return dlclose(m);
}
`;

describe.concurrent('dynamically linked programs with --sysroot', () => {
  let root = '';
  let work = '';
  // a failed download makes every test below fail with this error
  let setupError: Error | undefined;
  beforeAll(() => {
    try {
      root = realpathSync(unpackDebianPackages(join(DEBIAN_CACHE, 'sysroot-i386'), PACKAGES));
      work = mkdtempSync(join(tmpdir(), 'wv-dynamic-'));
      writeFileSync(join(work, 'script.lua'), LUA_SCRIPT);
      writeFileSync(join(work, 'dl.c'), DLOPEN_C);
      execFileSync('gcc', ['-m32', '-O2', '-o', join(work, 'dl'), join(work, 'dl.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      setupError = e instanceof Error ? e : new Error(String(e));
    }
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  const ready = () => {
    if (setupError) throw setupError;
  };
  /** The Debian program run natively through the sysroot's own dynamic loader and libraries. */
  const nativeArgs = (program: string, args: string[]) => [
    '--library-path',
    `${root}/lib/i386-linux-gnu:${root}/usr/lib/i386-linux-gnu`,
    join(root, program),
    ...args,
  ];

  test('Debian libc6:i386, lua5.4:i386 and sqlite3:i386 are available', () => {
    ready();
    expect(root).not.toBe('');
  });

  const dynamic = listGuests().filter((g) => g.variant === 'dyn');
  test('at least six corpus programs are built dynamically linked', () => {
    expect(dynamic.length).toBeGreaterThanOrEqual(6);
  });

  for (const g of dynamic) {
    // as in the corpus: where qemu-i386 is the reference and differs from the CPU, jit and auto are compared with interp
    const deviation = i386Reference().name === 'qemu-i386' ? qemuDeviationOf(g.name) : undefined;
    let native: ReturnType<typeof runNative> | undefined;
    for (const engine of ENGINES) {
      if (deviation && engine === 'interp') {
        test.skip(`${g.name} [interp] (no reference: ${deviation}; jit and auto are compared with interp)`, () => {});
        continue;
      }
      test(`${g.name} [${engine}]`, async () => {
        ready();
        const opts = { args: g.args, stdin: g.stdin };
        native ??= pool.run(() => (deviation ? runUnder('interp', root, g.path, opts) : runNative(g.path, opts)));
        const emu = await pool.run(() => runUnder(engine, root, g.path, opts));
        const problems = compareRuns(await native, emu);
        const against = deviation ? 'interp' : i386Reference().name;
        if (problems.length) throw new Error(`${g.name}: wasmvisor --engine ${engine} --sysroot differs from ${against}\n${problems.join('\n')}`);
      }, TEST_TIMEOUT);
    }
  }

  const debian: { name: string; program: string; args: string[]; stdin?: string; options?: string[] }[] = [
    { name: 'lua5.4 script.lua', program: 'usr/bin/lua5.4', args: ['script.lua', 'one', 'two'], stdin: '1 2 3\n-40 x 500\n' },
    // -init /dev/null: no ~/.sqliterc, hence no getpwuid (whose NSS lookup would try nscd's socket)
    { name: 'sqlite3 SQL from stdin', program: 'usr/bin/sqlite3', args: ['-init', '/dev/null'], stdin: SQL_SCRIPT },
    // reals that doubles hold exactly: sqlite3 prints with long double, which wasmvisor's x87 keeps as double (see the README)
    { name: 'sqlite3 -json :memory:', program: 'usr/bin/sqlite3', args: ['-init', '/dev/null', '-json', ':memory:', "SELECT 1 AS a, 'x' AS b, 2.5 AS c, NULL AS d UNION ALL SELECT 2, 'y\"z', -0.375, x'00ff'"] },
    // reals a double prints otherwise than the CPU's long double (-0.001 where the CPU prints -0.0010000000000000000208): --x87 exact
    {
      name: 'sqlite3 -json with long double printing, --x87 exact', program: 'usr/bin/sqlite3', options: ['--x87', 'exact'],
      args: ['-init', '/dev/null', '-json', ':memory:', 'SELECT -0.001 AS a, 0.1 + 0.2 AS b, 1e300 * 1e10 AS c, 2.0 / 3 AS d, 123456789.123456789 AS e, exp(1) AS f'],
    },
  ];
  for (const c of debian) {
    let native: ReturnType<typeof runNative> | undefined;
    for (const engine of ENGINES) {
      test(`${c.name} (Debian i386) [${engine}]`, async () => {
        ready();
        const opts = { stdin: c.stdin, cwd: work, timeoutMs: DEBIAN_RUN_TIMEOUT };
        native ??= pool.run(() => runNative(join(root, 'lib/ld-linux.so.2'), { ...opts, args: nativeArgs(c.program, c.args) }));
        const emu = await pool.run(() => runUnder(engine, root, join(root, c.program), { ...opts, args: c.args, options: c.options }));
        const problems = compareRuns(await native, emu);
        if (problems.length) throw new Error(`${c.name}: wasmvisor --engine ${engine} --sysroot differs from native\n${problems.join('\n')}`);
      }, 2 * DEBIAN_RUN_TIMEOUT);
    }
  }

  test('dlopen and dlsym at run time', async () => {
    ready();
    const dl = join(work, 'dl');
    const native = await pool.run(() => runNative(dl, { cwd: work }));
    const emu = await pool.run(() => runUnder('auto', root, dl, { cwd: work }));
    const problems = compareRuns(native, emu);
    if (problems.length) throw new Error(`dlopen: wasmvisor differs from native\n${problems.join('\n')}`);
  }, TEST_TIMEOUT);

  test('the dynamic loader run as the program (the native command line) under wasmvisor', async () => {
    ready();
    const c = debian[0];
    const opts = { stdin: c.stdin, cwd: work, args: nativeArgs(c.program, c.args) };
    const ldso = join(root, 'lib/ld-linux.so.2');
    const native = await pool.run(() => runNative(ldso, opts));
    const emu = await pool.run(() => runUnder('auto', null, ldso, opts));
    const problems = compareRuns(native, emu);
    if (problems.length) throw new Error(`ld-linux.so.2 lua5.4: wasmvisor differs from native\n${problems.join('\n')}`);
  }, TEST_TIMEOUT);

  test("the loader and every library are the sysroot's (the host's ld.so.cache is not used)", async () => {
    ready();
    const script = "for l in io.lines('/proc/self/maps') do local p = l:match('%s(/%S+%.so[.%d]*)$') if p then print(p) end end";
    const r = await pool.run(() => runUnder('interp', root, join(root, 'usr/bin/lua5.4'), { args: ['-e', script], cwd: work }));
    expect(r.stderr.toString()).toBe('');
    const paths = [...new Set(r.stdout.toString().trim().split('\n'))].sort();
    const names = paths.map((p) => p.replace(/^.*\//, ''));
    for (const lib of ['ld-linux.so.2', 'libc.so.6', 'libm.so.6', 'libreadline.so.8', 'libtinfo.so.6']) {
      expect(names.some((n) => n.startsWith(lib)), `${lib} is not mapped: ${names.join(' ')}`).toBe(true);
    }
    for (const p of paths) expect(p.startsWith(`${root}/`), `${p} is not under ${root}`).toBe(true);
  }, TEST_TIMEOUT);
});

describe.concurrent('a dynamically linked program whose interpreter is missing', () => {
  let dir = '';
  let program = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wv-nointerp-'));
    writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
    program = join(dir, 'hello');
    // a PT_INTERP no host has, so that the host's own /lib/ld-linux.so.2 cannot stand in
    execFileSync('gcc', ['-m32', '-Wl,--dynamic-linker=/nonexistent/ld-wasmvisor-test.so.2', '-o', program, join(dir, 'hello.c')]);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const expectOneLine = (stderr: Buffer, pattern: RegExp) => {
    const text = stderr.toString();
    expect(text.endsWith('\n') && text.split('\n').length === 2, `not one line: ${JSON.stringify(text)}`).toBe(true);
    expect(text).toMatch(pattern);
    expect(text).not.toMatch(/\n\s+at |Error:/);
  };

  test('without --sysroot: status 2 and one line saying to use --sysroot', async () => {
    const r = await runProcess(process.execPath, [CLI, 'run', program], { env: CLEAN_ENV });
    expect(r.code).toBe(2);
    expect(r.stdout.toString()).toBe('');
    expectOneLine(
      r.stderr,
      new RegExp(`^wasmvisor: ${program} is dynamically linked and its interpreter /nonexistent/ld-wasmvisor-test\\.so\\.2 is not on the host; .*--sysroot DIR`),
    );
  });

  test('with a --sysroot that does not have it either: status 2, one line naming both places', async () => {
    const r = await runProcess(process.execPath, [CLI, 'run', '--sysroot', dir, program], { env: CLEAN_ENV });
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, new RegExp(`interpreter /nonexistent/ld-wasmvisor-test\\.so\\.2 is neither in ${dir} \\(--sysroot\\) nor on the host\\n$`));
  });

  test('a --sysroot that is not a directory: status 2, one line', async () => {
    const r = await runProcess(process.execPath, [CLI, 'run', '-L', join(dir, 'hello.c'), program], { env: CLEAN_ENV });
    expect(r.code).toBe(2);
    expectOneLine(r.stderr, /^wasmvisor: --sysroot .*hello\.c is not a directory\n$/);
  });
});
