import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/**
 * `--sysroot DIR` (qemu-user's `-L`): the guest's absolute paths are looked
 * up in DIR first and on the host's root when DIR does not have them, so a
 * program finds its interpreter and libraries (and their data: gconv
 * modules, locales) in the root of an i386 system while its arguments and
 * working files stay the host's.
 *
 * Paths are guest byte strings (latin1 JavaScript strings, as GuestIO reads
 * them). Exceptions to the rule:
 * - `/`, and everything under /proc, /dev and /sys, is always the host's:
 *   those describe the running system, which a sysroot cannot.
 * - /etc/ld.so.cache and /etc/ld.so.preload are always DIR's, absent there
 *   or not: the host's cache names the host's libraries (on a biarch amd64
 *   Debian, the i386 libc6 of /lib32), which the dynamic loader would then
 *   load instead of DIR's. Without a cache the loader searches its default
 *   directories, which DIR has.
 * - A relative path is relative to the guest's working directory, which is a
 *   host path: it is not prefixed.
 */
export class Sysroot {
  /** DIR as a guest byte string, absolute, without a trailing slash. */
  readonly dir: string;

  /** `dir` is a host path (UTF-16 string); it must be a directory. */
  constructor(dir: string) {
    this.dir = Buffer.from(nodePath.resolve(dir), 'utf8').toString('latin1').replace(/\/+$/, '');
  }

  /** Where an absolute guest path is on the host. */
  lookup(path: string): string {
    if (!path.startsWith('/') || this.dir === '' || HOST_ONLY.test(path)) return path;
    const inside = this.dir + path;
    if (SYSROOT_ONLY.has(path) || fs.existsSync(Buffer.from(inside, 'latin1'))) return inside;
    return path;
  }
}

/** `/` itself and the kernel's file systems: never taken from a sysroot. */
const HOST_ONLY = /^\/+(?:(?:proc|dev|sys)(?:\/.*)?)?$/s;

/** Files of the dynamic loader that describe the host's libraries: never taken from the host. */
const SYSROOT_ONLY = new Set(['/etc/ld.so.cache', '/etc/ld.so.preload']);
