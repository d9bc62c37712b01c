/**
 * Keeps an erased customer from coming back.
 *
 * A customers/redact or customers/delete deletes the customer, but rows naming them can
 * still be on their way: a backfill's customers download or its staged orders and refunds
 * (which would create a placeholder), a webhook or reconcile page read before the erasure, a
 * delivery retried hours later. The erasure therefore leaves a tombstone ("ErasedCustomer"),
 * and every write that can create a customer row skips the ids it holds (`notRedacted`).
 * Shopify never reuses a customer id, so the tombstone stays; it holds a salted hash of the
 * id, so that no row holds the erased customer's id.
 *
 * An advisory lock closes the race between the two: each such write holds it shared for its
 * transaction, an erasure holds it exclusively. So a write either committed before the
 * erasure began (and the erasure deletes what it wrote) or starts after it committed (and
 * sees the tombstone). Shared holders never wait for each other; an erasure waits for the
 * writes in flight, at most one merge chunk.
 *
 * Every order write holds the lock too (orders may create customer placeholders), so an
 * order deletion takes it exclusively in the same way: its DeletedOrder tombstone then closes
 * the same race for orders (ingest/orders.server.ts, deleteOrder).
 */
import type pg from "pg";

/** First key of the lock; the second is the shop id. ASCII "redc". */
const CUSTOMER_WRITES = 0x72656463;

/** Taken first in every transaction that may insert "Customer" rows for the shop. */
export async function lockCustomerWrites(client: pg.PoolClient, shopId: number): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock_shared($1, $2)", [CUSTOMER_WRITES, shopId]);
}

/**
 * The exclusive side: waits for the shop's customer and order writes in flight and holds off
 * new ones until the transaction ends.
 */
export async function lockOutWrites(client: pg.PoolClient, shopId: number): Promise<void> {
  await client.query(LOCK_FOR_REDACTION, [shopId]);
}

/** The exclusive side, as SQL for a redaction's transaction: `SELECT ...` with the shop id as $1. */
export const LOCK_FOR_REDACTION = `SELECT pg_advisory_xact_lock(${CUSTOMER_WRITES}, $1::int)`;

/** The shared side as SQL (shop id $1), for writers that go through Prisma (data exports). */
export const LOCK_FOR_CUSTOMER_WRITE = `SELECT pg_advisory_xact_lock_shared(${CUSTOMER_WRITES}, $1::int)`;

/**
 * The tombstone key of customer external id `idSql` in shop `shopSql` (SQL expressions): the
 * shop id salts the hash, so equal ids of two shops never share a key.
 */
export function erasedCustomerKey(shopSql: string, idSql: string): string {
  return `sha256(convert_to(${shopSql}::int::text || ':' || ${idSql}, 'UTF8'))`;
}

/**
 * A condition true unless the customer external id `column` was erased; the shop id is $1,
 * as in every ingest statement.
 */
export function notRedacted(column: string): string {
  return `NOT EXISTS (SELECT 1 FROM "ErasedCustomer" e
                     WHERE e."shopId" = $1 AND e."idHash" = ${erasedCustomerKey("$1", column)})`;
}
