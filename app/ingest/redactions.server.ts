/**
 * Keeps a redacted customer from coming back while a backfill is unfinished.
 *
 * A backfill downloads a shop's customers and orders long before it has written them all, so
 * a customers/redact that arrives meanwhile deletes the customer while rows naming them are
 * still on their way: in the customers download, or staged orders and refunds that would
 * create a placeholder for them. The redaction leaves a tombstone ("BackfillRedaction") for
 * the shop's latest unfinished backfill, and every write that can create a customer row skips
 * the ids it holds (`notRedacted`).
 *
 * An advisory lock closes the race between the two: each such write holds it shared for its
 * transaction, a redaction holds it exclusively. So a write either committed before the
 * redaction began (and the redaction deletes what it wrote) or starts after it committed (and
 * sees the tombstone). Shared holders never wait for each other; a redaction waits for the
 * writes in flight, at most one merge chunk.
 */
import type pg from "pg";

/** First key of the lock; the second is the shop id. ASCII "redc". */
const CUSTOMER_WRITES = 0x72656463;

/** Taken first in every transaction that may insert "Customer" rows for the shop. */
export async function lockCustomerWrites(client: pg.PoolClient, shopId: number): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock_shared($1, $2)", [CUSTOMER_WRITES, shopId]);
}

/** The exclusive side, as SQL for a redaction's transaction: `SELECT ...` with the shop id as $1. */
export const LOCK_FOR_REDACTION = `SELECT pg_advisory_xact_lock(${CUSTOMER_WRITES}, $1::int)`;

/**
 * A condition true unless the customer external id `column` was redacted during the shop's
 * unfinished backfill; the shop id is $1, as in every ingest statement.
 */
export function notRedacted(column: string): string {
  return `NOT EXISTS (SELECT 1 FROM "BackfillRedaction" r WHERE r."shopId" = $1 AND r."customerExternalId" = ${column})`;
}
