// vitest globalSetup: builds the guest programs of tests/guest once per run
// (incrementally; see tests/guest/build.mjs), and downloads Debian's
// busybox-static:i386 once, before the busybox tests and the bench smoke
// test (which both use it) could race to fetch it.
import { buildGuests } from '../guest/build.mjs';
import { findBusybox } from '../../dist/bench/busybox.js';
import { findQemu, hostRunsI386 } from '../../dist/bench/host-i386.js';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const paths = await buildGuests();
  console.log(`[global-setup] ${paths.length} guest programs ready (${Date.now() - started} ms)`);
  // The differential tests' oracle (tests/lib/run.ts chooses it the same way in each worker).
  const qemu = findQemu();
  if (hostRunsI386()) console.log('[global-setup] reference for the differential tests: this host\'s CPU');
  else if (qemu) console.log(`[global-setup] reference for the differential tests: ${qemu} (this host's kernel cannot run i386 executables)`);
  else console.log('[global-setup] no reference for the differential tests: this host cannot run i386 executables and qemu-i386 is not installed');
  try {
    console.log(`[global-setup] busybox ready: ${findBusybox()}`);
  } catch (e) {
    // The busybox test fails with this message; the bench smoke test reports the workloads as skipped.
    console.log(`[global-setup] ${e instanceof Error ? e.message : String(e)}`);
  }
}
