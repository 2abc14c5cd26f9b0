#!/usr/bin/env node
// A stand-in for `wasmvisor run --engine interp PROGRAM` used by
// interp-fuzz.test.ts to check that the harness notices and minimises a
// divergence: it runs PROGRAM natively and flips AF (bit 4 of the EFLAGS
// word, at offset 32) in the first case's dump.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const program = args[args.length - 1];
const r = spawnSync(program, [], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
const out = r.stdout;
if (out.length > 32) out[32] ^= 0x10;
process.stdout.write(out, () => process.exit(r.status ?? 1));
