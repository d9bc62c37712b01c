/**
 * "Frequently bought together": products that share orders more often than their popularity
 * alone would explain.
 *
 * Score = lift = P(a and b in one order) / (P(a) P(b)) = co(a,b) N / (n_a n_b), over N orders.
 * Lift alone rewards rare pairs seen once by chance, so a pair needs at least `minPairOrders`
 * shared orders (support); ties go to the pair with more shared orders. That keeps small
 * stores' lists short and sensible rather than noisy.
 *
 * Cost: O(sum over orders of |order|^2) time with one dense accumulator of n_items counts,
 * O(items) extra memory; baskets are counted once per distinct product.
 */
import { transpose, type CsrMatrix } from "../sparse";

import { TopK } from "./top-k";

export interface BoughtTogetherOptions {
  /** Neighbours kept per product. */
  k: number;
  minPairOrders: number;
  /** 1 where a product may be recommended; indexed like the matrix's columns. */
  candidates: Uint8Array;
}

export interface RankedLists {
  /** Per source item: up to k item indices, best first. */
  items: Int32Array[];
  scores: Float32Array[];
}

/** @param orderItems orders x items, one stored entry per product in the order (values ignored). */
export function boughtTogether(orderItems: CsrMatrix, options: BoughtTogetherOptions): RankedLists {
  const itemOrders = transpose(orderItems);
  const orders = orderItems.rows;
  const itemCount = orderItems.cols;
  const ordersPerItem = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) ordersPerItem[i] = itemOrders.indptr[i + 1]! - itemOrders.indptr[i]!;

  const coCounts = new Int32Array(itemCount);
  const touched = new Int32Array(itemCount);
  const heap = new TopK(options.k);
  const items: Int32Array[] = [];
  const scores: Float32Array[] = [];
  for (let a = 0; a < itemCount; a++) {
    let touchedCount = 0;
    for (let p = itemOrders.indptr[a]!; p < itemOrders.indptr[a + 1]!; p++) {
      const order = itemOrders.indices[p]!;
      for (let q = orderItems.indptr[order]!; q < orderItems.indptr[order + 1]!; q++) {
        const b = orderItems.indices[q]!;
        if (b === a || options.candidates[b] !== 1) continue;
        if (coCounts[b] === 0) touched[touchedCount++] = b;
        coCounts[b]!++;
      }
    }
    heap.reset();
    for (let t = 0; t < touchedCount; t++) {
      const b = touched[t]!;
      const together = coCounts[b]!;
      coCounts[b] = 0;
      if (together < options.minPairOrders) continue;
      const lift = (together * orders) / (ordersPerItem[a]! * ordersPerItem[b]!);
      // The support tie-break rides in the low digits: lift differences below 1e-6 are noise.
      heap.offer(b, lift + together * 1e-9);
    }
    const ranked = heap.sorted();
    items.push(Int32Array.from(ranked, (r) => r.index));
    scores.push(Float32Array.from(ranked, (r) => r.score));
  }
  return { items, scores };
}
