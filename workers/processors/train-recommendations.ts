/**
 * Processor for the "recommendations" queue: one shop's nightly (or post-backfill) training.
 * Load (COPY into typed arrays) -> judge models on the shop's holdout -> final fit -> swap the
 * shop's lists in one transaction. Each run is a ModelRun with the holdout metrics, the
 * choice and why, counts and stage timings. ALS runs on worker threads, so the job's lock keeps
 * renewing while it trains.
 */
import os from "node:os";
import { log } from "~/logger.server";
import { parseJob } from "~/queues/jobs";
import { readShopSettings } from "~/settings";

import { loadCatalogue, loadPurchases } from "../recommendations/load";
import { trainShopRecommendations } from "../recommendations/train";
import { runModelJob, type ModelJobContext } from "../model-run";
import { replaceRecommendations } from "../recommendations/write";

export async function processRecommendationsJob(name: string, data: unknown, context: ModelJobContext) {
  if (name !== "train-recommendations") throw new Error(`the recommendations queue has no job named "${name}"`);
  const { shopId } = parseJob("train-recommendations", data);
  const { database } = context;
  return runModelJob(
    context,
    shopId,
    {
      job: "train-recommendations",
      kind: "RECOMMENDATIONS",
      busy: "this shop is already training",
      parameters: (shop) => readShopSettings(shop.settings).recommendations,
    },
    async (shop, run) => {
      const settings = readShopSettings(shop.settings).recommendations;
      const catalogue = await loadCatalogue(database.pool, shopId);
      const purchases = await loadPurchases(database.pool, shopId, catalogue);
      run.stage("loadMs");
      await context.progress?.({ fraction: 0.05, stage: "loaded" });
      const result = await trainShopRecommendations(purchases, catalogue, settings, {
        threads: Math.min(os.availableParallelism(), 4),
        progress: (fraction, label) => context.progress?.({ fraction, stage: label }),
      });
      run.stage("trainMs");
      const written = await replaceRecommendations(
        database,
        shopId,
        run.id,
        result,
        purchases,
        catalogue,
        settings.listLength,
      );
      run.stage("writeMs");
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
      log.info({ shopId, served: result.choice.model, ...written }, "recommendations trained");
      return { metrics, result: { served: result.choice.model, ...written } };
    },
  );
}
