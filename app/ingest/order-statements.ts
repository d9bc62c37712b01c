/**
 * The order upserts, written once over a row source so that every way orders arrive shares
 * them: arrays bound as parameters (webhooks, reconcile, file import; orders.server.ts) or
 * rows already staged in Postgres (the bulk backfill; platforms/shopify/bulk/order-merge).
 *
 * A source is any SQL relation aliased `t` that yields the columns named below; `$1` is the
 * shop id in every statement. Customer, product and variant ids are looked up with scalar
 * subqueries: one index probe per row whatever the planner believes about table sizes (a
 * hash join over a shop's 200,000 customers for every batch of 5,000 orders cost 0.18 s a
 * batch when the statistics were stale).
 */

/** t(external_id, name, customer_external_id, processed_at, financial_status, cancelled_at,
 *  cancel_reason, currency, subtotal, discounts, shipping, tax, total, refunded, test,
 *  created_at, updated_at). Returns the orders written, and whether each was new. */
export function upsertOrdersFrom(source: string): string {
  return `INSERT INTO "Order" ("shopId", "externalId", "name", "customerId", "processedAt", "localDate",
                        "financialStatus", "cancelledAt", "cancelReason", "currency", "subtotalPrice",
                        "totalDiscounts", "totalShipping", "totalTax", "totalPrice", "totalRefunded", "test",
                        "platformCreatedAt", "platformUpdatedAt")
   SELECT $1, t.external_id, t.name,
          (SELECT c."id" FROM "Customer" c WHERE c."shopId" = $1 AND c."externalId" = t.customer_external_id),
          t.processed_at, (t.processed_at AT TIME ZONE s."timezone")::date, t.financial_status::"FinancialStatus",
          t.cancelled_at, t.cancel_reason, t.currency, t.subtotal, t.discounts, t.shipping, t.tax, t.total,
          t.refunded, t.test, t.created_at, t.updated_at
   FROM ${source}
   JOIN "Shop" s ON s."id" = $1
   ON CONFLICT ("shopId", "externalId") DO UPDATE SET
     "name" = EXCLUDED."name", "customerId" = EXCLUDED."customerId", "processedAt" = EXCLUDED."processedAt",
     "localDate" = EXCLUDED."localDate", "financialStatus" = EXCLUDED."financialStatus",
     "cancelledAt" = EXCLUDED."cancelledAt", "cancelReason" = EXCLUDED."cancelReason",
     "currency" = EXCLUDED."currency", "subtotalPrice" = EXCLUDED."subtotalPrice",
     "totalDiscounts" = EXCLUDED."totalDiscounts", "totalShipping" = EXCLUDED."totalShipping",
     "totalTax" = EXCLUDED."totalTax", "totalPrice" = EXCLUDED."totalPrice",
     "totalRefunded" = EXCLUDED."totalRefunded", "test" = EXCLUDED."test",
     "platformCreatedAt" = EXCLUDED."platformCreatedAt", "platformUpdatedAt" = EXCLUDED."platformUpdatedAt",
     "updatedAt" = now()
   WHERE "Order"."platformUpdatedAt" < EXCLUDED."platformUpdatedAt"
   RETURNING "id", "externalId", (xmax = 0) AS "inserted"`;
}

/** t(order_id, external_id, kind, product_external_id, variant_external_id, sku, title,
 *  quantity, unit_price, discount). Lines are matched by externalId, so refund lines that
 *  point at them keep pointing at them. */
export function upsertOrderLinesFrom(source: string): string {
  return `INSERT INTO "OrderLine" ("shopId", "orderId", "externalId", "kind", "productId", "variantId", "sku",
                            "title", "quantity", "unitPrice", "totalDiscount")
   SELECT $1, t.order_id, t.external_id, t.kind::"LineKind",
          (SELECT p."id" FROM "Product" p WHERE p."shopId" = $1 AND p."externalId" = t.product_external_id),
          (SELECT v."id" FROM "ProductVariant" v WHERE v."shopId" = $1 AND v."externalId" = t.variant_external_id),
          t.sku, t.title, t.quantity, t.unit_price, t.discount
   FROM ${source}
   ON CONFLICT ("shopId", "externalId") DO UPDATE SET
     "orderId" = EXCLUDED."orderId", "kind" = EXCLUDED."kind", "productId" = EXCLUDED."productId",
     "variantId" = EXCLUDED."variantId", "sku" = EXCLUDED."sku", "title" = EXCLUDED."title",
     "quantity" = EXCLUDED."quantity", "unitPrice" = EXCLUDED."unitPrice", "totalDiscount" = EXCLUDED."totalDiscount"`;
}

/**
 * t(external_id): customers the orders mention that we have not seen yet get a placeholder
 * with no platform timestamp, which the real record always overwrites when it arrives.
 * Sorted, so concurrent batches take the same locks in the same order and cannot deadlock.
 */
export function ensureCustomersFrom(source: string): string {
  return `INSERT INTO "Customer" ("shopId", "externalId")
   SELECT DISTINCT $1::int, t.external_id FROM ${source} WHERE t.external_id IS NOT NULL ORDER BY 2
   ON CONFLICT ("shopId", "externalId") DO NOTHING`;
}

/** t(external_id, title): the same for products, titled after the order line that named them. */
export function ensureProductsFrom(source: string): string {
  return `INSERT INTO "Product" ("shopId", "externalId", "title")
   SELECT DISTINCT ON (t.external_id) $1::int, t.external_id, t.title FROM ${source}
   WHERE t.external_id IS NOT NULL ORDER BY t.external_id
   ON CONFLICT ("shopId", "externalId") DO NOTHING`;
}
