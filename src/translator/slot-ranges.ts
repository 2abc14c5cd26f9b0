/**
 * Allocator of contiguous table-slot ranges. A region's entry functions sit
 * in consecutive slots, so translated code can tell from a dispatch-cache
 * hit whether the target is one of its own blocks (slot - first < count)
 * and jump there without leaving the region.
 */
export class SlotRanges {
  /** Free ranges [start, end), sorted by start, never adjacent. */
  private freeRanges: Array<{ start: number; end: number }> = [];
  private next: number;

  constructor(private readonly first: number) {
    this.next = first;
  }

  /** First slot of `count` consecutive free slots (first fit, else past the highest slot handed out). */
  allocate(count: number): number {
    for (let i = 0; i < this.freeRanges.length; i++) {
      const r = this.freeRanges[i];
      if (r.end - r.start < count) continue;
      const start = r.start;
      r.start += count;
      if (r.start === r.end) this.freeRanges.splice(i, 1);
      return start;
    }
    const start = this.next;
    this.next += count;
    return start;
  }

  free(start: number, count: number): void {
    const end = start + count;
    const ranges = this.freeRanges;
    let i = 0;
    while (i < ranges.length && ranges[i].start < start) i++;
    ranges.splice(i, 0, { start, end });
    // Merge with the neighbours; a range that reaches the top goes back to `next`.
    if (i + 1 < ranges.length && ranges[i].end === ranges[i + 1].start) {
      ranges[i].end = ranges[i + 1].end;
      ranges.splice(i + 1, 1);
    }
    if (i > 0 && ranges[i - 1].end === ranges[i].start) {
      ranges[i - 1].end = ranges[i].end;
      ranges.splice(i, 1);
      i--;
    }
    if (ranges[i].end === this.next) {
      this.next = ranges[i].start;
      ranges.splice(i, 1);
    }
  }

  /** Everything free again. */
  reset(): void {
    this.freeRanges = [];
    this.next = this.first;
  }
}
