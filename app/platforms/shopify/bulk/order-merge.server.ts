/**
 * Merges staged orders into "Order" and "OrderLine", one chunk of the file at a time, with
 * the same upserts every other order source uses (ingest/order-statements.ts): an order is
 * written only when newer than the stored one, and only a written order gets its lines.
 */
import type pg from "pg";

import {
  ensureCustomersFrom,
  ensureProductsFrom,
  upsertOrderLinesFrom,
  upsertOrdersFrom,
} from "~/ingest/order-statements";
import { ingestRefunds } from "~/ingest/refunds.server";
import type { RefundRecord, RejectedRecord } from "~/ingest/records";
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

/** Staged lines of the chunk's orders that were written ($5 ids, $6 externalIds). */
const CHUNK_LINES = `(SELECT DISTINCT ON (l."externalId")
     w.order_id, l."externalId" AS external_id, l."kind", l."productExternalId" AS product_external_id,
     l."variantExternalId" AS variant_external_id, l."sku", l."title", l."quantity", l."unitPrice" AS unit_price,
     l."totalDiscount" AS discount
   FROM "BulkStagedOrderLine" l
   JOIN unnest($5::int[], $6::text[]) AS w(order_id, external_id) ON w.external_id = l."parentExternalId"
   WHERE l."syncRunId" = $2 AND l."parentSeq" > $3 AND l."parentSeq" <= $4
   ORDER BY l."externalId", l."seq" DESC) AS t`;

export interface ChunkResult {
  /** Orders written (new, or newer than the stored version). */
  written: number;
  rejected: RejectedRecord[];
}

/** The last seq of the next chunk of up to `size` staged orders after `afterSeq`, or null. */
export async function nextChunkEnd(
  pool: pg.Pool,
  syncRunId: number,
  afterSeq: number,
  size: number,
): Promise<{ end: number; orders: number } | null> {
  const { rows } = await pool.query<{ end: number | null; orders: number }>(
    `SELECT max("seq") AS "end", count(*)::int AS "orders" FROM (
       SELECT "seq" FROM "BulkStagedOrder" WHERE "syncRunId" = $1 AND "seq" > $2 ORDER BY "seq" LIMIT $3) s`,
    [syncRunId, afterSeq, size],
  );
  const row = rows[0]!;
  return row.end === null ? null : { end: row.end, orders: row.orders };
}

/** Merges the staged orders with seq in (afterSeq, throughSeq], then their refunds. */
export async function mergeStagedOrders(
  pool: pg.Pool,
  shopId: number,
  syncRunId: number,
  afterSeq: number,
  throughSeq: number,
): Promise<ChunkResult> {
  const range = [shopId, syncRunId, afterSeq, throughSeq];
  const written = await inTransaction(pool, async (client) => {
    await client.query(
      ensureCustomersFrom(
        `(SELECT "customerExternalId" AS external_id FROM "BulkStagedOrder"
          WHERE "syncRunId" = $2 AND "seq" > $3 AND "seq" <= $4) AS t`,
      ),
      range,
    );
    await client.query(
      ensureProductsFrom(
        `(SELECT "productExternalId" AS external_id, "title" FROM "BulkStagedOrderLine"
          WHERE "syncRunId" = $2 AND "parentSeq" > $3 AND "parentSeq" <= $4) AS t`,
      ),
      range,
    );
    const orders = await client.query<{ id: number; externalId: string; inserted: boolean }>(
      upsertOrdersFrom(CHUNK_ORDERS),
      range,
    );
    if (orders.rows.length === 0) return 0;
    await client.query(upsertOrderLinesFrom(CHUNK_LINES), [
      ...range,
      orders.rows.map((row) => row.id),
      orders.rows.map((row) => row.externalId),
    ]);
    const updated = orders.rows.filter((row) => !row.inserted);
    if (updated.length > 0) await removeDroppedLines(client, range, updated);
    return orders.rows.length;
  });
  const rejected = await mergeRefunds(pool, shopId, syncRunId, afterSeq, throughSeq);
  return { written, rejected };
}

/** An order that was stored before and is now newer: lines its new version lacks go. */
async function removeDroppedLines(
  client: pg.PoolClient,
  range: number[],
  updated: { id: number; externalId: string }[],
): Promise<void> {
  await client.query(
    `DELETE FROM "OrderLine" ol
     USING unnest($5::int[], $6::text[]) AS w(order_id, external_id)
     WHERE ol."shopId" = $1 AND ol."orderId" = w.order_id
       AND NOT EXISTS (
         SELECT 1 FROM "BulkStagedOrderLine" l
         WHERE l."syncRunId" = $2 AND l."parentSeq" > $3 AND l."parentSeq" <= $4
           AND l."parentExternalId" = w.external_id AND l."externalId" = ol."externalId")`,
    [...range, updated.map((row) => row.id), updated.map((row) => row.externalId)],
  );
}

/** Refunds ride on their order's staged row; they have their own updatedAt guard. */
async function mergeRefunds(
  pool: pg.Pool,
  shopId: number,
  syncRunId: number,
  afterSeq: number,
  throughSeq: number,
): Promise<RejectedRecord[]> {
  const { rows } = await pool.query<{ refunds: Omit<RefundRecord, "customerExternalId">[]; customer: string | null }>(
    `SELECT "refunds", "customerExternalId" AS "customer" FROM "BulkStagedOrder"
     WHERE "syncRunId" = $1 AND "seq" > $2 AND "seq" <= $3 AND "refunds" IS NOT NULL`,
    [syncRunId, afterSeq, throughSeq],
  );
  if (rows.length === 0) return [];
  const refunds = rows.flatMap((row) => row.refunds.map((refund) => ({ ...refund, customerExternalId: row.customer })));
  return (await ingestRefunds(pool, shopId, refunds)).rejected;
}
