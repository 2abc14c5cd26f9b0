// Lists of corpus programs, one per line:
//     PATTERN  reason...
// PATTERN is a program name (fp_basic.O0), a source name matching all its
// builds (fp_basic), or a glob with * (fp_*).  '#' starts a comment.
//   tests/guest/EXCLUDED         programs the corpus skips;
//   tests/guest/QEMU-DEVIATIONS  programs whose output under qemu-i386
//                                differs from the real CPU's, so qemu
//                                cannot be their reference (tests/lib/run.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_DIR } from '../guest/build.mjs';

interface Entry {
  pattern: RegExp;
  reason: string;
}

function readPatternFile(name: string): Entry[] {
  const file = join(GUEST_DIR, name);
  if (!existsSync(file)) return [];
  const out: Entry[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [pat, ...rest] = line.split(/\s+/);
    const re = pat.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    out.push({ pattern: new RegExp(`^${re}$`), reason: rest.join(' ') || 'no reason given' });
  }
  return out;
}

function lookup(entries: Entry[], name: string): string | undefined {
  const stem = name.replace(/\.(O0|O2|pie|dyn)$/, '');
  return entries.find((e) => e.pattern.test(name) || e.pattern.test(stem))?.reason;
}

const excluded = readPatternFile('EXCLUDED');
const qemuDeviations = readPatternFile('QEMU-DEVIATIONS');

/** Why corpus program `name` is excluded, or undefined when it runs. */
export function exclusionOf(name: string): string | undefined {
  return lookup(excluded, name);
}

/** How qemu-i386's run of corpus program `name` differs from the real CPU's, or undefined when it does not. */
export function qemuDeviationOf(name: string): string | undefined {
  return lookup(qemuDeviations, name);
}
