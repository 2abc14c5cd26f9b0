// Types of build.mjs for the TypeScript tests.
export interface Guest {
  name: string;
  path: string;
  source: string;
  kind: 'c' | 'asm';
  variant: 'O0' | 'O2' | 'pie' | 'dyn' | 'sse2' | null;
  args: string[];
  stdin: string | undefined;
  /** Extra gcc flags from a `// cflags:` header (C programs). */
  cflags?: string[];
  /** Extra `wasmvisor run` options from a `// wasmvisor:` header. */
  wasmvisor: string[];
}
export const GUEST_DIR: string;
export const BUILD_DIR: string;
export const PIE_PROGRAMS: string[];
export const DYNAMIC_PROGRAMS: string[];
export const SSE2_PROGRAMS: string[];
export function splitArgs(text: string): string[];
export function parseHeader(file: string): { args: string[]; stdin: string | undefined; cflags: string[]; wasmvisor: string[] };
export function listGuests(): Guest[];
export function buildGuests(options?: { log?: (message: string) => void }): Promise<string[]>;
