/**
 * Processor for the "customers" queue: one shop's nightly (or post-backfill) customer scoring.
 * Load (COPY into typed arrays) -> fit BG/NBD, Gamma-Gamma and the churn contenders, score
 * everyone -> swap the shop's CustomerScore rows in one transaction. Each run is a ModelRun
 * with the fitted parameters, the backtest figures, what was served and why, and timings.
 */
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { log } from "~/logger.server";
import { scoreShopCustomers } from "~/ml/churn/score-shop";
import { parseJob } from "~/queues/jobs";
import { readShopSettings } from "~/settings";

import { loadOrderHistory, loadProductBreadth } from "../customers/load";
import { replaceCustomerScores } from "../customers/write";
import { acquireShopLock } from "../shop-lock";
import { stageTimer } from "../stage-timer";

export interface ScoringContext {
  database: Database;
  redis?: Redis;
  progress?: (progress: { fraction: number; stage: string }) => Promise<void>;
}

const EPOCH = Date.UTC(1970, 0, 1);
const isoDay = (day: number) => new Date(EPOCH + day * 86_400_000).toISOString().slice(0, 10);

export async function processCustomersJob(name: string, data: unknown, context: ScoringContext) {
  if (name !== "score-customers") throw new Error(`the customers queue has no job named "${name}"`);
  const { shopId } = parseJob("score-customers", data);
  const { database } = context;
  const shop = await database.prisma.shop.findUnique({ where: { id: shopId } });
  if (!shop) return { skipped: "shop no longer exists" };
  if (shop.installState === "UNINSTALLED") return { skipped: "shop is uninstalled" };
  const lock = await acquireShopLock(context.redis, "score-customers", shop);
  if (!lock) return { skipped: "this shop is already being scored" };
  const settings = readShopSettings(shop.settings).churn;
  const timer = stageTimer();
  let runId: number | undefined;
  try {
    runId = (await database.prisma.modelRun.create({ data: { shopId, kind: "CUSTOMER_SCORES", parameters: settings } }))
      .id;
    const loaded = await loadOrderHistory(database.pool, shopId);
    // Scores are as of the end of the shop's today. A shop with no order in the last window
    // (imported history, the demo store) is scored as of its last order day instead: as of
    // today every customer of a quiet shop would simply read as gone, which says nothing.
    let asOf = loaded.today + 1;
    let asOfNote = "end of the shop's today";
    if (loaded.lastOrderDay !== null && loaded.lastOrderDay < loaded.today - settings.windowDays) {
      asOf = loaded.lastOrderDay + 1;
      asOfNote = `no orders in the last ${settings.windowDays} days: scored as of the last order day`;
    }
    const breadth = await loadProductBreadth(
      database.pool,
      shopId,
      loaded.customerIds,
      asOf - settings.windowDays,
      asOf,
    );
    timer.stage("loadMs");
    await context.progress?.({ fraction: 0.2, stage: "loaded" });
    const scores = scoreShopCustomers(loaded.history, asOf, breadth, {
      windowDays: settings.windowDays,
      minRepeatCustomers: settings.minRepeatCustomers,
      lifetimeMonths: settings.lifetimeMonths,
      monthlyDiscountRate: settings.monthlyDiscountRate,
      riskThresholds: { medium: settings.mediumRisk, high: settings.highRisk },
      nextOrderHorizonDays: settings.nextOrderHorizonDays,
    });
    timer.stage("fitMs");
    await context.progress?.({ fraction: 0.8, stage: "scored" });
    const written = await replaceCustomerScores(database, shopId, runId, loaded.customerIds, scores, asOf);
    timer.stage("writeMs");
    const segments: Record<string, number> = {};
    for (const segment of scores.segment) segments[segment] = (segments[segment] ?? 0) + 1;
    const risk: Record<string, number> = {};
    for (const band of scores.risk) risk[band] = (risk[band] ?? 0) + 1;
    const metrics = {
      method: scores.method,
      reason: scores.reason,
      asOf: isoDay(asOf - 1),
      asOfNote,
      orders: loaded.orders,
      written,
      segments,
      risk,
      ...scores.metrics,
    };
    await database.prisma.modelRun.update({
      where: { id: runId },
      data: {
        status: "SUCCEEDED",
        metrics: JSON.parse(JSON.stringify(metrics)),
        timings: timer.timings,
        finishedAt: new Date(),
      },
    });
    await context.progress?.({ fraction: 1, stage: "done" });
    log.info({ shopId, served: scores.metrics.served, written, timings: timer.timings }, "customers scored");
    return { served: scores.metrics.served, method: scores.method, written };
  } catch (error) {
    if (runId !== undefined) {
      await database.prisma.modelRun.update({
        where: { id: runId },
        data: {
          status: "FAILED",
          error: (error as Error).message.slice(0, 1000),
          timings: timer.timings,
          finishedAt: new Date(),
        },
      });
    }
    throw error;
  } finally {
    await lock.release();
  }
}
