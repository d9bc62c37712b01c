/**
 * Orders can arrive before the customer or product they mention (webhooks are unordered, a
 * backfill ingests orders in pages). Rather than drop the link, we insert a placeholder row
 * with no platform timestamp; the real record, whenever it arrives, always overwrites it.
 */
import type pg from "pg";

export async function ensureCustomers(client: pg.PoolClient, shopId: number, externalIds: Iterable<string>) {
  // Sorted, so concurrent batches take row locks in the same order and cannot deadlock.
  const ids = [...new Set(externalIds)].sort();
  if (ids.length === 0) return;
  await client.query(
    `INSERT INTO "Customer" ("shopId", "externalId")
     SELECT $1, id FROM unnest($2::text[]) AS id
     ON CONFLICT ("shopId", "externalId") DO NOTHING`,
    [shopId, ids],
  );
}

export async function ensureProducts(
  client: pg.PoolClient,
  shopId: number,
  products: Map<string, string>, // externalId -> title seen on the order line
) {
  if (products.size === 0) return;
  const ids = [...products.keys()].sort();
  await client.query(
    `INSERT INTO "Product" ("shopId", "externalId", "title")
     SELECT $1, id, title FROM unnest($2::text[], $3::text[]) AS t(id, title)
     ON CONFLICT ("shopId", "externalId") DO NOTHING`,
    [shopId, ids, ids.map((id) => products.get(id)!)],
  );
}
