/**
 * Processor for the "analytics" queue. Each job is recorded as a ModelRun (parameters,
 * timings, outcome) so the admin UI can say when figures were last refreshed and why a
 * refresh failed.
 */
import type { Database } from "~/db.server";
import { parseJob, type JobName } from "~/queues/jobs";

import { rebuildDailyStats } from "../analytics/daily-stats";

export async function processAnalyticsJob(name: string, data: unknown, { database }: { database: Database }) {
  switch (name as JobName) {
    case "daily-aggregates": {
      const job = parseJob("daily-aggregates", data);
      const shop = await database.prisma.shop.findUnique({ where: { id: job.shopId }, select: { id: true } });
      if (!shop) return { skipped: "shop no longer exists" }; // uninstalled and redacted since enqueue
      const run = await database.prisma.modelRun.create({
        data: { shopId: job.shopId, kind: "DAILY_AGGREGATES", parameters: { fromDay: job.fromDay ?? null } },
      });
      const started = performance.now();
      try {
        const result = await rebuildDailyStats(database.pool, job.shopId, job.fromDay);
        await database.prisma.modelRun.update({
          where: { id: run.id },
          data: {
            status: "SUCCEEDED",
            metrics: { ...result },
            timings: { totalMs: Math.round(performance.now() - started) },
            finishedAt: new Date(),
          },
        });
        return result;
      } catch (error) {
        await database.prisma.modelRun.update({
          where: { id: run.id },
          data: { status: "FAILED", error: (error as Error).message, finishedAt: new Date() },
        });
        throw error;
      }
    }
    default:
      throw new Error(`the analytics queue has no job named "${name}"`);
  }
}
