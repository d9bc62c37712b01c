/**
 * Daily sales forecasts the way a shop's calendar works, around automatic ETS (ets.ts):
 *
 * - Closed weekdays. A weekday with no sales in (nearly) every recent week is a day the shop
 *   does not trade (Online Retail never sells on Saturdays). Those days are forecast as zero,
 *   and the model sees only the trading days, with a season of (7 - closed days). Fitted on
 *   the calendar series, ETS smears the weekly pattern over the closed day: forecast::ets
 *   predicts about 7-8k on Online Retail's Saturdays, and additive Holt-Winters goes negative.
 * - Holiday closures. A run of at least `closureDays` trading days without a sale (Christmas
 *   shutdowns) is not demand. History before the last such run is dropped when enough remains
 *   after it; otherwise the run is kept as it is.
 * - Non-negative output: sales cannot be negative, so means and bounds are floored at zero.
 *
 * The same function serves the nightly job and bench:forecast (protocol F1), so the figures
 * quoted are those of the forecasts served.
 */
import type { Random } from "~/ml/random";

import { autoEts } from "./ets";

export interface DailyForecastOptions {
  horizon: number;
  /** Interval coverage in percent (80 by default). */
  level?: number;
  random: Random;
  /** Treat closed weekdays and holiday closures (default true). */
  calendar?: boolean;
  /** A weekday is closed when at least this share of its last `closedWeeks` occurrences sold nothing. */
  closedShare?: number;
  closedWeeks?: number;
  /** Trading-day runs of zeros at least this long are closures. */
  closureDays?: number;
}

export interface DailyForecast {
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  level: number;
  /** "ETS(A,N,A) on 6 trading days a week", "constant", ... */
  model: string;
  /** Weekdays (0 = the weekday of day number 0, Thursday 1970-01-01) treated as closed. */
  closedWeekdays: number[];
  /** Trading days of history dropped before a holiday closure. */
  droppedTradingDays: number;
}

const weekdayOf = (day: number) => ((day % 7) + 7) % 7;

/**
 * Weekdays on which the shop sold nothing in at least `share` of the last `weeks` weeks, while
 * selling on most other days.
 */
export function closedWeekdays(y: ArrayLike<number>, firstDay: number, weeks: number, share: number): number[] {
  const zeros = new Array<number>(7).fill(0);
  const seen = new Array<number>(7).fill(0);
  for (let i = Math.max(0, y.length - weeks * 7); i < y.length; i++) {
    const w = weekdayOf(firstDay + i);
    seen[w]!++;
    if (y[i] === 0) zeros[w]!++;
  }
  const closed: number[] = [];
  const allZeros = zeros.reduce((sum, z) => sum + z, 0);
  const allSeen = seen.reduce((sum, n) => sum + n, 0);
  for (let w = 0; w < 7; w++) {
    // A weekday seen fewer than four times says nothing yet.
    if (seen[w]! < 4 || zeros[w]! < share * seen[w]!) continue;
    // A shop that sells on only a few days of any week has zeros everywhere by chance: a
    // weekday is closed only if the other days mostly sell.
    const otherZeroShare = (allZeros - zeros[w]!) / Math.max(1, allSeen - seen[w]!);
    if (otherZeroShare <= 0.5) closed.push(w);
  }
  return closed.length === 7 ? [] : closed;
}

/**
 * @param y daily values, zero-filled, oldest first
 * @param firstDay day number of y[0] (days since 1970-01-01), for the weekdays
 */
export function forecastDaily(y: Float64Array, firstDay: number, options: DailyForecastOptions): DailyForecast {
  const { horizon, random } = options;
  const level = options.level ?? 80;
  const useCalendar = options.calendar ?? true;
  const closed = useCalendar ? closedWeekdays(y, firstDay, options.closedWeeks ?? 8, options.closedShare ?? 0.9) : [];
  const isOpen = (day: number) => !closed.includes(weekdayOf(day));

  // Trading days only, oldest first.
  const open: number[] = [];
  for (let i = 0; i < y.length; i++) if (isOpen(firstDay + i)) open.push(y[i]!);
  const period = 7 - closed.length;

  // Drop history before the last closure, if at least eight weeks of trading remain after it.
  let start = 0;
  const closureDays = options.closureDays ?? 7;
  if (useCalendar) {
    let run = 0;
    for (let i = 0; i < open.length; i++) {
      run = open[i] === 0 ? run + 1 : 0;
      if (run >= closureDays && open.length - (i + 1) >= 8 * period) start = i + 1;
    }
    // Step to the end of that closure: the zeros that follow it belong to it too.
    while (start > 0 && start < open.length && open[start] === 0) start++;
  }
  const history = Float64Array.from(open.slice(start));

  // Which future calendar days trade.
  const lastDay = firstDay + y.length - 1;
  const openAhead: number[] = [];
  for (let h = 1; h <= horizon; h++) if (isOpen(lastDay + h)) openAhead.push(h - 1);

  const mean = new Float64Array(horizon);
  const lower = new Float64Array(horizon);
  const upper = new Float64Array(horizon);
  let model = "closed";
  if (openAhead.length > 0) {
    const fitted = autoEts(history.length > 0 ? history : new Float64Array([0]), {
      period: period > 1 ? period : 1,
      horizon: openAhead.length,
      level,
      random,
    });
    openAhead.forEach((h, k) => {
      mean[h] = Math.max(0, fitted.mean[k]!);
      lower[h] = Math.max(0, fitted.lower[k]!);
      upper[h] = Math.max(0, fitted.upper[k]!);
    });
    model = closed.length > 0 ? `${fitted.model} on ${period} trading days a week` : fitted.model;
  }
  return { mean, lower, upper, level, model, closedWeekdays: closed, droppedTradingDays: start };
}
