/**
 * Daily unit forecasts for one product: slow movers (intermittent or lumpy demand by Syntetos,
 * Boylan & Croston's 2005 classification of the last half year) get the Syntetos-Boylan
 * approximation of Croston's method, whose flat rate suits demand that comes in occasional
 * lumps; everything else goes through forecastDaily (ETS with the shop's calendar). A product
 * that has not sold for `staleDays` is forecast at zero: ETS and Croston would both keep
 * forecasting its old rate indefinitely.
 */
import type { Random } from "~/ml/random";

import { forecastDaily, type DailyForecast } from "./daily";
import { classifyDemand, sba } from "./intermittent";

export interface UnitForecastOptions {
  horizon: number;
  level?: number;
  random: Random;
  /** Days looked at to classify demand. */
  classifyDays?: number;
  /** No sale in this many days: nothing is expected. */
  staleDays?: number;
}

export function forecastUnits(y: Float64Array, firstDay: number, options: UnitForecastOptions): DailyForecast {
  const level = options.level ?? 80;
  const { horizon } = options;
  const recent = y.subarray(Math.max(0, y.length - (options.classifyDays ?? 182)));
  let lastSale = -1;
  for (let i = y.length - 1; i >= 0; i--) {
    if (y[i]! > 0) {
      lastSale = i;
      break;
    }
  }
  const zero = (model: string): DailyForecast => ({
    mean: new Float64Array(horizon),
    lower: new Float64Array(horizon),
    upper: new Float64Array(horizon),
    level,
    model,
    closedWeekdays: [],
    droppedDays: 0,
  });
  if (lastSale < 0) return zero("no sales");
  if (y.length - 1 - lastSale >= (options.staleDays ?? 90)) return zero("not sold recently");
  if (recent.length > 0 && classifyDemand(recent).sparse) {
    const f = sba(recent, horizon, { level });
    return { mean: f.mean, lower: f.lower, upper: f.upper, level, model: "SBA", closedWeekdays: [], droppedDays: 0 };
  }
  return forecastDaily(y, firstDay, { horizon, level, random: options.random });
}
