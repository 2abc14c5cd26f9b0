import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { BootOptions } from '../cli/boot.js';

/** What a VM worker is started with (structured-cloned into the worker). */
export interface VmWorkerData {
  boot: BootOptions;
}

/** What a VM worker posts to the parent: serial output as it comes, then how the boot ended. */
export type VmWorkerMessage =
  | { kind: 'output'; bytes: Uint8Array }
  | { kind: 'end'; status: number; message: string | null; instructions: number };

/** How one VM of a pool ended. */
export interface VmResult {
  vm: number;
  /** The exit status `wasmvisor boot` would give this VM alone; 3 when its worker crashed, 124 when it had to be terminated. */
  status: number;
  /** The first diagnostic line `wasmvisor boot` would print, without its "wasmvisor: ", or null when there was none. */
  message: string | null;
  /** The worker threw, ran out of its heap, or exited without reporting an end: status 3. */
  crashed: boolean;
  /** Guest instructions run; null when the worker did not say (it crashed or was terminated). */
  instructions: number | null;
  /** From starting the worker to its exit: thread start-up and module loading included. */
  wallMs: number;
}

export interface RunVmsOptions {
  count: number;
  /** One set of boot options for every VM, or one per VM (then exactly `count` of them). */
  boot: BootOptions | readonly BootOptions[];
  /** Serial output of VM `vm` (0-based), in order for that VM; chunks of different VMs interleave. */
  onOutput: (vm: number, bytes: Uint8Array) => void;
  /** Called once per VM as soon as it has ended (the returned promise waits for all of them). */
  onEnd?: (result: VmResult) => void;
  /** Limits of each worker's JavaScript heap (one for all, or one per VM); default DEFAULT_VM_RESOURCE_LIMITS. */
  resourceLimits?: ResourceLimits | readonly ResourceLimits[];
}

/**
 * Each worker's own V8 heap. Guest RAM (one WebAssembly.Memory of --memory
 * bytes) and translated code live outside it; what grows inside is the
 * interpreter's and translator's bookkeeping, a few tens of MB for the
 * hello-kernel. 512 MB leaves room for big guests while keeping one runaway VM
 * from taking the host's memory (without limits each worker could grow
 * to V8's default, about as large as the main thread's).
 */
export const DEFAULT_VM_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512 };

/** Beyond a VM's --timeout, how long its worker may take to stop by itself before it is terminated (ms). */
const HANG_GRACE_MS = 10_000;
/** After a VM reported its end, how long its worker may take to exit (it should at once) (ms). */
const EXIT_GRACE_MS = 2_000;

const EXIT_CRASHED = 3;
const EXIT_LIMIT = 124;

/**
 * Boots `count` VMs in parallel, each in its own worker thread: its own
 * guest memory, devices and code cache, nothing shared with the others.
 * A VM that crashes (its worker throws, exits or runs out of its heap) is
 * reported as crashed with status 3; one that does not stop at its
 * --timeout is terminated and reported with status 124; the others go on.
 * Resolves, in VM order, when every worker has exited.
 */
export async function runVms(opts: RunVmsOptions): Promise<VmResult[]> {
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new RangeError(`runVms: count must be a positive integer (got ${opts.count})`);
  const boots = perVm(opts.boot, opts.count, 'boot');
  const limits = perVm(opts.resourceLimits ?? DEFAULT_VM_RESOURCE_LIMITS, opts.count, 'resourceLimits');
  return Promise.all(
    boots.map((boot, vm) =>
      runOne(vm, boot, limits[vm], opts.onOutput).then((result) => {
        opts.onEnd?.(result);
        return result;
      }),
    ),
  );
}

function perVm<T extends object>(value: T | readonly T[], count: number, what: string): readonly T[] {
  if (!Array.isArray(value)) return Array.from({ length: count }, () => value as T);
  if (value.length !== count) throw new RangeError(`runVms: ${what} has ${value.length} entries for ${count} VMs`);
  return value as readonly T[];
}

function runOne(vm: number, boot: BootOptions, resourceLimits: ResourceLimits, onOutput: RunVmsOptions['onOutput']): Promise<VmResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const data: VmWorkerData = { boot };
    let ended: Extract<VmWorkerMessage, { kind: 'end' }> | null = null;
    let failure: { status: number; message: string; crashed: boolean } | null = null;
    let exitTimer: NodeJS.Timeout | undefined;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./vm-worker.js', import.meta.url), { workerData: data, resourceLimits, stdout: false, stderr: false });
    } catch (e) {
      resolve({ vm, status: EXIT_CRASHED, message: `its worker could not start: ${firstLine(e)}`, crashed: true, instructions: null, wallMs: 0 });
      return;
    }
    // The VM's own --timeout stops it from inside; this catches a worker too busy to look at its clock.
    const hangTimer =
      boot.timeout !== undefined
        ? setTimeout(() => {
            failure ??= {
              status: EXIT_LIMIT,
              message: `it did not stop at its time limit (${boot.timeout} s); its worker was terminated`,
              crashed: false,
            };
            void worker.terminate();
          }, boot.timeout * 1000 + HANG_GRACE_MS)
        : undefined;
    worker.on('message', (m: VmWorkerMessage) => {
      if (m.kind === 'output') onOutput(vm, m.bytes);
      else {
        ended = m;
        clearTimeout(hangTimer);
        // Whatever keeps the worker's event loop alive now (a device timer) must not keep the pool waiting.
        exitTimer = setTimeout(() => void worker.terminate(), EXIT_GRACE_MS);
      }
    });
    worker.on('error', (e) => {
      failure ??= { status: EXIT_CRASHED, message: `its worker crashed: ${firstLine(e)}`, crashed: true };
    });
    worker.on('exit', (code) => {
      clearTimeout(hangTimer);
      clearTimeout(exitTimer);
      const wallMs = performance.now() - started;
      if (ended !== null) resolve({ vm, status: ended.status, message: ended.message, crashed: false, instructions: ended.instructions, wallMs });
      else {
        const f = failure ?? { status: EXIT_CRASHED, message: `its worker exited (code ${code}) without reporting an end`, crashed: true };
        resolve({ vm, ...f, instructions: null, wallMs });
      }
    });
  });
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return text.split('\n')[0];
}
