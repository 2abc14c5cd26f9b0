// vitest globalSetup: builds the guest programs of tests/guest once per run
// (incrementally; see tests/guest/build.mjs).
import { buildGuests } from '../guest/build.mjs';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const paths = await buildGuests();
  console.log(`[global-setup] ${paths.length} guest programs ready (${Date.now() - started} ms)`);
}
