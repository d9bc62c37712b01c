/**
 * Forecasts for sparse ("intermittent") product series: most periods sell nothing, and ETS or
 * the naive methods then chase the last sale or forecast a fraction of a unit that is never
 * observed. Three pieces:
 *
 * - Croston's method (Croston 1972, "Forecasting and stock control for intermittent demands",
 *   Operational Research Quarterly 23(3)): simple exponential smoothing of the non-zero
 *   demand sizes (z) and, separately, of the intervals between them (p); the forecast for
 *   every future period is the rate z / p.
 * - The Syntetos-Boylan approximation (SBA; Syntetos & Boylan 2005, "The accuracy of
 *   intermittent demand estimates", IJF 21): Croston × (1 − α/2), removing Croston's upward
 *   bias (E[z/p] ≠ E[z]/E[p]).
 * - The demand classification of Syntetos, Boylan & Croston (2005, JORS 56): average
 *   inter-demand interval (ADI) and squared coefficient of variation of the demand sizes (CV²)
 *   against the cut-offs 1.32 and 0.49, so a caller can route a product to these methods.
 *
 * Initialisation and defaults follow R's forecast::croston (forecast 8.x): α = 0.1 for both
 * smoothers; the intervals are counted from time 0, so the first interval is the position
 * (1-based) of the first sale; each smoother starts at its first value (ses with
 * initial = "simple"), so after one sale z = that sale and p = its position; a series without
 * sales forecasts 0. Only the non-zero periods update z and p, so zeros after the last sale
 * do not change the forecast (as in R). With these choices the point forecasts reproduce R's
 * to its printed 7 digits (see the tests).
 *
 * Prediction intervals: Croston's method has no stochastic model behind it (R's croston gives
 * none; Shenstone & Hyndman 2005 show no consistent model exists), so the interval here is a
 * stated approximation, not a property of the method: the demand in one future period is
 * taken as negative binomial with mean = the point forecast and variance = φ × mean, where φ
 * is the in-sample dispersion index (sample variance / mean of the whole series, floored at 1,
 * where the distribution becomes Poisson). Zero-heavy lumpy series have φ well above 1 and get
 * wide upper bounds. Bounds are the distribution's quantiles at (1 ∓ level/100) / 2, so they
 * are whole units and never negative; they are the same for every step ahead (the point
 * forecast is flat too) and ignore the uncertainty of the estimated rate, so expect them to
 * cover a little less than nominal on short histories. They are meant for unit counts. At
 * low rates the interval is [0, 0] even though the point forecast is a fraction above zero:
 * for a whole-unit outcome that is the honest answer (at rate 0.05 with φ = 1, 95% of periods
 * sell nothing).
 */
import { logAddExp } from "../special";
import type { Forecast } from "./baselines";

/** Options of croston() and sba(). */
export interface CrostonOptions {
  /** smoothing constant for both sizes and intervals, 0 < alpha <= 1; default 0.1 (R's croston) */
  alpha?: number;
  /** interval coverage in percent, 0 < level < 100; default 80 */
  level?: number;
}

/** A Croston-type forecast with its smoothed components and in-sample one-step forecasts. */
export interface IntermittentForecast extends Forecast {
  /** one-step in-sample forecasts: fitted[t] uses y[0..t-1]; NaN at t = 0 (R: NA) */
  fitted: Float64Array;
  /** smoothed non-zero demand size z at the end of the data (0 when nothing sold) */
  demand: number;
  /** smoothed interval p between sales, in periods (NaN when nothing sold) */
  interval: number;
  /** the smoothing constant used */
  alpha: number;
  /** dispersion index φ >= 1 behind the interval (1: Poisson) */
  dispersion: number;
}

