import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { runLinuxProgram } from '../linux/run.js';
import type { Engine, Machine } from '../runtime/machine.js';
import { TimeProfile, type TimeBucket } from '../runtime/time-profile.js';
import type { Prepared } from './suite.js';

/** Where a workload can run: the real CPU, qemu-user, or one of wasmvisor's engines. */
export type BenchEngine = 'native' | 'qemu' | 'interp' | 'jit' | 'auto';
export const BENCH_ENGINES: readonly BenchEngine[] = ['native', 'qemu', 'interp', 'jit', 'auto'];

export const isWasmvisor = (e: BenchEngine): e is 'interp' | 'jit' | 'auto' => e !== 'native' && e !== 'qemu';

/** One run of one workload under one engine. */
export interface RunResult {
  wallMs: number;
  status: number;
  /** sha256 of stdout, and the first line of it (the workload's checksum line). */
  outputHash: string;
  firstLine: string;
  /** wasmvisor only: guest instructions, those run in translated code, and where the time went. */
  instructions?: number;
  translatedInstructions?: number;
  compileMs?: number;
  timeMs?: Record<TimeBucket, number>;
}

function summarise(stdout: Buffer): Pick<RunResult, 'outputHash' | 'firstLine'> {
  const text = stdout.subarray(0, 200).toString('latin1');
  return { outputHash: createHash('sha256').update(stdout).digest('hex'), firstLine: text.split('\n')[0] };
}

/** Runs a host process (native or under qemu) and times it, process creation included. */
function runHost(argv: string[], cwd: string): RunResult {
  const started = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, env: {}, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  const wallMs = performance.now() - started;
  if (r.error) throw r.error;
  return { wallMs, status: r.status ?? 128 + 9, ...summarise(r.stdout) };
}

/**
 * Runs the program in this process under a wasmvisor engine, from reading
 * the ELF to the guest's exit (VM creation, interpretation and compiles
 * included), with the time split by a TimeProfile.
 */
async function runWasmvisor(engine: Engine, p: Prepared): Promise<RunResult> {
  const chunks: Buffer[] = [];
  const profile = new TimeProfile();
  let vm: Machine | null = null;
  const diagnostics: string[] = [];
  const started = performance.now();
  const status = await runLinuxProgram({
    program: p.program,
    args: p.args,
    env: [],
    cwd: p.cwd,
    engine,
    stdio: { stdin: '', stdout: (d) => chunks.push(Buffer.from(d)), stderr: () => {} },
    diag: (line) => diagnostics.push(line),
    profile,
    onFinish: (m) => {
      vm = m;
    },
  });
  const wallMs = performance.now() - started;
  profile.settle();
  const stats = (vm as Machine | null)?.stats();
  // 'outside' is the time before the first Machine.run and between runs: ELF loading, VM creation, the event loop.
  const timeMs = { ...profile.ms };
  const t = stats?.translator;
  return {
    wallMs,
    status,
    ...summarise(Buffer.concat(chunks)),
    ...(diagnostics.length > 0 && status !== 0 ? { firstLine: diagnostics[0] } : {}),
    instructions: stats?.instructions ?? 0,
    translatedInstructions: t?.translatedInstructions ?? 0,
    compileMs: t ? t.codegenMs + t.compileMs : 0,
    timeMs,
  };
}

export async function runOnce(engine: BenchEngine, p: Prepared, qemu: string | null): Promise<RunResult> {
  if (engine === 'native') return runHost([p.program, ...p.args], p.cwd);
  if (engine === 'qemu') return runHost([qemu ?? 'qemu-i386', p.program, ...p.args], p.cwd);
  return runWasmvisor(engine, p);
}
