/**
 * The one shopifyApp construction (DESIGN.md): managed install + token exchange, expiring
 * offline tokens, sessions in Postgres through Prisma. Built on first use, because the
 * standalone demo runs without Shopify credentials.
 */
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";

import { db } from "~/db.server";
import { env } from "~/env.server";
import { log } from "~/logger.server";
import { SHOPIFY_SCOPES } from "~/platforms/shopify/config";
import { webJobSink } from "~/queues/web-sink.server";
import { onShopAuthorized, SHOP_IDENTITY_QUERY, type ShopIdentityAnswer } from "~/services/install.server";

function build() {
  const config = env();
  if (!config.SHOPIFY_API_KEY || !config.SHOPIFY_API_SECRET || !config.SHOPIFY_APP_URL) {
    throw new Response("Shopify is not configured on this server", { status: 503 });
  }
  return shopifyApp({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    appUrl: config.SHOPIFY_APP_URL,
    scopes: SHOPIFY_SCOPES,
    apiVersion: ApiVersion.October26,
    distribution: AppDistribution.AppStore,
    sessionStorage: new PrismaSessionStorage(db().prisma),
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    hooks: {
      afterAuth: async ({ admin, session }) => {
        const response = await admin.graphql(SHOP_IDENTITY_QUERY);
        const { data } = (await response.json()) as { data: ShopIdentityAnswer };
        const { shop, backfillQueued } = await onShopAuthorized({ database: db(), jobs: webJobSink }, data.shop);
        log.info({ shop: session.shop, shopId: shop.id, backfillQueued }, "shop authorised");
      },
    },
  });
}

let app: ReturnType<typeof build> | undefined;

export function shopify(): ReturnType<typeof build> {
  app ??= build();
  return app;
}
