/**
 * "You may also like": nearest products in the ALS item-factor space by cosine similarity.
 * Items bought by the same people end up with similar factors, so this captures substitutes
 * and close complements that never shared an order.
 *
 * Cost: O(sources x items x factors) time (exact search, no approximation), O(items x factors)
 * for the normalised copy. Fine for tens of thousands of products in a nightly job.
 */
import type { RankedLists } from "./bought-together";
import { TopK } from "./top-k";

export interface SimilarOptions {
  k: number;
  candidates: Uint8Array;
  /** 1 for items whose own list is wanted (items with purchase history); default all. */
  sources?: Uint8Array;
}

export function similarItems(itemFactors: Float32Array, factors: number, options: SimilarOptions): RankedLists {
  const itemCount = itemFactors.length / factors;
  const unit = new Float32Array(itemFactors.length);
  const hasSignal = new Uint8Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    let norm = 0;
    for (let f = 0; f < factors; f++) norm += itemFactors[i * factors + f]! ** 2;
    if (norm === 0) continue;
    hasSignal[i] = 1;
    const scale = 1 / Math.sqrt(norm);
    for (let f = 0; f < factors; f++) unit[i * factors + f] = itemFactors[i * factors + f]! * scale;
  }
  const heap = new TopK(options.k);
  const items: Int32Array[] = [];
  const scores: Float32Array[] = [];
  for (let a = 0; a < itemCount; a++) {
    heap.reset();
    if (hasSignal[a] && (options.sources?.[a] ?? 1) === 1) {
      const base = a * factors;
      for (let b = 0; b < itemCount; b++) {
        if (b === a || options.candidates[b] !== 1 || !hasSignal[b]) continue;
        const other = b * factors;
        let dot = 0;
        for (let f = 0; f < factors; f++) dot += unit[base + f]! * unit[other + f]!;
        heap.push(b, dot);
      }
    }
    const ranked = heap.sorted();
    items.push(Int32Array.from(ranked, (r) => r.index));
    scores.push(Float32Array.from(ranked, (r) => r.score));
  }
  return { items, scores };
}
