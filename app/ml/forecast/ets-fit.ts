/**
 * Maximum-likelihood fit of one exponential smoothing form (ets-model.ts) the way R's
 * forecast::ets fits it with its defaults: the "lik" criterion (the concentrated likelihood),
 * smoothing parameters and initial states estimated together, the "both" bounds (the usual
 * region 0 < β < α < 1, 0 < γ < 1 - α, 0.8 <= φ <= 0.98, intersected with the admissible
 * region), and its decomposition heuristic for the starting states.
 *
 * Parametrisation. The optimiser (app/ml/optimize.ts, bounded Nelder-Mead) handles boxes, not
 * the triangles β < α and γ < 1 - α, so it searches α in [1e-4, 0.9999] (forecast::ets's lower
 * and upper), u, v in [0, 0.9999] and φ in [0.8, 0.98], with β = 1e-4 + u (α - 1e-4) and
 * γ = 1e-4 + v (1 - α - 1e-4). β and γ then sweep exactly forecast::ets's usual region
 * (1e-4 <= β < α, 1e-4 <= γ < 1 - α) without the evaluations it spends on rejected points;
 * only the admissibility test remains a penalty (+Infinity). The initial
 * level, slope and additive seasonal states are searched in units of the series' mean |y| (the
 * slope in that unit per max(10, 2m) steps) so that one simplex step size suits every
 * coordinate whatever the currency. The last seasonal state is not free: it makes the
 * initial states sum to 0 (additive) or m (multiplicative), as in forecast::ets.
 */
import { minimize, nelderMead } from "~/ml/optimize";

import {
  admissible,
  checkSpec,
  concentratedLik,
  runFilter,
  seasonLength,
  type EtsParams,
  type EtsSpec,
  type EtsState,
  type FilterTrace,
} from "./ets-model";

/** forecast::ets's default `lower`/`upper` for α, β, γ, and its bounds for φ. */
export const SMOOTHING_BOUNDS = { lower: 1e-4, upper: 0.9999, phiLower: 0.8, phiUpper: 0.98 } as const;

export interface EtsFit {
  spec: EtsSpec;
  /** Observations fitted. */
  n: number;
  params: EtsParams;
  /** Estimated initial states (time 0, before the first observation). */
  initial: EtsState;
  /** States after the last observation: where forecasts start. */
  last: EtsState;
  /** One-step fitted values ŷ_t, length n. */
  fitted: Float64Array;
  /** Innovations e_t: y - ŷ for additive errors, (y - ŷ) / ŷ for multiplicative ones. */
  residuals: Float64Array;
  /** State history, length n + 1 (index 0 = initial): level, slope and the seasonal state s_t written at t. */
  states: { levels: Float64Array; slopes: Float64Array; seasonals: Float64Array };
  /** forecast::ets's criterion: n ln Σe² (+ 2 Σ ln|ŷ| for multiplicative errors). */
  lik: number;
  /** -lik / 2, forecast::ets's `loglik` (the Gaussian log-likelihood up to an additive constant in n). */
  loglik: number;
  aic: number;
  /** Infinity when n <= nParams + 1. */
  aicc: number;
  bic: number;
  /** Σe² / (n - estimated parameters), forecast::ets's sigma2 (relative for multiplicative errors). */
  sigma2: number;
  /** Parameters counted by the information criteria: estimated smoothing parameters and initial states, plus σ². */
  nParams: number;
  evaluations: number;
  converged: boolean;
}

export interface FitOptions {
  /** Objective evaluations for the whole fit. Default 150 * free coordinates + 300. */
  maxEvaluations?: number;
  /** Hold any of the smoothing parameters fixed instead of estimating it. */
  fixed?: Partial<EtsParams>;
  /** Hold the initial states fixed (seasonal newest first, as forecast::ets prints them). */
  initial?: EtsState;
  /**
   * Stop after a short phase 1 (smoothing parameters, level and slope; seasonal states at the
   * heuristic start): a quick, slightly pessimistic likelihood for screening forms.
   */
  screening?: boolean;
}

