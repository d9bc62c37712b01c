/**
 * Spools a bulk operation's JSONL into BulkStagingRow with COPY, reading the download as a
 * stream (memory stays flat whatever the file size). Shopify does not promise that a child
 * line follows its parent, so objects are joined later, in the database.
 */
import type pg from "pg";

import { CopyWriter, copyValue } from "~/lib/copy-writer.server";

import { jsonlLines, stopReading } from "./jsonl-lines.server";

const GID = /"id":"(gid:\/\/shopify\/[^"]+)"/;
const PARENT = /"__parentId":"(gid:\/\/shopify\/[^"]+)"/;

export interface StagingResult {
  lines: number;
  roots: number;
}

/** Downloads `url` and stages every line for `syncRunId`, replacing what was staged before. */
export async function stageBulkResult(
  pool: pg.Pool,
  syncRunId: number,
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<StagingResult> {
  const input = jsonlLines(url, { fetchImpl });
  // Pull the first line before touching the staging: a failed download leaves it as it was.
  const first = await input.next();
  const client = await pool.connect();
  let copy: CopyWriter | undefined;
  try {
    await client.query("BEGIN");
    await client.query(`DELETE FROM "BulkStagingRow" WHERE "syncRunId" = $1`, [syncRunId]);
    const copy = new CopyWriter(
      client,
      `COPY "BulkStagingRow" ("syncRunId", "seq", "gid", "parentGid", "data") FROM STDIN`,
    );
    const run = String(syncRunId);
    let seq = 0;
    let roots = 0;
    for (let next = first; !next.done; next = await input.next()) {
      const line = next.value.text;
      seq = next.value.seq;
      // Ids are read with a pattern rather than JSON.parse: this loop runs millions of times.
      const gid = GID.exec(line)?.[1];
      if (!gid) throw new Error(`bulk result line ${seq} has no Shopify id`);
      const parent = PARENT.exec(line)?.[1];
      if (!parent) roots += 1;
      await copy.row([run, String(seq), gid, copyValue(parent), copyValue(line)]);
    }
    await copy.end();
    await client.query("COMMIT");
    // Fresh statistics, or the planner (which has never seen these millions of rows) may read
    // the whole table for every batch's children instead of using the parentGid index.
    await client.query(`ANALYZE "BulkStagingRow"`);
    return { lines: seq, roots };
  } catch (error) {
    await copy?.abort(error as Error);
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
    stopReading(input);
  }
}

export interface StagedObject {
  seq: number;
  data: Record<string, unknown>;
  children: Record<string, unknown>[];
}

/** The next `limit` top-level objects after `afterSeq`, each with its children. */
export async function readStagedBatch(
  pool: pg.Pool,
  syncRunId: number,
  afterSeq: number,
  limit: number,
): Promise<StagedObject[]> {
  const roots = await pool.query<{ seq: number; gid: string; data: Record<string, unknown> }>(
    `SELECT "seq", "gid", "data" FROM "BulkStagingRow"
     WHERE "syncRunId" = $1 AND "parentGid" IS NULL AND "seq" > $2
     ORDER BY "seq" LIMIT $3`,
    [syncRunId, afterSeq, limit],
  );
  if (roots.rows.length === 0) return [];
  const children = await pool.query<{ parentGid: string; data: Record<string, unknown> }>(
    `SELECT "parentGid", "data" FROM "BulkStagingRow"
     WHERE "syncRunId" = $1 AND "parentGid" = ANY($2::text[])
     ORDER BY "seq"`,
    [syncRunId, roots.rows.map((row) => row.gid)],
  );
  const byParent = new Map<string, Record<string, unknown>[]>();
  for (const child of children.rows) {
    const list = byParent.get(child.parentGid) ?? [];
    list.push(child.data);
    byParent.set(child.parentGid, list);
  }
  return roots.rows.map((row) => ({ seq: row.seq, data: row.data, children: byParent.get(row.gid) ?? [] }));
}

/** Whether anything is staged for the run (a resume checks a crash did not empty it). */
export async function hasStagedLines(pool: pg.Pool, syncRunId: number): Promise<boolean> {
  const { rows } = await pool.query(`SELECT 1 FROM "BulkStagingRow" WHERE "syncRunId" = $1 LIMIT 1`, [syncRunId]);
  return rows.length > 0;
}

export async function clearStaging(pool: pg.Pool, syncRunId: number): Promise<void> {
  await pool.query(`DELETE FROM "BulkStagingRow" WHERE "syncRunId" = $1`, [syncRunId]);
}
