/**
 * Processor for the "sync" queue: a Shopify shop's backfill or reconcile. The shop's offline
 * token is read (and refreshed if due) here, in the worker, and never travels in the job; every
 * Admin API call goes through the shop's cost limiter.
 */
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { adminGraphqlFor } from "~/platforms/shopify/admin-graphql.server";
import { costLimited } from "~/platforms/shopify/cost-limiter.server";
import { redisFinishSignal } from "~/platforms/shopify/bulk/finish-signal.server";
import { BulkOperationError, type PollOptions } from "~/platforms/shopify/bulk/runner.server";
import { offlineAccessToken, ReauthRequiredError } from "~/platforms/shopify/offline-token.server";
import type { JobSink } from "~/queues/enqueue.server";
import { parseJob } from "~/queues/jobs";

import { ShopBusyError } from "../model-run";
import { acquireShopLock } from "../shop-lock";
import { runBackfill } from "../shopify/backfill";
import { clearRunsNoLongerWriting, resumableBackfillRun } from "../shopify/backfill-runs";
import { runReconcile } from "../shopify/reconcile";

export async function processSyncJob(
  name: string,
  data: unknown,
  {
    database,
    redis,
    enqueue,
    bulkPoll,
  }: {
    database: Database;
    redis?: Redis;
    enqueue?: JobSink["enqueue"];
    /** How bulk operations are polled (tests poll without waiting). */
    bulkPoll?: PollOptions;
  },
) {
  if (name !== "shopify-backfill" && name !== "shopify-reconcile") {
    throw new Error(`the sync queue has no job named "${name}"`);
  }
  const job = parseJob(name, data);
  const shop = await database.prisma.shop.findUnique({ where: { id: job.shopId } });
  if (!shop || shop.platform !== "SHOPIFY") return { skipped: "not a Shopify shop we hold" };
  if (shop.installState === "UNINSTALLED") return { skipped: "shop is uninstalled" };
  if (!redis) throw new Error("the sync queue needs Redis for its token lock and cost limiter");
  // Asked again before every call: a long reconcile or backfill outlives an hour-long token.
  // A shop flagged NEEDS_REAUTH goes on once the merchant has signed in again; until then the
  // refused refresh token is gone and nothing is sent to Shopify.
  const token = () => offlineAccessToken({ database, redis }, shop);
  try {
    await token();
  } catch (error) {
    // Retrying cannot help until the merchant opens the app again.
    if (error instanceof ReauthRequiredError) throw new UnrecoverableError(error.message);
    throw error;
  }
  const graphql = costLimited(adminGraphqlFor(shop.domain, token), { redis, shop: shop.domain });
  if (name === "shopify-reconcile") {
    // One reconcile per shop at a time: the one queued after a backfill and the scheduled one
    // can meet, and two would page the same changes and share one cost bucket.
    const lock = await acquireShopLock(redis, "shopify-reconcile", shop);
    if (!lock) throw new ShopBusyError(`a reconcile of ${shop.domain} is already running`);
    try {
      await clearRunsNoLongerWriting(database.pool, shop.id);
      return (await runReconcile({ database, graphql, shopId: shop.id })).counts;
    } finally {
      await lock.release();
    }
  }
  // One backfill per shop at a time: a job handed to a second worker while the first still
  // runs it (its BullMQ lock lapsed) must not resume the same run alongside it.
  const lock = await acquireShopLock(redis, "shopify-backfill", shop);
  if (!lock) throw new ShopBusyError(`a backfill of ${shop.domain} is already running`);
  let result;
  try {
    const backfill = parseJob("shopify-backfill", data);
    const syncRunId = backfill.syncRunId ?? (await resumableBackfillRun(database.prisma, shop.id));
    const poll = bulkPoll ?? { finishSignal: redisFinishSignal(redis) };
    result = await runBackfill({ database, graphql, shopId: shop.id, syncRunId, poll });
  } catch (error) {
    // The run says why; retrying cannot help until bulk operations are enabled for the app.
    if (error instanceof BulkOperationError && error.reason === "ACCESS_DENIED") {
      throw new UnrecoverableError(error.message);
    }
    throw error;
  } finally {
    await lock.release();
  }
  // The shop's history is in: what changed while it loaded, and its refunds' lines, come next
  // (the reconcile); its first figures, recommendations, scores and forecasts need not wait
  // for the night.
  await enqueue?.("shopify-reconcile", { shopId: shop.id });
  await enqueue?.("daily-aggregates", { shopId: shop.id });
  await enqueue?.("train-recommendations", { shopId: shop.id });
  await enqueue?.("score-customers", { shopId: shop.id });
  await enqueue?.("forecast-shop", { shopId: shop.id });
  return result.counts;
}
