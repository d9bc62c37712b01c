/**
 * Merges staged orders into "Order" and "OrderLine", one chunk of the file at a time, with
 * the same upserts every other order source uses (ingest/order-statements.ts): an order is
 * written only when newer than the stored one, and only a written order gets its lines.
 *
 * Three things wait until every chunk is merged (finishOrderMerge): line items that did not
 * follow their order in the file (whether the order was staged or written directly),
 * removing the stored lines that a newer version of an order no longer has (removing them
 * per chunk would also remove its not-yet-seen lines), and linking refund lines that a
 * webhook stored before their order line was merged.
 */
import type pg from "pg";

import { upsertOrderLinesFrom, upsertOrdersFrom } from "~/ingest/order-statements";
import { ingestRefunds, linkRefundLines } from "~/ingest/refunds.server";
import type { RefundRecord, RejectedRecord } from "~/ingest/records";
import { lockCustomerWrites } from "~/ingest/redactions.server";
import { inTransaction } from "~/ingest/transaction.server";

/** Staged orders with seq in ($3, $4] of run $2, newest version of each. */
const CHUNK_ORDERS = `(SELECT DISTINCT ON ("externalId")
     "externalId" AS external_id, "name", "customerExternalId" AS customer_external_id, "processedAt" AS processed_at,
     "financialStatus" AS financial_status, "cancelledAt" AS cancelled_at, "cancelReason" AS cancel_reason,
     "currency", "subtotalPrice" AS subtotal, "totalDiscounts" AS discounts, "totalShipping" AS shipping,
     "totalTax" AS tax, "totalPrice" AS total, "totalRefunded" AS refunded, "test",
     "platformCreatedAt" AS created_at, "platformUpdatedAt" AS updated_at
   FROM "BulkStagedOrder" WHERE "syncRunId" = $2 AND "seq" > $3 AND "seq" <= $4
   ORDER BY "externalId", "platformUpdatedAt" DESC, "seq" DESC) AS t`;

/** A staged line `l` as the line upsert's source columns, after order_id. */
const STAGED_LINE = `l."externalId" AS external_id, l."kind", l."productExternalId" AS product_external_id,
     l."variantExternalId" AS variant_external_id, l."productId" AS known_product_id,
     l."variantId" AS known_variant_id, l."sku", l."title", l."quantity", l."unitPrice" AS unit_price,
     l."totalDiscount" AS discount`;

/** Staged lines of the chunk's orders that were written ($5 ids, $6 externalIds). */
const CHUNK_LINES = `(SELECT DISTINCT ON (l."externalId") w.order_id, ${STAGED_LINE}
   FROM "BulkStagedOrderLine" l
   JOIN unnest($5::int[], $6::text[]) AS w(order_id, external_id) ON w.external_id = l."parentExternalId"
   WHERE l."syncRunId" = $2 AND l."parentSeq" > $3 AND l."parentSeq" <= $4
   ORDER BY l."externalId", l."seq" DESC) AS t`;

/** The next chunk: up to `size` staged orders after `afterSeq` and not past `limitSeq`. */
export async function nextChunkEnd(
  pool: pg.Pool,
  syncRunId: number,
  afterSeq: number,
  size: number,
  limitSeq: number,
): Promise<{ end: number; orders: number } | null> {
  const { rows } = await pool.query<{ end: number | null; orders: number }>(
    `SELECT max("seq") AS "end", count(*)::int AS "orders" FROM (
       SELECT "seq" FROM "BulkStagedOrder" WHERE "syncRunId" = $1 AND "seq" > $2 AND "seq" <= $4
       ORDER BY "seq" LIMIT $3) s`,
    [syncRunId, afterSeq, size, limitSeq],
  );
  const row = rows[0]!;
  return row.end === null ? null : { end: row.end, orders: row.orders };
}

/**
 * Merges the staged orders with seq in (afterSeq, throughSeq], then their refunds; returns
 * the refunds rejected (orders and lines were validated when staged).
 */
