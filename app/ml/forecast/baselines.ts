/**
 * Benchmark forecasts every model must beat, with their normal prediction intervals as
 * Hyndman & Athanasopoulos give them (Forecasting: Principles and Practice, 3rd ed., §5.5,
 * table of h-step standard deviations):
 *
 * - mean:           ŷ = mean of y,            σ_h = σ̂ √(1 + 1/T)
 * - naive:          ŷ = last value,           σ_h = σ̂ √h
 * - seasonal naive: ŷ = value one season ago, σ_h = σ̂ √(k + 1), k = ⌊(h − 1) / m⌋
 *
 * T is the series length, m the season length, σ̂ the residual standard deviation with the
 * book's degrees of freedom (divide the sum of squared residuals by T − K − M, K parameters,
 * M residuals missing): the sample standard deviation for the mean (K = 1), and the root mean
 * square of the in-sample residuals y_t − y_{t−m} for the (seasonal) naive method (K = 0,
 * M = m), as R's forecast::naive/snaive compute it. (fable's NAIVE/SNAIVE use the centred sd
 * instead; the two agree when the residuals average zero.) Intervals are ŷ ± z σ_h with z the
 * standard normal quantile for the level; the book notes R's meanf uses a Student t quantile,
 * which is wider for short series; here all three use the normal, as the table does.
 *
 * The intervals assume normal, uncorrelated residuals and can go below zero for sales; clamp
 * at zero in the caller if a negative bound would be shown to a merchant. Sparse series are
 * better served by app/ml/forecast/intermittent.ts.
 */

/** A point forecast with `level`% prediction intervals, for steps 1..horizon after the data. */
export interface Forecast {
  /** point forecasts, in the series' units */
  mean: Float64Array;
  /** lower bounds of the `level`% intervals */
  lower: Float64Array;
  /** upper bounds of the `level`% intervals */
  upper: Float64Array;
  /** interval coverage in percent, e.g. 80 */
  level: number;
  /** short name of the method, e.g. "seasonal-naive" */
  method: string;
}

// Wichura (1988), Algorithm AS 241 (PPND16), Applied Statistics 37(3): rational
// approximations of the normal quantile on three ranges, relative accuracy about 1e-16.
// Coefficients (Σ c[i] r^i, lowest power first) as the paper prints them, rounded to the
// nearest double. Full double accuracy keeps the hand-checkable interval tests tight.
const A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087,
  33430.57558358813, 2509.0809287301227,
];
const B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943,
  5226.495278852854,
];
const C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506,
  0.022723844989269184, 0.0007745450142783414,
];
const D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
];
const E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
];
const F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 0.000018463183175100548,
  1.421511758316446e-7, 2.0442631033899397e-15,
];

/** Horner evaluation of Σ c[i] x^i. */
function poly(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x + c[i]!;
  return s;
}

/**
 * Standard normal quantile Φ⁻¹(p) by AS 241. O(1).
 * @throws RangeError unless 0 < p < 1.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs 0 < p < 1, got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    x = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -x : x;
}

/** @throws RangeError for a horizon that is not a whole number >= 1 or a level outside (0, 100). */
function checkHorizonLevel(horizon: number, level: number): void {
  if (!(Number.isInteger(horizon) && horizon >= 1)) {
    throw new RangeError(`horizon must be a whole number >= 1, got ${horizon}`);
  }
  if (!(level > 0 && level < 100)) throw new RangeError(`level is a percentage in (0, 100), e.g. 80; got ${level}`);
}

/** Fills lower/upper as mean ± z sd[h]. */
function withIntervals(mean: Float64Array, sd: Float64Array, level: number, method: string): Forecast {
  const z = normalQuantile(0.5 + level / 200);
  const lower = new Float64Array(mean.length);
  const upper = new Float64Array(mean.length);
  for (let h = 0; h < mean.length; h++) {
    lower[h] = mean[h]! - z * sd[h]!;
    upper[h] = mean[h]! + z * sd[h]!;
  }
  return { mean, lower, upper, level, method };
}

/**
 * Root mean square of the in-sample lag-`lag` residuals y_t − y_{t−lag}, t = lag .. n−1:
 * σ̂ of the (seasonal) naive method. O(n).
 */
function lagResidualRms(y: ArrayLike<number>, lag: number): number {
  let sum = 0;
  for (let t = lag; t < y.length; t++) {
    const e = y[t]! - y[t - lag]!;
    sum += e * e;
  }
  return Math.sqrt(sum / (y.length - lag));
}

/**
 * Seasonal naive: each future step repeats the value one season earlier,
 * ŷ_{T+h} = y_{T+h−m(k+1)}, with σ_h = σ̂ √(k + 1), k = ⌊(h − 1) / m⌋ (whole seasons ahead).
 * O(n + horizon).
 * @param y the series, oldest first, e.g. units sold per day
 * @param period the season length m in steps (7 for daily data with a weekly pattern); 1 gives naive
 * @param horizon number of steps to forecast
 * @param level interval coverage in percent (default 80)
 * @throws RangeError when period is not a whole number >= 1, y has <= period values (no
 * residual to estimate σ̂ from), or the horizon/level are bad.
 */
export function seasonalNaive(y: ArrayLike<number>, period: number, horizon: number, level = 80): Forecast {
  if (!(Number.isInteger(period) && period >= 1))
    throw new RangeError(`period must be a whole number >= 1, got ${period}`);
  checkHorizonLevel(horizon, level);
  const n = y.length;
  if (n <= period) throw new RangeError(`seasonal naive needs more than ${period} values, got ${n}`);
  const sigma = lagResidualRms(y, period);
  const mean = new Float64Array(horizon);
  const sd = new Float64Array(horizon);
  for (let h = 1; h <= horizon; h++) {
    const k = Math.floor((h - 1) / period);
    mean[h - 1] = y[n + h - 1 - period * (k + 1)]!;
    sd[h - 1] = sigma * Math.sqrt(k + 1);
  }
  return withIntervals(mean, sd, level, period === 1 ? "naive" : "seasonal-naive");
}

/**
 * Naive (random walk): every step repeats the last value, σ_h = σ̂ √h. Equal to
 * seasonalNaive(y, 1, ...). O(n + horizon).
 * @throws RangeError for fewer than 2 values or a bad horizon/level.
 */
export function naive(y: ArrayLike<number>, horizon: number, level = 80): Forecast {
  return seasonalNaive(y, 1, horizon, level);
}

/**
 * Mean method: every step is the sample mean; σ_h = s √(1 + 1/T), s the sample standard
 * deviation (divisor T − 1), the extra 1/T for the uncertainty in the mean itself. O(n + horizon).
 * @throws RangeError for fewer than 2 values or a bad horizon/level.
 */
export function meanMethod(y: ArrayLike<number>, horizon: number, level = 80): Forecast {
  checkHorizonLevel(horizon, level);
  const n = y.length;
  if (n < 2) throw new RangeError(`the mean method needs at least 2 values for its interval, got ${n}`);
  let sum = 0;
  for (let t = 0; t < n; t++) sum += y[t]!;
  const avg = sum / n;
  // Two-pass variance: subtracting the mean first avoids the cancellation of Σy² − n ȳ².
  let ss = 0;
  for (let t = 0; t < n; t++) ss += (y[t]! - avg) * (y[t]! - avg);
  const sdh = Math.sqrt(ss / (n - 1)) * Math.sqrt(1 + 1 / n);
  return withIntervals(new Float64Array(horizon).fill(avg), new Float64Array(horizon).fill(sdh), level, "mean");
}
