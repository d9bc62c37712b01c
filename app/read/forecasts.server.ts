/**
 * What the forecasts page shows: the latest forecasting run (the model behind the revenue
 * forecast and how it did on the shop's last four 28-day periods), the next days' revenue and
 * orders with their 80% ranges, and the products likely to run out. Every query filters by shopId.
 */
import type pg from "pg";

import { pageRuns } from "./model-runs.server";

export interface BacktestFigures {
  mase: number | null;
  wape: number | null;
  coverage80: number | null;
}

export interface ForecastRunSummary {
  status: string;
  horizonDays: number;
  error: string | null;
  asOf: string | null;
  asOfNote: string | null;
  model: string | null;
  /** Metrics are null where undefined (e.g. WAPE of weeks without sales). */
  backtest: {
    origins: string[];
    forecast: BacktestFigures;
    seasonalNaive: BacktestFigures;
  } | null;
}

export interface ForecastDay {
  day: string;
  revenue: number;
  revenueLower: number;
  revenueUpper: number;
  orders: number;
}

export interface StockRisk {
  productId: number;
  title: string;
  stock: number;
  daysOfCover: number | null;
  earlyDaysOfCover: number | null;
}

export interface ForecastsPage {
  /** The run whose forecasts are shown (the latest that succeeded). */
  run: ForecastRunSummary | null;
  /** The latest run of any outcome, for a failure notice. */
  latest: { status: string; error: string | null } | null;
  days: ForecastDay[];
  atRisk: StockRisk[];
}

interface RunMetrics {
  asOf?: string;
  asOfNote?: string;
  models?: { revenue?: string };
  backtest?: ForecastRunSummary["backtest"];
}

export async function loadForecastsPage(pool: pg.Pool, shopId: number, riskRows = 25): Promise<ForecastsPage> {
  const [runs, days, atRisk] = await Promise.all([
    pageRuns<RunMetrics, { horizonDays?: number }>(pool, shopId, "FORECAST"),
    pool.query<ForecastDay>(
      `SELECT to_char(r."day", 'YYYY-MM-DD') AS day, r."mean" AS revenue, r."lower80" AS "revenueLower",
              r."upper80" AS "revenueUpper", COALESCE(o."mean", 0) AS orders
       FROM "ForecastPoint" r
       LEFT JOIN "ForecastPoint" o ON o."shopId" = r."shopId" AND o."day" = r."day" AND o."series" = 'orders'
       WHERE r."shopId" = $1 AND r."series" = 'revenue' ORDER BY r."day"`,
      [shopId],
    ),
    pool.query<StockRisk>(
      `SELECT c."productId", p."title", c."stock", c."daysOfCover", c."earlyDaysOfCover"
       FROM "InventoryCover" c JOIN "Product" p ON p."id" = c."productId" AND p."shopId" = c."shopId"
       WHERE c."shopId" = $1 AND c."stockoutRisk"
       ORDER BY c."earlyDaysOfCover" NULLS LAST, c."daysOfCover" NULLS LAST, p."title" LIMIT $2`,
      [shopId, riskRows],
    ),
  ]);
  const row = runs.shown;
  const metrics = row?.metrics ?? {};
  return {
    run: row
      ? {
          status: row.status,
          horizonDays: row.parameters?.horizonDays ?? 28,
          error: row.error,
          asOf: metrics.asOf ?? null,
          asOfNote: metrics.asOfNote ?? null,
          model: metrics.models?.revenue ?? null,
          backtest: metrics.backtest ?? null,
        }
      : null,
    latest: runs.latest,
    days: days.rows,
    atRisk: atRisk.rows,
  };
}
