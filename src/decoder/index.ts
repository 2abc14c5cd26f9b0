/** The x86 decoder: ISA table, decode() and the Intel-syntax formatter. */
export * from './types.js';
export { ISA_TABLE, COND_FLAGS, COND_NAMES } from './isa-table.js';
export { decode } from './decoder.js';
export { formatInstruction, registerName } from './format.js';
export { deadFlagWriters, mayFault } from './flag-liveness.js';
