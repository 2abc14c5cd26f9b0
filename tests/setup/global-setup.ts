// vitest globalSetup: builds the guest programs of tests/guest once per run
// (incrementally; see tests/guest/build.mjs), and downloads Debian's
// busybox-static:i386 once, before the busybox tests and the bench smoke
// test (which both use it) could race to fetch it.
import { buildGuests } from '../guest/build.mjs';
import { findBusybox } from '../../dist/bench/busybox.js';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const paths = await buildGuests();
  console.log(`[global-setup] ${paths.length} guest programs ready (${Date.now() - started} ms)`);
  try {
    console.log(`[global-setup] busybox ready: ${findBusybox()}`);
  } catch (e) {
    // The busybox test fails with this message; the bench smoke test reports the workloads as skipped.
    console.log(`[global-setup] ${e instanceof Error ? e.message : String(e)}`);
  }
}
