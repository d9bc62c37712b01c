/**
 * Replaces a shop's forecast points and inventory cover in one transaction: the dashboard reads
 * one run's forecasts, never a mix of two. Points travel as column arrays through unnest.
 */
import type { Database } from "~/db.server";
import { inTransaction } from "~/ingest/transaction.server";
import type { InventoryCover } from "~/ml/forecast/cover";
import { dayNumberToIso } from "~/lib/local-time";

const CHUNK = 20_000;

export interface SeriesPoints {
  /** "revenue", "orders", "units" or "product:<id>". */
  series: string;
  /** Day number of the first forecast day; one point per following day. */
  firstDay: number;
  mean: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
}

export interface ProductCover extends InventoryCover {
  productId: number;
  stock: number;
}

export async function replaceForecasts(
  database: Database,
  shopId: number,
  modelRunId: number,
  forecasts: SeriesPoints[],
  cover: ProductCover[],
): Promise<{ points: number; covered: number }> {
  const series: string[] = [];
  const day: string[] = [];
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (const f of forecasts) {
    for (let h = 0; h < f.mean.length; h++) {
      series.push(f.series);
      day.push(dayNumberToIso(f.firstDay + h));
      mean.push(f.mean[h]!);
      lower.push(f.lower[h]!);
      upper.push(f.upper[h]!);
    }
  }
  await inTransaction(database.pool, async (client) => {
    await client.query(`DELETE FROM "ForecastPoint" WHERE "shopId" = $1`, [shopId]);
    await client.query(`DELETE FROM "InventoryCover" WHERE "shopId" = $1`, [shopId]);
    for (let start = 0; start < series.length; start += CHUNK) {
      const end = start + CHUNK;
      await client.query(
        `INSERT INTO "ForecastPoint" ("shopId", "series", "day", "mean", "lower80", "upper80", "modelRunId")
         SELECT $1, s, d, m, lo, hi, $2
         FROM unnest($3::text[], $4::date[], $5::float8[], $6::float8[], $7::float8[]) AS t(s, d, m, lo, hi)`,
        [
          shopId,
          modelRunId,
          series.slice(start, end),
          day.slice(start, end),
          mean.slice(start, end),
          lower.slice(start, end),
          upper.slice(start, end),
        ],
      );
    }
    await client.query(
      `INSERT INTO "InventoryCover" ("shopId", "productId", "stock", "daysOfCover", "earlyDaysOfCover", "stockoutRisk", "modelRunId")
       SELECT $1, p, s, c, e, r, $2
       FROM unnest($3::int[], $4::int[], $5::int[], $6::int[], $7::bool[]) AS t(p, s, c, e, r)
       -- a product deleted while the forecasts ran is left out
       JOIN "Product" q ON q."id" = t.p AND q."shopId" = $1`,
      [
        shopId,
        modelRunId,
        cover.map((c) => c.productId),
        cover.map((c) => c.stock),
        cover.map((c) => c.daysOfCover),
        cover.map((c) => c.earlyDaysOfCover),
        cover.map((c) => c.stockoutRisk),
      ],
    );
  });
  return { points: series.length, covered: cover.length };
}
