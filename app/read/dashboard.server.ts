import type pg from "pg";

export interface MonthFigures {
  /** YYYY-MM, shop-local (ShopDailyStat days are shop-local calendar days). */
  month: string;
  orders: number;
  /** Decimal string in the shop's currency: money never becomes a float on the server. */
  revenue: string;
  refundedAmount: string;
}

export interface Dashboard {
  orders: number;
  /** Orders with no customer (guests, redacted customers); they count in `orders` only. */
  guestOrders: number;
  customersWithOrders: number;
  /** Products that may be recommended (not deleted, not gift cards or fees). */
  products: number;
  /** Sum of order totals, before cancellations and refunds. */
  grossRevenue: string;
  refunds: { count: number; amount: string };
  /** YYYY-MM-DD, shop-local; null when the shop has no orders. */
  firstOrderDay: string | null;
  lastOrderDay: string | null;
  months: MonthFigures[];
  /** When the daily figures were last rebuilt; null before the first successful run. */
  aggregatesUpdatedAt: Date | null;
}

interface TotalsRow {
  orders: number;
  guest_orders: number;
  customers: number;
  revenue: string;
  first_day: string | null;
  last_day: string | null;
}

/**
 * The overview page's figures for one shop. Headline totals are read live from the orders
 * (one pass over the shop's "Order" rows), so they are right even before the first
 * aggregation; the per-month series comes from ShopDailyStat, which the daily-aggregates job
 * keeps, so the page never groups millions of orders per request. Every query filters by shopId.
 */
export async function loadDashboard(pool: pg.Pool, shopId: number): Promise<Dashboard> {
  const [totals, products, refunds, months, lastRun] = await Promise.all([
    // ::int is safe: a shop would need over 2^31 orders to overflow it. The sum stays
    // numeric and travels as text.
    pool.query<TotalsRow>(
      `SELECT count(*)::int AS orders,
              count(*) FILTER (WHERE "customerId" IS NULL)::int AS guest_orders,
              count(DISTINCT "customerId")::int AS customers,
              COALESCE(sum("totalPrice"), 0)::text AS revenue,
              min("localDate")::text AS first_day,
              max("localDate")::text AS last_day
       FROM "Order" WHERE "shopId" = $1`,
      [shopId],
    ),
    pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "Product"
       WHERE "shopId" = $1 AND "recommendable" AND "deletedAt" IS NULL`,
      [shopId],
    ),
    pool.query<{ count: number; amount: string }>(
      `SELECT count(*)::int AS count, COALESCE(sum("totalAmount"), 0)::text AS amount
       FROM "Refund" WHERE "shopId" = $1`,
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
         AND "finishedAt" IS NOT NULL
       ORDER BY "finishedAt" DESC LIMIT 1`,
      [shopId],
    ),
  ]);
  // Aggregates without GROUP BY always return exactly one row.
  const row = totals.rows[0]!;
  const refund = refunds.rows[0]!;
  return {
    orders: row.orders,
    guestOrders: row.guest_orders,
    customersWithOrders: row.customers,
    products: products.rows[0]!.count,
    grossRevenue: row.revenue,
    refunds: { count: refund.count, amount: refund.amount },
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
