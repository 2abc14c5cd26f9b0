// tests/guest/EXCLUDED: programs the corpus skips, one per line:
//     PATTERN  reason...
// PATTERN is a program name (fp_basic.O0), a source name matching all its
// builds (fp_basic), or a glob with * (fp_*).  '#' starts a comment.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_DIR } from '../guest/build.mjs';

function readExcluded(): { pattern: RegExp; reason: string }[] {
  const file = join(GUEST_DIR, 'EXCLUDED');
  if (!existsSync(file)) return [];
  const out: { pattern: RegExp; reason: string }[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [pat, ...rest] = line.split(/\s+/);
    const re = pat.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    out.push({ pattern: new RegExp(`^${re}$`), reason: rest.join(' ') || 'no reason given' });
  }
  return out;
}

const excluded = readExcluded();

/** Why corpus program `name` is excluded, or undefined when it runs. */
export function exclusionOf(name: string): string | undefined {
  const stem = name.replace(/\.(O0|O2|pie)$/, '');
  return excluded.find((e) => e.pattern.test(name) || e.pattern.test(stem))?.reason;
}
