/**
 * Probability calibration: maps a classifier's score to a probability that matches observed
 * frequencies, so "30% churn risk" means about 30 in 100 such customers churn. Boosted trees
 * and penalised logits rank well but are often over- or under-confident; a calibrator fitted on
 * held-out scores fixes the scale without changing the ranking (isotonic keeps it up to ties).
 *
 * - Isotonic regression (Zadrozny & Elkan 2002): the non-decreasing step function closest in
 *   weighted least squares to the labels, by pool-adjacent-violators (Ayer et al. 1955).
 *   Points with equal scores are pooled first (one point with their weighted mean label), so
 *   ties can never be split across a step. Between the score ranges of two fitted blocks the
 *   map interpolates linearly, as scikit-learn's IsotonicRegression does; scores outside the
 *   training range take the end values.
 * - Platt scaling (Platt 1999): p = 1 / (1 + exp(a s + b)), fitted by Newton's method with a
 *   backtracking line search to Platt's smoothed targets t+ = (N+ + 1) / (N+ + 2) and
 *   t- = 1 / (N- + 2), which keep a and b finite on separable scores and with one class.
 *   The objective, as in Lin, Lin & Weng (2007), "A note on Platt's probabilistic outputs":
 *   sum_i t_i f_i + log(1 + exp(-f_i)) with f_i = a s_i + b.
 *
 * Calibrators are plain objects of numbers and number arrays, so they survive JSON.stringify /
 * JSON.parse unchanged and can be stored with a scored model.
 */

export interface IsotonicCalibrator {
  method: "isotonic";
  /** Knot scores, non-decreasing (a block spanning several scores has two knots, same value). */
  x: number[];
  /** Calibrated probability at each knot, non-decreasing, in [0, 1]. */
  y: number[];
}

export interface PlattCalibrator {
  method: "platt";
  /** Slope: p = 1 / (1 + exp(a s + b)); negative when higher scores mean more positives. */
  a: number;
  b: number;
}

export type Calibrator = IsotonicCalibrator | PlattCalibrator;

/** @throws RangeError on length mismatch, empty input, non-finite scores or labels other than 0/1. */
function checkScores(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`scores and labels differ in length (${n} vs ${labels.length})`);
  if (n === 0) throw new RangeError("no scores to calibrate");
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]!)) throw new RangeError(`score ${i} is ${scores[i]}`);
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`label ${i} is ${labels[i]}, expected 0 or 1`);
  }
  return n;
}

/**
 * Weighted isotonic (non-decreasing) calibration of scores, see the header.
 * @param weights optional non-negative weights; zero-weight points are ignored
 * O(n log n) for the sort; PAV itself is O(n) (each merge removes a block).
 * @throws RangeError on bad scores, labels or weights, or when no point has positive weight.
 */
export function fitIsotonic(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights?: ArrayLike<number>,
): IsotonicCalibrator {
  const n = checkScores(scores, labels);
  if (weights && weights.length !== n) throw new RangeError(`weights has ${weights.length} entries, expected ${n}`);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`weight ${i} is ${w}`);
    if (w > 0) order.push(i);
  }
  if (order.length === 0) throw new RangeError("no point has positive weight");
  order.sort((i, j) => scores[i]! - scores[j]!);

  // The PAV stack: blocks of pooled points with their weight, weighted label sum and score span.
  const weight: number[] = [];
  const sum: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let k = 0; k < order.length;) {
    // Pool a run of tied scores into one point first.
    const s = scores[order[k]!]!;
    let w = 0;
    let wy = 0;
    for (; k < order.length && scores[order[k]!]! === s; k++) {
      const wi = weights ? weights[order[k]!]! : 1;
      w += wi;
      wy += wi * labels[order[k]!]!;
    }
    weight.push(w);
    sum.push(wy);
    lo.push(s);
    hi.push(s);
    // Merge backwards while the previous block's mean is not below the new one's (compared as
    // cross products, free of division). Merging equal means too keeps the knot list short.
    for (let top = weight.length - 1; top > 0 && sum[top - 1]! * weight[top]! >= sum[top]! * weight[top - 1]!; top--) {
      weight[top - 1]! += weight[top]!;
      sum[top - 1]! += sum[top]!;
      hi[top - 1] = hi[top]!;
      weight.pop();
      sum.pop();
      lo.pop();
      hi.pop();
    }
  }

  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < weight.length; b++) {
    const value = Math.min(1, Math.max(0, sum[b]! / weight[b]!));
    x.push(lo[b]!);
    y.push(value);
    if (hi[b]! > lo[b]!) {
      x.push(hi[b]!);
      y.push(value);
    }
  }
  return { method: "isotonic", x, y };
}

