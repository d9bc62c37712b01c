import type pg from "pg";

import { ingestBatch, type IngestResult } from "./batch.server";
import { canonicalOrder } from "./canonical-order";
import { upsertOrderLinesFrom, upsertOrdersFrom } from "./order-statements";
import { OrderRecord, type ValidOrder } from "./records";
import { lockCustomerWrites, lockOutWrites } from "./redactions.server";
import { linkRefundLines } from "./refunds.server";
import { inTransaction } from "./transaction.server";

/**
 * Upserts orders with their lines in one transaction per call.
 *
 * An order is written only when its `updatedAt` is strictly newer than the stored one; for
 * each order written, its lines are upserted by externalId (so refund lines keep pointing at
 * them) and lines the new version no longer has are removed. Customers and products the
 * orders mention but we have not seen yet get placeholders (see order-statements.ts).
 * The shop-local calendar day is fixed here, from the shop's IANA time zone.
 *
 * Cost: three set-based statements per call whatever the batch size; batch in the thousands.
 */
export async function ingestOrders(pool: pg.Pool, shopId: number, records: readonly unknown[]): Promise<IngestResult> {
  return ingestBatch(
    pool,
    OrderRecord,
    records,
    async (client, orders) => {
      await lockCustomerWrites(client, shopId); // orders may create customer placeholders
      const upserted = await upsertOrderRows(client, shopId, orders);
      if (upserted.size > 0) {
        await replaceLines(client, shopId, orders, upserted);
        await linkRefundLines(client, shopId, [...upserted.values()]);
      }
      return upserted.size;
    },
    canonicalOrder,
  );
}

async function upsertOrderRows(
  client: pg.PoolClient,
  shopId: number,
  orders: ValidOrder[],
): Promise<Map<string, number>> {
  const result = await client.query<{ id: number; externalId: string }>(
    upsertOrdersFrom(
      `unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::timestamptz[], $8::text[],
              $9::text[], $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[],
              $15::numeric[], $16::boolean[], $17::timestamptz[], $18::timestamptz[])
         AS t(external_id, name, customer_external_id, processed_at, financial_status, cancelled_at, cancel_reason,
              currency, subtotal, discounts, shipping, tax, total, refunded, test, created_at, updated_at)`,
    ),
    [
      shopId,
      orders.map((o) => o.externalId),
      orders.map((o) => o.name),
      orders.map((o) => o.customerExternalId),
      orders.map((o) => o.processedAt),
      orders.map((o) => o.financialStatus),
      orders.map((o) => o.cancelledAt),
      orders.map((o) => o.cancelReason),
      orders.map((o) => o.currency),
      orders.map((o) => o.subtotalPrice),
      orders.map((o) => o.totalDiscounts),
      orders.map((o) => o.totalShipping),
      orders.map((o) => o.totalTax),
      orders.map((o) => o.totalPrice),
      orders.map((o) => o.totalRefunded),
      orders.map((o) => o.test),
      orders.map((o) => o.createdAt),
      orders.map((o) => o.updatedAt),
    ],
  );
  return new Map(result.rows.map((row) => [row.externalId, row.id]));
}

async function replaceLines(
  client: pg.PoolClient,
  shopId: number,
  orders: ValidOrder[],
  orderIds: Map<string, number>,
): Promise<void> {
  const columns = {
    orderId: [] as number[],
    externalId: [] as string[],
    kind: [] as string[],
    product: [] as (string | null)[],
    variant: [] as (string | null)[],
    sku: [] as (string | null)[],
    title: [] as string[],
    quantity: [] as number[],
    unitPrice: [] as string[],
    discount: [] as string[],
  };
  for (const order of orders) {
    const orderId = orderIds.get(order.externalId);
    if (orderId === undefined) continue;
    for (const line of order.lines) {
      columns.orderId.push(orderId);
      columns.externalId.push(line.externalId);
      columns.kind.push(line.kind);
      columns.product.push(line.productExternalId);
      columns.variant.push(line.variantExternalId);
      columns.sku.push(line.sku);
      columns.title.push(line.title);
      columns.quantity.push(line.quantity);
      columns.unitPrice.push(line.unitPrice);
      columns.discount.push(line.totalDiscount);
    }
  }
  await client.query(
    `DELETE FROM "OrderLine" l
     WHERE l."shopId" = $1 AND l."orderId" = ANY($2::int[]) AND NOT (l."externalId" = ANY($3::text[]))`,
    [shopId, [...orderIds.values()], columns.externalId],
  );
  if (columns.externalId.length === 0) return;
  await client.query(
    upsertOrderLinesFrom(
      `unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
              $10::numeric[], $11::numeric[])
         AS t(order_id, external_id, kind, product_external_id, variant_external_id, sku, title, quantity,
              unit_price, discount)`,
    ),
    [
      shopId,
      columns.orderId,
      columns.externalId,
      columns.kind,
      columns.product,
      columns.variant,
      columns.sku,
      columns.title,
      columns.quantity,
      columns.unitPrice,
      columns.discount,
    ],
  );
}

/**
 * Deletes an order the platform deleted and leaves a tombstone (DeletedOrder), which every
 * order write checks, so that a version read before the deletion never brings it back. Both
 * happen under the exclusive side of the writers' lock (redactions.server.ts): a write in
 * flight commits first and is deleted here, and a later one sees the tombstone.
 * @returns whether an order was held.
 */
export async function deleteOrder(pool: pg.Pool, shopId: number, externalId: string): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    await lockOutWrites(client, shopId);
    await client.query(`INSERT INTO "DeletedOrder" ("shopId", "externalId") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      shopId,
      externalId,
    ]);
    const { rowCount } = await client.query(`DELETE FROM "Order" WHERE "shopId" = $1 AND "externalId" = $2`, [
      shopId,
      externalId,
    ]);
    return (rowCount ?? 0) > 0;
  });
}
