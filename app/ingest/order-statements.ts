import { notRedacted } from "./redactions.server";

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

/**
 * t(external_id, name, customer_external_id, processed_at, financial_status, cancelled_at,
 * cancel_reason, currency, subtotal, discounts, shipping, tax, total, refunded, test,
 * created_at, updated_at). Returns the orders written (new, or newer than the stored one);
 * an order Shopify deleted is never written again (DeletedOrder).
 *
 * A customer the orders name but we do not hold yet gets a placeholder in the same statement
 * (see placeholderFor). Looking ids up once here, instead of a separate "insert the missing
 * ones" statement first, cut merging 100,000 staged orders from 12.0-12.8 to 9.0-9.5 CPU-seconds
 * (ADR 0010).
 */
export function upsertOrdersFrom(source: string): string {
  return `WITH src AS (
     SELECT t.*, (SELECT c."id" FROM "Customer" c WHERE c."shopId" = $1 AND c."externalId" = t.customer_external_id)
              AS customer_id
     FROM ${source}
     -- Shopify never brings a deleted order back: a version read before the deletion is stale.
     WHERE NOT EXISTS (SELECT 1 FROM "DeletedOrder" d WHERE d."shopId" = $1 AND d."externalId" = t.external_id)
   ), new_customer AS (
     ${placeholderFor("Customer", "customer")}
   )
   INSERT INTO "Order" ("shopId", "externalId", "name", "customerId", "processedAt", "localDate",
                        "financialStatus", "cancelledAt", "cancelReason", "currency", "subtotalPrice",
                        "totalDiscounts", "totalShipping", "totalTax", "totalPrice", "totalRefunded", "test",
                        "platformCreatedAt", "platformUpdatedAt")
   SELECT $1, src.external_id, src.name, COALESCE(src.customer_id, new_customer."id"),
          src.processed_at, (src.processed_at AT TIME ZONE shop."timezone")::date,
          src.financial_status::"FinancialStatus", src.cancelled_at, src.cancel_reason, src.currency, src.subtotal,
          src.discounts, src.shipping, src.tax, src.total, src.refunded, src.test, src.created_at, src.updated_at
   FROM src
   JOIN "Shop" shop ON shop."id" = $1
   LEFT JOIN new_customer ON new_customer."externalId" = src.customer_external_id
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
   RETURNING "id", "externalId"`;
}

/**
 * t(order_id, external_id, kind, product_external_id, variant_external_id, sku, title,
 * quantity, unit_price, discount), and with `knownIds` also known_product_id and
 * known_variant_id: ids the source already resolved, so only the null ones are looked up
 * (COALESCE evaluates its second argument only when the first is null). Lines are matched by
 * externalId, so refund lines that point at them keep pointing at them. Products not held
 * yet get placeholders, titled after the line that named them.
 */
export function upsertOrderLinesFrom(source: string, { knownIds = false } = {}): string {
  const idOf = (table: "Product" | "ProductVariant", kind: "product" | "variant") => {
    const lookup = `(SELECT x."id" FROM "${table}" x WHERE x."shopId" = $1 AND x."externalId" = t.${kind}_external_id)`;
    return knownIds ? `COALESCE(t.known_${kind}_id, ${lookup})` : lookup;
  };
  return `WITH src AS (
     SELECT t.*, ${idOf("Product", "product")} AS product_id, ${idOf("ProductVariant", "variant")} AS variant_id
     FROM ${source}
   ), new_product AS (
     ${placeholderFor("Product", "product", `, "title"`, `, src.title`)}
   )
   INSERT INTO "OrderLine" ("shopId", "orderId", "externalId", "kind", "productId", "variantId", "sku",
                            "title", "quantity", "unitPrice", "totalDiscount")
   SELECT $1, src.order_id, src.external_id, src.kind::"LineKind", COALESCE(src.product_id, new_product."id"),
          src.variant_id, src.sku, src.title, src.quantity, src.unit_price, src.discount
   FROM src
   LEFT JOIN new_product ON new_product."externalId" = src.product_external_id
   ON CONFLICT ("shopId", "externalId") DO UPDATE SET
     "orderId" = EXCLUDED."orderId", "kind" = EXCLUDED."kind", "productId" = EXCLUDED."productId",
     "variantId" = EXCLUDED."variantId", "sku" = EXCLUDED."sku", "title" = EXCLUDED."title",
     "quantity" = EXCLUDED."quantity", "unitPrice" = EXCLUDED."unitPrice", "totalDiscount" = EXCLUDED."totalDiscount"`;
}

/**
 * Orders can arrive before the customer or product they name (webhooks are unordered; a
 * product or customer can be created while a backfill runs). Rather than drop the link, a
 * placeholder row with no platform timestamp is inserted, which the real record always
 * overwrites when it arrives. Sorted, so concurrent statements take the same locks in the
 * same order. A row another statement inserted meanwhile is "updated" to itself, so that
 * RETURNING still gives its id; the column touched is outside every key, so the row lock is
 * the weaker one that does not block foreign-key checks on the row. No placeholder is made
 * for a customer redacted during an unfinished backfill (callers hold lockCustomerWrites;
 * redactions.server.ts).
 */
function placeholderFor(table: "Customer" | "Product", prefix: string, extraColumn = "", extraValue = ""): string {
  const redacted = table === "Customer" ? `AND ${notRedacted(`src.${prefix}_external_id`)}` : "";
  return `INSERT INTO "${table}" ("shopId", "externalId"${extraColumn})
     SELECT DISTINCT ON (src.${prefix}_external_id) $1::int, src.${prefix}_external_id${extraValue} FROM src
     WHERE src.${prefix}_id IS NULL AND src.${prefix}_external_id IS NOT NULL ${redacted}
     ORDER BY src.${prefix}_external_id
     ON CONFLICT ("shopId", "externalId") DO UPDATE SET "updatedAt" = "${table}"."updatedAt"
     RETURNING "id", "externalId"`;
}

/** t(external_id): placeholders for customers named by refunds (see placeholderFor). */
export function ensureCustomersFrom(source: string): string {
  return `INSERT INTO "Customer" ("shopId", "externalId")
   SELECT DISTINCT $1::int, t.external_id FROM ${source}
   WHERE t.external_id IS NOT NULL AND ${notRedacted("t.external_id")} ORDER BY 2
   ON CONFLICT ("shopId", "externalId") DO NOTHING`;
}
