/**
 * What happens when a Shopify shop authorises Foresight (install, reinstall, or the first
 * token exchange after a re-auth): its Shop row is created or refreshed from the Admin API's
 * own figures, marked installed, its recurring jobs are registered (a reinstall had them
 * removed), and its history backfill is queued unless one already ran or is running.
 */
import type { Shop } from "@prisma/client";

import type { Database } from "~/db.server";
import { upsertShop } from "~/ingest/shops.server";
import { log } from "~/logger.server";
import type { JobSink } from "~/queues/enqueue.server";

export const SHOP_IDENTITY_QUERY = `#graphql
  query ShopIdentity {
    shop { name myshopifyDomain ianaTimezone currencyCode }
  }`;

export interface ShopIdentityAnswer {
  shop: { name: string; myshopifyDomain: string; ianaTimezone: string; currencyCode: string };
}

export async function onShopAuthorized(
  deps: { database: Database; jobs: () => Promise<JobSink> },
  identity: ShopIdentityAnswer["shop"],
): Promise<{ shop: Shop; backfillQueued: boolean }> {
  const { prisma } = deps.database;
  const upserted = await upsertShop(prisma, {
    platform: "SHOPIFY",
    domain: identity.myshopifyDomain,
    name: identity.name,
    timezone: identity.ianaTimezone,
    currency: identity.currencyCode,
  });
  const now = new Date();
  const shop = await prisma.shop.update({
    where: { id: upserted.id },
    data:
      upserted.installState === "INSTALLED"
        ? { authorizedAt: now }
        : { installState: "INSTALLED", installedAt: now, uninstalledAt: null, authorizedAt: now },
  });
  const jobs = await deps.jobs();
  // Workers also restore missing schedules every quarter hour (housekeeping), so a failure
  // here must not fail the merchant's sign-in.
  await jobs
    .schedule(shop)
    .catch((error: Error) =>
      log.error({ shopId: shop.id, err: error.message }, "could not register the shop's schedules"),
    );
  const previous = await prisma.syncRun.findFirst({
    where: { shopId: shop.id, kind: "BACKFILL", status: { in: ["QUEUED", "RUNNING", "SUCCEEDED"] } },
  });
  if (previous) return { shop, backfillQueued: false };
  await jobs.enqueue("shopify-backfill", { shopId: shop.id });
  return { shop, backfillQueued: true };
}
