import { FRAMES_BASE, PAGE_SIZE, STATE_BASE, STATE_SIZE, TAG_READ_BASE, TAG_WRITE_BASE, TLB_ADDEND_BASE, TLB_BASE } from './layout.js';

/**
 * The one WebAssembly.Memory of a VM: CPU state, soft-TLB and the pool of
 * 4 KiB guest frames. Its size is fixed at creation (growing a memory
 * detaches every typed-array view, and untouched pages cost no resident
 * memory anyway), so views are created once and captured freely.
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
  /** Total bytes available to the frame pool. */
  readonly poolBytes: number;

  private nextFrame = FRAMES_BASE;
  private readonly freeFrames: number[] = [];
  private framesInUse = 0;

  constructor(poolBytes: number) {
    const total = FRAMES_BASE + Math.ceil(poolBytes / PAGE_SIZE) * PAGE_SIZE;
    if (total > 0x7fff0000) {
      throw new RangeError(`guest memory of ${poolBytes} bytes is too large (at most 2 GiB - ${FRAMES_BASE} bytes)`);
    }
    const pages = Math.ceil(total / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
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
    this.poolBytes = pages * 65536 - FRAMES_BASE;
  }

  /** Allocates a zeroed 4 KiB frame; returns its host offset, or -1 when the pool is exhausted. */
  allocFrame(): number {
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
    if (this.nextFrame + count * PAGE_SIZE > this.u8.length) return -1;
    const first = this.nextFrame;
    this.nextFrame += count * PAGE_SIZE;
    this.framesInUse += count;
    return first;
  }

  freeFrame(frame: number): void {
    this.freeFrames.push(frame);
    this.framesInUse--;
  }

  get bytesInUse(): number {
    return this.framesInUse * PAGE_SIZE;
  }
}
