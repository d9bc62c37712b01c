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

import { storeOfflineSession } from "./helpers/factories";
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
  await storeOfflineSession(app.db.prisma, domain, { accessToken: "shpat_old", expiresInMs, refreshToken });
  return shop;
}

/**
 * Shopify's token endpoint: rotates the refresh token on every successful use and refuses a
 * spent one, as the real endpoint does. `status` answers every call with that error instead.
 */
function tokenEndpoint(
  domain: string,
  calls: { body: Record<string, string> }[],
  status = 200,
  options: { delayMs?: number; withoutExpiry?: boolean } = {},
) {
  const spent = new Set<string>();
  return http.post(`https://${domain}/admin/oauth/access_token`, async ({ request }) => {
    const body = (await request.json()) as Record<string, string>;
    calls.push({ body });
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (status !== 200) return HttpResponse.json({ error: "invalid_grant" }, { status });
    if (spent.has(body.refresh_token!)) return HttpResponse.json({ error: "invalid_grant" }, { status: 400 });
    spent.add(body.refresh_token!);
    return HttpResponse.json({
      access_token: `shpat_new_${calls.length}`,
      ...(options.withoutExpiry ? {} : { expires_in: 3599 }),
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
    expect(session.refreshToken).toBeNull(); // so it is never sent again
    // The next job asks Shopify nothing.
    const flagged = await app.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    await expect(offlineAccessToken({ database: app.db, redis: redisA }, flagged)).rejects.toBeInstanceOf(
      ReauthRequiredError,
    );
    expect(calls).toHaveLength(1);
  });

  it("a refusal because the merchant signed in meanwhile uses the new session instead of flagging the shop", async () => {
    const shop = await shopWithSession(-60_000);
    app.server.use(
      http.post(`https://${shop.domain}/admin/oauth/access_token`, async () => {
        // The web process's token exchange replaces the session while our refresh is in flight.
        await app.db.prisma.session.update({
          where: { id: `offline_${shop.domain}` },
          data: { accessToken: "shpat_exchanged", expires: new Date(Date.now() + 3_600_000), refreshToken: "shprt_x" },
        });
        return HttpResponse.json({ error: "invalid_grant" }, { status: 400 });
      }),
    );
    expect(await offlineAccessToken({ database: app.db, redis: redisA }, shop)).toBe("shpat_exchanged");
    expect((await app.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).installState).toBe("INSTALLED");
  });

  it("a refresh slower than the lock's lifetime still lets no second worker in with the same refresh token", async () => {
    const shop = await shopWithSession(60_000);
    const calls: { body: Record<string, string> }[] = [];
    app.server.use(tokenEndpoint(shop.domain, calls, 200, { delayMs: 1_000 }));
    const deps = { database: app.db, lockTtlMs: 300 };
    const first = offlineAccessToken({ ...deps, redis: redisA }, shop);
    while (!(await redisA.exists(`foresight:lock:shopify-token:${shop.domain}`))) await new Promise(setImmediate);
    const second = offlineAccessToken({ ...deps, redis: redisB }, shop);
    expect(await Promise.all([first, second])).toEqual(["shpat_new_1", "shpat_new_1"]);
    expect(calls).toHaveLength(1);
  });

  it("stores the rotated tokens even when the answer has no expiry, and refreshes them in time", async () => {
    const shop = await shopWithSession(60_000);
    const calls: { body: Record<string, string> }[] = [];
    app.server.use(tokenEndpoint(shop.domain, calls, 200, { withoutExpiry: true }));
    expect(await offlineAccessToken({ database: app.db, redis: redisA }, shop)).toBe("shpat_new_1");
    const session = await app.db.prisma.session.findUniqueOrThrow({ where: { id: `offline_${shop.domain}` } });
    expect(session.refreshToken).toBe("shprt_rotated_1"); // the old one is spent: keeping it would lock us out
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    // An hour later the stored refresh token works.
    const later = () => Date.now() + 58 * 60_000;
    expect(await offlineAccessToken({ database: app.db, redis: redisA, now: later }, shop)).toBe("shpat_new_2");
    expect(calls.map((call) => call.body.refresh_token)).toEqual(["shprt_first", "shprt_rotated_1"]);
  });

  it("being rate limited is not a refusal: the shop stays installed and a later try succeeds", async () => {
    const shop = await shopWithSession(-60_000);
    const calls: { body: Record<string, string> }[] = [];
    app.server.use(tokenEndpoint(shop.domain, calls, 429));
    const limited = await offlineAccessToken({ database: app.db, redis: redisA }, shop).catch((error: Error) => error);
    expect(limited).toBeInstanceOf(Error);
    expect(limited).not.toBeInstanceOf(ReauthRequiredError);
    expect((await app.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).installState).toBe("INSTALLED");
    app.server.use(tokenEndpoint(shop.domain, calls));
    expect(await offlineAccessToken({ database: app.db, redis: redisA }, shop)).toBe("shpat_new_2");
  });

  it("a refusal after the shop uninstalled leaves it uninstalled", async () => {
    const shop = await shopWithSession(-60_000);
    await app.db.prisma.shop.update({ where: { id: shop.id }, data: { installState: "UNINSTALLED" } });
    app.server.use(tokenEndpoint(shop.domain, [], 401));
    await expect(offlineAccessToken({ database: app.db, redis: redisA }, shop)).rejects.toBeInstanceOf(
      ReauthRequiredError,
    );
    expect((await app.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).installState).toBe("UNINSTALLED");
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
