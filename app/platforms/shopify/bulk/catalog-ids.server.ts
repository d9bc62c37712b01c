/**
 * The shop's product and variant ids by Shopify id, read once before the orders are staged,
 * so that staged lines carry them and the merge does not look each line's product and
 * variant up again (two index probes per line: 6M for the benchmark's 3M lines).
 *
 * Product rows are never deleted (`deletedAt`), so a product id read here stays right. A
 * variant deleted by a product update while the backfill runs can leave its id on lines
 * merged afterwards; ADR 0010 accepts the same for a lookup that races the update, and no
 * reader uses `variantId`. Ids not found here (a product created during the backfill, or a
 * catalog past the limit) are looked up by the merge as before.
 */
import type pg from "pg";

/** Enough for large catalogs and customer lists while keeping each map to tens of megabytes. */
const MAX_IDS = 250_000;

export interface CatalogIds {
  product(externalId: string | null): number | null;
  variant(externalId: string | null): number | null;
}

/**
 * Our ids of a shop's rows in `table` by their Shopify ids, at most MAX_IDS of them: a row
 * not in the map is looked up (or staged) by the caller as if the map did not exist.
 */
export async function idsByShopifyId(
  pool: pg.Pool,
  table: "Product" | "ProductVariant" | "Customer",
  shopId: number,
): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ externalId: string; id: number }>(
    `SELECT "externalId", "id" FROM "${table}" WHERE "shopId" = $1 LIMIT $2`,
    [shopId, MAX_IDS],
  );
  return new Map(rows.map((row) => [row.externalId, row.id]));
}

export async function loadCatalogIds(pool: pg.Pool, shopId: number): Promise<CatalogIds> {
  const products = await idsByShopifyId(pool, "Product", shopId);
  const variants = await idsByShopifyId(pool, "ProductVariant", shopId);
  return {
    product: (externalId) => (externalId === null ? null : (products.get(externalId) ?? null)),
    variant: (externalId) => (externalId === null ? null : (variants.get(externalId) ?? null)),
  };
}