export async function mergeStagedOrders(
  pool: pg.Pool,
  shopId: number,
  syncRunId: number,
  afterSeq: number,
  throughSeq: number,
): Promise<RejectedRecord[]> {
  const range = [shopId, syncRunId, afterSeq, throughSeq];
  await inTransaction(pool, async (client) => {
    await lockCustomerWrites(client, shopId);
    const written = await client.query<{ id: number; externalId: string }>(upsertOrdersFrom(CHUNK_ORDERS), range);
    if (written.rows.length === 0) return;
    await client.query(upsertOrderLinesFrom(CHUNK_LINES, { knownIds: true }), [
      ...range,
      written.rows.map((row) => row.id),
      written.rows.map((row) => row.externalId),
    ]);
  });
  return mergeRefunds(pool, shopId, range.slice(1));
}

/**
 * After the last chunk: merges the line items that were staged apart from their order (for
 * orders whose stored version is the staged one), then removes stored lines that the staged
 * version of an order does not have. The second only looks at orders that existed before the
 * run (`since`) and were rewritten during it, and only while the stored version is still the
 * staged one, so a newer version a webhook stored meanwhile keeps its lines. Nothing here
 * depends on state kept between chunks, so a resume that stages the file again loses nothing.
 */
export async function finishOrderMerge(pool: pg.Pool, shopId: number, syncRunId: number, since: Date): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(
      upsertOrderLinesFrom(
        `(SELECT DISTINCT ON (l."externalId") s."id" AS order_id, ${STAGED_LINE}
         FROM "BulkStagedOrderLine" l
         JOIN "BulkStagedOrder" o ON o."syncRunId" = l."syncRunId" AND o."seq" = l."parentSeq"
         JOIN "Order" s ON s."shopId" = $1 AND s."externalId" = o."externalId"
                       AND s."platformUpdatedAt" = o."platformUpdatedAt"
         WHERE l."syncRunId" = $2 AND l."adopted"
         ORDER BY l."externalId", l."seq" DESC) AS t`,
        { knownIds: true },
      ),
      [shopId, syncRunId],
    );
    // Line items listed apart from an order that was written directly (direct-orders.server.ts),
    // so not staged: they join the order this run stored under that id.
    await client.query(
      upsertOrderLinesFrom(
        `(SELECT DISTINCT ON (l."externalId") s."id" AS order_id, ${STAGED_LINE}
         FROM "BulkStagedOrderLine" l
         JOIN "Order" s ON s."shopId" = $1 AND s."externalId" = l."parentExternalId" AND s."createdAt" >= $3
         WHERE l."syncRunId" = $2 AND l."parentSeq" = 0
         ORDER BY l."externalId", l."seq" DESC) AS t`,
        { knownIds: true },
      ),
      [shopId, syncRunId, since],
    );
    await client.query(
      `DELETE FROM "OrderLine" ol
       USING "Order" s, "BulkStagedOrder" o
       WHERE s."shopId" = $1 AND s."createdAt" < $3 AND s."updatedAt" >= $3
         AND o."syncRunId" = $2 AND o."externalId" = s."externalId" AND o."platformUpdatedAt" = s."platformUpdatedAt"
         AND ol."shopId" = $1 AND ol."orderId" = s."id"
         AND NOT EXISTS (
           SELECT 1 FROM "BulkStagedOrderLine" l
           WHERE l."syncRunId" = $2 AND l."parentSeq" = o."seq" AND l."externalId" = ol."externalId")`,
      [shopId, syncRunId, since],
    );
    // Refund lines a webhook stored before their order was merged.
    await linkRefundLines(client, shopId);
  });
}

/**
 * Refunds ride on their order's staged row; they have their own updatedAt guard.
 * `chunk` is [syncRunId, afterSeq, throughSeq].
 */
async function mergeRefunds(pool: pg.Pool, shopId: number, chunk: number[]): Promise<RejectedRecord[]> {
  const { rows } = await pool.query<{ refunds: Omit<RefundRecord, "customerExternalId">[]; customer: string | null }>(
    `SELECT "refunds", "customerExternalId" AS "customer" FROM "BulkStagedOrder"
     WHERE "syncRunId" = $1 AND "seq" > $2 AND "seq" <= $3 AND "refunds" IS NOT NULL`,
    chunk,
  );
  if (rows.length === 0) return [];
  const refunds = rows.flatMap((row) => row.refunds.map((refund) => ({ ...refund, customerExternalId: row.customer })));
  return (await ingestRefunds(pool, shopId, refunds)).rejected;
}
