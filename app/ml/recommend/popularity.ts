/**
 * Popularity recommender: every user gets the candidates bought by the most distinct customers,
 * minus what they already bought. The baseline of protocol R1 (EVALUATION.md) and the fallback
 * for shoppers with no history.
 *
 * Also home of the top-k selection that every recommender here shares (TopK, recommendTopK):
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
