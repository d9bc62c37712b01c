/**
 * Point forecasts and prediction intervals from a fitted exponential smoothing model.
 *
 * Analytic where HKOS (2008, ch. 6) give exact forecast variances:
 *   class 1, additive error, no multiplicative season (ETS(A,N|A|Ad,N|A)):
 *     v_h = σ² (1 + Σ_{j=1}^{h-1} c_j²);
 *   class 2, multiplicative error, no multiplicative season (ETS(M,N|A|Ad,N|A)):
 *     θ_1 = μ_1², θ_h = μ_h² + σ² Σ_{j=1}^{h-1} c_j² θ_{h-j},  v_h = (1 + σ²) θ_h - μ_h²;
 * with c_j = w' F^(j-1) g, which we get by pushing g through the transition F rather than by
 * per-form closed formulas (one loop serves all six forms of each class), and μ_h the point
 * forecast. Intervals are μ_h ± z sqrt(v_h), z the normal quantile.
 * Multiplicative seasons (class 3 and the non-linear rest) get intervals from simulated sample
 * paths (5,000 by default) driven by the injected seeded generator: the empirical quantiles of
 * the simulated values at each step. forecast::ets uses HKOS's approximate class-3 formulas
 * for ETS(M,*,M) instead; simulation is exact up to Monte-Carlo error and needs no further
 * approximation, at a few milliseconds per forecast.
 */

import type { Random } from "~/ml/random";

import { normalQuantile } from "./baselines";
import type { EtsFit } from "./ets-fit";
import { pointForecasts, seasonLength, type EtsSpec } from "./ets-model";

export interface EtsIntervals {
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** Coverage in percent, e.g. 80. */
  level: number;
  /** Forecast variance per step where it is analytic (empty when simulated). */
  variance: Float64Array;
  intervalMethod: "analytic" | "simulated";
}

export interface IntervalOptions {
  /** Simulated sample paths when the variance is not analytic (or `simulate` is set). Default 5,000. */
  paths?: number;
  /** Simulate even when analytic variances exist (to cross-check them). */
  simulate?: boolean;
}

/** Whether HKOS give exact forecast variances for the form (classes 1 and 2). */
export function hasAnalyticVariance(spec: EtsSpec): boolean {
  return spec.season !== "M";
}

/**
 * c_j = w' F^(j-1) g for j = 1..count: the response of the one-step forecast j steps later to
 * a unit innovation now. State vector [l, b, s_newest..s_oldest]; F moves l + φb into l, φb
 * into b and rotates the seasonal states; w' reads l + φb + s_oldest. O(count * m).
 */
export function innovationWeights(
  spec: EtsSpec,
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
  count: number,
): Float64Array {
  const m = seasonLength(spec);
  const hasSeason = spec.season !== "N";
  const damp = spec.trend === "Ad" ? phi : spec.trend === "A" ? 1 : 0;
  const out = new Float64Array(Math.max(count, 0));
  let l = alpha;
  let b = spec.trend === "N" ? 0 : beta;
  const s = new Float64Array(hasSeason ? m : 0);
  if (hasSeason) s[0] = gamma;
  for (let j = 0; j < count; j++) {
    const oldest = hasSeason ? s[m - 1]! : 0;
    out[j] = l + damp * b + oldest;
    // Apply F.
    l = l + damp * b;
    b = damp * b;
    if (hasSeason) {
      for (let i = m - 1; i > 0; i--) s[i] = s[i - 1]!;
      s[0] = oldest;
    }
  }
  return out;
}

/**
 * Moves the k-th smallest value of a[from..to] to index k with smaller ones before it and larger
 * ones after (Hoare's selection, middle pivot). O(length) expected: sorting 5,000 values for
 * every step and both quantiles cost more than the simulation itself.
 */
