/**
 * Metrics for binary classifiers and probability forecasts (the churn model's evaluation):
 * ROC AUC, Brier score, log loss, and two agreement measures (Pearson correlation, mean
 * absolute error) for comparing a predicted quantity with an observed one.
 *
 * Labels are 0/1 in any array-like (Uint8Array in the model code); anything else is a
 * RangeError, because a label of 2 or 0.5 silently changes every figure below. Lengths must
 * match and be non-zero. Each function is a single pass except rocAuc, which sorts.
 */
import { sampleCorrelation } from "simple-statistics";

/** @throws RangeError when the lengths differ or are zero. */
function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new RangeError(`${what}: empty input`);
  return a.length;
}

/** @throws RangeError when label i is not exactly 0 or 1. */
function label(labels: ArrayLike<number>, i: number): 0 | 1 {
  const y = labels[i]!;
  if (y === 0 || y === 1) return y;
  throw new RangeError(`label ${i} is ${y}, expected 0 or 1`);
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half. Computed by ranks (the Mann-Whitney identity
 * AUC = U / (n1 n0) with U = R1 - n1 (n1 + 1) / 2, R1 the sum of the positives' ranks and
 * tied scores sharing their average rank), so it is exact and costs O(n log n) for the sort.
 * Only the order of the scores matters: any monotone transform gives the same AUC.
 * @returns the AUC in [0, 1], or NaN when only one class is present (the AUC is undefined
 * then; NaN rather than an exception so a metrics table for a tiny shop still renders).
 * @throws RangeError on length mismatch, empty input, a label other than 0/1, or a NaN score.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkLengths(scores, labels, "rocAuc");
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i]!)) throw new RangeError(`score ${i} is NaN`);
    positives += label(labels, i);
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;

  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Compare rather than subtract: Infinity - Infinity is NaN and would break the sort.
  order.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });

  // Walk runs of equal scores; every member of a run gets the run's average rank (1-based).
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    const value = scores[order[start]!]!;
    let end = start + 1;
    while (end < n && scores[order[end]!]! === value) end++;
    const averageRank = (start + 1 + end) / 2;
    let runPositives = 0;
    for (let k = start; k < end; k++) runPositives += labels[order[k]!]!;
    positiveRankSum += runPositives * averageRank;
    start = end;
  }
  const u = positiveRankSum - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

/**
 * Brier score: mean of (p_i - y_i)^2, lower is better (0 perfect, 0.25 for a constant 0.5).
 * O(n).
 * @throws RangeError on length mismatch, empty input, bad labels, or p outside [0, 1] / NaN.
 */
export function brierScore(p: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = checkLengths(p, labels, "brierScore");
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    if (!(pi >= 0 && pi <= 1)) throw new RangeError(`probability ${i} is ${pi}, expected [0, 1]`);
    const r = pi - label(labels, i);
    sum += r * r;
  }
  return sum / n;
}

/**
 * Mean negative log-likelihood (natural log) of the labels under probabilities p, with p
 * clipped to [eps, 1 - eps] so a confident mistake costs -log(eps) (34.5 nats for the default
 * 1e-15, scikit-learn's historical default) instead of Infinity. O(n).
 * @throws RangeError on length mismatch, empty input, bad labels, p outside [0, 1] / NaN, or
 * eps outside (0, 0.5).
 */
export function logLoss(p: ArrayLike<number>, labels: ArrayLike<number>, eps = 1e-15): number {
  const n = checkLengths(p, labels, "logLoss");
  if (!(eps > 0 && eps < 0.5)) throw new RangeError(`eps must be in (0, 0.5), got ${eps}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    if (!(pi >= 0 && pi <= 1)) throw new RangeError(`probability ${i} is ${pi}, expected [0, 1]`);
    const clipped = Math.min(Math.max(pi, eps), 1 - eps);
    // log1p(-p) keeps precision for small p where log(1 - p) would round.
    sum -= label(labels, i) === 1 ? Math.log(clipped) : Math.log1p(-clipped);
  }
  return sum / n;
}

/**
 * Pearson correlation of two samples (simple-statistics' sampleCorrelation: the Bessel
 * factors cancel), clamped to [-1, 1] against rounding. O(n).
 * @returns NaN when either sample is constant (the correlation is 0 / 0, undefined).
 * @throws RangeError on length mismatch or fewer than 2 points.
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = checkLengths(a, b, "pearson");
  if (n < 2) throw new RangeError("pearson needs at least 2 points");
  const r = sampleCorrelation(Array.from(a), Array.from(b));
  return Number.isNaN(r) ? NaN : Math.min(1, Math.max(-1, r));
}

/**
 * Mean of |a_i - b_i|, in the unit of the inputs. O(n).
 * @throws RangeError on length mismatch or empty input.
 */
export function meanAbsoluteError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = checkLengths(a, b, "meanAbsoluteError");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / n;
}
