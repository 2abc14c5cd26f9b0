import { FRAMES_BASE, PAGE_SIZE, STATE_BASE, STATE_SIZE, TAG_READ_BASE, TAG_WRITE_BASE, TLB_ADDEND_BASE, TLB_BASE } from './layout.js';

/** The largest memory an engine gives a wasm32 module: the whole 4 GiB. */
const LINEAR_BYTES = 2 ** 32;

/**
 * The one WebAssembly.Memory of a VM: CPU state, soft-TLB and the guest's
 * 4 KiB frames. Its size is fixed at creation (growing a memory detaches
 * every typed-array view, and untouched pages cost no resident memory
 * anyway), so views are created once and captured freely.
 *
 * Frames come one of two ways. By default from a pool above FRAMES_BASE,
 * handed out in any order (a page's frame is wherever the pool had one).
 * A *linear* memory (user mode, `linear: true`) is 4 GiB and backs linear
 * page P with the frame at host offset P itself, as qemu-user maps the
 * guest at guest_base: translated code then reaches a page the TLB allows
 * at its own address, with no addend to load. Everything below
 * FRAMES_BASE is the VM's own, so such a space cannot map pages there.
 * Host offsets then run up to 2^32 - 1: code that forms one from a TLB
 * entry keeps it unsigned (>>> 0).
 */
export class GuestMemory {
  readonly memory: WebAssembly.Memory;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly dv: DataView;
  /** CPU state views (offset STATE_BASE). */
  readonly state32: Int32Array;
  /** Soft-TLB view (offset TLB_BASE). */
  readonly tlb: Int32Array;
  /** The translator's form of the TLB (layout.ts: TAG_READ_BASE...). */
  readonly readTags: Int32Array;
  readonly writeTags: Int32Array;
  readonly addends: Int32Array;
  /** Total bytes available to the frames (a linear memory's cap on the frames in use). */
  readonly poolBytes: number;
  /** Linear page P lives at host offset P (see the class comment); frames come from linearFrame, not allocFrame. */
  readonly linear: boolean;

  private nextFrame = FRAMES_BASE;
  private readonly freeFrames: number[] = [];
  private framesInUse = 0;

  /**
   * `linear` asks for a linear memory; when the engine cannot give a
   * shared 4 GiB (a 32-bit host, a browser page without cross-origin
   * isolation) the memory is a pool after all, and `linear` reads false.
   */
  constructor(poolBytes: number, opts: { linear?: boolean } = {}) {
    const total = FRAMES_BASE + Math.ceil(poolBytes / PAGE_SIZE) * PAGE_SIZE;
    const memory = opts.linear ? linearMemory() : null;
    if (memory === null && total > 0x7fff0000) {
      throw new RangeError(`guest memory of ${poolBytes} bytes is too large (at most 2 GiB - ${FRAMES_BASE} bytes)`);
    }
    const pages = Math.ceil(total / 65536);
    this.memory = memory ?? new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.linear = memory !== null;
    const buf = this.memory.buffer;
    this.u8 = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.i32 = new Int32Array(buf);
    this.dv = new DataView(buf);
    this.state32 = new Int32Array(buf, STATE_BASE, STATE_SIZE / 4);
    this.tlb = new Int32Array(buf, TLB_BASE, 1 << 20);
    this.readTags = new Int32Array(buf, TAG_READ_BASE, 1 << 20);
    this.writeTags = new Int32Array(buf, TAG_WRITE_BASE, 1 << 20);
    this.addends = new Int32Array(buf, TLB_ADDEND_BASE, 1 << 20);
    this.poolBytes = this.linear ? Math.min(total, LINEAR_BYTES) - FRAMES_BASE : pages * 65536 - FRAMES_BASE;
  }

  /**
   * A linear memory's frame for the page at linear address `page` (page
   * aligned, at or above FRAMES_BASE): its host offset, the same number
   * unsigned, or -1 when the frames in use reach the cap. It holds zeros
   * (freeFrame clears a linear frame).
   */
  linearFrame(page: number): number {
    if (!this.linear) throw new Error('linearFrame on a pooled memory');
    if ((this.framesInUse + 1) * PAGE_SIZE > this.poolBytes) return -1;
    this.framesInUse++;
    return page >>> 0;
  }

  /** A zeroed frame for linear page `page`: the page itself in a linear memory, any free one from the pool otherwise (-1: none left). */
  frameForPage(page: number): number {
    return this.linear ? this.linearFrame(page) : this.allocFrame();
  }

  /** Allocates a zeroed 4 KiB frame; returns its host offset, or -1 when the pool is exhausted. */
  allocFrame(): number {
    if (this.linear) throw new Error('allocFrame on a linear memory (use linearFrame)');
    let frame = this.freeFrames.pop();
    if (frame !== undefined) {
      this.u8.fill(0, frame, frame + PAGE_SIZE);
    } else {
      if (this.nextFrame + PAGE_SIZE > this.u8.length) return -1;
      frame = this.nextFrame; // fresh wasm pages are already zero
      this.nextFrame += PAGE_SIZE;
    }
    this.framesInUse++;
    return frame;
  }

  /**
   * `count` zeroed frames in a row, from the untouched top of the pool
   * (freed frames are scattered); returns the first one's host offset, or
   * -1 when the pool cannot hold them. Each is freed on its own.
   */
  allocContiguous(count: number): number {
    if (this.linear) throw new Error('allocContiguous on a linear memory');
    if (this.nextFrame + count * PAGE_SIZE > this.u8.length) return -1;
    const first = this.nextFrame;
    this.nextFrame += count * PAGE_SIZE;
    this.framesInUse += count;
    return first;
  }

  freeFrame(frame: number): void {
    if (this.linear) {
      // The page's next use gets this same frame back, and it must read as zeros then.
      this.u8.fill(0, frame >>> 0, (frame >>> 0) + PAGE_SIZE);
    } else {
      this.freeFrames.push(frame);
    }
    this.framesInUse--;
  }

  get bytesInUse(): number {
    return this.framesInUse * PAGE_SIZE;
  }
}

/**
 * A 4 GiB shared memory, or null when the engine will not give one. Shared: V8
 * counts an unshared memory's whole size as external memory, and 4 GiB of it
 * forced a full, non-incremental GC each time a VM was made, which shrank
 * the young generation for the rest of the run (nbody, 4 runs in one
 * process: 35 scavenges and 4 such GCs, 145 ms, against 15 scavenges and 2
 * small GCs, 65 ms, shared). Nothing else changes: no other thread sees it.
 */
function linearMemory(): WebAssembly.Memory | null {
  const pages = LINEAR_BYTES / 65536;
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    // Out of address space (RangeError), or no shared memory where cross-origin isolation is off (a browser page).
    return null;
  }
}
