import type pg from "pg";

export interface MonthFigures {
  /** YYYY-MM, shop-local. */
  month: string;
  orders: number;
  revenue: string;
  refundedAmount: string;
}

export interface Dashboard {
  orders: number;
  customersWithOrders: number;
  products: number;
  grossRevenue: string;
  refunds: { count: number; amount: string };
  firstOrderDay: string | null;
  lastOrderDay: string | null;
  months: MonthFigures[];
  /** When the daily figures were last rebuilt; null before the first run. */
  aggregatesUpdatedAt: Date | null;
}

/** The overview page's figures for one shop: totals from the orders, months from ShopDailyStat. */
export async function loadDashboard(pool: pg.Pool, shopId: number): Promise<Dashboard> {
  const [totals, months, lastRun] = await Promise.all([
    pool.query(
      `SELECT
         (SELECT count(*) FROM "Order" WHERE "shopId" = $1)::int AS orders,
         (SELECT count(DISTINCT "customerId") FROM "Order" WHERE "shopId" = $1)::int AS customers,
         (SELECT count(*) FROM "Product" WHERE "shopId" = $1 AND "recommendable" AND "deletedAt" IS NULL)::int AS products,
         (SELECT COALESCE(sum("totalPrice"), 0)::text FROM "Order" WHERE "shopId" = $1) AS revenue,
         (SELECT count(*) FROM "Refund" WHERE "shopId" = $1)::int AS refunds,
         (SELECT COALESCE(sum("totalAmount"), 0)::text FROM "Refund" WHERE "shopId" = $1) AS refunded,
         (SELECT min("localDate")::text FROM "Order" WHERE "shopId" = $1) AS first_day,
         (SELECT max("localDate")::text FROM "Order" WHERE "shopId" = $1) AS last_day`,
      [shopId],
    ),
    pool.query<{ month: string; orders: number; revenue: string; refunded: string }>(
      `SELECT to_char("day", 'YYYY-MM') AS month, sum("orders")::int AS orders,
              sum("grossRevenue")::text AS revenue, sum("refundedAmount")::text AS refunded
       FROM "ShopDailyStat" WHERE "shopId" = $1
       GROUP BY 1 ORDER BY 1`,
      [shopId],
    ),
    pool.query<{ finished: Date }>(
      `SELECT "finishedAt" AS finished FROM "ModelRun"
       WHERE "shopId" = $1 AND "kind" = 'DAILY_AGGREGATES' AND "status" = 'SUCCEEDED'
       ORDER BY "finishedAt" DESC LIMIT 1`,
      [shopId],
    ),
  ]);
  const row = totals.rows[0];
  return {
    orders: row.orders,
    customersWithOrders: row.customers,
    products: row.products,
    grossRevenue: row.revenue,
    refunds: { count: row.refunds, amount: row.refunded },
    firstOrderDay: row.first_day,
    lastOrderDay: row.last_day,
    months: months.rows.map((m) => ({
      month: m.month,
      orders: m.orders,
      revenue: m.revenue,
      refundedAmount: m.refunded,
    })),
    aggregatesUpdatedAt: lastRun.rows[0]?.finished ?? null,
  };
}