/** @throws RangeError on an empty series, a negative or NaN value, or bad horizon/alpha/level. */
function check(y: ArrayLike<number>, horizon: number, alpha: number, level: number): void {
  if (y.length === 0) throw new RangeError("empty series");
  for (let t = 0; t < y.length; t++) {
    // Returns must be netted out before forecasting demand; a negative sale has no interval.
    if (!(y[t]! >= 0)) throw new RangeError(`intermittent demand must be >= 0, got ${y[t]} at ${t}`);
  }
  if (!(Number.isInteger(horizon) && horizon >= 1)) {
    throw new RangeError(`horizon must be a whole number >= 1, got ${horizon}`);
  }
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${alpha}`);
  if (!(level > 0 && level < 100)) throw new RangeError(`level is a percentage in (0, 100), e.g. 80; got ${level}`);
}

/**
 * Quantile of the negative binomial with the given mean and variance dispersion × mean
 * (dispersion 1: Poisson): the smallest whole k with P(X <= k) >= prob, as R's qnbinom/qpois.
 * In the usual (size, prob) form size = mean / (dispersion − 1), prob = 1 / dispersion. The CDF
 * is summed in log space (logAddExp), so large means do not underflow P(X = 0).
 * O(k) for the returned k.
 * @throws RangeError for mean < 0, dispersion < 1 or prob outside (0, 1).
 */
export function negativeBinomialQuantile(mean: number, dispersion: number, prob: number): number {
  if (!(mean >= 0 && Number.isFinite(mean))) throw new RangeError(`mean must be finite and >= 0, got ${mean}`);
  if (!(dispersion >= 1 && Number.isFinite(dispersion)))
    throw new RangeError(`dispersion must be >= 1, got ${dispersion}`);
  if (!(prob > 0 && prob < 1)) throw new RangeError(`prob must be in (0, 1), got ${prob}`);
  if (mean === 0) return 0; // all mass at zero
  const poisson = dispersion === 1;
  const size = poisson ? Infinity : mean / (dispersion - 1);
  // ln P(X = 0): −mean for the Poisson, size × ln(1/dispersion) for the negative binomial.
  let logPmf = poisson ? -mean : -size * Math.log(dispersion);
  const logFail = poisson ? 0 : Math.log1p(-1 / dispersion);
  let logCdf = logPmf;
  // A relative fuzz like R's qpois (p × (1 − 64 ε)), so a CDF that equals prob up to rounding
  // counts as reaching it.
  const target = Math.log(prob) + Math.log1p(-64 * Number.EPSILON);
  let k = 0;
  while (logCdf < target) {
    // pmf(k+1) / pmf(k) = mean / (k+1) (Poisson), (k + size) / (k + 1) × (1 − 1/dispersion) (NB)
    logPmf += poisson ? Math.log(mean / (k + 1)) : Math.log((k + size) / (k + 1)) + logFail;
    k++;
    logCdf = logAddExp(logCdf, logPmf);
  }
  return k;
}

/** Dispersion index of y: sample variance / mean, floored at 1 (1 for a constant or all-zero series). O(n). */
function dispersionIndex(y: ArrayLike<number>): number {
  const n = y.length;
  if (n < 2) return 1;
  let sum = 0;
  for (let t = 0; t < n; t++) sum += y[t]!;
  const mean = sum / n;
  if (mean === 0) return 1;
  let ss = 0;
  for (let t = 0; t < n; t++) ss += (y[t]! - mean) * (y[t]! - mean);
  return Math.max(1, ss / (n - 1) / mean);
}

/** Croston's recursions with the final rate multiplied by `factor` (1, or 1 − α/2 for SBA). O(n + horizon). */
function crostonType(
  y: ArrayLike<number>,
  horizon: number,
  options: CrostonOptions,
  factor: (alpha: number) => number,
  method: string,
): IntermittentForecast {
  const alpha = options.alpha ?? 0.1;
  const level = options.level ?? 80;
  check(y, horizon, alpha, level);
  const f = factor(alpha);
  const n = y.length;
  const fitted = new Float64Array(n);
  fitted[0] = NaN;
  let z = 0; // smoothed size
  let p = NaN; // smoothed interval
  let started = false;
  let sinceLast = 0; // periods since the previous sale (or since time 0)
  let rate = 0; // current forecast; 0 until the first sale, as R returns for an all-zero prefix
  for (let t = 0; t < n; t++) {
    sinceLast++;
    const v = y[t]!;
    if (v > 0) {
      if (!started) {
        // R's ses(initial = "simple") starts each level at its first value.
        z = v;
        p = sinceLast;
        started = true;
      } else {
        z += alpha * (v - z);
        p += alpha * (sinceLast - p);
      }
      sinceLast = 0;
      rate = (f * z) / p;
    }
    if (t + 1 < n) fitted[t + 1] = rate;
  }
  const dispersion = dispersionIndex(y);
  const tail = (1 - level / 100) / 2;
  const lo = negativeBinomialQuantile(rate, dispersion, tail);
  const hi = negativeBinomialQuantile(rate, dispersion, 1 - tail);
  return {
    mean: new Float64Array(horizon).fill(rate),
    lower: new Float64Array(horizon).fill(lo),
    upper: new Float64Array(horizon).fill(hi),
    level,
    method,
    fitted,
    demand: z,
    interval: p,
    alpha,
    dispersion,
  };
}

/**
 * Croston's method: rate z / p for each of the next `horizon` periods, with the
 * negative-binomial interval described in the module comment. O(n + horizon + upper bound).
 * @param y demand per period (e.g. units sold per week), oldest first, all >= 0
 * @throws RangeError for an empty series, a negative or NaN value, a horizon that is not a
 * whole number >= 1, alpha outside (0, 1] or level outside (0, 100).
 */
export function croston(y: ArrayLike<number>, horizon: number, options: CrostonOptions = {}): IntermittentForecast {
  return crostonType(y, horizon, options, () => 1, "croston");
}

/**
 * Syntetos-Boylan approximation: Croston's rate × (1 − α/2); fitted values are scaled the
 * same way. Same inputs, interval and errors as croston().
 */
export function sba(y: ArrayLike<number>, horizon: number, options: CrostonOptions = {}): IntermittentForecast {
  return crostonType(y, horizon, options, (alpha) => 1 - alpha / 2, "sba");
}

/** Syntetos, Boylan & Croston (2005) demand categories; "no-demand" when nothing sold. */
export type DemandCategory = "smooth" | "erratic" | "intermittent" | "lumpy" | "no-demand";

/** Result of classifyDemand(). */
export interface DemandClass {
  /** average inter-demand interval in periods (>= 1; Infinity when nothing sold) */
  adi: number;
  /** squared coefficient of variation of the non-zero sizes (0 with fewer than 2 sales) */
  cv2: number;
  /** number of periods with a sale */
  demands: number;
  category: DemandCategory;
  /** true for intermittent, lumpy and no-demand series: use croston()/sba(), not ETS */
  sparse: boolean;
  /**
   * SBC's choice between the two: SBA when ADI > 1.32 or CV² > 0.49, Croston in the smooth
   * quadrant (as tsintermittent's idclass(type = "SBC") applies the rule)
   */
  recommended: "croston" | "sba";
}

/** SBC (2005) cut-offs: beyond ADI 1.32 or CV² 0.49 the methods' relative accuracy changes. */
export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

/**
 * Classifies a demand series by ADI and CV² (Syntetos, Boylan & Croston 2005):
 * smooth (ADI <= 1.32, CV² <= 0.49), erratic (ADI <= 1.32, CV² > 0.49), intermittent
 * (ADI > 1.32, CV² <= 0.49), lumpy (both above). ADI is the mean of the intervals Croston's
 * method smooths (counted from time 0 to the last sale, as R's croston and tsintermittent
 * count them), so zeros after the last sale do not raise it: a product that stopped selling
 * is a matter of recency, which the caller should check separately. CV² uses the sample
 * standard deviation (divisor k − 1) of the k non-zero sizes, and is 0 when k < 2 (no
 * evidence of size variation). O(n).
 * @throws RangeError for an empty series or a negative or NaN value.
 */
export function classifyDemand(y: ArrayLike<number>): DemandClass {
  if (y.length === 0) throw new RangeError("empty series");
  let k = 0;
  let lastPosition = 0;
  let sum = 0;
  for (let t = 0; t < y.length; t++) {
    const v = y[t]!;
    if (!(v >= 0)) throw new RangeError(`demand must be >= 0, got ${v} at ${t}`);
    if (v > 0) {
      k++;
      lastPosition = t + 1;
      sum += v;
    }
  }
  if (k === 0) return { adi: Infinity, cv2: 0, demands: 0, category: "no-demand", sparse: true, recommended: "sba" };
  // The intervals telescope: their sum is the (1-based) position of the last sale.
  const adi = lastPosition / k;
  let cv2 = 0;
  if (k >= 2) {
    const mean = sum / k;
    let ss = 0;
    for (let t = 0; t < y.length; t++) if (y[t]! > 0) ss += (y[t]! - mean) * (y[t]! - mean);
    cv2 = ss / (k - 1) / (mean * mean);
  }
  const sparse = adi > ADI_CUTOFF;
  const variable = cv2 > CV2_CUTOFF;
  const category: DemandCategory = sparse ? (variable ? "lumpy" : "intermittent") : variable ? "erratic" : "smooth";
  return { adi, cv2, demands: k, category, sparse, recommended: sparse || variable ? "sba" : "croston" };
}
