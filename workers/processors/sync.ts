/**
 * Processor for the "sync" queue: a Shopify shop's backfill. The shop's offline token is read
 * from session storage here, in the worker, and never travels in the job.
 */
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { adminGraphqlFor } from "~/platforms/shopify/admin-graphql.server";
import { offlineAccessToken, ReauthRequiredError } from "~/platforms/shopify/offline-token.server";
import { parseJob } from "~/queues/jobs";

import { runBackfill } from "../shopify/backfill";

export async function processSyncJob(
  name: string,
  data: unknown,
  { database, redis }: { database: Database; redis?: Redis },
) {
  if (name !== "shopify-backfill") throw new Error(`the sync queue has no job named "${name}"`);
  const job = parseJob("shopify-backfill", data);
  const shop = await database.prisma.shop.findUnique({ where: { id: job.shopId } });
  if (!shop || shop.platform !== "SHOPIFY") return { skipped: "not a Shopify shop we hold" };
  if (shop.installState === "UNINSTALLED") return { skipped: "shop is uninstalled" };
  if (!redis) throw new Error("the sync queue needs Redis for its token-refresh lock");
  let token: string;
  try {
    token = await offlineAccessToken({ database, redis }, shop);
  } catch (error) {
    // Retrying cannot help until the merchant opens the app again.
    if (error instanceof ReauthRequiredError) throw new UnrecoverableError(error.message);
    throw error;
  }
  const result = await runBackfill({
    database,
    graphql: adminGraphqlFor(shop.domain, token),
    shopId: shop.id,
    syncRunId: job.syncRunId,
  });
  return result.counts;
}
