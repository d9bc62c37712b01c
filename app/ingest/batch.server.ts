import type pg from "pg";
import type { z } from "zod";

import { inTransaction } from "./transaction.server";
import { newestPerId, validateAll, type CanonicalCheck, type RejectedRecord } from "./records";

export interface IngestResult {
  /** Records inserted or updated (older or identical versions are not counted). */
  written: number;
  /** Records skipped because the stored version is as new or newer. */
  unchanged: number;
  rejected: RejectedRecord[];
}

/**
 * The frame every ingest function shares: validate, keep the newest version of each record,
 * then write them all in one transaction. `write` returns how many rows it changed.
 */
export async function ingestBatch<S extends z.ZodType<{ externalId: string; updatedAt: Date }>>(
  pool: pg.Pool,
  schema: S,
  records: readonly unknown[],
  write: (client: pg.PoolClient, valid: z.output<S>[]) => Promise<number>,
  canonical?: CanonicalCheck<S>,
): Promise<IngestResult> {
  const { valid, rejected } = validateAll(schema, records, canonical);
  const unique = newestPerId(valid);
  if (unique.length === 0) return { written: 0, unchanged: 0, rejected };
  const written = await inTransaction(pool, (client) => write(client, unique));
  return { written, unchanged: unique.length - written, rejected };
}
