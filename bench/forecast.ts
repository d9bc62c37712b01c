/**
 * `npm run bench:forecast`: protocol F1 of shared/EVALUATION.md, daily revenue of Online Retail
 * (cleaned customer rows, every local day 2010-12-01 .. 2011-12-09, zero-filled), four rolling
 * origins, 28 days ahead, MASE (seasonal-naive scale, m = 7), WAPE and 80% interval coverage,
 * averaged over the origins. One JSON line per method, then one for fitting speed.
 *
 * Methods: seasonal naive; our automatic ETS on the calendar series (what forecast::ets is
 * given); and the final method, forecastDaily (app/ml/forecast/daily.ts), which the nightly
 * job serves. `--origin validation` runs the same protocol on the four earlier origins on which
 * choices are made (their horizons end where the test origins begin).
 *
 * Options: --origin test|validation  --speed-series N (default 500)  --no-speed
 */
import { seasonalNaive } from "~/ml/forecast/baselines";
import { forecastDaily } from "~/ml/forecast/daily";
import { forecastUnits } from "~/ml/forecast/units";
import { autoEts } from "~/ml/forecast/ets";
import { rollingOrigins, type Forecaster } from "~/ml/forecast/backtest";
import { seededRandom } from "~/ml/random";

import { dayNumber, loadOnlineRetail } from "./lib/online-retail";
import { syntheticDailyUnits } from "./lib/synthetic-series";
import { machine, median } from "./machine";

const ORIGINS = {
  test: ["2011-08-14", "2011-09-11", "2011-10-09", "2011-11-06"],
  validation: ["2011-04-24", "2011-05-22", "2011-06-19", "2011-07-17"],
};
const HORIZON = 28;
const PERIOD = 7;

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

interface Method {
  name: string;
  final: boolean;
  forecast: (
    train: Float64Array,
    firstDay: number,
  ) => { mean: Float64Array; lower: Float64Array; upper: Float64Array; model?: string };
}

async function dailyRevenue() {
  const retail = await loadOnlineRetail();
  const first = dayNumber("2010-12-01");
  const last = dayNumber("2011-12-09");
  const revenue = new Float64Array(last - first + 1);
  for (let row = 0; row < retail.rows; row++) {
    revenue[retail.localDay[row]! - first]! += retail.quantity[row]! * retail.unitPrice[row]!;
  }
  return { revenue, first };
}

function f1(origin: "test" | "validation", revenue: Float64Array, first: number) {
  const methods: Method[] = [
    { name: "seasonal naive", final: false, forecast: (train) => seasonalNaive(train, PERIOD, HORIZON, 80) },
    {
      name: "ets",
      final: false,
      forecast: (train) => autoEts(train, { period: PERIOD, horizon: HORIZON, level: 80, random: seededRandom(1) }),
    },
    {
      name: "foresight daily",
      final: true,
      forecast: (train, firstDay) =>
        forecastDaily(train, firstDay, { horizon: HORIZON, level: 80, random: seededRandom(1) }),
    },
  ];
  const origins = ORIGINS[origin].map((date) => dayNumber(date) - first);
  for (const method of methods) {
    const seconds: number[] = [];
    const timed: Forecaster = (train, firstDay) => {
      const started = performance.now();
      const f = method.forecast(train, firstDay);
      seconds.push((performance.now() - started) / 1000);
      return f;
    };
    const result = rollingOrigins(revenue, first, origins, HORIZON, PERIOD, timed);
    console.log(
      JSON.stringify({
        bench: "F1",
        origin,
        model: method.name,
        final: method.final,
        mase: round(result.mase),
        wape: round(result.wape),
        coverage80: round(result.coverage80, 3),
        per_origin: result.perOrigin.map((o) => ({ mase: round(o.mase, 3), wape: round(o.wape, 3), model: o.model })),
        seconds_per_series: round(median(seconds), 3),
        machine: machine(),
      }),
    );
  }
}

/**
 * The job's per-product work: `series` synthetic two-year daily unit series through
 * forecastUnits; then automatic ETS alone on as many strictly positive series (all 15 forms).
 */
function speed(series: number) {
  const timeIt = (work: () => void) => {
    const started = performance.now();
    work();
    return (performance.now() - started) / 1000;
  };
  const mixed = syntheticDailyUnits(series, 730, 20261127);
  const random = seededRandom(1);
  const units = timeIt(() => mixed.forEach((y) => forecastUnits(y, 19_000, { horizon: HORIZON, level: 80, random })));
  const busy = syntheticDailyUnits(series, 730, 20261128, true);
  const ets = timeIt(() => busy.forEach((y) => autoEts(y, { period: PERIOD, horizon: HORIZON, level: 80, random })));
  for (const [name, seconds] of [
    ["product units (forecastUnits)", units],
    ["automatic ETS, strictly positive series", ets],
  ] as const) {
    console.log(
      JSON.stringify({
        bench: "forecast-speed",
        model: name,
        series,
        days: 730,
        seconds: round(seconds, 2),
        seconds_per_series: round(seconds / series, 4),
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        machine: machine(),
      }),
    );
  }
}

async function main() {
  const origin = argument("origin", "test") === "validation" ? "validation" : "test";
  const { revenue, first } = await dailyRevenue();
  f1(origin, revenue, first);
  if (!process.argv.includes("--no-speed")) speed(Number(argument("speed-series", "500")));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
