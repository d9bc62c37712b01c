/**
 * Rolling-origin evaluation (Tashman 2000): forecast from several past days as if each were
 * the last one known, compare with what happened, and average MASE, WAPE and interval coverage
 * over the origins, as protocol F1 does. The nightly job runs it on the shop's own last weeks;
 * bench:forecast runs it on F1's fixed origins.
 */
import { intervalCoverage, mase, wape } from "./metrics";

export interface Forecaster {
  (
    train: Float64Array,
    firstDay: number,
  ): { mean: Float64Array; lower: Float64Array; upper: Float64Array; model?: string };
}

export interface BacktestResult {
  origins: number;
  mase: number;
  wape: number;
  coverage80: number;
  perOrigin: { lastTrainingDay: number; mase: number; wape: number; coverage: number; model?: string }[];
}

/**
 * @param y the whole series, oldest first; y[i] is day firstDay + i
 * @param lastTrainingIndices index of the last training day for each origin
 * @param period season length of MASE's seasonal-naive scale
 */
export function rollingOrigins(
  y: Float64Array,
  firstDay: number,
  lastTrainingIndices: number[],
  horizon: number,
  period: number,
  forecaster: Forecaster,
): BacktestResult {
  const perOrigin = lastTrainingIndices.map((end) => {
    if (end < 0 || end + horizon >= y.length) throw new RangeError(`origin ${end} leaves no ${horizon}-day holdout`);
    const train = y.slice(0, end + 1);
    const actual = y.slice(end + 1, end + 1 + horizon);
    const f = forecaster(train, firstDay);
    return {
      lastTrainingDay: firstDay + end,
      mase: mase(actual, f.mean, train, period),
      wape: wape(actual, f.mean),
      coverage: intervalCoverage(actual, f.lower, f.upper),
      ...(f.model ? { model: f.model } : {}),
    };
  });
  // A metric can be undefined at an origin (WAPE of a holdout without sales, MASE of a training
  // series whose seasonal-naive error is zero): average over the origins where it is defined,
  // NaN when it is nowhere.
  const mean = (key: "mase" | "wape" | "coverage") => {
    const defined = perOrigin.map((o) => o[key]).filter(Number.isFinite);
    return defined.length > 0 ? defined.reduce((sum, v) => sum + v, 0) / defined.length : Number.NaN;
  };
  return { origins: perOrigin.length, mase: mean("mase"), wape: mean("wape"), coverage80: mean("coverage"), perOrigin };
}

/** The last `count` origins `horizon` days apart that still leave a full holdout, oldest first. */
export function recentOrigins(length: number, count: number, horizon: number): number[] {
  const origins: number[] = [];
  for (let k = count; k >= 1; k--) origins.push(length - 1 - k * horizon);
  return origins;
}
