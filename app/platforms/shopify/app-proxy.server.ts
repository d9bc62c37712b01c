/**
 * Checks that a storefront request came through Shopify's App Proxy: the signature over the
 * query (PLATFORM-NOTES §1.4) and its timestamp's age, both by the API library.
 *
 * Deliberately not `authenticate.public.appProxy`: that one also loads the shop's offline
 * session and refreshes its token when it is close to expiry, without our per-shop lock
 * (offline-token.server.ts). The storefront needs no Admin API call, and a shopper's page view
 * racing a worker's refresh would burn the rotating refresh token and mark the shop as
 * needing re-auth.
 *
 * @throws a 400 Response when the signature is missing, wrong or too old.
 */
import { log } from "~/logger.server";

import { shopifyApiClient } from "./api.server";

export async function verifyAppProxyRequest(url: URL): Promise<void> {
  let valid: boolean;
  try {
    valid = await shopifyApiClient().utils.validateHmac(url.searchParams, { signator: "appProxy" });
  } catch (error) {
    // The library throws for a missing signature or a timestamp outside its tolerance.
    log.info({ shop: url.searchParams.get("shop"), reason: (error as Error).message }, "app proxy request refused");
    valid = false;
  }
  if (!valid) throw new Response(undefined, { status: 400, statusText: "Bad Request" });
}
