/**
 * The exponential smoothing state-space models of Hyndman, Koehler, Ord & Snyder (2008),
 * "Forecasting with Exponential Smoothing: The State Space Approach" (HKOS below): the model
 * forms, the one-step filter that turns parameters and initial states into fitted values and
 * errors, the concentrated likelihood that forecast::ets (R) maximises, and the admissibility
 * test of the parameters. The fit (ets-fit.ts), the forecasts and intervals (ets-intervals.ts)
 * and the automatic selection (ets.ts) build on this file.
 *
 * One filter for every form. Written in "error correction" form every model of the family
 * updates its states the same way whatever the error type; only the likelihood differs:
 *   q  = l + φb           (l without a trend; φ = 1 without damping)
 *   ŷ  = q + s, q·s or q  (additive, multiplicative or no season; s is the state m steps back)
 *   p  = y - s, y / s or y                      (y with the season taken out)
 *   l' = q + α (p - q)
 *   b' = φb + (β / α)(l' - q)
 *   s' = s + γ (y - q - s)  or  s + γ (y / q - s)
 * With e = y - ŷ (additive error) or (y - ŷ) / ŷ (multiplicative error) these are HKOS's
 * equations (Table 2.3) for each of the 2 x 3 x 3 forms, e.g. ETS(M,A,M): l' = q (1 + α e),
 * b' = b + β q e, s' = s (1 + γ e). β is HKOS's β = α β*, γ their γ = (1 - α) γ*.
 *
 * Seasonal state order follows forecast::ets: `seasonal[0]` is the most recent state s_t and
 * `seasonal[m - 1]` the oldest, s_{t-m+1}, which the next observation uses.
 */

export type ErrorType = "A" | "M";
/** None, additive, additive damped. Multiplicative trends are not offered (forecast::ets's default too). */
export type TrendType = "N" | "A" | "Ad";
export type SeasonType = "N" | "A" | "M";

export interface EtsSpec {
  error: ErrorType;
  trend: TrendType;
  season: SeasonType;
  /** Season length m (7 for daily data with a weekly cycle); ignored, and taken as 1, when season is "N". */
  period: number;
}

/** Smoothing parameters in HKOS's parametrisation. beta = 0 without a trend, gamma = 0 without a season, phi = 1 unless damped. */
export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** States at one time: level, slope (0 without a trend), seasonal states newest first (length m, empty without a season). */
export interface EtsState {
  level: number;
  slope: number;
  seasonal: Float64Array;
}

/** "ETS(M,Ad,A)". */
export function etsName(spec: EtsSpec): string {
  return `ETS(${spec.error},${spec.trend},${spec.season})`;
}

/** m as the filter uses it: 1 without a season. */
export function seasonLength(spec: EtsSpec): number {
  return spec.season === "N" ? 1 : spec.period;
}

/**
 * Checks a spec; returns m.
 * @throws RangeError on an unknown form or a seasonal form whose period is not a whole number >= 2.
 */
export function checkSpec(spec: EtsSpec): number {
  if (spec.error !== "A" && spec.error !== "M") throw new RangeError(`unknown error type ${String(spec.error)}`);
  if (spec.trend !== "N" && spec.trend !== "A" && spec.trend !== "Ad") {
    throw new RangeError(`unknown trend type ${String(spec.trend)}`);
  }
  if (spec.season !== "N" && spec.season !== "A" && spec.season !== "M") {
    throw new RangeError(`unknown season type ${String(spec.season)}`);
  }
  if (spec.season !== "N" && !(Number.isInteger(spec.period) && spec.period >= 2)) {
    throw new RangeError(`a seasonal model needs a whole period >= 2, got ${spec.period}`);
  }
  return seasonLength(spec);
}

/** What one pass of the filter sums up. */
export interface FilterSums {
  /** Σ e² (errors relative to ŷ for multiplicative errors). */
  sse: number;
  /** Σ ln|ŷ| (used by the multiplicative-error likelihood). */
  sumLogFitted: number;
  /** false when a forecast ŷ (or q, dividing a multiplicative season) hit zero or went negative where the form forbids it. */
  valid: boolean;
}

/** Optional per-time output of the filter, each of length n (states: n + 1, the initial ones first). */
export interface FilterTrace {
  fitted: Float64Array;
  residuals: Float64Array;
  levels: Float64Array;
  slopes: Float64Array;
  /** The seasonal state written at each time (s_t), index 0 holding s_0 of the initial states. */
  seasonals: Float64Array;
}

