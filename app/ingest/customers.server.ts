import type pg from "pg";

import { ingestBatch, type IngestResult } from "./batch.server";
import { CustomerRecord } from "./records";
import { lockCustomerWrites, notRedacted } from "./redactions.server";

/**
 * Upserts customers in one statement. A stored row changes only when the incoming
 * `updatedAt` is strictly newer, so replays and out-of-order deliveries are harmless. A
 * customer redacted during an unfinished backfill is not stored again (redactions.server.ts).
 */
export async function ingestCustomers(
  pool: pg.Pool,
  shopId: number,
  records: readonly unknown[],
): Promise<IngestResult> {
  return ingestBatch(pool, CustomerRecord, records, async (client, customers) => {
    await lockCustomerWrites(client, shopId);
    const result = await client.query(
      `INSERT INTO "Customer" ("shopId", "externalId", "email", "firstName", "lastName", "country", "tags",
                               "acceptsMarketing", "platformCreatedAt", "platformUpdatedAt")
       SELECT $1, t.external_id, t.email, t.first_name, t.last_name, t.country,
              COALESCE(string_to_array(t.tags, E'\\x1f'), '{}'), t.accepts_marketing, t.created_at, t.updated_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[],
                   $9::timestamptz[], $10::timestamptz[])
         AS t(external_id, email, first_name, last_name, country, tags, accepts_marketing, created_at, updated_at)
       WHERE ${notRedacted("t.external_id")}
       ON CONFLICT ("shopId", "externalId") DO UPDATE SET
         "email" = EXCLUDED."email", "firstName" = EXCLUDED."firstName", "lastName" = EXCLUDED."lastName",
         "country" = EXCLUDED."country", "tags" = EXCLUDED."tags", "acceptsMarketing" = EXCLUDED."acceptsMarketing",
         "platformCreatedAt" = EXCLUDED."platformCreatedAt", "platformUpdatedAt" = EXCLUDED."platformUpdatedAt",
         "updatedAt" = now()
       WHERE "Customer"."platformUpdatedAt" IS NULL OR "Customer"."platformUpdatedAt" < EXCLUDED."platformUpdatedAt"`,
      [
        shopId,
        customers.map((c) => c.externalId),
        customers.map((c) => c.email),
        customers.map((c) => c.firstName),
        customers.map((c) => c.lastName),
        customers.map((c) => c.country),
        // Tags travel as one unit-separator-joined string: Postgres cannot unnest a ragged text[][].
        customers.map((c) => (c.tags.length ? c.tags.join("\x1f") : null)),
        customers.map((c) => c.acceptsMarketing),
        customers.map((c) => c.createdAt),
        customers.map((c) => c.updatedAt),
      ],
    );
    return result.rowCount ?? 0;
  });
}
