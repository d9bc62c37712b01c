import type { Shop } from "@prisma/client";
import type { AppLoadContext } from "@remix-run/node";

import { db } from "~/db.server";
import { env } from "~/env.server";
import { shopify } from "~/shopify.server";

/** 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 form. */
export function isLoopback(address: string): boolean {
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  return plain === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

/**
 * The shop a merchant request is for. Standalone mode (the local demo) serves one shop
 * without Shopify, and only when it is switched on, outside production, and the request comes
 * from this machine; every other request must come through the Shopify admin, authenticated
 * by its session token (App Bridge), with token exchange on first sight.
 */
export async function requireMerchantShop(request: Request, context: AppLoadContext): Promise<Shop> {
  const config = env();
  const standalone = config.FORESIGHT_STANDALONE && config.NODE_ENV !== "production";
  if (standalone && isLoopback(context.remoteAddress ?? "")) {
    const shop = await db().prisma.shop.findFirst({ where: { domain: config.FORESIGHT_STANDALONE_SHOP } });
    if (!shop) {
      throw new Response(
        `No shop "${config.FORESIGHT_STANDALONE_SHOP}" yet: run \`npm run demo\` to import the demo store.`,
        {
          status: 404,
        },
      );
    }
    return shop;
  }
  if (!config.SHOPIFY_API_KEY || !config.SHOPIFY_API_SECRET || !config.SHOPIFY_APP_URL) {
    throw new Response("Foresight's admin opens inside the Shopify admin. Install the app on your store to use it.", {
      status: 401,
    });
  }
  const { session } = await shopify().authenticate.admin(request);
  const shop = await db().prisma.shop.findUnique({
    where: { platform_domain: { platform: "SHOPIFY", domain: session.shop } },
  });
  // afterAuth creates the shop during the first token exchange; this only shows if it failed.
  if (!shop) throw new Response("Foresight is still setting up this store. Reload in a moment.", { status: 409 });
  return shop;
}
