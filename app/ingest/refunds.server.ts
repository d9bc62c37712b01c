import type pg from "pg";

import { ingestBatch, type IngestResult } from "./batch.server";
import { ensureCustomers } from "./placeholders.server";
import { RefundLineRecord, RefundRecord, validateAll, type RejectedRecord, type ValidRefund } from "./records";
import { lockCustomerWrites } from "./redactions.server";
import { inTransaction } from "./transaction.server";

/**
 * Upserts refunds and cancellations with their lines. A refund is linked to its order and
 * each line to the order line it reverses when the source names them and we hold them;
 * otherwise the links stay empty and the refund is still recorded against the shop.
 */
export async function ingestRefunds(pool: pg.Pool, shopId: number, records: readonly unknown[]): Promise<IngestResult> {
  return ingestBatch(pool, RefundRecord, records, async (client, unordered) => {
    // Rows are locked in externalId order, as ingestRefundLines locks them: no deadlock.
    const refunds = [...unordered].sort((a, b) =>
      a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0,
    );
    await lockCustomerWrites(client, shopId);
    await ensureCustomers(
      client,
      shopId,
      refunds.flatMap((r) => (r.customerExternalId ? [r.customerExternalId] : [])),
    );
    const upserted = await client.query<{ id: number; externalId: string }>(
      `INSERT INTO "Refund" ("shopId", "externalId", "orderId", "customerId", "processedAt", "localDate",
                             "isCancellation", "note", "currency", "totalAmount", "platformUpdatedAt", "linesPending")
       SELECT $1, t.external_id, o."id", c."id", t.processed_at, (t.processed_at AT TIME ZONE s."timezone")::date,
              t.is_cancellation, t.note, t.currency, t.total, t.updated_at, t.lines_pending
       FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[], $7::text[], $8::text[],
                   $9::numeric[], $10::timestamptz[], $11::boolean[])
         AS t(external_id, order_external_id, customer_external_id, processed_at, is_cancellation, note, currency,
              total, updated_at, lines_pending)
       JOIN "Shop" s ON s."id" = $1
       LEFT JOIN "Order" o ON o."shopId" = $1 AND o."externalId" = t.order_external_id
       LEFT JOIN "Customer" c ON c."shopId" = $1 AND c."externalId" = t.customer_external_id
       ON CONFLICT ("shopId", "externalId") DO UPDATE SET
         "orderId" = EXCLUDED."orderId", "customerId" = EXCLUDED."customerId",
         "processedAt" = EXCLUDED."processedAt", "localDate" = EXCLUDED."localDate",
         "isCancellation" = EXCLUDED."isCancellation", "note" = EXCLUDED."note", "currency" = EXCLUDED."currency",
         "totalAmount" = EXCLUDED."totalAmount", "platformUpdatedAt" = GREATEST("Refund"."platformUpdatedAt", EXCLUDED."platformUpdatedAt"),
         "linesPending" = "Refund"."linesPending" AND EXCLUDED."linesPending"
       WHERE "Refund"."platformUpdatedAt" < EXCLUDED."platformUpdatedAt"
          OR ("Refund"."linesPending" AND NOT EXCLUDED."linesPending")
       RETURNING "id", "externalId"`,
      [
        shopId,
        refunds.map((r) => r.externalId),
        refunds.map((r) => r.orderExternalId),
        refunds.map((r) => r.customerExternalId),
        refunds.map((r) => r.processedAt),
        refunds.map((r) => r.isCancellation),
        refunds.map((r) => r.note),
        refunds.map((r) => r.currency),
        refunds.map((r) => r.totalAmount),
        refunds.map((r) => r.updatedAt),
        refunds.map((r) => r.linesPending),
      ],
    );
    const refundIds = new Map(upserted.rows.map((row) => [row.externalId, row.id]));
    if (refundIds.size > 0) await replaceRefundLines(client, shopId, refunds, refundIds);
    await linkStoredRefunds(client, shopId, refunds);
    return refundIds.size;
  });
}

/**
 * Fills in the order and customer of stored refunds that lack them. Webhooks are unordered: a
 * `refunds/create` can be stored before its order, and it names no customer. The order's
 * later payload carries the same refund with the same `updatedAt`, which the upsert's guard
 * rightly skips, so the links are added here instead. Only empty links are filled: a refund
 * never changes order, and a customer link that redaction removed stays removed (the
 * customer's row and the order's link are gone too).
 */
async function linkStoredRefunds(client: pg.PoolClient, shopId: number, refunds: ValidRefund[]): Promise<void> {
  const withOrder = refunds.filter((refund) => refund.orderExternalId);
  if (withOrder.length === 0) return;
  await client.query(
    `UPDATE "Refund" r SET "orderId" = COALESCE(r."orderId", o."id"), "customerId" = COALESCE(r."customerId", o."customerId")
     FROM unnest($2::text[], $3::text[]) AS t(external_id, order_external_id)
     JOIN "Order" o ON o."shopId" = $1 AND o."externalId" = t.order_external_id
     WHERE r."shopId" = $1 AND r."externalId" = t.external_id
       AND (r."orderId" IS NULL OR (r."customerId" IS NULL AND o."customerId" IS NOT NULL))`,
    [shopId, withOrder.map((refund) => refund.externalId), withOrder.map((refund) => refund.orderExternalId)],
  );
}

