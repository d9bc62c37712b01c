/**
 * "Frequently bought together": products that share orders more often than their popularity
 * alone would explain.
 *
 * Score = lift = P(a and b in one order) / (P(a) P(b)) = co(a,b) N / (n_a n_b), over N orders.
 * Lift alone rewards rare pairs seen a couple of times by chance, so, as in association rules,
 * a pair a -> b must also clear a support floor (`minPairOrders` shared orders) and a
 * confidence floor (P(b | a) = co(a,b) / n_a >= `minConfidence`); ties go to the pair with
 * more shared orders. On the demo store the confidence floor is what keeps a best seller
 * (2,000 orders) from listing trinkets it shared two orders with; on a small store the
 * support floor of 2 still lets sparse data through.
 *
 * Cost: O(sum over orders of |order|^2) time with one dense accumulator of n_items counts,
 * O(items) extra memory; baskets are counted once per distinct product.
 */
import type { CsrMatrix } from "../sparse";

import { Cooccurrence } from "./cooccurrence";

import { TopK } from "./top-k";

export interface BoughtTogetherOptions {
  /** Neighbours kept per product. */
  k: number;
  minPairOrders: number;
  /** Least share of a's orders that must also hold b; default 0 (support floor only). */
  minConfidence?: number;
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
  const cooccurrence = new Cooccurrence(orderItems);
  const orders = orderItems.rows;
  const heap = new TopK(options.k);
  const items: Int32Array[] = [];
  const scores: Float32Array[] = [];
  for (let a = 0; a < orderItems.cols; a++) {
    heap.reset();
    const ordersWithA = cooccurrence.rowsWith(a);
    const floor = Math.max(options.minPairOrders, (options.minConfidence ?? 0) * ordersWithA);
    cooccurrence.forEachPartner(a, (b, together) => {
      if (b === a || options.candidates[b] !== 1 || together < floor) return;
      const lift = (together * orders) / (ordersWithA * cooccurrence.rowsWith(b));
      // The support tie-break rides in the low digits: lift differences below 1e-6 are noise.
      heap.push(b, lift + together * 1e-9);
    });
    const ranked = heap.sorted();
    items.push(Int32Array.from(ranked, (r) => r.index));
    scores.push(Float32Array.from(ranked, (r) => r.score));
  }
  return { items, scores };
}
