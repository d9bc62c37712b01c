/**
 * Keeps the k best (index, score) pairs seen so far in a min-heap: O(n log k) over n offers,
 * O(k) memory. Hand-written because it runs once per user or product over every candidate
 * item; a sort of the full score array per row would be O(n log n).
 */
export class TopK {
  readonly indices: Int32Array;
  readonly scores: Float64Array;
  size = 0;

  constructor(readonly k: number) {
    this.indices = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  /** The score a newcomer must beat once the heap is full. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  offer(index: number, score: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent]! <= score) break;
        this.scores[i] = this.scores[parent]!;
        this.indices[i] = this.indices[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.indices[i] = index;
      return;
    }
    if (score <= this.scores[0]!) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.k) break;
      const right = left + 1;
      const child = right < this.k && this.scores[right]! < this.scores[left]! ? right : left;
      if (this.scores[child]! >= score) break;
      this.scores[i] = this.scores[child]!;
      this.indices[i] = this.indices[child]!;
      i = child;
    }
    this.scores[i] = score;
    this.indices[i] = index;
  }

  /** The kept entries, best first; ties keep the lower index first so results are deterministic. */
  sorted(): { index: number; score: number }[] {
    const out: { index: number; score: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ index: this.indices[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.index - b.index);
  }
}
