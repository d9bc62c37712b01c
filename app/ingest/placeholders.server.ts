/**
 * Refunds can arrive before the customer they mention (webhooks are unordered). Rather than
 * drop the link, we insert a placeholder row with no platform timestamp; the real record,
 * whenever it arrives, always overwrites it. (Orders do the same inside their upsert:
 * order-statements.ts.)
 */
import type pg from "pg";

import { ensureCustomersFrom } from "./order-statements";

export async function ensureCustomers(client: pg.PoolClient, shopId: number, externalIds: Iterable<string>) {
  const ids = [...new Set(externalIds)];
  if (ids.length === 0) return;
  await client.query(ensureCustomersFrom(`unnest($2::text[]) AS t(external_id)`), [shopId, ids]);
}
