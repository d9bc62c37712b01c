/**
 * Accuracy measures for sales forecasts, used to compare a model with the baselines on a
 * holdout (the last weeks of a product's history) and across products of different sizes:
 *
 * - MASE (Hyndman & Koehler 2006, "Another look at measures of forecast accuracy", IJF 22):
 *   mean absolute error divided by the in-sample mean absolute error of the seasonal naive
 *   method with lag `period`. Scale-free, so it can be averaged across a shop's products, and
 *   defined for series with zeros (unlike MAPE), which sparse product series are full of.
 *   Below 1: better than the in-sample seasonal naive one step ahead.
 * - WAPE: Σ|actual - forecast| / Σ|actual|, the error per unit sold; the figure merchants read.
 * - interval coverage: the share of actuals inside [lower, upper], to check that an 80%
 *   interval holds about 80% of the outcomes.
 *
 * Undefined values: MASE with a zero scale (a constant in-sample series, or one that repeats
 * itself exactly every `period` steps) and WAPE with no sales in the holdout are NaN, never
 * Infinity or an exception: the ratio means nothing there, and NaN is easy to filter
 * (Number.isNaN) when averaging over products, where Infinity would swamp the mean and an
 * exception would abort a whole shop's report. Empty or mismatched inputs are RangeErrors.
 * Every function is one pass over its inputs. Non-finite inputs are not checked: NaN
 * propagates into the result.
 */

/** @throws RangeError when the lengths differ or are zero. */
function checkPair(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new RangeError(`${what}: empty input`);
  return a.length;
}

/**
 * In-sample mean absolute error of the seasonal naive method: mean of |y_t - y_{t-period}|
 * over t = period .. n-1 (n - period terms). With period 1 it is the naive (random walk)
 * scale. The denominator of MASE; exported so a caller scoring many horizons of one product
 * computes it once. O(n).
 * @param insample the training series, in its own units (e.g. units sold per week)
 * @param period the seasonal lag in steps (1 for non-seasonal, 7 for daily data with a week)
 * @throws RangeError when period is not a whole number >= 1 or the series has <= period values.
 */
export function seasonalNaiveScale(insample: ArrayLike<number>, period = 1): number {
  if (!(Number.isInteger(period) && period >= 1))
    throw new RangeError(`period must be a whole number >= 1, got ${period}`);
  const n = insample.length;
  if (n <= period) throw new RangeError(`the in-sample series needs more than ${period} values, got ${n}`);
  let sum = 0;
  for (let t = period; t < n; t++) sum += Math.abs(insample[t]! - insample[t - period]!);
  return sum / (n - period);
}

/**
 * Mean absolute scaled error: mean |actual - forecast| / seasonalNaiveScale(insample, period).
 * O(holdout + insample).
 * @param actual the holdout values
 * @param forecast the forecasts for the same periods
 * @param insample the series the forecast was fitted on (scales the error)
 * @param period seasonal lag of the scaling naive method; 1 gives the non-seasonal MASE
 * @returns MASE >= 0, or NaN when the scale is 0 (see the module comment)
 * @throws RangeError on empty or mismatched actual/forecast, or a bad period or short insample.
 */
export function mase(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  insample: ArrayLike<number>,
  period = 1,
): number {
  const n = checkPair(actual, forecast, "mase");
  const scale = seasonalNaiveScale(insample, period);
  if (scale === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(actual[i]! - forecast[i]!);
  return sum / n / scale;
}

/**
 * Weighted absolute percentage error: Σ|actual - forecast| / Σ|actual| (for sales, which are
 * never negative, the denominator is the units sold). A fraction, not a percentage: 0.25
 * means the forecast was off by a quarter of what sold. O(n).
 * @returns WAPE >= 0, or NaN when every actual is 0 (nothing sold: no scale to judge by)
 * @throws RangeError on empty or mismatched inputs.
 */
export function wape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const n = checkPair(actual, forecast, "wape");
  let error = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    error += Math.abs(actual[i]! - forecast[i]!);
    total += Math.abs(actual[i]!);
  }
  return total === 0 ? NaN : error / total;
}

/**
 * Share of actuals with lower <= actual <= upper (bounds inclusive: a sparse series' interval
 * is often [0, 0] and an actual 0 is inside it). Compare with the nominal level / 100. O(n).
 * @returns a fraction in [0, 1]
 * @throws RangeError on empty or mismatched inputs, or a lower bound above its upper bound
 * (usually the two arrays passed in the wrong order).
 */
export function intervalCoverage(
  actual: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): number {
  const n = checkPair(actual, lower, "intervalCoverage");
  checkPair(actual, upper, "intervalCoverage");
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const lo = lower[i]!;
    const hi = upper[i]!;
    if (lo > hi) throw new RangeError(`intervalCoverage: lower ${lo} > upper ${hi} at ${i}`);
    const a = actual[i]!;
    if (a >= lo && a <= hi) inside++;
  }
  return inside / n;
}
