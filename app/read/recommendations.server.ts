/**
 * What the recommendations page shows: the latest training (what was served and why, the
 * holdout figures per model) and example lists for the shop's best sellers, read from the
 * rows the training job wrote. Every query filters by shopId.
 */
import type pg from "pg";

export interface ModelFigures {
  model: string;
  ndcg: number;
  precision: number;
  recall: number;
  hitRate: number;
  coverage: number;
}

export interface TrainingSummary {
  status: string;
  finishedAt: Date | null;
  error: string | null;
  served: string | null;
  reason: string | null;
  holdoutCustomers: number | null;
  models: ModelFigures[];
  written: { forYou: number; similar: number; boughtTogether: number; popular: number } | null;
  seconds: number | null;
}

export interface ProductLists {
  productId: number;
  title: string;
  similar: string[];
  boughtTogether: string[];
}

export interface RecommendationsPage {
  training: TrainingSummary | null;
  examples: ProductLists[];
}

interface RunMetrics {
  served?: string;
  reason?: string;
  holdout?: { testUsers: number; metrics: Record<string, Record<string, number>> } | null;
  written?: TrainingSummary["written"];
}

function summarise(row: {
  status: string;
  finishedAt: Date | null;
  error: string | null;
  metrics: RunMetrics | null;
  timings: Record<string, number> | null;
}): TrainingSummary {
  const metrics = row.metrics ?? {};
  const models = Object.entries(metrics.holdout?.metrics ?? {})
    .map(([model, m]) => ({
      model,
      ndcg: m["ndcg@10"] ?? 0,
      precision: m["precision@10"] ?? 0,
      recall: m["recall@10"] ?? 0,
      hitRate: m["hr@10"] ?? 0,
      coverage: m["coverage@10"] ?? 0,
    }))
    .sort((a, b) => b.ndcg - a.ndcg);
  const totalMs = row.timings ? Object.values(row.timings).reduce((sum, ms) => sum + ms, 0) : null;
  return {
    status: row.status,
    finishedAt: row.finishedAt,
    error: row.error,
    served: metrics.served ?? null,
    reason: metrics.reason ?? null,
    holdoutCustomers: metrics.holdout?.testUsers ?? null,
    models,
    written: metrics.written ?? null,
    seconds: totalMs === null ? null : totalMs / 1000,
  };
}

export async function loadRecommendationsPage(
  pool: pg.Pool,
  shopId: number,
  examples = 8,
): Promise<RecommendationsPage> {
  const [runs, lists] = await Promise.all([
    pool.query(
      `SELECT "status", "finishedAt", "error", "metrics", "timings" FROM "ModelRun"
       WHERE "shopId" = $1 AND "kind" = 'RECOMMENDATIONS' ORDER BY "startedAt" DESC LIMIT 1`,
      [shopId],
    ),
    // The shop's current best sellers, each with its first five neighbours of both kinds.
    pool.query<{ productId: number; title: string; kind: string; titles: string[] }>(
      `WITH best AS (
         SELECT pp."productId" FROM "PopularProduct" pp WHERE pp."shopId" = $1 ORDER BY pp."rank" LIMIT $2
       )
       SELECT p."id" AS "productId", p."title", r."kind",
              array_agg(q."title" ORDER BY r."rank") AS titles
       FROM best JOIN "Product" p ON p."id" = best."productId" AND p."shopId" = $1
       JOIN "ProductRecommendation" r ON r."shopId" = $1 AND r."productId" = p."id" AND r."rank" <= 5
       JOIN "Product" q ON q."id" = r."recommendedProductId" AND q."shopId" = $1
       GROUP BY p."id", p."title", r."kind"`,
      [shopId, examples],
    ),
  ]);
  const byProduct = new Map<number, ProductLists>();
  for (const row of lists.rows) {
    const entry = byProduct.get(row.productId) ?? {
      productId: row.productId,
      title: row.title,
      similar: [],
      boughtTogether: [],
    };
    if (row.kind === "SIMILAR") entry.similar = row.titles;
    else entry.boughtTogether = row.titles;
    byProduct.set(row.productId, entry);
  }
  return {
    training: runs.rows[0] ? summarise(runs.rows[0]) : null,
    examples: [...byProduct.values()],
  };
}
