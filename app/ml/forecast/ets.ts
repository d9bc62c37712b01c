/**
 * Exponential smoothing forecasts with automatic model selection, after R's forecast::ets
 * (Hyndman, Koehler, Ord & Snyder 2008; Hyndman & Khandakar 2008, "Automatic time series
 * forecasting: the forecast package for R", J. Stat. Software 27(3)). This is the forecasting
 * core of the sales forecasts: daily series, a weekly period, a few hundred to a few thousand
 * series per shop, so it is fast (a tight likelihood loop, see ets-model.ts) and never throws
 * on a short or degenerate series: it falls back to simpler forms instead.
 *
 * Files: ets-model.ts (forms, filter, likelihood, admissibility), ets-fit.ts (starting values
 * and the maximum-likelihood fit), ets-intervals.ts (point forecasts, analytic and simulated
 * intervals), this file (selection and fallbacks).
 *
 * Selection. Every allowed form is fitted and the smallest AICc wins, as forecast::ets does with
 * its defaults. The candidates are error A or M x trend N, A or Ad x season N, A or M, minus:
 *   - multiplicative error or season unless every value is > 0 (forecast::ets's rule; ratios to
 *     a zero level are meaningless), or when the caller sets allowMultiplicative: false;
 *   - additive error with a multiplicative season (ETS(A,*,M)): forecast::ets's restrict = TRUE
 *     drops them because their forecast variance can be infinite (HKOS §15.1; the
 *     multiplicative season divides by a level that additive noise can push through zero);
 *   - multiplicative trends (not implemented; forecast::ets's allow.multiplicative.trend
 *     defaults to FALSE for the same instability, so its default set is what we search);
 *   - forms with too many parameters for the data: n <= parameters + 4 (forecast::ets), and
 *     seasonal forms unless there are two whole cycles and 2m + 4 points.
 * So a positive daily series with a weekly cycle tries 15 forms, one with zeros tries 6.
 *
 * Fallbacks, in order: no season, then simple exponential smoothing (ETS(A,N,N) or ETS(M,N,N),
 * from 7 points), then the mean of the series with the mean method's interval
 * ȳ ± z s sqrt(1 + 1/n). A constant series (zeros, and any single value, included) forecasts
 * that constant with σ = 0 and zero-width intervals.
 */
import type { Random } from "~/ml/random";

import { fitEts, freeParameterCount, type EtsFit } from "./ets-fit";
import { normalQuantile } from "./baselines";
import { forecastEts } from "./ets-intervals";
import { etsName, type EtsSpec, type ErrorType, type SeasonType, type TrendType } from "./ets-model";

export { fitEts, heuristicInitialStates, freeParameterCount, SMOOTHING_BOUNDS } from "./ets-fit";
export type { EtsFit, FitOptions } from "./ets-fit";
export { forecastEts, innovationWeights, simulatePaths, hasAnalyticVariance } from "./ets-intervals";
export type { EtsIntervals, IntervalOptions } from "./ets-intervals";
export { admissible, etsName, pointForecasts, runFilter } from "./ets-model";
export type { EtsParams, EtsSpec, EtsState, ErrorType, SeasonType, TrendType } from "./ets-model";

export interface AutoEtsOptions {
  /** Season length m: 7 for daily data with a weekly cycle; 1 for no season. */
  period: number;
  /** Interval coverage in percent. Default 80. */
  level?: number;
  /** Steps to forecast. */
  horizon: number;
  /** Seeded generator for simulated intervals (app/ml/random.ts). */
  random: Random;
  /** Consider multiplicative error and season (only ever for strictly positive data). Default true. */
  allowMultiplicative?: boolean;
  /** Sample paths for simulated intervals. Default 5,000. */
  paths?: number;
}

export interface EtsCandidate {
  model: string;
  aicc: number;
  /** Why the form could not be fitted, when it could not. */
  error?: string;
}

export interface EtsForecast {
  /** "ETS(M,Ad,A)", or "constant" / "mean" for the fallbacks. */
  model: string;
  /** The selected fit; null for the constant and mean fallbacks. */
  fit: EtsFit | null;
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  level: number;
  intervalMethod: "analytic" | "simulated" | "fallback";
  /** Every form tried with its AICc, in the order tried. */
  candidates: EtsCandidate[];
}

/** The forms autoEts tries for a series of n points (see the file comment for the rules). */
export function candidateSpecs(n: number, period: number, positive: boolean, allowMultiplicative: boolean): EtsSpec[] {
  const mult = positive && allowMultiplicative;
  const errors: ErrorType[] = mult ? ["A", "M"] : ["A"];
  const trends: TrendType[] = ["N", "A", "Ad"];
  const seasonalOk = period >= 2 && n >= 2 * period + 4;
  const seasons: SeasonType[] = seasonalOk ? (mult ? ["N", "A", "M"] : ["N", "A"]) : ["N"];
  const out: EtsSpec[] = [];
  for (const error of errors) {
    for (const trend of trends) {
      for (const season of seasons) {
        if (error === "A" && season === "M") continue;
        const spec: EtsSpec = { error, trend, season, period: season === "N" ? 1 : period };
        if (n <= freeParameterCount(spec) + 4) continue;
        out.push(spec);
      }
    }
  }
  return out;
}

/** Series longer than this are screened before the full fits; that many forms are refined. */
const SCREEN_ABOVE = 200;
const REFINED = 2;

