import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BenchSetupError } from './errors.js';
import { PACKAGE_ROOT } from './paths.js';

/** Where Debian's busybox-static:i386 is unpacked (shared with the busybox tests; never committed). */
export const BUSYBOX_CACHE = join(PACKAGE_ROOT, '.cache', 'busybox');
export const BUSYBOX = join(BUSYBOX_CACHE, 'root', 'bin', 'busybox');

const HOW_TO_FIX =
  'make Debian i386 packages available to apt (as root: dpkg --add-architecture i386 && apt-get update), ' +
  `or unpack busybox-static_*_i386.deb with dpkg-deb -x into ${join(BUSYBOX_CACHE, 'root')}`;

/** The busybox executable, downloaded with `apt-get download busybox-static:i386` the first time. */
export function findBusybox(): string {
  if (existsSync(BUSYBOX)) return BUSYBOX;
  mkdirSync(BUSYBOX_CACHE, { recursive: true });
  const deb = () => readdirSync(BUSYBOX_CACHE).find((f) => /^busybox-static_.*_i386\.deb$/.test(f));
  let aptSaid = '';
  if (!deb()) {
    try {
      execFileSync('apt-get', ['download', 'busybox-static:i386'], { cwd: BUSYBOX_CACHE, stdio: ['ignore', 'ignore', 'pipe'], timeout: 240_000 });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
      aptSaid = ` (apt-get said: ${stderr.trim().split('\n').slice(-2).join(' | ') || String(e)})`;
    }
  }
  const file = deb();
  if (!file) throw new BenchSetupError(`could not download busybox-static:i386 with apt-get download${aptSaid}; to fix: ${HOW_TO_FIX}`);
  const tmp = join(BUSYBOX_CACHE, `root.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    execFileSync('dpkg-deb', ['-x', join(BUSYBOX_CACHE, file), tmp], { stdio: 'ignore' });
  } catch {
    rmSync(tmp, { recursive: true, force: true });
    throw new BenchSetupError(`could not unpack ${file} with dpkg-deb -x; to fix: ${HOW_TO_FIX}`);
  }
  rmSync(join(BUSYBOX_CACHE, 'root'), { recursive: true, force: true });
  renameSync(tmp, join(BUSYBOX_CACHE, 'root'));
  return BUSYBOX;
}
