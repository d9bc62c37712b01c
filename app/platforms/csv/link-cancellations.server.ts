/**
 * A file export says which goods a cancellation invoice returns but not which sale it
 * reverses. We link each cancelled line to the same customer's most recent earlier sale line
 * of the same stock code at the same unit price that is not already fully returned, then
 * give each refund the order its lines point at (when they all point at one) and roll the
 * refunded amounts up into the orders. Lines with no such sale (guests, goods bought before
 * the export begins) stay unlinked but recorded. Idempotent: only unlinked lines are looked at.
 *
 * @returns the number of refund lines linked by this call.
 */
import type pg from "pg";

import { inTransaction } from "~/ingest/transaction.server";

export async function linkCancellationsToOrders(pool: pg.Pool, shopId: number): Promise<number> {
  return inTransaction(pool, async (client) => {
    const linked = await client.query(
      `WITH candidates AS (
         SELECT rl."id" AS refund_line_id, match."id" AS order_line_id
         FROM "RefundLine" rl
         JOIN "Refund" r ON r."id" = rl."refundId"
         CROSS JOIN LATERAL (
           SELECT ol."id"
           FROM "Order" o
           JOIN "OrderLine" ol ON ol."orderId" = o."id"
           WHERE o."shopId" = $1 AND o."customerId" = r."customerId" AND o."processedAt" <= r."processedAt"
             AND ol."sku" = rl."sku" AND ol."unitPrice" * rl."quantity" = rl."amount"
             AND ol."quantity" >= rl."quantity" + COALESCE(
               (SELECT sum(done."quantity") FROM "RefundLine" done WHERE done."orderLineId" = ol."id"), 0)
           ORDER BY o."processedAt" DESC, ol."id"
           LIMIT 1
         ) match
         WHERE rl."shopId" = $1 AND rl."orderLineId" IS NULL AND r."customerId" IS NOT NULL
       )
       UPDATE "RefundLine" rl SET "orderLineId" = c.order_line_id
       FROM candidates c WHERE rl."id" = c.refund_line_id`,
      [shopId],
    );
    await client.query(
      `UPDATE "Refund" r SET "orderId" = one.order_id
       FROM (
         SELECT rl."refundId", min(ol."orderId") AS order_id
         FROM "RefundLine" rl JOIN "OrderLine" ol ON ol."id" = rl."orderLineId"
         WHERE rl."shopId" = $1
         GROUP BY rl."refundId"
         HAVING count(DISTINCT ol."orderId") = 1
       ) one
       WHERE r."id" = one."refundId" AND r."orderId" IS DISTINCT FROM one.order_id`,
      [shopId],
    );
    await client.query(
      `UPDATE "Order" o SET
         "totalRefunded" = x.refunded,
         "financialStatus" = (CASE WHEN x.refunded >= o."totalPrice" THEN 'REFUNDED' ELSE 'PARTIALLY_REFUNDED' END)::"FinancialStatus"
       FROM (
         SELECT ol."orderId", sum(rl."amount") AS refunded
         FROM "RefundLine" rl JOIN "OrderLine" ol ON ol."id" = rl."orderLineId"
         WHERE rl."shopId" = $1
         GROUP BY ol."orderId"
       ) x
       WHERE o."id" = x."orderId" AND o."totalRefunded" IS DISTINCT FROM x.refunded`,
      [shopId],
    );
    return linked.rowCount ?? 0;
  });
}
