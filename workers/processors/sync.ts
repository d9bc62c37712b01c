/**
 * Processor for the "sync" queue: a Shopify shop's backfill. The shop's offline token is read
 * from session storage here, in the worker, and never travels in the job.
 */
import type { Database } from "~/db.server";
import { adminGraphqlFor } from "~/platforms/shopify/admin-graphql.server";
import { parseJob } from "~/queues/jobs";

import { runBackfill } from "../shopify/backfill";

export async function processSyncJob(name: string, data: unknown, { database }: { database: Database }) {
  if (name !== "shopify-backfill") throw new Error(`the sync queue has no job named "${name}"`);
  const job = parseJob("shopify-backfill", data);
  const shop = await database.prisma.shop.findUnique({ where: { id: job.shopId } });
  if (!shop || shop.platform !== "SHOPIFY") return { skipped: "not a Shopify shop we hold" };
  if (shop.installState === "UNINSTALLED") return { skipped: "shop is uninstalled" };
  const session = await database.prisma.session.findUnique({ where: { id: `offline_${shop.domain}` } });
  if (!session) throw new Error(`no offline session for ${shop.domain}: the shop must open the app once`);
  const result = await runBackfill({
    database,
    graphql: adminGraphqlFor(shop.domain, session.accessToken),
    shopId: shop.id,
    syncRunId: job.syncRunId,
  });
  return result.counts;
}
