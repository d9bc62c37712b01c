/**
 * "Recommended for you": each customer's top products by a model's scores, minus what they
 * already bought, except products people genuinely buy again (coffee, not kettles).
 */
import type { CsrMatrix } from "../sparse";

import { TopK } from "./top-k";
import { addBlended, standardize } from "./weighting";

/** Writes one user's score for every item into `out` (length = items). */
export type UserScorer = (user: number, out: Float64Array) => void;

export interface ForYouOptions {
  k: number;
  /** 1 where a product may be recommended at all. */
  candidates: Uint8Array;
  /** 1 for repeat-purchase products: still recommended to customers who bought them. */
  repeatable: Uint8Array;
  /** Rank only these users (their lists come back in this order); default every row. */
  users?: Int32Array;
}

export interface UserLists {
  /** users x k item indices, best first; -1 pads short lists. */
  items: Int32Array;
  scores: Float32Array;
}

/** Top-k lists per user of `userItems` (their purchases drive the exclusions). */
export function rankForUsers(userItems: CsrMatrix, score: UserScorer, options: ForYouOptions): UserLists {
  const { k } = options;
  const users = options.users ?? Int32Array.from({ length: userItems.rows }, (_, u) => u);
  const items = new Int32Array(users.length * k).fill(-1);
  const scores = new Float32Array(users.length * k);
  const row = new Float64Array(userItems.cols);
  const excluded = new Uint8Array(userItems.cols);
  const heap = new TopK(k);
  for (let slot = 0; slot < users.length; slot++) {
    const user = users[slot]!;
    const start = userItems.indptr[user]!;
    const end = userItems.indptr[user + 1]!;
    for (let p = start; p < end; p++) {
      const item = userItems.indices[p]!;
      if (options.repeatable[item] !== 1) excluded[item] = 1;
    }
    score(user, row);
    heap.reset();
    for (let item = 0; item < userItems.cols; item++) {
      if (options.candidates[item] !== 1 || excluded[item] === 1) continue;
      if (row[item]! > heap.threshold) heap.push(item, row[item]!);
    }
    for (let p = start; p < end; p++) excluded[userItems.indices[p]!] = 0;
    heap.sorted().forEach((entry, rank) => {
      items[slot * k + rank] = entry.index;
      scores[slot * k + rank] = entry.score;
    });
  }
  return { items, scores };
}

/**
 * Repeat-purchase products: bought in more than one order by at least `minBuyers` customers
 * who make up at least `minShare` of the product's buyers.
 * @param orderCounts users x items, value = number of distinct orders with the product.
 */
export function repeatPurchaseItems(orderCounts: CsrMatrix, minShare: number, minBuyers: number): Uint8Array {
  const buyers = new Int32Array(orderCounts.cols);
  const repeaters = new Int32Array(orderCounts.cols);
  const nnz = orderCounts.indptr[orderCounts.rows]!;
  for (let p = 0; p < nnz; p++) {
    const item = orderCounts.indices[p]!;
    buyers[item]!++;
    if (orderCounts.values[p]! > 1) repeaters[item]!++;
  }
  const repeatable = new Uint8Array(orderCounts.cols);
  for (let item = 0; item < orderCounts.cols; item++) {
    if (repeaters[item]! >= minBuyers && repeaters[item]! >= minShare * buyers[item]!) repeatable[item] = 1;
  }
  return repeatable;
}

/**
 * A blend of scorers on one scale: the base model's scores standardised per user (mean 0,
 * sd 1 over all items), plus each part's standardised scores times its weight. This is the
 * recipe bench/recs.ts tuned on R1's validation split; standardising keeps the weights
 * independent of each model's scale (ALS dot products, similarity sums, counts).
 */
export function standardizedBlend(
  base: UserScorer,
  parts: { scorer: UserScorer; weight: number }[],
  items: number,
): UserScorer {
  const buffer = new Float64Array(items);
  return (user, out) => {
    base(user, out);
    standardize(out);
    for (const { scorer, weight } of parts) {
      if (weight === 0) continue;
      scorer(user, buffer);
      addBlended(out, buffer, weight);
    }
  };
}
