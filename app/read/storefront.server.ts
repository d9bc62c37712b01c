/**
 * Recommendations as shoppers see them (App Proxy, WooCommerce plugin): precomputed rows only,
 * never a model call. Availability is re-checked at read time, because stock and status change
 * between nightly trainings; short lists are topped up from the shop's best sellers.
 */
import type pg from "pg";

export type StorefrontKind = "for_you" | "similar" | "bought_together";

export interface StorefrontProduct {
  id: string;
  title: string;
  handle: string | null;
  imageUrl: string | null;
  /** For personal lists: titles of purchased products that led to this one. */
  because: string[];
}

export interface StorefrontList {
  kind: StorefrontKind;
  /** "model" when the list is the trained one, "popular" when it fell back to best sellers. */
  source: "model" | "popular";
  products: StorefrontProduct[];
}

const AVAILABLE = `p."status" = 'ACTIVE' AND p."deletedAt" IS NULL AND p."recommendable"
  AND (p."totalInventory" IS NULL OR p."totalInventory" > 0)`;

interface Row {
  id: string;
  title: string;
  handle: string | null;
  imageUrl: string | null;
  because: string[] | null;
}

const toProduct = (row: Row): StorefrontProduct => ({
  id: row.id,
  title: row.title,
  handle: row.handle,
  imageUrl: row.imageUrl,
  because: row.because ?? [],
});

async function trainedList(
  pool: pg.Pool,
  shopId: number,
  kind: StorefrontKind,
  subjectExternalId: string,
  limit: number,
): Promise<Row[]> {
  if (kind === "for_you") {
    const { rows } = await pool.query<Row>(
      `SELECT p."externalId" AS id, p."title", p."handle", p."imageUrl",
              (SELECT array_agg(b."title" ORDER BY array_position(r."because", b."id"))
               FROM "Product" b WHERE b."shopId" = $1 AND b."id" = ANY(r."because")) AS because
       FROM "Customer" c
       JOIN "CustomerRecommendation" r ON r."shopId" = $1 AND r."customerId" = c."id"
       JOIN "Product" p ON p."id" = r."productId" AND p."shopId" = $1
       WHERE c."shopId" = $1 AND c."externalId" = $2 AND ${AVAILABLE}
       ORDER BY r."rank" LIMIT $3`,
      [shopId, subjectExternalId, limit],
    );
    return rows;
  }
  const { rows } = await pool.query<Row>(
    `SELECT p."externalId" AS id, p."title", p."handle", p."imageUrl", NULL AS because
     FROM "Product" s
     JOIN "ProductRecommendation" r ON r."shopId" = $1 AND r."productId" = s."id" AND r."kind" = $3::"ProductRecommendationKind"
     JOIN "Product" p ON p."id" = r."recommendedProductId" AND p."shopId" = $1
     WHERE s."shopId" = $1 AND s."externalId" = $2 AND ${AVAILABLE}
     ORDER BY r."rank" LIMIT $4`,
    [shopId, subjectExternalId, kind === "similar" ? "SIMILAR" : "BOUGHT_TOGETHER", limit],
  );
  return rows;
}

async function popularList(pool: pg.Pool, shopId: number, excluded: string[], limit: number): Promise<Row[]> {
  const { rows } = await pool.query<Row>(
    `SELECT p."externalId" AS id, p."title", p."handle", p."imageUrl", NULL AS because
     FROM "PopularProduct" pp JOIN "Product" p ON p."id" = pp."productId" AND p."shopId" = $1
     WHERE pp."shopId" = $1 AND ${AVAILABLE} AND NOT (p."externalId" = ANY($2::text[]))
     ORDER BY pp."rank" LIMIT $3`,
    [shopId, excluded, limit],
  );
  return rows;
}

/**
 * @param subjectExternalId the customer (for_you; null for guests) or the product being viewed.
 */
export async function storefrontRecommendations(
  pool: pg.Pool,
  shopId: number,
  kind: StorefrontKind,
  subjectExternalId: string | null,
  limit: number,
): Promise<StorefrontList> {
  const trained = subjectExternalId ? await trainedList(pool, shopId, kind, subjectExternalId, limit) : [];
  if (trained.length >= limit) return { kind, source: "model", products: trained.map(toProduct) };
  // Never the product on the page, nor what is already listed.
  const excluded = [
    ...trained.map((row) => row.id),
    ...(kind !== "for_you" && subjectExternalId ? [subjectExternalId] : []),
  ];
  const topUp = await popularList(pool, shopId, excluded, limit - trained.length);
  return {
    kind,
    source: trained.length > 0 ? "model" : "popular",
    products: [...trained, ...topUp].map(toProduct),
  };
}