function select(a: Float64Array, k: number, from: number, to: number): void {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** R's type-7 quantile (linear between order statistics) of a; reorders a. O(length) expected. */
function quantileOf(a: Float64Array, p: number): number {
  const h = (a.length - 1) * p;
  const k = Math.floor(h);
  select(a, k, 0, a.length - 1);
  const low = a[k]!;
  if (k + 1 >= a.length || h === k) return low;
  // The next order statistic is the smallest value above position k.
  let next = Infinity;
  for (let i = k + 1; i < a.length; i++) if (a[i]! < next) next = a[i]!;
  return low + (h - k) * (next - low);
}

/**
 * Simulated future paths from the last states: each step draws ε ~ N(0, σ²) from `random`, sets
 * y = ŷ + ε (additive error) or ŷ (1 + ε) (multiplicative), and updates the states with the
 * filter's equations. Returns paths x horizon values, step-major (values[h * paths + i]).
 * O(paths * (horizon + m)).
 */
export function simulatePaths(fit: EtsFit, horizon: number, paths: number, random: Random): Float64Array {
  const { spec, params, last } = fit;
  const m = seasonLength(spec);
  const sigma = Math.sqrt(fit.sigma2);
  // Box-Muller, both values of each pair (normalFrom keeps one; here the draws are the cost).
  let spare = NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
  const phi = spec.trend === "Ad" ? params.phi : 1;
  const hasTrend = spec.trend !== "N";
  const betaOverAlpha = hasTrend ? params.beta / params.alpha : 0;
  const ring = new Float64Array(m);
  const values = new Float64Array(paths * horizon);
  for (let i = 0; i < paths; i++) {
    let l = last.level;
    let b = hasTrend ? last.slope : 0;
    if (spec.season !== "N") for (let k = 0; k < m; k++) ring[k] = last.seasonal[m - 1 - k]!;
    let j = 0;
    for (let h = 0; h < horizon; h++) {
      const q = l + phi * b;
      const s = spec.season === "N" ? 0 : ring[j]!;
      const yhat = spec.season === "A" ? q + s : spec.season === "M" ? q * s : q;
      const eps = sigma * normal();
      const y = spec.error === "A" ? yhat + eps : yhat * (1 + eps);
      values[h * paths + i] = y;
      const deseason = spec.season === "A" ? y - s : spec.season === "M" ? y / s : y;
      const lNew = q + params.alpha * (deseason - q);
      if (hasTrend) b = phi * b + betaOverAlpha * (lNew - q);
      if (spec.season === "A") ring[j] = s + params.gamma * (y - q - s);
      else if (spec.season === "M") ring[j] = q !== 0 ? s + params.gamma * (y / q - s) : s;
      l = lNew;
      if (spec.season !== "N") j = j + 1 === m ? 0 : j + 1;
    }
  }
  return values;
}

/**
 * Point forecasts h = 1..horizon and `level`% prediction intervals. Analytic for classes 1 and
 * 2 (O(horizon²)), simulated otherwise (O(paths * horizon)). `random` is only drawn
 * from when simulating, so the same seed gives the same intervals.
 * @throws RangeError for a horizon that is not a whole number >= 1, a level outside (0, 100)
 *   (a percentage: 80, not 0.8), or fewer than 2 paths.
 */
export function forecastEts(
  fit: EtsFit,
  horizon: number,
  level: number,
  random: Random,
  options: IntervalOptions = {},
): EtsIntervals {
  if (!(Number.isInteger(horizon) && horizon >= 1))
    throw new RangeError(`horizon must be a whole number >= 1, got ${horizon}`);
  if (!(level > 1 && level < 100)) throw new RangeError(`level is a percentage in (1, 100), e.g. 80; got ${level}`);
  const paths = options.paths ?? 5000;
  if (!(Number.isInteger(paths) && paths >= 2)) throw new RangeError(`paths must be a whole number >= 2, got ${paths}`);
  const { spec, params } = fit;
  const mean = pointForecasts(spec, params, fit.last, horizon);
  const lower = new Float64Array(horizon);
  const upper = new Float64Array(horizon);
  const sigma2 = fit.sigma2;

  if (hasAnalyticVariance(spec) && !options.simulate) {
    const z = normalQuantile(0.5 + level / 200);
    const c = innovationWeights(spec, params.alpha, params.beta, params.gamma, params.phi, horizon - 1);
    const variance = new Float64Array(horizon);
    if (spec.error === "A") {
      let sum = 0;
      for (let h = 1; h <= horizon; h++) {
        variance[h - 1] = sigma2 * (1 + sum);
        if (h <= c.length) sum += c[h - 1]! * c[h - 1]!;
      }
    } else {
      const theta = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) {
        const mu = mean[h - 1]!;
        let acc = 0;
        for (let j = 1; j < h; j++) acc += c[j - 1]! * c[j - 1]! * theta[h - j - 1]!;
        theta[h - 1] = mu * mu + sigma2 * acc;
        variance[h - 1] = (1 + sigma2) * theta[h - 1]! - mu * mu;
      }
    }
    for (let h = 0; h < horizon; h++) {
      const half = z * Math.sqrt(Math.max(variance[h]!, 0));
      lower[h] = mean[h]! - half;
      upper[h] = mean[h]! + half;
    }
    return { mean, lower, upper, level, variance, intervalMethod: "analytic" };
  }

  const values = simulatePaths(fit, horizon, paths, random);
  const pLow = 0.5 - level / 200;
  const pHigh = 0.5 + level / 200;
  for (let h = 0; h < horizon; h++) {
    const step = values.subarray(h * paths, (h + 1) * paths);
    lower[h] = quantileOf(step, pLow);
    upper[h] = quantileOf(step, pHigh);
  }
  return { mean, lower, upper, level, variance: new Float64Array(0), intervalMethod: "simulated" };
}
