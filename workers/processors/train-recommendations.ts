/**
 * Processor for the "recommendations" queue: one shop's nightly (or post-backfill) training.
 * Load (COPY into typed arrays) -> judge models on the shop's holdout -> final fit -> swap the
 * shop's lists in one transaction. Each run is a ModelRun with the holdout metrics, the
 * choice and why, counts and stage timings. ALS runs on worker threads, so the job's lock keeps
 * renewing while it trains.
 */
import os from "node:os";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { log } from "~/logger.server";
import { parseJob } from "~/queues/jobs";
import { readShopSettings } from "~/settings";

import { loadCatalogue, loadPurchases } from "../recommendations/load";
import { trainShopRecommendations } from "../recommendations/train";
import { acquireShopLock } from "../shop-lock";
import { stageTimer } from "../stage-timer";
import { replaceRecommendations } from "../recommendations/write";

export interface TrainingContext {
  database: Database;
  redis?: Redis;
  progress?: (progress: { fraction: number; stage: string }) => Promise<void>;
}

export async function processRecommendationsJob(name: string, data: unknown, context: TrainingContext) {
  if (name !== "train-recommendations") throw new Error(`the recommendations queue has no job named "${name}"`);
  const { shopId } = parseJob("train-recommendations", data);
  const { database, redis } = context;
  const shop = await database.prisma.shop.findUnique({ where: { id: shopId } });
  if (!shop) return { skipped: "shop no longer exists" };
  if (shop.installState === "UNINSTALLED") return { skipped: "shop is uninstalled" };

  const lock = await acquireShopLock(redis, "train-recommendations", shop);
  if (!lock) return { skipped: "this shop is already training" };
  const settings = readShopSettings(shop.settings).recommendations;
  const run = await database.prisma.modelRun.create({
    data: { shopId, kind: "RECOMMENDATIONS", parameters: settings },
  });
  const { timings, stage } = stageTimer();
  try {
    const catalogue = await loadCatalogue(database.pool, shopId);
    const purchases = await loadPurchases(database.pool, shopId, catalogue);
    stage("loadMs");
    await context.progress?.({ fraction: 0.05, stage: "loaded" });
    const result = await trainShopRecommendations(purchases, catalogue, settings, {
      threads: Math.min(os.availableParallelism(), 4),
      progress: (fraction, label) => context.progress?.({ fraction, stage: label }),
    });
    stage("trainMs");
    const written = await replaceRecommendations(
      database,
      shopId,
      run.id,
      result,
      purchases,
      catalogue,
      settings.listLength,
    );
    stage("writeMs");
    const metrics = {
      served: result.choice.model,
      blendWeight: result.choice.blendWeight ?? null,
      reason: result.choice.reason,
      holdout: result.holdout ? { ...result.holdout } : null,
      data: {
        customers: purchases.customerIds.length,
        products: catalogue.productIds.length,
        orders: purchases.orders,
        purchases: purchases.item.length,
      },
      written: { ...written },
    };
    await database.prisma.modelRun.update({
      where: { id: run.id },
      data: { status: "SUCCEEDED", metrics, timings, finishedAt: new Date() },
    });
    await context.progress?.({ fraction: 1, stage: "done" });
    log.info({ shopId, served: result.choice.model, ...written, timings }, "recommendations trained");
    return { served: result.choice.model, ...written };
  } catch (error) {
    await database.prisma.modelRun.update({
      where: { id: run.id },
      data: { status: "FAILED", error: (error as Error).message.slice(0, 1000), timings, finishedAt: new Date() },
    });
    throw error;
  } finally {
    await lock.release();
  }
}
