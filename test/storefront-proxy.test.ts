/**
 * Shopper-facing recommendations through the App Proxy: requests signed the way Shopify signs
 * them (sorted key=value pairs, concatenated, HMAC-SHA256 hex with the app secret;
 * PLATFORM-NOTES §1.4), read from real Postgres rows.
 */
import crypto from "node:crypto";
import { http, HttpResponse } from "msw";
import { beforeAll, describe, expect, it } from "vitest";

import { ingestCustomers, ingestProducts } from "~/ingest/index.server";
import { loader } from "~/routes/proxy.recommendations";

import { createShop, storeOfflineSession } from "./helpers/factories";
import { useShopifyTestApp } from "./helpers/shopify-app";

const SECRET = "proxy-test-secret";
const app = useShopifyTestApp(SECRET);
let domain: string;
let shopId: number;

function signedRequest(params: Record<string, string>, options: { secret?: string; timestamp?: number } = {}) {
  const query = {
    shop: domain,
    path_prefix: "/apps/foresight",
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    logged_in_customer_id: "",
    ...params,
  };
  const message = Object.entries(query)
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join("");
  const signature = crypto
    .createHmac("sha256", options.secret ?? SECRET)
    .update(message)
    .digest("hex");
  const url = new URL("https://foresight.example.com/proxy/recommendations");
  for (const [key, value] of Object.entries({ ...query, signature })) url.searchParams.set(key, value);
  return new Request(url);
}

const call = (request: Request) =>
  loader({ request, params: {}, context: { remoteAddress: "203.0.113.7" } }) as Promise<Response>;

beforeAll(async () => {
  const shop = await createShop(app.db.prisma);
  domain = shop.domain;
  shopId = shop.id;
  const product = (id: string, extra: Record<string, unknown> = {}) => ({
    externalId: id,
    title: `Product ${id}`,
    handle: `product-${id}`,
    updatedAt: "2026-01-01T00:00:00Z",
    ...extra,
  });
  await ingestProducts(app.db.pool, shopId, [
    product("101"),
    product("102"),
    product("103"),
    product("104", { status: "ARCHIVED" }),
    product("105"),
  ]);
  await ingestCustomers(app.db.pool, shopId, [{ externalId: "9001", updatedAt: "2026-01-01T00:00:00Z" }]);
  const ids = new Map(
    (await app.db.prisma.product.findMany({ where: { shopId } })).map((p) => [p.externalId, p.id] as const),
  );
  const customer = await app.db.prisma.customer.findFirstOrThrow({ where: { shopId, externalId: "9001" } });
  await app.db.prisma.customerRecommendation.createMany({
    data: [
      { shopId, customerId: customer.id, rank: 1, productId: ids.get("104")!, score: 3, modelRunId: 1 },
      {
        shopId,
        customerId: customer.id,
        rank: 2,
        productId: ids.get("103")!,
        score: 2,
        modelRunId: 1,
        because: [ids.get("101")!],
      },
    ],
  });
  await app.db.prisma.productRecommendation.createMany({
    data: [
      {
        shopId,
        productId: ids.get("101")!,
        kind: "SIMILAR",
        rank: 1,
        recommendedProductId: ids.get("102")!,
        score: 0.9,
        modelRunId: 1,
      },
    ],
  });
  await app.db.prisma.popularProduct.createMany({
    data: ["105", "101", "102"].map((id, index) => ({
      shopId,
      rank: index + 1,
      productId: ids.get(id)!,
      score: 10 - index,
      modelRunId: 1,
    })),
  });
});

describe("GET /proxy/recommendations", () => {
  it("serves a logged-in shopper their own list, skipping what became unavailable, with reasons", async () => {
    const response = await call(signedRequest({ kind: "for_you", logged_in_customer_id: "9001", limit: "1" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const body = await response.json();
    expect(body).toEqual({
      kind: "for_you",
      source: "model",
      products: [{ id: "103", title: "Product 103", handle: "product-103", imageUrl: null, because: ["Product 101"] }],
    });
  });

  it("gives guests the shop's best sellers", async () => {
    const body = await (await call(signedRequest({ kind: "for_you", limit: "2" }))).json();
    expect(body.source).toBe("popular");
    expect(body.products.map((p: { id: string }) => p.id)).toEqual(["105", "101"]);
  });

  it("tops up a short product list with best sellers, never the product on the page", async () => {
    const response = await call(signedRequest({ kind: "similar", product_id: "101", limit: "3" }));
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    const body = await response.json();
    expect(body.products.map((p: { id: string }) => p.id)).toEqual(["102", "105"]);
  });

  it("refuses a request signed with another secret, or replayed after the allowed window", async () => {
    await expect(call(signedRequest({ kind: "for_you" }, { secret: "wrong" }))).rejects.toMatchObject({ status: 400 });
    const stale = Math.floor(Date.now() / 1000) - 3600;
    await expect(call(signedRequest({ kind: "for_you" }, { timestamp: stale }))).rejects.toMatchObject({ status: 400 });
  });

  it("never refreshes the shop's offline token, even when it is about to expire", async () => {
    // A shopper's page view must not spend the rotating refresh token: only workers refresh,
    // under the per-shop lock (offline-token.server.ts).
    await storeOfflineSession(app.db.prisma, domain, {
      accessToken: "shpat_expiring",
      expiresInMs: 60_000,
      refreshToken: "shprt_only_one",
    });
    const refreshes: string[] = [];
    app.server.use(
      http.post(`https://${domain}/admin/oauth/access_token`, async ({ request }) => {
        refreshes.push(await request.text());
        return HttpResponse.json({ error: "invalid_grant" }, { status: 400 });
      }),
    );
    try {
      const responses = await Promise.all([1, 2].map(() => call(signedRequest({ kind: "for_you", limit: "2" }))));
      expect(responses.map((response) => response.status)).toEqual([200, 200]);
      expect(refreshes).toEqual([]);
      const session = await app.db.prisma.session.findUniqueOrThrow({ where: { id: `offline_${domain}` } });
      expect(session.refreshToken).toBe("shprt_only_one");
    } finally {
      await app.db.prisma.session.delete({ where: { id: `offline_${domain}` } });
    }
  });

  it("answers 400 with reasons for bad parameters and 404 for a shop we do not serve", async () => {
    const bad = await call(signedRequest({ kind: "similar" }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ reasons: ["product_id: required for similar"] });
    const unknownKind = await call(signedRequest({ kind: "trending" }));
    expect(unknownKind.status).toBe(400);
    domain = "someone-else.myshopify.com";
    try {
      expect((await call(signedRequest({ kind: "for_you" }))).status).toBe(404);
    } finally {
      domain = (await app.db.prisma.shop.findUniqueOrThrow({ where: { id: shopId } })).domain;
    }
  });
});