/** Smoothing parameters and states estimated for a form: forecast::ets's `npars` before σ². */
export function freeParameterCount(spec: EtsSpec): number {
  const m = seasonLength(spec);
  let k = 2; // alpha, l0
  if (spec.trend !== "N") k += 2; // beta, b0
  if (spec.trend === "Ad") k += 1; // phi
  if (spec.season !== "N") k += m; // gamma and m - 1 free seasonal states
  return k;
}

/**
 * forecast::ets's starting states: seasonal indices from a classical decomposition (centred
 * moving average, 2 x m for even m) of the first `cycles` cycles (three in forecast::ets; two
 * when that is all there is),
 * then a least-squares line through the first max(10, 2m) seasonally adjusted values: its
 * value at time 0 is l0 and its slope b0 (the mean of those values is l0 without a trend).
 * O(n + m).
 * @throws RangeError when a seasonal form gets fewer than two whole cycles.
 */
export function heuristicInitialStates(y: Float64Array, spec: EtsSpec, cycles = 3): EtsState {
  const m = checkSpec(spec);
  const n = y.length;
  const seasonal = new Float64Array(spec.season === "N" ? 0 : m);
  const adjusted = Float64Array.from(y);
  if (spec.season !== "N") {
    if (n < 2 * m) throw new RangeError(`a seasonal start needs two cycles (${2 * m} points), got ${n}`);
    const k = Math.min(Math.floor(n / m), cycles) * m;
    const half = Math.floor(m / 2);
    const sums = new Float64Array(m);
    const counts = new Float64Array(m);
    for (let t = half; t < k - half; t++) {
      let trend = 0;
      if (m % 2 === 1) {
        for (let i = t - half; i <= t + half; i++) trend += y[i]!;
      } else {
        trend = 0.5 * (y[t - half]! + y[t + half]!);
        for (let i = t - half + 1; i < t + half; i++) trend += y[i]!;
      }
      trend /= m;
      const detrended = spec.season === "A" ? y[t]! - trend : trend > 0 ? y[t]! / trend : 1;
      sums[t % m]! += detrended;
      counts[t % m]! += 1;
    }
    let total = 0;
    for (let i = 0; i < m; i++) {
      sums[i] = counts[i]! > 0 ? sums[i]! / counts[i]! : spec.season === "A" ? 0 : 1;
      total += sums[i]!;
    }
    for (let i = 0; i < m; i++) {
      // Normalised: indices sum to 0 (additive) or average 1 (multiplicative).
      const index = spec.season === "A" ? sums[i]! - total / m : (sums[i]! * m) / total;
      // Observation t (0-based) uses the initial state t + 1 places from the newest.
      seasonal[m - 1 - i] = index;
    }
    for (let t = 0; t < n; t++) {
      const index = seasonal[m - 1 - (t % m)]!;
      adjusted[t] = spec.season === "A" ? y[t]! - index : y[t]! / index;
    }
  }
  const maxn = Math.min(Math.max(10, 2 * m), n);
  let level: number;
  let slope = 0;
  if (spec.trend === "N" || maxn < 2) {
    let s = 0;
    for (let t = 0; t < maxn; t++) s += adjusted[t]!;
    level = s / maxn;
  } else {
    // Least squares of adjusted[t - 1] on t = 1..maxn; the intercept is the value at t = 0.
    const tMean = (maxn + 1) / 2;
    let yMean = 0;
    for (let t = 0; t < maxn; t++) yMean += adjusted[t]!;
    yMean /= maxn;
    let sxy = 0;
    let sxx = 0;
    for (let t = 1; t <= maxn; t++) {
      sxy += (t - tMean) * (adjusted[t - 1]! - yMean);
      sxx += (t - tMean) * (t - tMean);
    }
    slope = sxy / sxx;
    level = yMean - slope * tMean;
  }
  return { level, slope, seasonal };
}

