// Differential test with a real-world static i386 program: Debian's
// busybox-static:i386.  It is downloaded at test time with
// `apt-get download busybox-static:i386` into .cache/busybox/ (kept across
// runs) and extracted with dpkg-deb.  Each case runs `busybox APPLET ARGS`
// natively and under `wasmvisor run`, in a temporary directory of files
// generated deterministically here, and compares stdout, stderr and status.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLEAN_ENV, Pool, REPO_ROOT, compareRuns, i386Reference, runNative, runWasmvisor } from './lib/run.js';

// The download and unpacking are shared with `wasmvisor bench` (its busybox workloads).
const { findBusybox } = (await import(join(REPO_ROOT, 'dist/bench/busybox.js'))) as typeof import('../src/bench/busybox.js');
const pool = new Pool();

function isI386Elf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const h = Buffer.alloc(20);
    readSync(fd, h, 0, 20, 0);
    return h.readUInt32BE(0) === 0x7f454c46 && h[4] === 1 && h.readUInt16LE(18) === 3;
  } finally {
    closeSync(fd);
  }
}

// ---- deterministic input files
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
}
const WORDS = ['apple', 'banana', 'cherry', 'date', 'elder', 'fig', 'grape', 'kiwi', 'lemon', 'mango', 'nut',
  'olive', 'peach', 'quince', 'raisin', 'straw', 'tomato', 'ugli', 'vanilla', 'walnut', 'yam', 'zucchini',
  'Apple', 'BANANA', 'can', 'an', 'ant', 'and'];

