/**
 * Popularity recommender: every user gets the candidates bought by the most distinct customers,
 * minus what they already bought. The baseline of protocol R1 (EVALUATION.md) and the fallback
 * for shoppers with no history.
 *
 * Also home of recommendTopK, the per-user ranking loop the baselines share:
 * it lives in this file because popularity is the simplest user of it and item-kNN already
 * depends on this file's conventions.
 *
 * Conventions for all recommenders in app/ml/recommend:
 * - `userItems` is a users x items CsrMatrix of implicit feedback (values > 0);
 * - results are a flat Int32Array of `users.length * k` item indices, best first per user,
 *   padded with -1 when fewer than k items are eligible;
 * - eligible = a candidate (when a mask is given) that the user has no entry for;
 * - ties go to the lower item index, so results are deterministic.
 */
import type { CsrMatrix } from "../sparse";

import { TopK } from "./top-k";

/** Which users to recommend for and what may be recommended. */
export interface RecommendOptions {
  /** List length per user. */
  k: number;
  /** Rows of `userItems` to recommend for; default all rows in order. */
  users?: ArrayLike<number>;
  /** candidates[item] !== 0 when the item may be recommended; default every column. */
  candidates?: Uint8Array;
}

/**
 * Top k eligible items per user given a function that fills a dense score vector for one user.
 * O(users * (items + fill cost)). The seen-item exclusion uses a per-user stamp array, so no
 * per-user allocation happens.
 */
export function recommendTopK(
  userItems: CsrMatrix,
  options: RecommendOptions,
  fillScores: (user: number, scores: Float64Array) => void,
): Int32Array {
  const { k, candidates } = options;
  const users = options.users ?? Int32Array.from({ length: userItems.rows }, (_, u) => u);
  const items = userItems.cols;
  if (candidates && candidates.length !== items) throw new RangeError("candidate mask must cover every item");
  const out = new Int32Array(users.length * k);
  const scores = new Float64Array(items);
  const stamp = new Int32Array(items).fill(-1);
  const top = new TopK(k);
  for (let n = 0; n < users.length; n++) {
    const u = users[n]!;
    if (!(u >= 0 && u < userItems.rows)) throw new RangeError(`user ${u} outside 0..${userItems.rows - 1}`);
    for (let p = userItems.indptr[u]!; p < userItems.indptr[u + 1]!; p++) stamp[userItems.indices[p]!] = n;
    fillScores(u, scores);
    for (let i = 0; i < items; i++) {
      if (stamp[i] === n || (candidates && candidates[i] === 0)) continue;
      top.push(i, scores[i]!);
    }
    top.drain(out, n * k);
  }
  return out;
}

/** Distinct users per item (entries per column; values are ignored). O(nnz). */
export function popularityScores(userItems: CsrMatrix): Float64Array {
  const counts = new Float64Array(userItems.cols);
  const nnz = userItems.indptr[userItems.rows]!;
  // CSR rows hold each (user, item) once, so counting entries counts distinct users.
  for (let p = 0; p < nnz; p++) counts[userItems.indices[p]!]!++;
  return counts;
}

/**
 * The k most popular eligible items per user. O(nnz + users * items).
 * @throws RangeError on k < 1, a user outside the matrix or a mask of the wrong length.
 */
export function recommendPopular(userItems: CsrMatrix, options: RecommendOptions): Int32Array {
  const popularity = popularityScores(userItems);
  return recommendTopK(userItems, options, (_user, scores) => scores.set(popularity));
}
