/**
 * A shop's daily series for forecasting, built in Postgres by aggregate queries (never by
 * looping over orders in Node): revenue, orders and units per shop-local day, and daily units of
 * the best sellers that make up most of the revenue. Days without sales are filled with zeros.
 */
import type pg from "pg";

export interface ProductSeries {
  productId: number;
  title: string;
  /** Units in stock, or null when the platform does not track this product's inventory. */
  stock: number | null;
  units: Float64Array;
}

export interface ShopSeries {
  /** Day numbers (days since 1970-01-01, shop-local) of the first and last day of every series. */
  firstDay: number;
  lastDay: number;
  revenue: Float64Array;
  orders: Float64Array;
  units: Float64Array;
  products: ProductSeries[];
  today: number;
  lastSaleDay: number | null;
}

/** Sold product lines of real orders: not cancelled, not test orders. */
const SOLD_LINES = `FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id" AND l."shopId" = o."shopId"
  WHERE o."shopId" = $1 AND o."cancelledAt" IS NULL AND NOT o."test" AND l."kind" = 'PRODUCT' AND l."quantity" > 0`;
const LINE_REVENUE = `(l."quantity" * l."unitPrice" - l."totalDiscount")`;
const DAY = `(o."localDate" - DATE '1970-01-01')`;

/**
 * @param endDay the last day to include (inclusive), or undefined for yesterday in the shop's
 *   time zone (today is not over yet, and a half day would read as a slump)
 */
export async function loadShopSeries(
  pool: pg.Pool,
  shopId: number,
  options: {
    productRevenueShare: number;
    maxProducts: number;
    endDay?: (today: number, lastSaleDay: number | null) => number;
  },
): Promise<ShopSeries> {
  const shop = await pool.query<{ today: number }>(
    `SELECT ((now() AT TIME ZONE "timezone")::date - DATE '1970-01-01') AS today FROM "Shop" WHERE "id" = $1`,
    [shopId],
  );
  if (!shop.rows[0]) throw new Error(`shop ${shopId} does not exist`);
  const today = shop.rows[0].today;
  const daily = await pool.query<{ day: number; orders: number; units: number; revenue: number }>(
    `SELECT ${DAY} AS day, count(DISTINCT o."id")::int AS orders, sum(l."quantity")::int AS units,
            sum(${LINE_REVENUE})::float8 AS revenue
     ${SOLD_LINES} GROUP BY 1 ORDER BY 1`,
    [shopId],
  );
  const lastSaleDay = daily.rows.length > 0 ? daily.rows[daily.rows.length - 1]!.day : null;
  const firstDay = daily.rows[0]?.day ?? today - 1;
  const lastDay = options.endDay ? options.endDay(today, lastSaleDay) : today - 1;
  const length = Math.max(0, lastDay - firstDay + 1);
  const revenue = new Float64Array(length);
  const orders = new Float64Array(length);
  const units = new Float64Array(length);
  for (const row of daily.rows) {
    const i = row.day - firstDay;
    if (i < 0 || i >= length) continue;
    revenue[i] = row.revenue;
    orders[i] = row.orders;
    units[i] = row.units;
  }

  // The best sellers of the last year, in order, until they make up the wanted share of revenue.
  const products = await pool.query<{ productId: number; title: string; stock: number | null }>(
    `WITH sales AS (
       SELECT l."productId", sum(${LINE_REVENUE}) AS revenue
       ${SOLD_LINES} AND l."productId" IS NOT NULL AND ${DAY} BETWEEN $2::int - 364 AND $2::int
       GROUP BY 1
     ), ranked AS (
       SELECT "productId", revenue,
              sum(revenue) OVER (ORDER BY revenue DESC, "productId") - revenue AS before,
              sum(revenue) OVER () AS total
       FROM sales
     )
     SELECT p."id" AS "productId", p."title", p."totalInventory" AS stock
     FROM ranked r JOIN "Product" p ON p."id" = r."productId" AND p."shopId" = $1
     WHERE r.before < $3 * r.total AND p."deletedAt" IS NULL
     ORDER BY r.revenue DESC, r."productId" LIMIT $4`,
    [shopId, lastDay, options.productRevenueShare, options.maxProducts],
  );
  const byProduct = new Map<number, ProductSeries>();
  for (const row of products.rows) byProduct.set(row.productId, { ...row, units: new Float64Array(length) });
  if (byProduct.size > 0) {
    const productDaily = await pool.query<{ productId: number; day: number; units: number }>(
      `SELECT l."productId", ${DAY} AS day, sum(l."quantity")::int AS units
       ${SOLD_LINES} AND l."productId" = ANY($2::int[]) AND ${DAY} BETWEEN $3::int AND $4::int
       GROUP BY 1, 2`,
      [shopId, [...byProduct.keys()], firstDay, lastDay],
    );
    for (const row of productDaily.rows) byProduct.get(row.productId)!.units[row.day - firstDay] = row.units;
  }
  return { firstDay, lastDay, revenue, orders, units, products: [...byProduct.values()], today, lastSaleDay };
}