function makeFiles(dir: string): void {
  const r = lcg(42);
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const n = 1 + (r() % 6);
    lines.push(Array.from({ length: n }, () => WORDS[r() % WORDS.length]).join(' '));
  }
  writeFileSync(join(dir, 'words.txt'), lines.join('\n') + '\n');
  const nums: string[] = [];
  for (let i = 0; i < 200; i++) nums.push(String((r() % 20001) - 10000));
  writeFileSync(join(dir, 'nums.txt'), nums.join('\n') + '\n');
  const bin = Buffer.alloc(700);
  for (let i = 0; i < bin.length; i++) bin[i] = i < 256 ? i : r() & 0xff;
  writeFileSync(join(dir, 'bin.dat'), bin);
  const dups: string[] = [];
  for (let i = 0; i < 120; i++) dups.push(WORDS[Math.floor(i / (1 + (i % 4))) % 9]);
  writeFileSync(join(dir, 'dups.txt'), dups.join('\n') + '\n');
  const people: string[] = [];
  for (let i = 0; i < 40; i++) people.push(`user${i}:x:${(i * 37) % 101}:${100 + (i % 7)}:${WORDS[i % WORDS.length]} person:/home/user${i}:/bin/sh`);
  writeFileSync(join(dir, 'people.txt'), people.join('\n') + '\n');
  mkdirSync(join(dir, 'dir/zsub'), { recursive: true });
  for (const f of ['b.txt', 'a.txt', 'C.md', '.hidden', 'z-last', '10', '9']) writeFileSync(join(dir, 'dir', f), `${f}\n`);
  writeFileSync(join(dir, 'dir/zsub/deep.txt'), 'deep\n'.repeat(300));
  symlinkSync('a.txt', join(dir, 'dir/link-to-a'));

  // 3 MiB of pseudo-random bytes (incompressible) for the checksums
  const big = Buffer.alloc(3 << 20);
  for (let i = 0; i < big.length; i++) big[i] = r() & 0xff;
  writeFileSync(join(dir, 'big.bin'), big);
  // 512 KiB of compressible text for the compressors
  const text: string[] = [];
  let size = 0;
  while (size < 512 << 10) {
    const n = 1 + (r() % 10);
    const l = Array.from({ length: n }, () => (r() % 3 ? WORDS[r() % WORDS.length] : String(r() % 100000))).join(' ');
    text.push(l);
    size += l.length + 1;
  }
  writeFileSync(join(dir, 'text.txt'), text.join('\n') + '\n');
  // its first 64 KiB (whole lines) for the slower text tools: they run under the interpreter
  let medLines = 0;
  for (let n = 0; n < 64 << 10; medLines++) n += text[medLines].length + 1;
  writeFileSync(join(dir, 'med.txt'), text.slice(0, medLines).join('\n') + '\n');
  writeFileSync(join(dir, 'b64.txt'), (readFileSync(join(dir, 'text.txt')).toString('base64').match(/.{1,76}/g) ?? []).join('\n') + '\n');
  // compressed with the host's tools (only their decompression by busybox is compared)
  for (const [tool, ext] of HOST_COMPRESSORS) {
    if (!hostHas(tool)) continue;
    for (const f of ['text.txt', 'words.txt']) {
      for (const [args, suffix] of [[[], ext], ...(tool === 'xz' ? [[['--format=lzma'], 'lzma']] : [])] as [string[], string][]) {
        const z = spawnSync(tool, [...args, '-9', '-c', join(dir, f)], { maxBuffer: 64 << 20 });
        if (z.status !== 0) throw new Error(`host ${tool} failed: ${z.stderr}`);
        writeFileSync(join(dir, `${f}.${suffix}`), z.stdout);
      }
    }
  }
  if (hostHas('gzip')) {
    const z = spawnSync('gzip', ['-c', join(dir, 'words.txt')]);
    writeFileSync(join(dir, 'truncated.gz'), z.stdout.subarray(0, z.stdout.length >> 1));
  }
  writeFileSync(join(dir, 'sums.md5'), ['words.txt', 'nums.txt', 'bin.dat', 'dups.txt']
    .map((f, i) => `${i === 2 ? '0'.repeat(32) : createHash('md5').update(readFileSync(join(dir, f))).digest('hex')}  ${f}\n`)
    .join(''));

  // two versions of a file for diff and cmp
  const v1 = lines.slice(0, 60);
  const v2 = v1.slice();
  v2.splice(5, 2, 'inserted line', 'another');
  v2.splice(30, 1);
  v2.push('appended at the end');
  writeFileSync(join(dir, 'v1.txt'), v1.join('\n') + '\n');
  writeFileSync(join(dir, 'v2.txt'), v2.join('\n') + '\n');
  const bin2 = Buffer.from(bin);
  for (const i of [3, 300, 301, 650]) bin2[i] ^= 0x5a;
  writeFileSync(join(dir, 'bin2.dat'), bin2);
  writeFileSync(join(dir, 'tabs.txt'), people.map((l) => l.split(':').join('\t')).join('\n') + '\n');
  writeFileSync(join(dir, 'keys1.txt'), ['a 1', 'b 2', 'd 4', 'e 5', 'g 7'].join('\n') + '\n');
  writeFileSync(join(dir, 'keys2.txt'), ['a x', 'c y', 'd z', 'g w', 'h v'].join('\n') + '\n');
  writeFileSync(join(dir, 'script.sh'), SCRIPT);
  writeFileSync(join(dir, 'ustar.tar'), ustar());
  writeFileSync(join(dir, 'lib.a'), arArchive([['first.o', bin.subarray(0, 333)], ['second.txt', Buffer.from('second member\n')], ['third', Buffer.alloc(0)]]));
  writeFileSync(join(dir, 'b64.uu'), `begin-base64 644 ignored.bin\n${(bin.toString('base64').match(/.{1,60}/g) ?? []).join('\n')}\n====\n`);
  mkdirSync(join(dir, 'xdir'));

  // fixed times, so that tar c, ls -l and find -newer give the same output on every run
  const T = 1_600_000_000;
  for (const f of ['dir/b.txt', 'dir/a.txt', 'dir/C.md', 'dir/.hidden', 'dir/z-last', 'dir/10', 'dir/9', 'dir/zsub/deep.txt', 'dir/zsub', 'dir', 'v1.txt']) {
    utimesSync(join(dir, f), T, T);
  }
  utimesSync(join(dir, 'v2.txt'), T + 3600, T + 3600);
  lutimesSync(join(dir, 'dir/link-to-a'), T, T);
}

const HOST_COMPRESSORS = [['gzip', 'gz'], ['bzip2', 'bz2'], ['xz', 'xz']] as const;
const hostTools = new Map<string, boolean>();
function hostHas(tool: string): boolean {
  if (!hostTools.has(tool)) hostTools.set(tool, spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);
  return hostTools.get(tool)!;
}
const needsHost = (tool: string) => (hostHas(tool) ? undefined : `host ${tool} not available to make the input`);

