/** Something the benchmark needs is missing or broken on this host (a compiler, a download): one line, what to do. */
export class BenchSetupError extends Error {}
