/**
 * Daily unit forecasts for one product: slow movers (intermittent or lumpy demand by Syntetos,
 * Boylan & Croston's 2005 classification of the last half year) get the Syntetos-Boylan
 * approximation of Croston's method, whose flat rate suits demand that comes in occasional
 * lumps; everything else goes through forecastDaily (ETS with the shop's calendar). A product
 * that has not sold for `staleDays` is forecast at zero: ETS and Croston would both keep
 * forecasting its old rate indefinitely.
 *
 * History starts at the product's first sale: the zeros before it are days it did not exist,
 * and counting them would class a new best seller as a slow mover and forecast a fraction of
 * its sales.
 */
import type { Random } from "~/ml/random";

import { forecastDaily, type DailyForecast } from "./daily";
import { classifyDemand, negativeBinomialQuantile, sba } from "./intermittent";

export interface UnitForecastOptions {
  horizon: number;
  level?: number;
  random: Random;
  /** Days looked at to classify demand. */
  classifyDays?: number;
  /** No sale in this many days: nothing is expected. */
  staleDays?: number;
}

export interface UnitForecast extends DailyForecast {
  /** Upper bound of total demand over days 1..h (see cover.ts): what stock-out warnings use. */
  cumulativeUpper: Float64Array;
}

/** Running sums of the daily upper bounds: errors that move together (ETS). */
function summedUpperBounds(upper: Float64Array): Float64Array {
  const out = new Float64Array(upper.length);
  let total = 0;
  upper.forEach((u, h) => (out[h] = total += u));
  return out;
}

export function forecastUnits(y: Float64Array, firstDay: number, options: UnitForecastOptions): UnitForecast {
  const level = options.level ?? 80;
  const { horizon } = options;
  const firstSale = y.findIndex((v) => v > 0);
  const lastSale = y.findLastIndex((v) => v > 0);
  /** A forecast made without the shop's calendar (no closed weekdays, nothing dropped). */
  const plain = (
    model: string,
    f: { mean: Float64Array; lower: Float64Array; upper: Float64Array },
    cumulativeUpper: Float64Array,
  ): UnitForecast => ({
    mean: f.mean,
    lower: f.lower,
    upper: f.upper,
    cumulativeUpper,
    level,
    model,
    closedWeekdays: [],
    droppedTradingDays: 0,
  });
  const zeros = () => new Float64Array(horizon);
  const zero = (model: string) => plain(model, { mean: zeros(), lower: zeros(), upper: zeros() }, zeros());
  if (lastSale < 0) return zero("no sales");
  if (y.length - 1 - lastSale >= (options.staleDays ?? 90)) return zero("not sold recently");
  const history = y.subarray(firstSale);
  const recent = history.subarray(Math.max(0, history.length - (options.classifyDays ?? 182)));
  if (classifyDemand(recent).sparse) {
    const f = sba(recent, horizon, { level });
    // Independent daily draws: the total over h days is negative binomial with mean h x rate
    // and the same dispersion, so its upper quantile grows like sqrt(h), not like h.
    const upperProbability = 0.5 + level / 200;
    const cumulativeUpper = Float64Array.from({ length: horizon }, (_, h) =>
      negativeBinomialQuantile(f.mean[0]! * (h + 1), f.dispersion, upperProbability),
    );
    return plain("SBA", f, cumulativeUpper);
  }
  const f = forecastDaily(Float64Array.from(history), firstDay + firstSale, {
    horizon,
    level,
    random: options.random,
  });
  return { ...f, cumulativeUpper: summedUpperBounds(f.upper) };
}