/** The coordinates the optimiser moves, in order; fixed parameters are left out. */
interface Layout {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  level: number;
  slope: number;
  /** First of the m - 1 free seasonal states (newest first), -1 when the states are fixed or absent. */
  seasonal: number;
  size: number;
}

function layoutFor(spec: EtsSpec, options: FitOptions): Layout {
  let k = 0;
  const next = (use: boolean, width = 1) => {
    if (!use) return -1;
    const at = k;
    k += width;
    return at;
  };
  const fixed = options.fixed ?? {};
  const free = !options.initial;
  const m = seasonLength(spec);
  return {
    alpha: next(fixed.alpha === undefined),
    beta: next(spec.trend !== "N" && fixed.beta === undefined),
    gamma: next(spec.season !== "N" && fixed.gamma === undefined),
    phi: next(spec.trend === "Ad" && fixed.phi === undefined),
    level: next(free),
    slope: next(free && spec.trend !== "N"),
    seasonal: next(free && spec.season !== "N", m - 1),
    get size() {
      return k;
    },
  };
}

/**
 * Fits one form by maximum likelihood. Cost: O(evaluations * n), evaluations ~ the budget
 * (150 per free coordinate + 300 by default; about 2,100 for ETS(M,Ad,M) with m = 7).
 * @throws RangeError on an empty or non-finite series, a bad spec, non-positive data under a
 *   multiplicative form, too few points for the form (n <= parameters + 4, forecast::ets's rule,
 *   or fewer than two cycles for a seasonal form), or fixed parameters outside their bounds.
 */