/**
 * Objective evaluations per form during selection: fitEts's default (150 per free coordinate +
 * 300) for short series, where a pass is cheap, shrinking to ~300,000 / n (but at least
 * 25 per coordinate + 100) for long ones: 411 for a 730-day series, which keeps 15 forms of 500
 * such series within the speed budget. The two-phase search of fitEts gets most of the way in
 * that many (see the test for the likelihood given up against the full budget).
 */
export function selectionBudget(spec: EtsSpec, n: number): number {
  const size = freeParameterCount(spec);
  return Math.round(Math.min(150 * size + 300, Math.max(25 * size + 100, 600000 / n)));
}

function constantForecast(value: number, horizon: number, level: number): EtsForecast {
  return {
    model: "constant",
    fit: null,
    mean: new Float64Array(horizon).fill(value),
    lower: new Float64Array(horizon).fill(value),
    upper: new Float64Array(horizon).fill(value),
    level,
    intervalMethod: "fallback",
    candidates: [],
  };
}

/** The mean method (Hyndman & Athanasopoulos, fpp2 §3.1): ȳ ± z s sqrt(1 + 1/n), for 2-6 points. */
function meanForecast(y: Float64Array, horizon: number, level: number, candidates: EtsCandidate[]): EtsForecast {
  const n = y.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += y[t]!;
  mean /= n;
  let ss = 0;
  for (let t = 0; t < n; t++) ss += (y[t]! - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const half = normalQuantile(0.5 + level / 200) * sd * Math.sqrt(1 + 1 / n);
  return {
    model: "mean",
    fit: null,
    mean: new Float64Array(horizon).fill(mean),
    lower: new Float64Array(horizon).fill(mean - half),
    upper: new Float64Array(horizon).fill(mean + half),
    level,
    intervalMethod: "fallback",
    candidates,
  };
}

/**
 * Fits every allowed form, keeps the one with the smallest AICc, and forecasts `horizon` steps
 * with `level`% intervals. Cost: about 15 fits of a few hundred to ~2,000 likelihood passes of
 * O(n) each for a positive seasonal series (measured: see test/ml/forecast-ets.test.ts).
 * @throws RangeError on an empty or non-finite series, a period that is not a whole number
 *   >= 1, a horizon that is not a whole number >= 1, or a level outside (1, 100).
 */
export function autoEts(y: Float64Array, options: AutoEtsOptions): EtsForecast {
  const { period, horizon, random } = options;
  const level = options.level ?? 80;
  const n = y.length;
  if (n === 0) throw new RangeError("autoEts needs at least one observation");
  if (!(Number.isInteger(period) && period >= 1))
    throw new RangeError(`period must be a whole number >= 1, got ${period}`);
  if (!(Number.isInteger(horizon) && horizon >= 1))
    throw new RangeError(`horizon must be a whole number >= 1, got ${horizon}`);
  if (!(level > 1 && level < 100)) throw new RangeError(`level is a percentage in (1, 100), e.g. 80; got ${level}`);
  let positive = true;
  let constant = true;
  for (let t = 0; t < n; t++) {
    const v = y[t]!;
    if (!Number.isFinite(v)) throw new RangeError(`y[${t}] is not finite`);
    if (!(v > 0)) positive = false;
    if (v !== y[0]) constant = false;
  }
  if (constant) return constantForecast(y[0]!, horizon, level);

  const candidates: EtsCandidate[] = [];
  const specs = candidateSpecs(n, period, positive, options.allowMultiplicative ?? true);
  // Long series: screen every form with a short phase 1 of the fit (seasonal states at the
  // heuristic start, ~150-300 likelihood passes), then fit the best REFINED forms fully and
  // choose among all by AICc. Fitting all 15 forms fully costs ~2.5 times as much. The price, on
  // 40 synthetic two-year daily series against fitting every form with 3,000 evaluations: the
  // same form in 26 of 40, the chosen form's AICc 2.1 above that search's best on average (22 at
  // worst); refining 3 forms or doubling the refinement budget barely changes this (27 / 2.0),
  // so it is mostly the depth of each fit, not the screening. Short series are fitted fully.
  const screen = n > SCREEN_ABOVE && specs.length > REFINED;
  const fits: (EtsFit | null)[] = specs.map((spec) => {
    try {
      return fitEts(y, spec, screen ? { screening: true } : { maxEvaluations: selectionBudget(spec, n) });
    } catch (error) {
      candidates.push({
        model: etsName(spec),
        aicc: Infinity,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
  });
  if (screen) {
    const order = fits
      .map((fit, i) => ({ fit, i }))
      .filter((entry) => entry.fit !== null && Number.isFinite(entry.fit.aicc))
      .sort((a, b) => a.fit!.aicc - b.fit!.aicc)
      .slice(0, REFINED);
    for (const { i } of order) {
      try {
        const refined = fitEts(y, specs[i]!, { maxEvaluations: selectionBudget(specs[i]!, n) });
        if (refined.aicc < fits[i]!.aicc) fits[i] = refined;
      } catch {
        // Keep the screened fit.
      }
    }
  }
  let best: EtsFit | null = null;
  for (const fit of fits) {
    if (fit === null) continue;
    candidates.push({ model: etsName(fit.spec), aicc: fit.aicc });
    if (Number.isFinite(fit.aicc) && (best === null || fit.aicc < best.aicc)) best = fit;
  }
  if (best === null) return meanForecast(y, horizon, level, candidates);
  const intervals = forecastEts(best, horizon, level, random, { paths: options.paths });
  return {
    model: etsName(best.spec),
    fit: best,
    mean: intervals.mean,
    lower: intervals.lower,
    upper: intervals.upper,
    level,
    intervalMethod: intervals.intervalMethod,
    candidates,
  };
}
