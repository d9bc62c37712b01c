/**
 * The per-shop forecasting job end to end on a real Postgres and Redis: a shop selling every
 * day but Sunday up to yesterday, a steady best seller with tracked stock, a product without
 * inventory tracking, and a slow mover, forecast by the real processor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ingestOrders } from "~/ingest/index.server";
import { seededRandom } from "~/ml/random";
import { createRedis } from "~/queues/connection.server";

import { processForecastJob } from "../workers/processors/forecast-shop";

import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { createShop, orderRecord } from "./helpers/factories";
import { testRedisUrl } from "./helpers/urls";

let db: TestDatabase;
let redis: ReturnType<typeof createRedis>;
let shopId: number;
const DAYS = 210;
const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS); // the shop keeps UTC
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const isSunday = (day: number) => new Date(day * DAY_MS).getUTCDay() === 0;

interface Point {
  series: string;
  day: string;
  mean: number;
  lower80: number;
  upper80: number;
}

async function points(shop: number, series: string): Promise<Point[]> {
  const { rows } = await db.pool.query<Point>(
    `SELECT "series", to_char("day", 'YYYY-MM-DD') AS day, "mean", "lower80", "upper80"
     FROM "ForecastPoint" WHERE "shopId" = $1 AND "series" = $2 ORDER BY "day"`,
    [shop, series],
  );
  return rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(testRedisUrl(), "worker");
  shopId = (await createShop(db.prisma, { timezone: "UTC" })).id;
  const random = seededRandom(9);
  const orders = [];
  let n = 0;
  for (let day = today - DAYS; day < today; day++) {
    if (isSunday(day)) continue; // closed on Sundays
    const count = 3 + Math.floor(random() * 4);
    for (let k = 0; k < count; k++) {
      n++;
      const lines: [string, number, string][] = [["STEADY", 1 + Math.floor(random() * 3), "10.00"]];
      if (random() < 0.5) lines.push(["UNTRACKED", 1, "4.00"]);
      if (k === 0 && random() < 0.08) lines.push(["SLOW", 1, "30.00"]);
      orders.push(orderRecord(`F${n}`, { customer: `C${n % 40}`, at: `${iso(day)}T12:00:00Z`, lines }));
    }
  }
  await ingestOrders(db.pool, shopId, orders);
  await db.pool.query(
    `UPDATE "Product" SET "totalInventory" = CASE "externalId" WHEN 'STEADY' THEN 40 WHEN 'SLOW' THEN 500 END
     WHERE "shopId" = $1`,
    [shopId],
  );
  // Forecast every product that sells, not only the best sellers making 80% of revenue.
  await db.prisma.shop.update({ where: { id: shopId }, data: { settings: { forecast: { productRevenueShare: 1 } } } });
  await processForecastJob("forecast-shop", { shopId }, { database: db, redis });
});

afterAll(async () => {
  await redis?.quit();
  await db?.drop();
});

describe("forecast-shop", () => {
  it("forecasts revenue, orders and units for the next 28 days, starting today", async () => {
    for (const series of ["revenue", "orders", "units"]) {
      const rows = await points(shopId, series);
      expect(rows).toHaveLength(28);
      expect(rows[0]!.day).toBe(iso(today));
      expect(rows[27]!.day).toBe(iso(today + 27));
      for (const row of rows) {
        expect(row.lower80).toBeGreaterThanOrEqual(0);
        expect(row.lower80).toBeLessThanOrEqual(row.mean + 1e-9);
        expect(row.mean).toBeLessThanOrEqual(row.upper80 + 1e-9);
      }
    }
    // The shop never trades on Sundays: those days are forecast as nothing.
    const revenue = await points(shopId, "revenue");
    for (const row of revenue) {
      const day = Date.parse(`${row.day}T00:00:00Z`) / DAY_MS;
      if (isSunday(day)) expect(row.upper80).toBe(0);
      else expect(row.mean).toBeGreaterThan(0);
    }
    // About 4.5 orders a day on trading days.
    const orders = await points(shopId, "orders");
    const weekdayMean = orders.filter((o) => o.mean > 0).reduce((sum, o) => sum + o.mean, 0) / 24;
    expect(weekdayMean).toBeGreaterThan(3);
    expect(weekdayMean).toBeLessThan(6);
  });

  it("forecasts the best sellers, the slow mover by Croston-SBA, and their stock cover", async () => {
    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId, kind: "FORECAST" } });
    expect(run.status).toBe("SUCCEEDED");
    const metrics = run.metrics as {
      products: number;
      productModels: Record<string, number>;
      models: Record<string, string>;
      stockoutRisk: number;
    };
    expect(metrics.models.revenue).toMatch(/^ETS\(.*\) on 6 trading days a week$/);
    expect(metrics.products).toBe(3);
    const products = await db.prisma.product.findMany({ where: { shopId } });
    const id = (externalId: string) => products.find((p) => p.externalId === externalId)!.id;
    const steady = await points(shopId, `product:${id("STEADY")}`);
    expect(steady).toHaveLength(28);
    const cover = await db.prisma.inventoryCover.findMany({ where: { shopId }, orderBy: { productId: "asc" } });
    // Untracked inventory has no cover row.
    expect(cover.map((c) => c.productId)).not.toContain(id("UNTRACKED"));
    const steadyCover = cover.find((c) => c.productId === id("STEADY"))!;
    // 40 in stock at about 9 a day: out within a week, which is a stock-out risk.
    let total = 0;
    let expected: number | null = null;
    steady.forEach((p, h) => {
      total += p.mean;
      if (expected === null && total > 40) expected = h + 1;
    });
    expect(steadyCover.daysOfCover).toBe(expected);
    expect(steadyCover.daysOfCover).toBeLessThan(8);
    expect(steadyCover.earlyDaysOfCover!).toBeLessThanOrEqual(steadyCover.daysOfCover!);
    expect(steadyCover.stockoutRisk).toBe(true);
    const slow = cover.find((c) => c.productId === id("SLOW"))!;
    expect(slow.daysOfCover).toBeNull();
    expect(slow.stockoutRisk).toBe(false);
    expect(metrics.productModels).toMatchObject({ SBA: 1 });
    expect(metrics.stockoutRisk).toBe(cover.filter((c) => c.stockoutRisk).length);
  });

  it("records a backtest of the last four 28-day horizons against seasonal naive", async () => {
    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId, kind: "FORECAST" } });
    const backtest = (
      run.metrics as { backtest: { origins: string[]; forecast: { mase: number; coverage80: number } } }
    ).backtest;
    expect(backtest.origins).toHaveLength(4);
    expect(backtest.origins[3]).toBe(iso(today - 1 - 28));
    expect(backtest.forecast.mase).toBeGreaterThan(0);
    expect(backtest.forecast.mase).toBeLessThan(1.5);
    expect(backtest.forecast.coverage80).toBeGreaterThan(0.5);
  });

  it("replaces the whole set on a rerun", async () => {
    const before = await db.prisma.forecastPoint.count({ where: { shopId } });
    await processForecastJob("forecast-shop", { shopId }, { database: db, redis });
    const latest = await db.prisma.modelRun.findFirstOrThrow({
      where: { shopId, kind: "FORECAST" },
      orderBy: { id: "desc" },
    });
    const runs = await db.pool.query<{ run: number }>(
      `SELECT DISTINCT "modelRunId" AS run FROM "ForecastPoint" WHERE "shopId" = $1
       UNION SELECT DISTINCT "modelRunId" FROM "InventoryCover" WHERE "shopId" = $1`,
      [shopId],
    );
    expect(runs.rows.map((r) => r.run)).toEqual([latest.id]);
    expect(await db.prisma.forecastPoint.count({ where: { shopId } })).toBe(before);
  });

  it("gives a three-day-old shop a fallback forecast instead of an error", async () => {
    const young = (await createShop(db.prisma, { timezone: "UTC" })).id;
    await ingestOrders(
      db.pool,
      young,
      [3, 2, 1].map((ago, k) => orderRecord(`Y${k}`, { customer: "A", at: `${iso(today - ago)}T10:00:00Z` })),
    );
    await processForecastJob("forecast-shop", { shopId: young }, { database: db, redis });
    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId: young, kind: "FORECAST" } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.metrics).toMatchObject({ backtest: null, historyDays: 3 });
    const revenue = await points(young, "revenue");
    expect(revenue).toHaveLength(28);
    for (const row of revenue) {
      expect(Number.isFinite(row.mean)).toBe(true);
      expect(row.mean).toBeCloseTo(10, 6); // three days of 10.00: the constant forecasts itself
    }
  });
});
