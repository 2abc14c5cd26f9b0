// One VM of a pool (see runVms in vm-pool.ts): boots its kernel as `wasmvisor boot`
// does, posting the serial output to the parent as it comes and, last, how it ended.
// An exception is not caught here: it reaches the parent as the worker's 'error'.
import { parentPort, workerData } from 'node:worker_threads';
import { bootKernel } from '../cli/boot.js';
import type { VmWorkerData, VmWorkerMessage } from './vm-pool.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('vm-worker.js runs as a worker thread started by runVms (vm-pool.js)');
  const { boot } = workerData as VmWorkerData;
  const post = (m: VmWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  let message: string | null = null;
  const { status, instructions } = await bootKernel(
    boot,
    // Each chunk has a buffer of its own: moved, not copied.
    (bytes) => post({ kind: 'output', bytes }, [bytes.buffer as ArrayBuffer]),
    (line) => void (message ??= line.replace(/^wasmvisor: /, '')),
  );
  post({ kind: 'end', status, message, instructions });
}

await main();
