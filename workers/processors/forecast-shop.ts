/**
 * Processor for the "forecasts" queue: one shop's nightly (or post-backfill) forecasts.
 * Series out of Postgres by aggregate queries -> revenue, orders and units forecast with the
 * shop's calendar, best sellers' daily units (Croston-SBA for slow movers) -> days of inventory
 * cover -> one transaction replaces the shop's forecast points and cover. The run records a
 * rolling-origin backtest of the revenue forecast (the last 4 x 28 days) against seasonal naive.
 */
import { log } from "~/logger.server";
import { recentOrigins, rollingOrigins, type BacktestResult } from "~/ml/forecast/backtest";
import { seasonalNaive } from "~/ml/forecast/baselines";
import { inventoryCover } from "~/ml/forecast/cover";
import { forecastDaily } from "~/ml/forecast/daily";
import { forecastUnits } from "~/ml/forecast/units";
import { seededRandom } from "~/ml/random";
import { parseJob } from "~/queues/jobs";
import { readShopSettings } from "~/settings";
import { dayNumberToIso } from "~/lib/local-time";

import { loadShopSeries } from "../forecasts/load";
import { replaceForecasts, type ProductCover, type SeriesPoints } from "../forecasts/write";
import { runModelJob, type ModelJobContext } from "../model-run";

const LEVEL = 80;
const PERIOD = 7;
const BACKTEST_ORIGINS = 4;

/** Metrics for the run's JSON; an undefined one (NaN) is stored as null, not as a number. */
function summarise(result: BacktestResult) {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(4)) : null);
  return { mase: round(result.mase), wape: round(result.wape), coverage80: round(result.coverage80) };
}

export async function processForecastJob(name: string, data: unknown, context: ModelJobContext) {
  if (name !== "forecast-shop") throw new Error(`the forecasts queue has no job named "${name}"`);
  const { shopId } = parseJob("forecast-shop", data);
  const { database } = context;
  return runModelJob(
    context,
    shopId,
    {
      job: "forecast-shop",
      kind: "FORECAST",
      busy: "this shop is already being forecast",
      parameters: (shop) => readShopSettings(shop.settings).forecast,
    },
    async (shop, run) => {
      const settings = readShopSettings(shop.settings).forecast;
      const horizon = settings.horizonDays;
      // Forecast from yesterday, the last complete day. A shop without a sale in the last horizon
      // (imported history, the demo store) is forecast from its last sale instead: from today it
      // would only be asked to continue weeks of nothing.
      let asOfNote = "from the shop's last complete day";
      const series = await loadShopSeries(database.pool, shopId, {
        productRevenueShare: settings.productRevenueShare,
        maxProducts: settings.maxProducts,
        endDay: (today, lastSaleDay) => {
          if (lastSaleDay !== null && lastSaleDay < today - 1 - horizon) {
            asOfNote = `no sales in the last ${horizon} days: forecast from the last day with sales`;
            return lastSaleDay;
          }
          return today - 1;
        },
      });
      run.stage("loadMs");
      await context.progress?.({ fraction: 0.1, stage: "loaded" });

      const firstForecastDay = series.lastDay + 1;
      const random = seededRandom(shopId);
      const points: SeriesPoints[] = [];
      const models: Record<string, string> = {};
      for (const key of ["revenue", "orders", "units"] as const) {
        const f = forecastDaily(series[key], series.firstDay, { horizon, level: LEVEL, random });
        points.push({ series: key, firstDay: firstForecastDay, mean: f.mean, lower: f.lower, upper: f.upper });
        models[key] = f.model;
      }
      const productModels: Record<string, number> = {};
      const cover: ProductCover[] = [];
      for (const product of series.products) {
        const f = forecastUnits(product.units, series.firstDay, { horizon, level: LEVEL, random });
        productModels[f.model] = (productModels[f.model] ?? 0) + 1;
        points.push({
          series: `product:${product.productId}`,
          firstDay: firstForecastDay,
          mean: f.mean,
          lower: f.lower,
          upper: f.upper,
        });
        if (product.stock !== null) {
          cover.push({
            productId: product.productId,
            stock: product.stock,
            ...inventoryCover(product.stock, f.mean, f.cumulativeUpper, settings.stockoutWarningDays),
          });
        }
      }
      run.stage("forecastMs");
      await context.progress?.({ fraction: 0.7, stage: "forecast" });

      // How the revenue forecast would have done over the last four horizons.
      let backtest: {
        origins: string[];
        forecast: ReturnType<typeof summarise>;
        seasonalNaive: ReturnType<typeof summarise>;
      } | null = null;
      if (series.revenue.length >= (BACKTEST_ORIGINS + 2) * horizon) {
        const origins = recentOrigins(series.revenue.length, BACKTEST_ORIGINS, horizon);
        const ours = rollingOrigins(series.revenue, series.firstDay, origins, horizon, PERIOD, (train, firstDay) =>
          forecastDaily(train, firstDay, { horizon, level: LEVEL, random: seededRandom(shopId) }),
        );
        const naive = rollingOrigins(series.revenue, series.firstDay, origins, horizon, PERIOD, (train) =>
          seasonalNaive(train, PERIOD, horizon, LEVEL),
        );
        backtest = {
          origins: ours.perOrigin.map((o) => dayNumberToIso(o.lastTrainingDay)),
          forecast: summarise(ours),
          seasonalNaive: summarise(naive),
        };
      }
      run.stage("backtestMs");

      const written = await replaceForecasts(database, shopId, run.id, points, cover);
      run.stage("writeMs");
      const metrics = {
        asOf: dayNumberToIso(series.lastDay),
        asOfNote,
        historyDays: series.revenue.length,
        horizonDays: horizon,
        models,
        products: series.products.length,
        productModels,
        stockoutRisk: cover.filter((c) => c.stockoutRisk).length,
        backtest,
        written,
      };
      log.info({ shopId, ...written }, "forecasts written");
      return { metrics, result: { model: models.revenue, ...written } };
    },
  );
}
