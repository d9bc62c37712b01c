// Remix hands us web-standard Requests; this adapter reads their headers (the node one expects IncomingMessage).
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi, type Shopify } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

import { env } from "~/env.server";

import { SHOPIFY_SCOPES } from "./config";

// The adapter captures `fetch` when it is imported; look it up per call instead, so whatever
// wraps the global fetch later (tracing, or msw in tests) sees Shopify traffic too.
setAbstractFetchFunc((...args) => globalThis.fetch(...args));

let api: Shopify | undefined;

/**
 * The Shopify API library configured with this app's credentials, built on first use. Only
 * the parts that need no session are used from here (webhook and app proxy HMAC checks).
 * @throws a 503 Response when the app has no Shopify credentials (the standalone demo).
 */
export function shopifyApiClient(): Shopify {
  if (api) return api;
  const config = env();
  if (!config.SHOPIFY_API_KEY || !config.SHOPIFY_API_SECRET || !config.SHOPIFY_APP_URL) {
    throw new Response("Shopify is not configured on this server", { status: 503 });
  }
  const appUrl = new URL(config.SHOPIFY_APP_URL);
  api = shopifyApi({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    scopes: SHOPIFY_SCOPES,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === "http:" ? "http" : "https",
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: true,
    logger: { level: 0, log: () => {} }, // the library's own logging could print request details
  });
  return api;
}
