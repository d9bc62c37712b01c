/**
 * Which model run a page reads: the latest successful one (its figures belong with the rows on
 * the page, which a running or failed run has not replaced) and the latest of any outcome (for
 * a failure notice). Both filter by shopId.
 */
import type pg from "pg";

export type ModelKindName = "RECOMMENDATIONS" | "CUSTOMER_SCORES" | "FORECAST";

export interface RunRow<M, P> {
  status: string;
  finishedAt: Date | null;
  error: string | null;
  metrics: M | null;
  parameters: P | null;
}

export async function pageRuns<M, P>(
  pool: pg.Pool,
  shopId: number,
  kind: ModelKindName,
): Promise<{ shown: RunRow<M, P> | null; latest: { status: string; error: string | null } | null }> {
  const [shown, latest] = await Promise.all([
    pool.query<RunRow<M, P>>(
      `SELECT "status", "finishedAt", "error", "metrics", "parameters" FROM "ModelRun"
       WHERE "shopId" = $1 AND "kind" = $2::"ModelKind" AND "status" = 'SUCCEEDED'
       ORDER BY "startedAt" DESC LIMIT 1`,
      [shopId, kind],
    ),
    pool.query<{ status: string; error: string | null }>(
      `SELECT "status", "error" FROM "ModelRun"
       WHERE "shopId" = $1 AND "kind" = $2::"ModelKind" ORDER BY "startedAt" DESC LIMIT 1`,
      [shopId, kind],
    ),
  ]);
  return { shown: shown.rows[0] ?? null, latest: latest.rows[0] ?? null };
}
