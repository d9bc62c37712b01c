/**
 * Expiring offline tokens: refresh under a per-shop Redis lock (the refresh token rotates on
 * use), and a refused refresh marks the shop for re-authorisation instead of looping.
 * Shopify's token endpoint is mocked with msw; Postgres and Redis are real.
 */
import { http, HttpResponse } from "msw";
import { afterAll, describe, expect, it } from "vitest";

import { upsertShop } from "~/ingest/shops.server";
import { offlineAccessToken, ReauthRequiredError } from "~/platforms/shopify/offline-token.server";
import { createRedis } from "~/queues/connection.server";

import { useShopifyTestApp } from "./helpers/shopify-app";
import { testRedisUrl } from "./helpers/urls";

const app = useShopifyTestApp("shpss_token_secret");
const redisA = createRedis(testRedisUrl(), "worker");
const redisB = createRedis(testRedisUrl(), "worker");
let counter = 0;

afterAll(async () => {
  await redisA.quit();
  await redisB.quit();
});

async function shopWithSession(expiresInMs: number, refreshToken: string | null = "shprt_first") {
  counter += 1;
  const domain = `token-${counter}-${Date.now()}.myshopify.com`;
  const shop = await upsertShop(app.db.prisma, {
    platform: "SHOPIFY",
    domain,
    name: domain,
    timezone: "UTC",
    currency: "USD",
  });
  await app.db.prisma.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      accessToken: "shpat_old",
      scope: "read_orders",
      expires: new Date(Date.now() + expiresInMs),
      refreshToken,
      refreshTokenExpires: new Date(Date.now() + 90 * 24 * 3600_000),
    },
  });
  return shop;
}

/** Shopify's token endpoint: rotates the refresh token on every successful use. */
function tokenEndpoint(domain: string, calls: { body: Record<string, string> }[], status = 200) {
  return http.post(`https://${domain}/admin/oauth/access_token`, async ({ request }) => {
    const body = (await request.json()) as Record<string, string>;
    calls.push({ body });
    if (status !== 200) return HttpResponse.json({ error: "invalid_grant" }, { status });
    return HttpResponse.json({
      access_token: `shpat_new_${calls.length}`,
      expires_in: 3599,
      refresh_token: `shprt_rotated_${calls.length}`,
      refresh_token_expires_in: 7_776_000,
      scope: "read_orders,read_all_orders,read_customers,read_products,write_customers",
    });
  });
}

describe("offline access tokens", () => {
  it("uses a token with time left without calling Shopify", async () => {
    const shop = await shopWithSession(50 * 60_000);
    const calls: { body: Record<string, string> }[] = [];
    app.server.use(tokenEndpoint(shop.domain, calls));
    expect(await offlineAccessToken({ database: app.db, redis: redisA }, shop)).toBe("shpat_old");
    expect(calls).toHaveLength(0);
  });

  it("two workers needing a refresh at once cause exactly one refresh, and both get the new token", async () => {
    const shop = await shopWithSession(60_000);
    const calls: { body: Record<string, string> }[] = [];
    app.server.use(tokenEndpoint(shop.domain, calls));
    const tokens = await Promise.all([
      offlineAccessToken({ database: app.db, redis: redisA }, shop),
      offlineAccessToken({ database: app.db, redis: redisB }, shop),
    ]);
    expect(tokens).toEqual(["shpat_new_1", "shpat_new_1"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toMatchObject({
      grant_type: "refresh_token",
      refresh_token: "shprt_first",
      client_id: "test-api-key",
    });
    const session = await app.db.prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop.domain}` } });
    expect(session.refreshToken).toBe("shprt_rotated_1");
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect(session.scope).toContain("read_all_orders");
    expect(await redisA.exists(`foresight:lock:shopify-token:${shop.domain}`)).toBe(0);
  });

  it("a refused refresh marks the shop as needing re-authorisation, once", async () => {
    const shop = await shopWithSession(-60_000);
    const calls: { body: Record<string, string> }[] = [];
    app.server.use(tokenEndpoint(shop.domain, calls, 400));
    await expect(offlineAccessToken({ database: app.db, redis: redisA }, shop)).rejects.toBeInstanceOf(
      ReauthRequiredError,
    );
    expect(calls).toHaveLength(1);
    expect((await app.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).installState).toBe("NEEDS_REAUTH");
    const session = await app.db.prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop.domain}` } });
    expect(session.accessToken).toBe("shpat_old"); // nothing half-written
  });

  it("without a refresh token, asks for re-authorisation without calling Shopify", async () => {
    const shop = await shopWithSession(-60_000, null);
    const calls: { body: Record<string, string> }[] = [];
    app.server.use(tokenEndpoint(shop.domain, calls));
    await expect(offlineAccessToken({ database: app.db, redis: redisA }, shop)).rejects.toThrow(
      /needs to open Foresight again to re-authorise it: the refresh token is missing or expired/,
    );
    expect(calls).toHaveLength(0);
  });
});
