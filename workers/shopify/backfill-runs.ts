/**
 * Which of a shop's backfill runs is still live, and clearing up after the others. Staging
 * tables have no foreign key to their run (ADR 0010), so nothing else removes their rows.
 */
import type { Database } from "~/db.server";

/**
 * Bulk results can be downloaded for a week after the operation completes; a run older than
 * this is started afresh rather than resumed.
 */
export const RESUMABLE_FOR_MS = 6 * 24 * 60 * 60 * 1000;

/**
 * The run a backfill job should resume: the shop's latest backfill when it did not succeed
 * (it failed, or its worker died and left it RUNNING) and is recent enough to resume. A
 * retried or re-delivered job then carries on where the last attempt stopped instead of
 * asking Shopify for every file again.
 */
export async function resumableBackfillRun(prisma: Database["prisma"], shopId: number): Promise<number | undefined> {
  const latest = await prisma.syncRun.findFirst({
    where: { shopId, kind: "BACKFILL" },
    orderBy: { id: "desc" },
    select: { id: true, status: true, startedAt: true },
  });
  if (!latest || latest.status === "SUCCEEDED") return undefined;
  return Date.now() - latest.startedAt.getTime() < RESUMABLE_FOR_MS ? latest.id : undefined;
}

/** Removes the staged rows of the runs `runs` selects ($1 the shop, then `args`). */
async function clearRuns(pool: Database["pool"], shopId: number, runs: string, args: unknown[]): Promise<void> {
  for (const table of ["BulkStagedOrder", "BulkStagedOrderLine", "BulkStagingRow"]) {
    await pool.query(`DELETE FROM "${table}" WHERE "syncRunId" IN (${runs})`, [shopId, ...args]);
  }
}

/**
 * A new backfill supersedes every earlier run of the shop: one backfill per shop runs at a
 * time (the sync processor holds a Redis lock for it), and a new run starts only when the
 * last one is not to be resumed, so their leftovers are abandoned whatever their status says.
 */
export function clearSupersededRuns(pool: Database["pool"], shopId: number, currentRunId: number) {
  return clearRuns(pool, shopId, `SELECT "id" FROM "SyncRun" WHERE "shopId" = $1 AND "id" <> $2`, [currentRunId]);
}

/** A run that succeeded writes no more: any staging it left goes. */
export function clearFinishedRun(pool: Database["pool"], shopId: number, runId: number) {
  return clearRuns(pool, shopId, `SELECT "id" FROM "SyncRun" WHERE "shopId" = $1 AND "id" = $2`, [runId]);
}

/**
 * Runs that succeeded or are too old to resume can never write again (called by the shop's
 * scheduled reconcile, for whatever clearFinishedRun could not remove).
 */
export async function clearRunsNoLongerWriting(pool: Database["pool"], shopId: number, now = Date.now()) {
  // A run resumed just before its window closed may still be writing after it: one that saved
  // progress within the last day is left alone.
  await clearRuns(
    pool,
    shopId,
    `SELECT "id" FROM "SyncRun" WHERE "shopId" = $1 AND "kind" = 'BACKFILL'
       AND ("status" = 'SUCCEEDED' OR ("startedAt" < $2 AND "updatedAt" < $3))`,
    [new Date(now - RESUMABLE_FOR_MS), new Date(now - 24 * 60 * 60 * 1000)],
  );
}

/**
 * Typed staging whose run is gone, in any shop (called by the quarter-hourly housekeeping): a
 * shop/redact that deletes the shop while its backfill is still downloading cannot stop a
 * segment from committing after it, and that shop has no reconcile left to clear it.
 */
export async function clearOrphanedStaging(pool: Database["pool"]): Promise<void> {
  for (const table of ["BulkStagedOrder", "BulkStagedOrderLine"]) {
    // The distinct run ids of a table that may hold millions of rows mid-backfill, found by
    // skipping along its primary key (which leads with the run id) rather than by a scan.
    await pool.query(
      `WITH RECURSIVE runs AS (
         (SELECT "syncRunId" AS id FROM "${table}" ORDER BY "syncRunId" LIMIT 1)
         UNION ALL
         SELECT (SELECT "syncRunId" FROM "${table}" WHERE "syncRunId" > runs.id ORDER BY "syncRunId" LIMIT 1)
         FROM runs WHERE runs.id IS NOT NULL
       )
       DELETE FROM "${table}" WHERE "syncRunId" IN (
         SELECT runs.id FROM runs
         WHERE runs.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "SyncRun" r WHERE r."id" = runs.id))`,
    );
  }
}
