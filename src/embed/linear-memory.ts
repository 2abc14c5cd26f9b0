import { PAGE_SIZE } from '../runtime/layout.js';
import type { Machine } from '../runtime/machine.js';

/** Host offset in guest memory of a linear address whatever its permissions, or -1 when nothing is mapped there. */
export type HostAddressOf = (address: number) => number;

/** Copies guest memory out page by page, whatever its permissions; RangeError on an unmapped page. */
export function readLinear(vm: Machine, hostAddress: HostAddressOf, address: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  eachPage(hostAddress, address, size, (host, offset, n) => out.set(vm.mem.u8.subarray(host, host + n), offset));
  return out;
}

/** Copies bytes into guest memory page by page, whatever its permissions (code decoded from what it overwrites is dropped). */
export function writeLinear(vm: Machine, hostAddress: HostAddressOf, address: number, bytes: Uint8Array): void {
  eachPage(hostAddress, address, bytes.length, (host, offset, n) => {
    vm.mmu.hostWrite(host, n);
    vm.mem.u8.set(bytes.subarray(offset, offset + n), host);
  });
}

function eachPage(hostAddress: HostAddressOf, address: number, size: number, fn: (host: number, offset: number, n: number) => void): void {
  let offset = 0;
  while (offset < size) {
    const a = (address + offset) >>> 0;
    const host = hostAddress(a);
    if (host < 0) throw new RangeError(`address 0x${a.toString(16).padStart(8, '0')} is not mapped`);
    const n = Math.min(size - offset, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
    fn(host, offset, n);
    offset += n;
  }
}