/** A shell script using builtins only: no fork, no exec. */
const SCRIPT = `# fib, primes, string operations, case, getopts
fib() {
  a=0 b=1 n=$1
  while [ $n -gt 0 ]; do t=$((a + b)); a=$b; b=$t; n=$((n - 1)); done
  echo "fib($1)=$a"
}
isprime() {
  [ $1 -lt 2 ] && return 1
  d=2
  while [ $((d * d)) -le $1 ]; do [ $(($1 % d)) -eq 0 ] && return 1; d=$((d + 1)); done
  return 0
}
for i in 1 10 20 30 40; do fib $i; done
p=''
i=0
while [ $i -lt 60 ]; do isprime $i && p="$p $i"; i=$((i + 1)); done
echo "primes:$p"
echo "args: $# [$*] first=$1 last=\${2:-none}"
v=archive.tar.gz
echo "\${v%.gz} \${v%%.*} \${v#*.} \${v##*.} \${#v} \${v:-x} \${unset:-dflt}"
for w in apple 42 Zed -x ''; do
  case $w in
    [a-z]*) echo "$w: lower" ;;
    [0-9]*) echo "$w: digit" ;;
    -*) echo "$w: option" ;;
    '') echo "(empty)" ;;
    *) echo "$w: other" ;;
  esac
done
OPTIND=1
set -- -a -b val -c rest
while getopts ab:c o; do echo "opt $o \${OPTARG:-}"; done
shift $((OPTIND - 1)); echo "rest: $*"
x=7; x=$(( (x << 3) ^ 0x55 | 3 )); echo "bits $x $((x % 13)) $((-x / 4)) $((x > 100 ? 1 : 0))"
n=0; for f in dir/*.txt; do n=$((n + 1)); echo "glob $f"; done; echo "$n files"
while read -r name rest; do echo "[$name] [$rest]"; done < keys1.txt
printf '%5.2s|%-4d|%x\n' abcdef 12 255
exit 3
`;

