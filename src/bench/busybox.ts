import { join } from 'node:path';
import { DEBIAN_CACHE, unpackDebianPackages } from './debian.js';

/** Where Debian's busybox-static:i386 is unpacked (shared with the busybox tests; never committed). */
export const BUSYBOX_CACHE = join(DEBIAN_CACHE, 'busybox');
export const BUSYBOX = join(BUSYBOX_CACHE, 'root', 'bin', 'busybox');

/** The busybox executable, downloaded with `apt-get download busybox-static:i386` the first time. */
export function findBusybox(): string {
  unpackDebianPackages(BUSYBOX_CACHE, ['busybox-static:i386']);
  return BUSYBOX;
}
