/**
 * Where the shop's history import stands, for the overview page: the latest backfill, with the
 * progress the worker keeps on its SyncRun (phase, rows so far, share of the work done).
 */
import type pg from "pg";

export interface BackfillStatus {
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";
  /** products, customers or orders while running; "done" once finished. */
  phase: string | null;
  /** 0..1 over the three steps, when known. */
  progress: number | null;
  /** Rows stored so far per step, e.g. {"orders": 120000}. */
  counts: Record<string, number>;
  error: string | null;
}

export async function loadBackfillStatus(pool: pg.Pool, shopId: number): Promise<BackfillStatus | null> {
  const { rows } = await pool.query<BackfillStatus>(
    `SELECT "status", "phase", "progress", "counts", "error" FROM "SyncRun"
     WHERE "shopId" = $1 AND "kind" = 'BACKFILL' ORDER BY "id" DESC LIMIT 1`,
    [shopId],
  );
  return rows[0] ?? null;
}