export function fitEts(y: Float64Array, spec: EtsSpec, options: FitOptions = {}): EtsFit {
  const m = checkSpec(spec);
  const n = y.length;
  if (n === 0) throw new RangeError("fitEts needs at least one observation");
  let meanAbs = 0;
  let positive = true;
  for (let t = 0; t < n; t++) {
    const v = y[t]!;
    if (!Number.isFinite(v)) throw new RangeError(`y[${t}] is not finite`);
    if (!(v > 0)) positive = false;
    meanAbs += Math.abs(v);
  }
  meanAbs /= n;
  if ((spec.error === "M" || spec.season === "M") && !positive) {
    throw new RangeError("multiplicative forms need strictly positive data");
  }
  const free = freeParameterCount(spec);
  if (n <= free + 4) throw new RangeError(`${n} points are too few for a form with ${free} parameters`);
  const fixed = options.fixed ?? {};
  for (const [name, value] of Object.entries(fixed)) {
    if (value !== undefined && !Number.isFinite(value)) throw new RangeError(`fixed ${name} is not finite`);
  }

  const layout = layoutFor(spec, options);
  const start = options.initial ?? heuristicInitialStates(y, spec);
  const scale = meanAbs > 0 ? meanAbs : 1;
  const slopeScale = scale / Math.max(10, 2 * m);
  const seasonScale = spec.season === "A" ? scale : 1;
  const multError = spec.error === "M";
  // An exact fit (Σe² = 0) would send n ln Σe² to -Infinity; floor it far below any real noise.
  const floorSse = n * (1e-10 * scale) ** 2;
  const { lower: lo, upper: hi, phiLower, phiUpper } = SMOOTHING_BOUNDS;

  const params: EtsParams = { alpha: 0, beta: 0, gamma: 0, phi: 1 };
  const state: EtsState = {
    level: start.level,
    slope: start.slope,
    seasonal: Float64Array.from(start.seasonal),
  };
  const ring = new Float64Array(m);
  const scratch = new Float64Array(m + 2);

  /** x -> params and initial state (in place). Returns false when the seasonal states are impossible. */
  const decode = (x: Float64Array): boolean => {
    const alpha = layout.alpha >= 0 ? x[layout.alpha]! : fixed.alpha!;
    params.alpha = alpha;
    params.beta = spec.trend === "N" ? 0 : layout.beta >= 0 ? lo + x[layout.beta]! * (alpha - lo) : fixed.beta!;
    params.gamma =
      spec.season === "N" ? 0 : layout.gamma >= 0 ? lo + x[layout.gamma]! * (1 - alpha - lo) : fixed.gamma!;
    params.phi = spec.trend === "Ad" ? (layout.phi >= 0 ? x[layout.phi]! : fixed.phi!) : 1;
    if (layout.level >= 0) state.level = x[layout.level]! * scale;
    if (layout.slope >= 0) state.slope = x[layout.slope]! * slopeScale;
    if (layout.seasonal >= 0) {
      let sum = 0;
      for (let i = 0; i < m - 1; i++) {
        const s = x[layout.seasonal + i]! * seasonScale;
        state.seasonal[i] = s;
        sum += s;
      }
      state.seasonal[m - 1] = spec.season === "A" ? -sum : m - sum;
    }
    if (spec.season === "M") for (let i = 0; i < m; i++) if (!(state.seasonal[i]! > 0)) return false;
    return true;
  };

  const objective = (x: Float64Array): number => {
    if (!decode(x)) return Infinity;
    if (!admissible(spec, params, scratch)) return Infinity;
    return concentratedLik(runFilter(y, spec, params, state, ring), n, multError, floorSse);
  };

  // Starting point: forecast::ets's initial smoothing parameters (α = 0.2 / m into the box,
  // β = 0.1 α, γ = 0.05 (1 - α), φ = 0.978) and the heuristic states.
  const x0 = new Float64Array(layout.size);
  const lower = new Float64Array(layout.size).fill(-Infinity);
  const upper = new Float64Array(layout.size).fill(Infinity);
  const box = (at: number, value: number, a: number, b: number) => {
    if (at < 0) return;
    x0[at] = Math.min(b, Math.max(a, value));
    lower[at] = a;
    upper[at] = b;
  };
  box(layout.alpha, lo + (0.2 * (hi - lo)) / m, lo, hi);
  box(layout.beta, 0.1, 0, hi);
  box(layout.gamma, 0.05, 0, hi);
  box(layout.phi, phiLower + 0.99 * (phiUpper - phiLower), phiLower, phiUpper);
  const putStates = (st: EtsState, x: Float64Array) => {
    if (layout.level >= 0) x[layout.level] = st.level / scale;
    if (layout.slope >= 0) x[layout.slope] = st.slope / slopeScale;
    if (layout.seasonal >= 0) for (let i = 0; i < m - 1; i++) x[layout.seasonal + i] = st.seasonal[i]! / seasonScale;
  };
  putStates(start, x0);

  let evaluations = 0;
  let converged = true;
  let best: Float64Array = x0;
  const total = options.maxEvaluations ?? 150 * layout.size + 300;
  // Phase 1: the smoothing parameters, level and slope, seasonal states held at a heuristic
  // start. In at most six dimensions Nelder-Mead gets close in a few hundred evaluations, where
  // the joint search in up to 12
  // dimensions (m = 7) would spend many more getting there: this is what makes 15 forms of a
  // 730-day series affordable. Phase 2 then moves everything together from the better point.
  // Seasonal forms with more than three cycles get a second start from a decomposition of up to
  // 20 cycles: on long noisy daily series forecast::ets's three-week start often leads into a
  // worse optimum (by 6 units of -2 log L on average in our synthetic check), and phase 1 from
  // both costs far less than the joint search needs to climb out of it.
  const smoothing = [layout.alpha, layout.beta, layout.gamma, layout.phi, layout.level, layout.slope].filter(
    (at) => at >= 0,
  );
  const starts = [x0];
  if (!options.initial && spec.season !== "N" && Math.floor(n / m) > 3) {
    const alt = Float64Array.from(x0);
    putStates(heuristicInitialStates(y, spec, Math.min(Math.floor(n / m), 20)), alt);
    starts.push(alt);
  }
  if (smoothing.length > 0 && (smoothing.length < layout.size || options.screening)) {
    let bestValue = Infinity;
    const phase1Budget = Math.floor(
      (options.screening ? 40 * smoothing.length + 60 : Math.min(total * 0.3, 60 * smoothing.length + 100)) /
        starts.length,
    );
    for (const x of starts) {
      const sub = new Float64Array(smoothing.length);
      const full = Float64Array.from(x);
      const partial = (u: Float64Array): number => {
        for (let i = 0; i < smoothing.length; i++) full[smoothing[i]!] = u[i]!;
        return objective(full);
      };
      for (let i = 0; i < smoothing.length; i++) sub[i] = x[smoothing[i]!]!;
      const run = nelderMead(partial, sub, {
        lower: smoothing.map((at) => lower[at]!),
        upper: smoothing.map((at) => upper[at]!),
        maxEvaluations: phase1Budget,
        initialStep: 0.1,
        xTolerance: 1e-4,
        fTolerance: 1e-8,
      });
      evaluations += run.evaluations;
      if (run.value < bestValue) {
        bestValue = run.value;
        for (let i = 0; i < smoothing.length; i++) full[smoothing[i]!] = run.x[i]!;
        x0.set(full);
      }
    }
  } else if (starts.length > 1 && objective(starts[1]!) < objective(x0)) {
    evaluations += 2;
    x0.set(starts[1]!);
  }
  if (options.screening && smoothing.length > 0) {
    best = x0;
    converged = false;
  } else if (layout.size > 0) {
    const result = minimize(objective, [x0], {
      lower,
      upper,
      maxEvaluations: Math.max(total - evaluations, 2 * layout.size + 2),
      initialStep: 0.1,
      xTolerance: 1e-6,
      fTolerance: 1e-10,
    });
    best = result.x;
    evaluations += result.evaluations;
    converged = result.converged;
    if (!Number.isFinite(result.value))
      throw new RangeError(`${spec.error}${spec.trend}${spec.season}: no admissible start`);
  } else {
    evaluations = 1;
  }
  if (!decode(best)) throw new RangeError("the fit left impossible seasonal states");
  for (const key of ["alpha", "beta", "gamma", "phi"] as const) {
    if (fixed[key] !== undefined) params[key] = fixed[key];
  }

  const initial: EtsState = { level: state.level, slope: state.slope, seasonal: Float64Array.from(state.seasonal) };
  const trace: FilterTrace = {
    fitted: new Float64Array(n),
    residuals: new Float64Array(n),
    levels: new Float64Array(n + 1),
    slopes: new Float64Array(n + 1),
    seasonals: new Float64Array(n + 1),
  };
  const last: EtsState = { level: 0, slope: 0, seasonal: new Float64Array(spec.season === "N" ? 0 : m) };
  const sums = runFilter(y, spec, params, initial, ring, last, trace);
  const lik = concentratedLik(sums, n, multError, floorSse);
  const estimated = layout.size;
  const k = estimated + 1;
  const aic = lik + 2 * k;
  return {
    spec: { ...spec },
    n,
    params: { ...params },
    initial,
    last,
    fitted: trace.fitted,
    residuals: trace.residuals,
    states: { levels: trace.levels, slopes: trace.slopes, seasonals: trace.seasonals },
    lik,
    loglik: -0.5 * lik,
    aic,
    aicc: n - k - 1 > 0 ? aic + (2 * k * (k + 1)) / (n - k - 1) : Infinity,
    bic: aic + k * (Math.log(n) - 2),
    sigma2: sums.sse / Math.max(n - estimated, 1),
    nParams: k,
    evaluations,
    converged,
  };
}