/**
 * Runs the filter over y from the initial state `init` (not modified); `ring` (length >= m) is
 * scratch space for the seasonal states, so the likelihood loop allocates nothing. Returns the
 * sums; leaves the final states in `final` when given. A forecast of zero or below in a
 * multiplicative-error or multiplicative-season form, or a level-plus-trend of zero under a
 * multiplicative season, marks the pass invalid and stops it.
 *
 * This is the hot spot of the whole module (the optimiser calls it a few hundred times per
 * model, 15 models per series): a single tight loop over Float64Arrays, no allocation, no
 * function calls, the seasonal states in a ring buffer indexed by one moving pointer. The form
 * tests inside the loop always go the same way within one pass, so the branch predictor makes
 * them free. O(n).
 */
export function runFilter(
  y: Float64Array,
  spec: EtsSpec,
  p: EtsParams,
  init: EtsState,
  ring: Float64Array,
  final?: EtsState,
  trace?: FilterTrace,
): FilterSums {
  const n = y.length;
  const m = seasonLength(spec);
  const hasTrend = spec.trend !== "N";
  const season = spec.season === "N" ? 0 : spec.season === "A" ? 1 : 2;
  const multError = spec.error === "M";
  const alpha = p.alpha;
  const phi = spec.trend === "Ad" ? p.phi : 1;
  const betaOverAlpha = hasTrend ? p.beta / alpha : 0;
  const gamma = p.gamma;
  // Positive forecasts are required where the model divides by them or takes their logarithm.
  const needPositive = multError || season === 2;

  let l = init.level;
  let b = hasTrend ? init.slope : 0;
  // ring[k] holds the state used by the observation k steps into the cycle: the oldest first.
  if (season !== 0) for (let k = 0; k < m; k++) ring[k] = init.seasonal[m - 1 - k]!;
  if (trace) {
    trace.levels[0] = l;
    trace.slopes[0] = b;
    trace.seasonals[0] = season !== 0 ? init.seasonal[0]! : 0;
  }
  let j = 0;
  let sse = 0;
  let sumLog = 0;
  let product = 1;
  let valid = true;
  for (let t = 0; t < n; t++) {
    const yt = y[t]!;
    const q = l + phi * b;
    let s = 0;
    let yhat = q;
    let deseason = yt;
    if (season === 1) {
      s = ring[j]!;
      yhat = q + s;
      deseason = yt - s;
    } else if (season === 2) {
      s = ring[j]!;
      yhat = q * s;
    }
    if (needPositive && !(yhat > 0 && (season !== 2 || q > 0))) {
      valid = false;
      break;
    }
    // One division serves the whole step: 1/ŷ, and y/s = y q/ŷ, y/q = y s/ŷ under a
    // multiplicative season (three divisions would be the step's bottleneck).
    const inv = needPositive ? 1 / yhat : 0;
    if (season === 2) deseason = yt * q * inv;
    const e = multError ? (yt - yhat) * inv : yt - yhat;
    sse += e * e;
    if (multError) {
      // Σ ln ŷ as the log of a running product: Math.log on every step would cost more than the
      // rest of the step; the product is folded into the sum before it can over- or underflow.
      product *= yhat;
      if (product > 1e250 || product < 1e-250) {
        sumLog += Math.log(product);
        product = 1;
      }
    }
    const lNew = q + alpha * (deseason - q);
    if (hasTrend) b = phi * b + betaOverAlpha * (lNew - q);
    if (season === 1) ring[j] = s + gamma * (yt - q - s);
    else if (season === 2) ring[j] = s + gamma * (yt * s * inv - s);
    l = lNew;
    if (trace) {
      trace.fitted[t] = yhat;
      trace.residuals[t] = e;
      trace.levels[t + 1] = l;
      trace.slopes[t + 1] = b;
      trace.seasonals[t + 1] = season !== 0 ? ring[j]! : 0;
    }
    if (season !== 0) j = j + 1 === m ? 0 : j + 1;
  }
  if (final) {
    final.level = l;
    final.slope = b;
    // Newest first: the state written last sits just before the pointer.
    if (season !== 0) {
      const out = final.seasonal.length === m ? final.seasonal : (final.seasonal = new Float64Array(m));
      for (let k = 0; k < m; k++) out[k] = ring[(j - 1 - k + 2 * m) % m]!;
    }
  }
  return { sse, sumLogFitted: sumLog + Math.log(product), valid };
}

/**
 * forecast::ets's "lik" criterion, -2 log-likelihood up to constants with the variance
 * concentrated out: n ln(Σe²) for additive errors, n ln(Σe²) + 2 Σ ln|ŷ| for multiplicative
 * ones. `floorSse` keeps an exact fit (a perfectly linear series under a trend model) finite.
 */
