import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchSetupError } from './errors.js';
import { PACKAGE_ROOT } from './paths.js';

/** Where downloaded Debian packages and their unpacked trees are kept (never committed). */
export const DEBIAN_CACHE = join(PACKAGE_ROOT, '.cache');

const HOW_TO_FIX = 'make Debian i386 packages available to apt (as root: dpkg --add-architecture i386 && apt-get update)';

/** "liblua5.4-0:i386" → the file name pattern apt-get download gives it (liblua5.4-0_5.4.4-3+deb12u1_i386.deb). */
function debPattern(pkg: string): RegExp {
  const [name, arch = '[a-z0-9]+'] = pkg.split(':');
  const escaped = name.replace(/[.+]/g, (c) => `\\${c}`);
  return new RegExp(`^${escaped}_[^_]+_(${arch}|all)\\.deb$`);
}

/**
 * The .deb of `pkg` (e.g. "libc6:i386") in `dir`, downloaded there with
 * `apt-get download` the first time. Throws BenchSetupError with apt-get's
 * last words and what to do when it cannot be had.
 */
export function fetchDebianPackage(pkg: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const pattern = debPattern(pkg);
  const find = () => readdirSync(dir).find((f) => pattern.test(f));
  let aptSaid = '';
  if (!find()) {
    try {
      execFileSync('apt-get', ['download', pkg], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 240_000 });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
      aptSaid = ` (apt-get said: ${stderr.trim().split('\n').slice(-2).join(' | ') || String(e)})`;
    }
  }
  const file = find();
  if (!file) {
    throw new BenchSetupError(
      `could not download ${pkg} with apt-get download${aptSaid}; to fix: ${HOW_TO_FIX}, or put its .deb into ${dir}`,
    );
  }
  return join(dir, file);
}

/**
 * Downloads `packages` (each with `apt-get download`, no dependency
 * resolution: the list must be the closure) into `cache` and unpacks them
 * with `dpkg-deb -x` into `cache`/root, once: `cache`/root.packages records
 * the list the tree was unpacked from, and another list unpacks it anew.
 * Returns the root directory.
 */
export function unpackDebianPackages(cache: string, packages: readonly string[]): string {
  const root = join(cache, 'root');
  const stamp = join(cache, 'root.packages');
  const list = `${packages.join('\n')}\n`;
  if (existsSync(root) && existsSync(stamp) && readFileSync(stamp, 'utf8') === list) return root;
  const debs = packages.map((pkg) => fetchDebianPackage(pkg, cache));
  const tmp = join(cache, `root.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  for (const deb of debs) {
    try {
      execFileSync('dpkg-deb', ['-x', deb, tmp], { stdio: 'ignore' });
    } catch {
      rmSync(tmp, { recursive: true, force: true });
      throw new BenchSetupError(`could not unpack ${deb} with dpkg-deb -x; remove it and try again`);
    }
  }
  // Two renames: a run using the old tree meanwhile (another test process) finds a tree at every moment.
  const old = join(cache, `root.old-${process.pid}`);
  rmSync(stamp, { force: true });
  if (existsSync(root)) renameSync(root, old);
  renameSync(tmp, root);
  rmSync(old, { recursive: true, force: true });
  writeFileSync(stamp, list);
  return root;
}
