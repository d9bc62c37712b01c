/**
 * Processor for the "customers" queue: one shop's nightly (or post-backfill) customer scoring.
 * Load (COPY into typed arrays) -> fit BG/NBD, Gamma-Gamma and the churn contenders, score
 * everyone -> swap the shop's CustomerScore rows in one transaction. Each run is a ModelRun
 * with the fitted parameters, the backtest figures, what was served and why, and timings.
 */
import type { Prisma } from "@prisma/client";

import { log } from "~/logger.server";
import { scoreShopCustomers } from "~/ml/churn/score-shop";
import { parseJob } from "~/queues/jobs";
import { readShopSettings } from "~/settings";
import { dayNumberToIso } from "~/lib/local-time";

import { loadOrderHistory, loadProductBreadth } from "../customers/load";
import { replaceCustomerScores } from "../customers/write";
import { runModelJob, type ModelJobContext } from "../model-run";

export async function processCustomersJob(name: string, data: unknown, context: ModelJobContext) {
  if (name !== "score-customers") throw new Error(`the customers queue has no job named "${name}"`);
  const { shopId } = parseJob("score-customers", data);
  const { database } = context;
  return runModelJob(
    context,
    shopId,
    {
      job: "score-customers",
      kind: "CUSTOMER_SCORES",
      busy: "this shop is already being scored",
      parameters: (shop) => readShopSettings(shop.settings).churn,
    },
    async (shop, run) => {
      const settings = readShopSettings(shop.settings).churn;
      const loaded = await loadOrderHistory(database.pool, shopId);
      // Scores are as of the end of yesterday, the last complete day in the shop's time zone
      // (the job runs in the small hours: today has barely begun). A shop with no order in the
      // last window (imported history, the demo store) is scored as of its last order day
      // instead: as of today every customer of a quiet shop would simply read as gone.
      let asOf = loaded.today;
      let asOfNote = "end of the shop's yesterday";
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
      run.stage("loadMs");
      await context.progress?.({ fraction: 0.2, stage: "loaded" });
      const scores = scoreShopCustomers(loaded.history, asOf, breadth, {
        windowDays: settings.windowDays,
        minRepeatCustomers: settings.minRepeatCustomers,
        lifetimeMonths: settings.lifetimeMonths,
        monthlyDiscountRate: settings.monthlyDiscountRate,
        riskThresholds: { medium: settings.mediumRisk, high: settings.highRisk },
        nextOrderHorizonDays: settings.nextOrderHorizonDays,
      });
      run.stage("fitMs");
      await context.progress?.({ fraction: 0.8, stage: "scored" });
      const written = await replaceCustomerScores(database, shopId, run.id, loaded.customerIds, scores, asOf);
      run.stage("writeMs");
      const segments: Record<string, number> = {};
      for (const segment of scores.segment) segments[segment] = (segments[segment] ?? 0) + 1;
      const risk: Record<string, number> = {};
      for (const band of scores.risk) risk[band] = (risk[band] ?? 0) + 1;
      const metrics = {
        method: scores.method,
        reason: scores.reason,
        asOf: dayNumberToIso(asOf - 1),
        asOfNote,
        orders: loaded.orders,
        written,
        segments,
        risk,
        ...scores.metrics,
      };
      log.info({ shopId, served: scores.metrics.served, written }, "customers scored");
      return {
        // Through JSON: the metrics hold typed-array-free plain numbers, but also optional fields.
        metrics: JSON.parse(JSON.stringify(metrics)) as Prisma.InputJsonValue,
        result: { served: scores.metrics.served, method: scores.method, written },
      };
    },
  );
}
