import type pg from "pg";

import { ingestBatch, type IngestResult } from "./batch.server";
import { ProductRecord } from "./records";

/**
 * Upserts products and, for every product that changed, replaces its variant list
 * (variants keep their ids when their externalId is unchanged). A deleted product is kept
 * with `deletedAt` set: past orders still point at it, but it is never recommended again.
 */
export async function ingestProducts(
  pool: pg.Pool,
  shopId: number,
  records: readonly unknown[],
): Promise<IngestResult> {
  return ingestBatch(pool, ProductRecord, records, async (client, products) => {
    const upserted = await client.query<{ id: number; externalId: string }>(
      `INSERT INTO "Product" ("shopId", "externalId", "title", "handle", "productType", "vendor", "status", "imageUrl",
                              "totalInventory", "recommendable", "deletedAt", "platformCreatedAt", "platformUpdatedAt")
       SELECT $1, t.external_id, t.title, t.handle, t.product_type, t.vendor, t.status::"ProductStatus", t.image_url,
              t.total_inventory, t.recommendable, CASE WHEN t.deleted THEN t.updated_at END, t.created_at, t.updated_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
                   $10::boolean[], $11::boolean[], $12::timestamptz[], $13::timestamptz[])
         AS t(external_id, title, handle, product_type, vendor, status, image_url, total_inventory, recommendable,
              deleted, created_at, updated_at)
       ON CONFLICT ("shopId", "externalId") DO UPDATE SET
         "title" = EXCLUDED."title", "handle" = EXCLUDED."handle", "productType" = EXCLUDED."productType",
         "vendor" = EXCLUDED."vendor", "status" = EXCLUDED."status", "imageUrl" = EXCLUDED."imageUrl",
         "totalInventory" = EXCLUDED."totalInventory", "recommendable" = EXCLUDED."recommendable",
         "deletedAt" = EXCLUDED."deletedAt", "platformCreatedAt" = EXCLUDED."platformCreatedAt",
         "platformUpdatedAt" = EXCLUDED."platformUpdatedAt", "updatedAt" = now()
       WHERE "Product"."platformUpdatedAt" IS NULL OR "Product"."platformUpdatedAt" < EXCLUDED."platformUpdatedAt"
       RETURNING "id", "externalId"`,
      [
        shopId,
        products.map((p) => p.externalId),
        products.map((p) => p.title),
        products.map((p) => p.handle),
        products.map((p) => p.productType),
        products.map((p) => p.vendor),
        products.map((p) => p.status),
        products.map((p) => p.imageUrl),
        products.map((p) => p.totalInventory),
        products.map((p) => p.recommendable),
        products.map((p) => p.deleted),
        products.map((p) => p.createdAt),
        products.map((p) => p.updatedAt),
      ],
    );
    const idByExternal = new Map(upserted.rows.map((row) => [row.externalId, row.id]));
    const changed = products.filter((p) => idByExternal.has(p.externalId) && !p.deleted);
    const variants = changed.flatMap((p) =>
      p.variants.map((v) => ({ ...v, productId: idByExternal.get(p.externalId)! })),
    );
    if (variants.length > 0) {
      await client.query(
        `INSERT INTO "ProductVariant" ("shopId", "productId", "externalId", "title", "sku", "price",
                                       "inventoryQuantity", "platformUpdatedAt")
         SELECT $1, t.product_id, t.external_id, t.title, t.sku, t.price, t.inventory, now()
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::int[])
           AS t(product_id, external_id, title, sku, price, inventory)
         ON CONFLICT ("shopId", "externalId") DO UPDATE SET
           "productId" = EXCLUDED."productId", "title" = EXCLUDED."title", "sku" = EXCLUDED."sku",
           "price" = EXCLUDED."price", "inventoryQuantity" = EXCLUDED."inventoryQuantity",
           "platformUpdatedAt" = EXCLUDED."platformUpdatedAt"`,
        [
          shopId,
          variants.map((v) => v.productId),
          variants.map((v) => v.externalId),
          variants.map((v) => v.title),
          variants.map((v) => v.sku),
          variants.map((v) => v.price),
          variants.map((v) => v.inventoryQuantity),
        ],
      );
    }
    if (changed.length > 0) {
      // Variants a changed product no longer lists were deleted on the platform; the order
      // lines that sold them (gift cards included, which have no product) keep their product
      // and lose only the variant link (no foreign key does this for us: ADR 0010).
      await client.query(
        `WITH gone AS (
           DELETE FROM "ProductVariant" v
           WHERE v."shopId" = $1 AND v."productId" = ANY($2::int[]) AND NOT (v."externalId" = ANY($3::text[]))
           RETURNING v."id", v."productId")
         UPDATE "OrderLine" l SET "variantId" = NULL
         FROM gone WHERE l."shopId" = $1 AND l."variantId" = gone."id"`,
        [shopId, changed.map((p) => idByExternal.get(p.externalId)!), variants.map((v) => v.externalId)],
      );
    }
    return upserted.rowCount ?? 0;
  });
}
