import type pg from "pg";

import { inTransaction } from "~/ingest/transaction.server";

export interface DailyStatsResult {
  days: number;
  orders: number;
}

/**
 * Rebuilds a shop's ShopDailyStat rows from its orders and refunds, for every day or for
 * days >= `fromDay`, in one transaction (readers never see a half-built month). Test orders
 * are left out; cancelled orders stay in, since the figures are gross, before cancellations.
 * A customer counts as new on the day of their first order ever, not the first in range.
 */
export async function rebuildDailyStats(pool: pg.Pool, shopId: number, fromDay?: string): Promise<DailyStatsResult> {
  const since = fromDay ?? "-infinity";
  return inTransaction(pool, async (client) => {
    // One rebuild per shop at a time (a nightly run and a manual refresh may overlap).
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('daily-stats'), $1)`, [shopId]);
    await client.query(`DELETE FROM "ShopDailyStat" WHERE "shopId" = $1 AND "day" >= $2::date`, [shopId, since]);
    const result = await client.query<{ days: string; orders: string }>(
      `WITH sales AS (
         SELECT o."localDate" AS day, count(*) AS orders, count(o."customerId") AS customer_orders,
                count(DISTINCT o."customerId") AS customers, sum(o."totalPrice") AS revenue
         FROM "Order" o
         WHERE o."shopId" = $1 AND NOT o."test" AND o."localDate" >= $2::date
         GROUP BY 1
       ),
       units AS (
         SELECT o."localDate" AS day, sum(l."quantity") AS units
         FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
         WHERE o."shopId" = $1 AND NOT o."test" AND o."localDate" >= $2::date AND l."kind" = 'PRODUCT'
         GROUP BY 1
       ),
       first_orders AS (
         SELECT min(o."localDate") AS day
         FROM "Order" o
         WHERE o."shopId" = $1 AND NOT o."test" AND o."customerId" IS NOT NULL
         GROUP BY o."customerId"
       ),
       new_customers AS (
         SELECT day, count(*) AS customers FROM first_orders WHERE day >= $2::date GROUP BY 1
       ),
       refunds AS (
         SELECT r."localDate" AS day, count(*) AS refunds, sum(r."totalAmount") AS amount
         FROM "Refund" r
         WHERE r."shopId" = $1 AND r."localDate" >= $2::date
         GROUP BY 1
       ),
       days AS (SELECT day FROM sales UNION SELECT day FROM refunds),
       inserted AS (
         INSERT INTO "ShopDailyStat" ("shopId", "day", "orders", "customerOrders", "customers", "newCustomers", "units",
                                      "grossRevenue", "refunds", "refundedAmount")
         SELECT $1, d.day, COALESCE(s.orders, 0), COALESCE(s.customer_orders, 0), COALESCE(s.customers, 0),
                COALESCE(n.customers, 0), COALESCE(u.units, 0), COALESCE(s.revenue, 0), COALESCE(r.refunds, 0),
                COALESCE(r.amount, 0)
         FROM days d
         LEFT JOIN sales s ON s.day = d.day
         LEFT JOIN units u ON u.day = d.day
         LEFT JOIN new_customers n ON n.day = d.day
         LEFT JOIN refunds r ON r.day = d.day
         RETURNING "orders"
       )
       SELECT count(*) AS days, COALESCE(sum("orders"), 0) AS orders FROM inserted`,
      [shopId, since],
    );
    const row = result.rows[0]!;
    return { days: Number(row.days), orders: Number(row.orders) };
  });
}