export function concentratedLik(sums: FilterSums, n: number, multError: boolean, floorSse: number): number {
  if (!sums.valid || !Number.isFinite(sums.sse)) return Infinity;
  const lik = n * Math.log(Math.max(sums.sse, floorSse));
  return multError ? lik + 2 * sums.sumLogFitted : lik;
}

/**
 * Whether all roots of c[0] + c[1] z + ... + c[d] z^d lie inside the circle |z| < radius, by the
 * Schur-Cohn step-down recursion: the roots are inside the unit circle iff |c[0]| < |c[d]| and
 * the degree d-1 polynomial (c[d] c[i+1] - c[0] c[d-1-i]) has all its roots inside too.
 * `scratch` needs d + 1 entries. O(d²).
 */
export function rootsInside(c: ArrayLike<number>, radius: number, scratch: Float64Array): boolean {
  let d = c.length - 1;
  // Roots of c(z) inside |z| < r  <=>  roots of c(r w) inside |w| < 1.
  let scale = 1;
  for (let i = 0; i <= d; i++) {
    scratch[i] = c[i]! * scale;
    scale *= radius;
  }
  while (d > 0) {
    const lead = scratch[d]!;
    const tail = scratch[0]!;
    if (!(Math.abs(tail) < Math.abs(lead))) return false;
    for (let i = 0; i < d; i++) scratch[i] = lead * scratch[i + 1]! - tail * scratch[d - 1 - i]!;
    d--;
  }
  return true;
}

/**
 * HKOS ch. 10 admissibility (the states forget their start: the eigenvalues of the discount
 * matrix D = F - g w' other than the unit root that unnormalised seasonal states always carry lie
 * inside the unit circle), applied as forecast::ets does to every form with the parameters
 * alone. Without a season the usual bounds (0 < β < α < 1, 0.8 <= φ <= 0.98) already imply it.
 * With one, the characteristic polynomial of D divided by (z - 1), which we derived with sympy
 * (test/reference/ets_reference.md), is, lowest power first:
 *   no trend:  α+γ-1, α, ..., α, 1                                    (degree m)
 *   trend:     φ(1-α-γ), α+βφ-αφ+γ-1, α+βφ-αφ (m-2 times), α+βφ-φ, 1  (degree m+1)
 * Roots on the circle up to 1e-10 pass, as in forecast::ets. O(m²).
 */
export function admissible(spec: EtsSpec, p: EtsParams, scratch?: Float64Array): boolean {
  if (spec.season === "N") return true;
  const m = spec.period;
  const { alpha, gamma } = p;
  const buf = scratch ?? new Float64Array(m + 2);
  const c = new Float64Array(spec.trend === "N" ? m + 1 : m + 2);
  if (spec.trend === "N") {
    c[0] = alpha + gamma - 1;
    for (let i = 1; i < m; i++) c[i] = alpha;
    c[m] = 1;
  } else {
    const phi = spec.trend === "Ad" ? p.phi : 1;
    const beta = p.beta;
    c[0] = phi * (1 - alpha - gamma);
    c[1] = alpha + beta * phi - alpha * phi + gamma - 1;
    for (let i = 2; i < m; i++) c[i] = alpha + beta * phi - alpha * phi;
    c[m] = alpha + beta * phi - phi;
    c[m + 1] = 1;
  }
  return rootsInside(c, 1 + 1e-10, buf);
}

/**
 * Point forecasts h = 1..horizon steps after the states `last` (HKOS Table 2.1):
 * (l + φ_h b) [+ or x] the seasonal state of the same season, φ_h = φ + ... + φ^h. O(horizon).
 */
export function pointForecasts(spec: EtsSpec, p: EtsParams, last: EtsState, horizon: number): Float64Array {
  const m = seasonLength(spec);
  const phi = spec.trend === "Ad" ? p.phi : 1;
  const out = new Float64Array(horizon);
  let phiSum = 0;
  let phiPower = 1;
  for (let h = 1; h <= horizon; h++) {
    phiPower *= phi;
    phiSum += phiPower;
    const q = spec.trend === "N" ? last.level : last.level + phiSum * last.slope;
    // Step h uses the newest-first state number m - 1 - ((h - 1) mod m).
    const s = spec.season === "N" ? 0 : last.seasonal[m - 1 - ((h - 1) % m)]!;
    out[h - 1] = spec.season === "A" ? q + s : spec.season === "M" ? q * s : q;
  }
  return out;
}
