/**
 * Bounded top-k selection, shared by every recommender: it runs once per user or product over
 * every candidate item, so it is a hand-written heap rather than a sort of the full score row
 * (O(n log k) instead of O(n log n), no allocation per row).
 */
/**
 * Keeps the k best (index, score) pairs seen so far in a min-heap whose root is the worst kept
 * pair. O(log k) per push that enters the heap; O(1) for the rest, which is nearly all of them.
 * "Better" = higher score, then lower index.
 */
export class TopK {
  private readonly index: Int32Array;
  private readonly score: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.index = new Int32Array(k);
    this.score = new Float64Array(k);
  }

  /** true when (ia, sa) ranks below (ib, sb). */
  private static worse(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa < sb || (sa === sb && ia > ib);
  }

  push(index: number, score: number): void {
    const { index: idx, score: sc } = this;
    if (this.size < this.k) {
      // Sift up from the new leaf: parents must be worse than children.
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!TopK.worse(score, index, sc[parent]!, idx[parent]!)) break;
        idx[i] = idx[parent]!;
        sc[i] = sc[parent]!;
        i = parent;
      }
      idx[i] = index;
      sc[i] = score;
      return;
    }
    if (!TopK.worse(sc[0]!, idx[0]!, score, index)) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.k) break;
      const right = left + 1;
      const child = right < this.k && TopK.worse(sc[right]!, idx[right]!, sc[left]!, idx[left]!) ? right : left;
      if (!TopK.worse(sc[child]!, idx[child]!, score, index)) break;
      idx[i] = idx[child]!;
      sc[i] = sc[child]!;
      i = child;
    }
    idx[i] = index;
    sc[i] = score;
  }

  /**
   * Writes the kept indices best first into out[offset..offset+k), -1 in unused slots, optionally
   * their scores into `scores` at the same positions, and empties the heap. Returns the count.
   */
  /** Empties the heap without reading it. */
  reset(): void {
    this.size = 0;
  }

  /** The score a newcomer must beat once the heap is full (-Infinity before). */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.score[0]!;
  }

  /** The kept pairs, best first; leaves the heap as it is. */
  sorted(): { index: number; score: number }[] {
    const kept = Array.from({ length: this.size }, (_, i) => ({ index: this.index[i]!, score: this.score[i]! }));
    return kept.sort((a, b) => (TopK.worse(a.score, a.index, b.score, b.index) ? 1 : -1));
  }

  drain(out: Int32Array, offset: number, scores?: Float32Array | Float64Array): number {
    const n = this.size;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
      TopK.worse(this.score[a]!, this.index[a]!, this.score[b]!, this.index[b]!) ? 1 : -1,
    );
    for (let i = 0; i < this.k; i++) {
      out[offset + i] = i < n ? this.index[order[i]!]! : -1;
      if (scores) scores[offset + i] = i < n ? this.score[order[i]!]! : 0;
    }
    this.size = 0;
    return n;
  }
}