/**
 * Refund lines are referenced by nothing, so a changed refund simply gets its lines anew; a
 * record whose lines are pending says nothing about them, so the stored ones stay.
 */
async function replaceRefundLines(
  client: pg.PoolClient,
  shopId: number,
  refunds: ValidRefund[],
  refundIds: Map<string, number>,
): Promise<void> {
  const known = refunds.filter((refund) => !refund.linesPending && refundIds.has(refund.externalId));
  await client.query(`DELETE FROM "RefundLine" WHERE "shopId" = $1 AND "refundId" = ANY($2::int[])`, [
    shopId,
    known.map((refund) => refundIds.get(refund.externalId)!),
  ]);
  const lines = known.flatMap((refund) =>
    refund.lines.map((line) => ({ refundId: refundIds.get(refund.externalId)!, ...line })),
  );
  await insertRefundLines(client, shopId, lines);
}

/**
 * Stores the lines of refunds that were stored without them (linesPending) and clears the
 * flag: `lines` may be empty (a refund of shipping alone). A refund with an invalid line gets
 * none, so it is not fetched again forever; the line is reported. Refunds not pending (a
 * webhook brought their lines meanwhile) are left as they are.
 * @returns the refunds completed, and the lines rejected.
 */
export async function ingestRefundLines(
  pool: pg.Pool,
  shopId: number,
  refunds: readonly { refundExternalId: string; lines: readonly unknown[] }[],
): Promise<{ completed: number; rejected: RejectedRecord[] }> {
  const rejected: RejectedRecord[] = [];
  const checked = refunds.map(({ refundExternalId, lines }) => {
    const result = validateAll(RefundLineRecord, lines);
    for (const reject of result.rejected) {
      rejected.push({ externalId: refundExternalId, reasons: reject.reasons.map((reason) => `line: ${reason}`) });
    }
    return { refundExternalId, lines: result.rejected.length > 0 ? [] : result.valid };
  });
  const completed = await inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: number; externalId: string }>(
      `SELECT "id", "externalId" FROM "Refund"
       WHERE "shopId" = $1 AND "externalId" = ANY($2::text[]) AND "linesPending"
       ORDER BY "externalId" FOR UPDATE`,
      [shopId, checked.map((refund) => refund.refundExternalId)],
    );
    const ids = new Map(rows.map((row) => [row.externalId, row.id]));
    const lines = checked.flatMap((refund) => {
      const refundId = ids.get(refund.refundExternalId);
      return refundId === undefined ? [] : refund.lines.map((line) => ({ refundId, ...line }));
    });
    await insertRefundLines(client, shopId, lines);
    await client.query(`UPDATE "Refund" SET "linesPending" = false WHERE "id" = ANY($1::int[])`, [[...ids.values()]]);
    return ids.size;
  });
  return { completed, rejected };
}

async function insertRefundLines(
  client: pg.PoolClient,
  shopId: number,
  lines: (ValidRefund["lines"][number] & { refundId: number })[],
): Promise<void> {
  if (lines.length === 0) return;
  await client.query(
    `INSERT INTO "RefundLine" ("shopId", "refundId", "orderLineId", "orderLineExternalId", "kind", "productId", "sku",
                               "title", "quantity", "amount")
     SELECT $1, t.refund_id, ol."id", t.order_line_external_id, t.kind::"LineKind", COALESCE(p."id", ol."productId"),
            t.sku, t.title, t.quantity, t.amount
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::numeric[])
       AS t(refund_id, order_line_external_id, kind, product_external_id, sku, title, quantity, amount)
     LEFT JOIN "OrderLine" ol ON ol."shopId" = $1 AND ol."externalId" = t.order_line_external_id
     LEFT JOIN "Product" p ON p."shopId" = $1 AND p."externalId" = t.product_external_id`,
    [
      shopId,
      lines.map((l) => l.refundId),
      lines.map((l) => l.orderLineExternalId),
      lines.map((l) => l.kind),
      lines.map((l) => l.productExternalId),
      lines.map((l) => l.sku),
      lines.map((l) => l.title),
      lines.map((l) => l.quantity),
      lines.map((l) => l.amount),
    ],
  );
}

/**
 * Links refund lines stored before the order line they reverse (a refunds/create webhook
 * ahead of its orders/create, or during a backfill), to the lines of `orderIds` or, without
 * them, to any line of the shop; a line with no product of its own takes the order line's.
 */
export async function linkRefundLines(client: pg.PoolClient, shopId: number, orderIds?: number[]): Promise<void> {
  await client.query(
    `UPDATE "RefundLine" rl SET "orderLineId" = ol."id", "productId" = COALESCE(rl."productId", ol."productId")
     FROM "OrderLine" ol
     WHERE rl."shopId" = $1 AND rl."orderLineId" IS NULL AND rl."orderLineExternalId" IS NOT NULL
       AND ol."shopId" = $1 AND ol."externalId" = rl."orderLineExternalId"
       AND ($2::int[] IS NULL OR ol."orderId" = ANY($2::int[]))`,
    [shopId, orderIds ?? null],
  );
}