/**
 * Platt scaling of scores, see the header. Newton's method on (a, b) with Armijo backtracking;
 * stops when both gradient components are below 1e-11 (n + 1) (rounding level for sums of n
 * terms) or after 100 iterations. O(n) per iteration; typically under 10 iterations.
 * @throws RangeError on bad scores or labels.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): PlattCalibrator {
  const n = checkScores(scores, labels);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i]!;
  const negatives = n - positives;
  const targetPositive = (positives + 1) / (positives + 2);
  const targetNegative = 1 / (negatives + 2);

  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = a * scores[i]! + b;
      const t = labels[i] === 1 ? targetPositive : targetNegative;
      // t z + log(1 + e^-z), written so neither exponential overflows.
      f += z >= 0 ? t * z + Math.log1p(Math.exp(-z)) : (t - 1) * z + Math.log1p(Math.exp(z));
    }
    return f;
  };

  // Platt's start: a = 0 and b at the smoothed log-odds of a negative.
  let a = 0;
  let b = Math.log((negatives + 1) / (positives + 1));
  let f = objective(a, b);
  const tolerance = 1e-11 * (n + 1);
  for (let iteration = 0; iteration < 100; iteration++) {
    const previous = f;
    let ga = 0;
    let gb = 0;
    let haa = 1e-12; // Lin et al.'s small ridge keeps the 2 x 2 system solvable for constant scores
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      const z = a * s + b;
      // p = 1 / (1 + e^z), computed without overflow.
      const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
      const r = (labels[i] === 1 ? targetPositive : targetNegative) - p;
      const c = p * (1 - p);
      ga += r * s;
      gb += r;
      haa += c * s * s;
      hab += c * s;
      hbb += c;
    }
    if (Math.abs(ga) < tolerance && Math.abs(gb) < tolerance) break;
    const det = haa * hbb - hab * hab;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    const slope = ga * da + gb * db; // < 0: a descent direction
    let step = 1;
    let moved = false;
    while (step >= 1e-10) {
      const fc = objective(a + step * da, b + step * db);
      if (fc <= f + 1e-4 * step * slope) {
        a += step * da;
        b += step * db;
        f = fc;
        moved = true;
        break;
      }
      step /= 2;
    }
    if (!moved) break; // flat to rounding: as close as double precision allows
    // The gradient test above cannot be met on large n once the sums' rounding exceeds it;
    // steps that no longer change the objective in its 12th digit end the fit as well.
    if (previous - f <= 1e-12 * Math.abs(f)) break;
  }
  return { method: "platt", a, b };
}

/**
 * The calibrated probability of one score, in [0, 1]. Isotonic: linear interpolation between
 * knots, constant beyond the first and last knot. Platt: the logistic map (an infinite score
 * gives 0 or 1). O(log knots) or O(1).
 * @throws RangeError for a NaN score or an isotonic calibrator without knots.
 */
export function applyCalibrator(c: Calibrator, score: number): number {
  if (Number.isNaN(score)) throw new RangeError("cannot calibrate a NaN score");
  if (c.method === "platt") {
    const z = c.a === 0 ? c.b : c.a * score + c.b;
    return z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
  }
  const { x, y } = c;
  const last = x.length - 1;
  if (last < 0 || y.length !== x.length) throw new RangeError("isotonic calibrator has no knots");
  if (score <= x[0]!) return y[0]!;
  if (score >= x[last]!) return y[last]!;
  // Largest k with x[k] <= score (then x[k] <= score < x[k + 1]).
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    if (x[mid]! <= score) low = mid;
    else high = mid;
  }
  const span = x[low + 1]! - x[low]!;
  const value = span > 0 ? y[low]! + ((y[low + 1]! - y[low]!) * (score - x[low]!)) / span : y[low + 1]!;
  return Math.min(1, Math.max(0, value));
}
