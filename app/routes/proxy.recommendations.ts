/**
 * Storefront recommendations through Shopify's App Proxy:
 *   https://{shop}/apps/foresight/recommendations?kind=similar&product_id=123
 * Shopify signs every proxied request (shop, logged_in_customer_id, timestamp, signature);
 * verifyAppProxyRequest checks the signature and its age. The customer id comes from that signed query,
 * never from anything the browser could choose, so a shopper only ever sees their own list.
 * Lives outside the app.* layout: proxy requests carry no admin session (PLATFORM-NOTES §1.4).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";

import { db } from "~/db.server";
import { log } from "~/logger.server";
import { verifyAppProxyRequest } from "~/platforms/shopify/app-proxy.server";
import { storefrontRecommendations } from "~/read/storefront.server";

const Query = z.object({
  kind: z.enum(["for_you", "similar", "bought_together"]),
  product_id: z
    .string()
    .regex(/^\d{1,20}$/, "must be a numeric Shopify product id")
    .optional(),
  limit: z.coerce.number().int().min(1).max(24).default(8),
});

const json = (body: unknown, status: number, cache: string) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": cache },
  });

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  await verifyAppProxyRequest(url);
  const domain = url.searchParams.get("shop")!;
  const parsed = Query.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    return json({ error: "bad request", reasons }, 400, "no-store");
  }
  const { kind, product_id: productId, limit } = parsed.data;
  if (kind !== "for_you" && !productId) {
    return json({ error: "bad request", reasons: [`product_id: required for ${kind}`] }, 400, "no-store");
  }
  const shop = await db().prisma.shop.findUnique({
    where: { platform_domain: { platform: "SHOPIFY", domain } },
    select: { id: true, installState: true },
  });
  if (!shop || shop.installState === "UNINSTALLED") {
    log.warn({ shop: domain }, "app proxy request for a shop we do not serve");
    return json({ error: "unknown shop" }, 404, "no-store");
  }
  const customerId = url.searchParams.get("logged_in_customer_id") || null;
  const list = await storefrontRecommendations(
    db().pool,
    shop.id,
    kind,
    kind === "for_you" ? customerId : productId!,
    limit,
  );
  // Personal lists must never sit in a shared cache; product lists may, briefly.
  return json(list, 200, kind === "for_you" ? "private, no-store" : "public, max-age=300");
}
