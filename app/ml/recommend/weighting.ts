/**
 * Re-weighting of implicit feedback before a recommender sees it, and blending of score vectors
 * from several recommenders. Pure functions: each returns a new matrix or writes into a vector
 * the caller passes in; the input matrix is never modified.
 *
 * - time decay: a purchase of age a (days before the reference day) counts exp(-a / tau), so a
 *   user's recent taste dominates (Ding & Li 2005, "Time weight collaborative filtering");
 * - log scaling: v -> log(1 + v / epsilon), the damping Hu, Koren & Volinsky (2008) suggest
 *   for confidence, so one heavy repeat buyer does not dominate an item;
 * - BM25: Robertson & Zaragoza (2009) term weighting as `implicit` applies it to user-item
 *   matrices (rows = documents, columns = terms: idf per column, length norm per row);
 * - score blending: a weighted sum of per-user-standardised score vectors.
 */
import type { CsrMatrix } from "../sparse";

/** The same sparsity pattern with new values (structure arrays are shared, never mutated here). */
function withValues(m: CsrMatrix, values: Float32Array): CsrMatrix {
  return { rows: m.rows, cols: m.cols, indptr: m.indptr, indices: m.indices, values };
}

/**
 * Sum of exp(-age / tau) over each entry's purchases.
 * @param eventPtr entries + 1 offsets into `eventAge` (entry k's events are eventPtr[k]..eventPtr[k+1])
 * @param eventAge age of each event in the time unit of tau (>= 0 for past events)
 * @param tau decay time constant; Infinity gives the plain event count
 * @throws RangeError when tau <= 0 or the offsets do not cover the ages.
 * O(events).
 */
export function decayedCounts(eventPtr: Int32Array, eventAge: ArrayLike<number>, tau: number): Float32Array {
  if (!(tau > 0)) throw new RangeError(`tau must be positive, got ${tau}`);
  const entries = eventPtr.length - 1;
  if (entries < 0 || eventPtr[entries] !== eventAge.length) throw new RangeError("event offsets do not match ages");
  const out = new Float32Array(entries);
  for (let k = 0; k < entries; k++) {
    let sum = 0;
    for (let e = eventPtr[k]!; e < eventPtr[k + 1]!; e++) sum += Math.exp(-eventAge[e]! / tau);
    out[k] = sum;
  }
  return out;
}

/**
 * m with each value replaced by its time-decayed count (see decayedCounts); the events must be
 * listed per stored entry in m's order.
 * @throws RangeError when the events do not match m's entries, or tau <= 0.
 */
export function timeDecay(m: CsrMatrix, eventPtr: Int32Array, eventAge: ArrayLike<number>, tau: number): CsrMatrix {
  if (eventPtr.length !== m.values.length + 1) throw new RangeError("one event range per stored entry is needed");
  return withValues(m, decayedCounts(eventPtr, eventAge, tau));
}

/**
 * v -> log(1 + v / epsilon). O(nnz).
 * @throws RangeError when epsilon <= 0.
 */
export function logScale(m: CsrMatrix, epsilon = 1): CsrMatrix {
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be positive, got ${epsilon}`);
  return withValues(
    m,
    m.values.map((v) => Math.log1p(v / epsilon)),
  );
}

/**
 * BM25 weights, rows as documents and columns as terms (as `implicit.nearest_neighbours.
 * bm25_weight`): w = v (k1 + 1) / (k1 * lengthNorm(row) + v) * idf(col), with
 * idf(col) = log(rows) - log(1 + entries in col) and lengthNorm(row) = 1 - b + b * rowSum / mean rowSum.
 * Note the idf can be <= 0 for a column present in nearly every row; callers feeding a
 * confidence model should use it on matrices where that cannot happen or clamp it.
 * O(nnz + rows + cols).
 * @throws RangeError for k1 < 0 or b outside [0, 1].
 */
export function bm25(m: CsrMatrix, k1 = 100, b = 0.8): CsrMatrix {
  if (!(k1 >= 0)) throw new RangeError(`k1 must be >= 0, got ${k1}`);
  if (!(b >= 0 && b <= 1)) throw new RangeError(`b must be in [0, 1], got ${b}`);
  const nnz = m.indptr[m.rows]!;
  const df = new Float64Array(m.cols);
  for (let p = 0; p < nnz; p++) df[m.indices[p]!]!++;
  const idf = Float64Array.from(df, (d) => Math.log(m.rows) - Math.log1p(d));
  const rowSum = new Float64Array(m.rows);
  let total = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) rowSum[r]! += m.values[p]!;
    total += rowSum[r]!;
  }
  const mean = m.rows > 0 ? total / m.rows : 0;
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    // An all-empty matrix has mean 0 and no entries: nothing to normalise.
    const norm = mean > 0 ? 1 - b + (b * rowSum[r]!) / mean : 1;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const v = m.values[p]!;
      values[p] = ((v * (k1 + 1)) / (k1 * norm + v)) * idf[m.indices[p]!]!;
    }
  }
  return withValues(m, values);
}

/**
 * Standardises `scores` in place over the eligible entries (mean 0, standard deviation 1), so
 * recommenders with different score scales can be summed; ineligible entries are set to 0 and
 * a constant vector becomes all zeros. O(n).
 * @param eligible eligible[i] !== 0 when entry i takes part; default all
 */
export function standardize(scores: Float64Array, eligible?: Uint8Array): Float64Array {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < scores.length; i++) {
    if (eligible && eligible[i] === 0) continue;
    const s = scores[i]!;
    n++;
    sum += s;
    sumSq += s * s;
  }
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 0 ? Math.max(sumSq / n - mean * mean, 0) : 0;
  const scale = variance > 0 ? 1 / Math.sqrt(variance) : 0;
  for (let i = 0; i < scores.length; i++) {
    scores[i] = eligible && eligible[i] === 0 ? 0 : (scores[i]! - mean) * scale;
  }
  return scores;
}

/**
 * target += weight * standardize(add) (add is standardised in place). Used to blend, e.g.,
 * ALS scores with item-kNN and popularity scores for one user. O(n).
 * @throws RangeError on length mismatch.
 */
export function addBlended(target: Float64Array, add: Float64Array, weight: number, eligible?: Uint8Array): void {
  if (target.length !== add.length) throw new RangeError("score vectors differ in length");
  standardize(add, eligible);
  for (let i = 0; i < target.length; i++) target[i]! += weight * add[i]!;
}
