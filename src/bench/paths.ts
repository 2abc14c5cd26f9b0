import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root (dist/bench/paths.js → ../..): bench/guest holds the suite's sources. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SUITE_DIR = join(PACKAGE_ROOT, 'bench', 'guest');
/** Built workloads and generated input files (not committed). */
export const BUILD_DIR = join(PACKAGE_ROOT, 'bench', '.build', 'suite');