/** A System V ar archive with fixed times and owners. */
function arArchive(members: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of members) {
    const field = (v: string, len: number) => v.padEnd(len, ' ');
    parts.push(Buffer.from(field(`${name}/`, 16) + field('1500000000', 12) + field('1000', 6) + field('100', 6) + field('100644', 8) + field(String(data.length), 10) + '`\n', 'latin1'));
    parts.push(data);
    if (data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** A small ustar archive built here, byte by byte: a directory, two files and a symlink, with owner names and fixed times. */
function ustar(): Buffer {
  const entries: [string, string, string][] = [
    ['tree/', '5', ''],
    ['tree/hello.txt', '0', 'hello, tar\n'],
    ['tree/sub/numbers.txt', '0', Array.from({ length: 200 }, (_, i) => `${i * i}`).join('\n') + '\n'],
    ['tree/link', '2', 'hello.txt'],
  ];
  const blocks: Buffer[] = [];
  for (const [name, type, body] of entries) {
    const h = Buffer.alloc(512);
    const put = (off: number, len: number, v: string) => h.write(v, off, len, 'latin1');
    const oct = (off: number, len: number, v: number) => put(off, len, v.toString(8).padStart(len - 1, '0') + '\0');
    put(0, 100, name);
    oct(100, 8, type === '5' ? 0o755 : 0o644);
    oct(108, 8, 1000);
    oct(116, 8, 100);
    oct(124, 12, type === '0' ? Buffer.byteLength(body) : 0);
    oct(136, 12, 1_500_000_000);
    h.fill(' ', 148, 156);
    put(156, 1, type);
    if (type === '2') put(157, 100, body);
    put(257, 6, 'ustar\0');
    put(263, 2, '00');
    put(265, 32, 'alice');
    put(297, 32, 'staff');
    let sum = 0;
    for (const b of h) sum += b;
    put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
    blocks.push(h);
    if (type === '0') {
      const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
      data.write(body, 'latin1');
      blocks.push(data);
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

interface Case {
  name: string;
  argv: string[];
  stdin?: string;
  /** a file of the work directory given as stdin */
  stdinFile?: string;
  /** Why this case cannot pass yet (the test is skipped and its name says why). */
  pending?: string;
  /** why qemu-i386 cannot be this case's reference (skipped where the host cannot run i386 executables) */
  qemuDeviation?: string;
  /**
   * PATH is the work directory's bin/, where gzip, echo... are links to this
   * busybox: a command the case runs by name (tar -z runs gzip) is the same
   * i386 program natively and under wasmvisor, not the host's x86-64 one.
   */
  applets?: true;
}
/** seq, sort -n, awk and printf %f parse or print numbers with floating point: they run on the x87. */
const CASES: Case[] = [
  { name: 'echo', argv: ['echo', 'hello', 'world', '  spaced  out  '] },
  { name: 'echo -n -e', argv: ['echo', '-n', '-e', 'tab\\there\\nnew line\\0101 end'] },
  { name: 'seq 1 200', argv: ['seq', '1', '200'] },
  { name: 'seq -s , 10 -3 -20', argv: ['seq', '-s', ',', '10', '-3', '-20'] },
  { name: 'expr 6 * 7', argv: ['expr', '6', '*', '7'] },
  { name: 'expr -17 / 5', argv: ['expr', '-17', '/', '5'] },
  { name: 'expr -17 % 5', argv: ['expr', '-17', '%', '5'] },
  { name: 'expr 3 > 5 (status 1)', argv: ['expr', '3', '>', '5'] },
  { name: 'expr length', argv: ['expr', 'length', 'hello world'] },
  { name: 'expr match', argv: ['expr', 'abc123def', ':', '[a-z]*\\([0-9]*\\)'] },
  { name: 'printf %f %e %g', argv: ['printf', '%.3f|%e|%g|%10.4f|%G\n', '3.14159', '-0.000123', '1e21', '2.5', '0.0000314'] },
  { name: 'awk arithmetic', argv: ['awk', '{ s += $1; q += $1 * $1 } END { printf "%d %.4f %.4f %g\n", NR, s / NR, sqrt(q / NR), 2 ^ 0.5 }', 'nums.txt'] },
  { name: 'awk functions', argv: ['awk', 'BEGIN { printf "%.6f %.6f %.6f %.6f %d\n", sin(1), cos(1), atan2(1, 2), exp(1), int(-3.7); print log(10), 7 / 3, 1e300 * 10 }'] },
  { name: 'printf', argv: ['printf', '%d|%5s|%-5s|%x|%o|%c|%%|%s|%05d|%+d\\n', '42', 'ab', 'cd', '255', '8', 'xyz', 'tail', '-42', '7'] },
  { name: 'md5sum', argv: ['md5sum', 'words.txt', 'bin.dat', 'nums.txt'] },
  { name: 'sha1sum', argv: ['sha1sum', 'words.txt', 'bin.dat'] },
  { name: 'sha256sum', argv: ['sha256sum', 'words.txt', 'bin.dat'] },
  { name: 'sha512sum', argv: ['sha512sum', 'words.txt', 'bin.dat'] },
  { name: 'wc', argv: ['wc', 'words.txt', 'nums.txt', 'bin.dat'] },
  { name: 'wc -l stdin', argv: ['wc', '-l'], stdin: 'one\ntwo\nthree\n' },
  { name: 'sort', argv: ['sort', 'words.txt'] },
  { name: 'sort -n', argv: ['sort', '-n', 'nums.txt'] },
  { name: 'sort -r -u', argv: ['sort', '-r', '-u', 'words.txt'] },
  { name: 'sort -t: -k3n', argv: ['sort', '-t', ':', '-k', '3,3n', 'people.txt'] },
  { name: 'uniq -c', argv: ['uniq', '-c', 'dups.txt'] },
  { name: 'tr a-z A-Z', argv: ['tr', 'a-z', 'A-Z'], stdin: 'Hello, World! the quick brown fox\n' },
  { name: 'tr -d', argv: ['tr', '-d', 'aeiou'], stdin: 'the quick brown fox jumps over the lazy dog\n' },
  { name: 'cut -d: -f1,3', argv: ['cut', '-d', ':', '-f', '1,3', 'people.txt'] },
  { name: 'cut -c2-5', argv: ['cut', '-c', '2-5', 'words.txt'] },
  { name: 'od -A x -t x1z', argv: ['od', '-A', 'x', '-t', 'x1z', 'bin.dat'] },
  { name: 'base64', argv: ['base64', 'bin.dat'] },
  { name: 'base64 -d', argv: ['base64', '-d'], stdin: 'aGVsbG8gd29ybGQsIGJhc2U2NCBkZWNvZGluZyB3b3Jrcwo=\n' },
  { name: 'factor', argv: ['factor', '1', '2', '97', '1001', '65537', '4294967297', '600851475143', '1000000007', '18446744073709551615'] },
  { name: 'sed', argv: ['sed', '-e', 's/\\([a-z]*\\)an/<\\1>/g', '-e', '3,7d', '-e', '/^f/d', 'words.txt'] },
  { name: 'sed -n p', argv: ['sed', '-n', '10,20p;$p', 'words.txt'] },
  { name: 'grep -n', argv: ['grep', '-n', 'an', 'words.txt'] },
  { name: 'grep -c -v', argv: ['grep', '-c', '-v', 'e', 'words.txt'] },
  { name: 'grep -E -i', argv: ['grep', '-E', '-i', '^(apple|banana) [a-z]+$', 'words.txt'] },
  { name: 'grep no match (status 1)', argv: ['grep', 'nomatchxyz', 'words.txt'] },
  { name: 'basename', argv: ['basename', '/usr/lib/file.tar.gz', '.gz'] },
  { name: 'dirname', argv: ['dirname', '/usr/lib/file.tar.gz'] },
  { name: 'cat', argv: ['cat', 'words.txt', 'nums.txt'] },
  { name: 'cat stdin', argv: ['cat', '-'], stdin: 'from stdin\nline two\n' },
  { name: 'cat missing (status 1)', argv: ['cat', 'missing.txt'] },
  { name: 'head -n 7', argv: ['head', '-n', '7', 'words.txt'] },
  { name: 'tail -n 5', argv: ['tail', '-n', '5', 'nums.txt'] },
  { name: 'tail -c 20', argv: ['tail', '-c', '20', 'words.txt'] },
  { name: 'ls', argv: ['ls', 'dir'] },
  { name: 'ls -1 -a', argv: ['ls', '-1', '-a', 'dir'] },
  { name: 'cmp (status 1)', argv: ['cmp', 'words.txt', 'nums.txt'] },
  { name: 'tac', argv: ['tac', 'nums.txt'] },
  { name: 'rev', argv: ['rev', 'words.txt'] },
  { name: 'nl', argv: ['nl', 'dups.txt'] },
  { name: 'fold -w 13', argv: ['fold', '-w', '13', 'words.txt'] },
  { name: 'xxd', argv: ['xxd', 'bin.dat'] },
  { name: 'gzip -c -n', argv: ['gzip', '-c', '-n', 'words.txt'] },
  { name: 'crc32', argv: ['crc32', 'words.txt'] },
  { name: 'dc', argv: ['dc', '-e', '2 64 ^ p 7 k 22 7 / p 12345678901234567890 987654321 % p'] },
  { name: 'true', argv: ['true'] },
  { name: 'false (status 1)', argv: ['false'] },

  // checksums of 3 MiB
  { name: 'md5sum 3 MiB', argv: ['md5sum', 'big.bin', 'text.txt'] },
  { name: 'sha1sum 3 MiB', argv: ['sha1sum', 'big.bin'] },
  { name: 'sha256sum 3 MiB', argv: ['sha256sum', 'big.bin'] },
  { name: 'sha512sum 3 MiB', argv: ['sha512sum', 'big.bin'] },
  { name: 'md5sum -c (one bad, status 1)', argv: ['md5sum', '-c', 'sums.md5'] },
  { name: 'sha3sum', argv: ['sha3sum', 'words.txt', 'bin.dat'] },

  // compressors: compression output compared byte for byte, decompression of the host's output
  { name: 'gzip -c 512 KiB text', argv: ['gzip', '-c', '-n', 'text.txt'] },
  { name: 'gzip -c stdin', argv: ['gzip', '-c'], stdin: 'compress me from stdin '.repeat(500) },
  { name: 'gunzip -c', argv: ['gunzip', '-c', 'text.txt.gz'], pending: needsHost('gzip') },
  { name: 'zcat', argv: ['zcat', 'words.txt.gz', 'words.txt.gz'], pending: needsHost('gzip') },
  { name: 'gunzip stdin', argv: ['gunzip'], stdinFile: 'words.txt.gz', pending: needsHost('gzip') },
  { name: 'unlzma -c', argv: ['unlzma', '-c', 'text.txt.lzma'], pending: needsHost('xz') },
  { name: 'lzcat', argv: ['lzcat', 'words.txt.lzma'], pending: needsHost('xz') },
  { name: 'gzip -t', argv: ['gzip', '-t', 'text.txt.gz', 'words.txt.gz'], pending: needsHost('gzip') },
  { name: 'gunzip truncated (status 1)', argv: ['gunzip', '-c', 'truncated.gz'], pending: needsHost('gzip') },
  { name: 'bzip2 -c', argv: ['bzip2', '-c', 'text.txt'] },
  { name: 'bunzip2 -c', argv: ['bunzip2', '-c', 'text.txt.bz2'], pending: needsHost('bzip2') },
  { name: 'bzcat', argv: ['bzcat', 'words.txt.bz2', 'words.txt.bz2'], pending: needsHost('bzip2') },
  { name: 'xz -d -c', argv: ['xz', '-d', '-c', 'text.txt.xz'], pending: needsHost('xz') },
  { name: 'unxz -c', argv: ['unxz', '-c', 'words.txt.xz'], pending: needsHost('xz') },
  { name: 'xzcat', argv: ['xzcat', 'words.txt.xz', 'words.txt.xz'], pending: needsHost('xz') },

  // text processing
  { name: 'sort -k2 -f', argv: ['sort', '-k', '2', '-f', 'words.txt'] },
  { name: 'sort big text', argv: ['sort', 'text.txt'] },
  { name: 'sort -n -r -s -k1,1', argv: ['sort', '-n', '-r', '-s', '-k', '1,1', 'med.txt'] },
  { name: 'uniq -d', argv: ['uniq', '-d', 'dups.txt'] },
  { name: 'uniq -u -i', argv: ['uniq', '-u', '-i', 'dups.txt'] },
  { name: 'sed y and ranges', argv: ['sed', '-e', '/kiwi/,/mango/s/^/> /', '-e', '/lemon/,+2d', '-e', 'y/aeiou/AEIOU/', 'words.txt'] },
  { name: 'sed -E groups', argv: ['sed', '-E', 's/([a-z]+) ([a-z]+)/\\2_\\1/; s/a+/[&]/2', 'words.txt'] },
  { name: 'sed N and hold space', argv: ['sed', '-n', '$!N; s/\\n/ + /; h; G; p', 'dups.txt'] },
  { name: 'sed = a i c q', argv: ['sed', '-e', '=', '-e', '3a\\\nafter three', '-e', '5i\\\nbefore five', '-e', '7c\\\nchanged', '-e', '12q', 'nums.txt'] },
  { name: 'sed on 64 KiB', argv: ['sed', '-e', 's/[0-9][0-9]*/<&>/g', '-e', '/apple.*fig/d', 'med.txt'] },
  { name: 'awk -F: arrays', argv: ['awk', '-F:', '{ n[$4]++; s[$4] = s[$4] " " $1 } END { for (k = 100; k < 107; k++) print k, n[k], s[k] }', 'people.txt'] },
  { name: 'awk strings', argv: ['awk', '{ t = $0; c = gsub(/an/, "AN", t); print NR, c, toupper(substr(t, 1, 12)), length($0), index($0, "e"), NF, $NF }', 'words.txt'] },
  { name: 'awk split match sprintf', argv: ['awk', 'NR % 40 == 1 { k = split($0, a, / +/); m = match($0, /[0-9]+/); printf "%s|%d|%d|%d|%s|%5.1f%%\\n", a[k], k, m, RLENGTH, sprintf("%c%c", 65 + k, 97 + NR % 26), NR * 100 / 7 }', 'med.txt'] },
  { name: 'awk word count', argv: ['awk', '{ for (i = 1; i <= NF; i++) w[$i]++ } END { for (k in w) if (w[k] > 200) print k, w[k] }', 'med.txt'] },
  { name: 'awk getline -v', argv: ['awk', '-v', 'lim=3', 'BEGIN { while ((getline line < "keys1.txt") > 0 && n < lim) print ++n ": " line; print "x" > "/dev/stderr"; exit 4 }'] },
  { name: 'grep -w -o', argv: ['grep', '-w', '-o', 'an[a-z]*', 'words.txt'] },
  { name: 'grep -l -i files', argv: ['grep', '-l', '-i', 'banana', 'words.txt', 'nums.txt', 'people.txt', 'dups.txt'] },
  { name: 'grep -E -c -v 64 KiB', argv: ['grep', '-E', '-c', '-v', '(apple|[0-9]{5})', 'med.txt'] },
  { name: 'grep -F -x -e', argv: ['grep', '-F', '-x', '-n', '-e', 'apple', '-e', 'fig', 'dups.txt'] },
  { name: 'grep -r', argv: ['grep', '-r', '-n', 'txt', 'dir'] },
  { name: 'hexdump -C', argv: ['hexdump', '-C', 'bin.dat'] },
  { name: 'hexdump -C -s -n', argv: ['hexdump', '-C', '-s', '1000', '-n', '300', 'big.bin'] },
  { name: 'od -t d2 -A d', argv: ['od', '-A', 'd', '-t', 'd2', '-N', '200', 'bin.dat'] },
  { name: 'base64 large', argv: ['base64', 'text.txt'] },
  { name: 'base64 -d large', argv: ['base64', '-d', 'b64.txt'] },
  { name: 'uuencode', argv: ['uuencode', 'bin.dat', 'name.bin'] },
  { name: 'cut -f tabs', argv: ['cut', '-f', '2,5-', 'tabs.txt'] },
  { name: 'cut -s -d', argv: ['cut', '-s', '-d', ' ', '-f', '2', 'words.txt'] },
  { name: 'tr -s -c', argv: ['tr', '-s', '-c', 'a-z\\n', '_'], stdin: 'Hello,   World!! the   quick   brown fox\n 123 abc\n' },
  { name: 'tr classes', argv: ['tr', '[:lower:][:digit:]', '[:upper:]#'], stdin: 'abc 123 xyz 789\n' },
  { name: 'wc -c -w -l -L', argv: ['wc', '-c', '-w', '-l', '-L', 'text.txt', 'words.txt'] },
  { name: 'seq -w', argv: ['seq', '-w', '--', '-5', '3', '105'] },
  { name: 'seq fractions', argv: ['seq', '0', '0.25', '3'] },
  { name: 'factor big', argv: ['factor', '9223372036854775807', '18446744073709551614', '4294967291', '1000000000039', '999999000001'] },
  { name: 'expr substr index', argv: ['expr', 'substr', 'abcdefgh', '3', '4'] },
  { name: 'expr | &', argv: ['expr', '0', '|', '', '|', '7', '&', '3'] },
  { name: 'expr bad (status 2)', argv: ['expr', '1', '+', 'x'] },
  { name: 'printf %b %#x', argv: ['printf', '%b|%5.2f|%-8.3s|%#x|%#o|%i\\n', 'a\\tb\\101', '-2.345', 'abcdef', '3054', '8', '0x1f'] },
  { name: 'bc -l', argv: ['bc', '-l', '-q'], stdin: '2^100\nscale=20\n4*a(1)\nsqrt(2)\ne(1)\nl(10)\ndefine f(n) { if (n < 2) return 1; return n * f(n-1) }\nf(40)\n-7 % 3\nobase=16\n255 * 255\n' },
  { name: 'ed', argv: ['ed', 'words.txt'], stdin: '2,5p\n/banana/s/an/AN/gp\n$=\n3,4d\n1,4p\n/zucchini/\n-1,.n\nQ\n' },
  { name: 'cal', argv: ['cal', '9', '1752'] },
  { name: 'dd conv=swab', argv: ['dd', 'if=bin.dat', 'bs=100', 'skip=2', 'count=3', 'conv=swab'] },
  { name: 'stat -c', argv: ['stat', '-c', '%n %s %a %F %h', 'dir', 'dir/a.txt', 'big.bin', 'dir/link-to-a'] },
  { name: 'unexpand -a', argv: ['unexpand', '-a', 'tabs.txt'] },
  { name: 'unix2dos stdin', argv: ['unix2dos'], stdin: 'a\nb\r\nc\n' },
  { name: 'getopt', argv: ['getopt', '-o', 'ab:c', '-l', 'long:', '--', '-a', '-b', 'x', '--long=y', 'rest', '-c'] },
  { name: 'uudecode', argv: ['uudecode', '-o', '-', 'b64.uu'] },
  { name: 'ar t', argv: ['ar', 't', 'lib.a'] },
  { name: 'ar tv', argv: ['ar', 'tv', 'lib.a'] },
  { name: 'ar p', argv: ['ar', 'p', 'lib.a', 'second.txt', 'first.o'] },
  { name: 'paste', argv: ['paste', '-d', ',', 'keys1.txt', 'keys2.txt'] },
  { name: 'expand', argv: ['expand', '-t', '6', 'tabs.txt'] },
  { name: 'strings', argv: ['strings', '-n', '3', 'bin.dat'] },
  { name: 'dos2unix stdin', argv: ['dos2unix'], stdin: 'a\r\nb\r\nc\n' },

  // files and archives
  { name: 'cmp -l', argv: ['cmp', '-l', 'bin.dat', 'bin2.dat'] },
  { name: 'cmp same', argv: ['cmp', 'big.bin', 'big.bin'] },
  { name: 'diff -U 1 -b (status 1)', argv: ['diff', '-U', '1', '-b', 'v1.txt', 'v2.txt'] },
  { name: 'diff -u', argv: ['diff', '-u', 'v1.txt', 'v2.txt'] },
  { name: 'diff -r', argv: ['diff', '-r', 'dir', 'dir'] },
  { name: 'find -name', argv: ['find', 'dir', '-name', '*.txt'] },
  { name: 'find -type', argv: ['find', '.', '-type', 'd', '-o', '-type', 'l'] },
  { name: 'find -size -newer', argv: ['find', 'dir', '-size', '+1', '-newer', 'v1.txt', '-o', '-name', '9', '-print'] },
  { name: 'ls -l dir', argv: ['ls', '-l', '-n', '--full-time', 'dir'] },
  { name: 'ls -R', argv: ['ls', '-R', '-s', 'dir'] },
  { name: 'du -a', argv: ['du', '-a', '-k', 'dir'] },
  { name: 'tar cf -', argv: ['tar', 'cf', '-', 'dir'] },
  { name: 'tar tvf', argv: ['tar', 'tvf', 'ustar.tar'] },
  { name: 'tar tf', argv: ['tar', 'tf', 'ustar.tar'] },
  { name: 'tar xOf', argv: ['tar', 'xOf', 'ustar.tar'] },
  { name: 'tar xvf -C', argv: ['tar', 'xvf', 'ustar.tar', '-C', 'xdir'] },
  { name: 'tar czf -', argv: ['tar', 'czf', '-', 'dir'], applets: true },

  // the shell, with builtins only
  { name: 'sh -c loop function arithmetic', argv: ['sh', '-c', 'f() { echo $(($1*2)); }; i=0; while [ $i -lt 5 ]; do f $i; i=$((i+1)); done'] },
  { name: 'sh script.sh', argv: ['sh', 'script.sh', 'one', 'two words'] },
  { name: "sh -c quoted here-doc", argv: ['sh', '-c', "cat_() { while read -r l; do echo \"> $l\"; done; }; cat_ <<'EOF'\nline $x\n  indented\nEOF\necho status $?"] },
  { name: 'sh -c syntax error (status 2)', argv: ['sh', '-c', 'if then fi'] },

  // the shell with processes: pipelines, external commands (fork, execve, wait4, pipes between processes)
  { name: 'sh -c pipe', argv: ['sh', '-c', 'echo a | tr a b'] },
  { name: 'sh -c pipeline of three', argv: ['sh', '-c', 'for i in 3 1 2; do echo line $i; done | sort -r | head -2'] },
  {
    name: 'sh -c external command',
    argv: ['sh', '-c', 'echo start; env echo external; echo end; exit 3'],
    applets: true,
    qemuDeviation: 'busybox env execs /proc/self/exe, which qemu-user hands to a host that cannot run i386 executables',
  },
  { name: 'sh -c command substitution', argv: ['sh', '-c', 'x=$(echo sub); n=$(wc -l < words.txt); echo $x $n'] },
  { name: 'sh -c yes | head', argv: ['sh', '-c', 'yes wasmvisor | head -3; echo status $?'] },
  { name: 'sh -c while read in a pipe', argv: ['sh', '-c', 'seq 1 50 | while read x; do echo L$x; done | tail -2'] },
  { name: 'sh -c subshell and status', argv: ['sh', '-c', '(exit 7); echo $?; (cd dir && ls); false | true; echo $?'] },
  { name: 'xargs', argv: ['xargs', '-n', '2', 'echo', 'pair:'], stdin: 'a b c d e\n', applets: true },
];

/** Applets the cases with `applets` exec through PATH. */
const APPLETS_EXECUTED = ['gzip', 'echo', 'env', 'sh', 'xargs'];

describe.concurrent('busybox-static:i386', () => {
  let busybox = '';
  let work = '';
  // a failed download makes every test below fail with this error
  let setupError: Error | undefined;
  beforeAll(async () => {
    try {
      busybox = findBusybox();
      if (!isI386Elf(busybox)) throw new Error(`${busybox} is not a 32-bit i386 ELF: remove ${busybox} and run the tests again`);
      work = mkdtempSync(join(tmpdir(), 'wv-busybox-'));
      makeFiles(work);
      mkdirSync(join(work, 'bin'));
      for (const applet of APPLETS_EXECUTED) symlinkSync(busybox, join(work, 'bin', applet));
      const reference = i386Reference();
      if (reference.name === 'qemu-i386') {
        // The host cannot exec an i386 applet that qemu's busybox execs, so the reference's PATH holds scripts that run it under qemu too.
        mkdirSync(join(work, 'reference-bin'));
        for (const applet of APPLETS_EXECUTED) {
          const [qemu, args] = reference.argv(busybox, []);
          writeFileSync(join(work, 'reference-bin', applet), `#!/bin/sh\nexec ${qemu} -0 ${applet} ${args.join(' ')} "$@"\n`, { mode: 0o755 });
        }
      }
    } catch (e) {
      setupError = e instanceof Error ? e : new Error(String(e));
    }
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('busybox-static:i386 is available', () => {
    if (setupError) throw setupError;
    expect(existsSync(busybox)).toBe(true);
  });

  test('has at least 30 applets under test', () => {
    expect(new Set(CASES.map((c) => c.argv[0])).size).toBeGreaterThanOrEqual(30);
  });

  for (const c of CASES) {
    if (c.pending) {
      test.skip(`${c.name} (skipped: ${c.pending})`, () => {});
      continue;
    }
    if (c.qemuDeviation && i386Reference().name === 'qemu-i386') {
      test.skip(`${c.name} (skipped, no reference: ${c.qemuDeviation})`, () => {});
      continue;
    }
    test(
      c.name,
      async () => {
        if (setupError) throw setupError;
        const env = c.applets ? { ...CLEAN_ENV, PATH: join(work, 'bin') } : undefined;
        const opts = { args: c.argv, stdin: c.stdinFile ? readFileSync(join(work, c.stdinFile)) : c.stdin, cwd: work, env };
        const referenceBin = join(work, 'reference-bin');
        const referenceEnv = c.applets && existsSync(referenceBin) ? { ...CLEAN_ENV, PATH: referenceBin } : env;
        const native = await pool.run(() => runNative(busybox, { ...opts, env: referenceEnv }));
        const emu = await pool.run(() => runWasmvisor(busybox, opts));
        const problems = compareRuns(native, emu);
        if (problems.length) throw new Error(`busybox ${c.argv.join(' ')}: wasmvisor differs from native\n${problems.join('\n')}`);
      },
      300_000,
    );
  }
});
