/**
 * Installing through the embedded admin: a session token signed with the app secret, the real
 * shopify-app-remix token exchange (Shopify's endpoints mocked with msw), the afterAuth hook
 * creating the Shop from the Admin API and queueing the backfill on a real Redis.
 */
import crypto from "node:crypto";
import { Queue } from "bullmq";
import { graphql, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { onShopAuthorized } from "~/services/install.server";
import { createRedis } from "~/queues/connection.server";
import { bullSink, createQueues } from "~/queues/enqueue.server";
import { QUEUE_OF } from "~/queues/jobs";

import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { testRedisUrl } from "./helpers/urls";

const API_KEY = "test-install-api-key";
const SECRET = "shpss_install_secret";
const SHOP = "install-test.myshopify.com";
const prefix = `test-${crypto.randomBytes(4).toString("hex")}`;
const server = setupServer();
let db: TestDatabase;
let sync: Queue;
const exchanges: Record<string, string>[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    FORESIGHT_QUEUE_PREFIX: prefix,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "https://foresight.example.com",
  });
  sync = new Queue("sync", { connection: createRedis(testRedisUrl(), "worker"), prefix });
  server.use(
    http.post(`https://${SHOP}/admin/oauth/access_token`, async ({ request }) => {
      const body = (await request.json()) as Record<string, string>;
      exchanges.push(body);
      if (body.client_secret !== SECRET) return HttpResponse.json({ error: "invalid_client" }, { status: 400 });
      return HttpResponse.json({
        access_token: "shpat_exchanged_offline",
        scope: "read_orders,read_all_orders,read_customers,read_products,write_customers",
        expires_in: 3599,
        refresh_token: "shprt_exchanged",
        refresh_token_expires_in: 7_776_000,
      });
    }),
    graphql.link(`https://${SHOP}/admin/api/2026-10/graphql.json`).query("ShopIdentity", () =>
      HttpResponse.json({
        data: {
          shop: {
            name: "Install Test Boutique",
            myshopifyDomain: SHOP,
            ianaTimezone: "Europe/Berlin",
            currencyCode: "EUR",
          },
        },
        extensions: {
          cost: {
            requestedQueryCost: 1,
            actualQueryCost: 1,
            throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 },
          },
        },
      }),
    ),
  );
  server.listen({ onUnhandledRequest: "error" });
});

afterAll(async () => {
  server.close();
  await sync.obliterate({ force: true });
  await sync.close();
  await db.drop();
});

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/** A session token as App Bridge issues it: HS256 JWT signed with the app secret. */
function sessionToken(secret = SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({
      iss: `https://${SHOP}/admin`,
      dest: `https://${SHOP}`,
      aud: API_KEY,
      sub: "42",
      exp: now + 60,
      nbf: now - 5,
      iat: now - 5,
      jti: crypto.randomUUID(),
      sid: crypto.randomUUID(),
    }),
  );
  const signature = crypto.createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

function adminRequest(token: string): Request {
  const host = base64url(`admin.shopify.com/store/${SHOP.replace(".myshopify.com", "")}`);
  return new Request(`https://foresight.example.com/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${token}`);
}

describe("installing from the Shopify admin", () => {
  it("exchanges the session token, stores an expiring offline session, creates the shop and queues its backfill", async () => {
    const { requireMerchantShop } = await import("~/auth/merchant.server");
    const shop = await requireMerchantShop(adminRequest(sessionToken()), { remoteAddress: "203.0.113.9" });
    expect(shop).toMatchObject({
      platform: "SHOPIFY",
      domain: SHOP,
      name: "Install Test Boutique",
      timezone: "Europe/Berlin",
      currency: "EUR",
      installState: "INSTALLED",
    });
    expect(exchanges[0]).toMatchObject({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring: "1",
    });
    const session = await db.prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(session).toMatchObject({ accessToken: "shpat_exchanged_offline", refreshToken: "shprt_exchanged" });
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now());
    // The backfill now; the reconcile's scheduler has put its first run in the delayed set.
    const jobs = await sync.getJobs(["waiting", "active"]);
    expect(jobs.map((job) => [job.name, job.data])).toEqual([["shopify-backfill", { shopId: shop.id }]]);
    const scheduled = await sync.getJobs(["delayed"]);
    expect(scheduled.map((job) => [job.name, job.data])).toEqual([["shopify-reconcile", { shopId: shop.id }]]);
  });

  it("a second visit authenticates from the stored session: no new exchange, no second backfill", async () => {
    const { requireMerchantShop } = await import("~/auth/merchant.server");
    const before = exchanges.length;
    await requireMerchantShop(adminRequest(sessionToken()), { remoteAddress: "203.0.113.9" });
    expect(exchanges.length).toBe(before);
    expect(await sync.getJobs(["waiting", "active"])).toHaveLength(1);
  });

  it("rejects a session token signed with another secret", async () => {
    const { requireMerchantShop } = await import("~/auth/merchant.server");
    const outcome = await requireMerchantShop(adminRequest(sessionToken("not-our-secret")), {
      remoteAddress: "203.0.113.9",
    }).catch((thrown: unknown) => thrown);
    expect(outcome).toBeInstanceOf(Response);
    expect((outcome as Response).status).toBeGreaterThanOrEqual(300); // a bounce or a 401, never a shop
  });

  it("a reinstall marks the shop installed again and schedules its jobs, without a second backfill once one succeeded", async () => {
    const shop = await db.prisma.shop.update({
      where: { platform_domain: { platform: "SHOPIFY", domain: SHOP } },
      data: { installState: "UNINSTALLED", uninstalledAt: new Date() },
    });
    await db.prisma.syncRun.create({ data: { shopId: shop.id, kind: "BACKFILL", status: "SUCCEEDED" } });
    const queues = createQueues(createRedis(testRedisUrl(), "worker"), prefix);
    const sink = bullSink(queues);
    const result = await onShopAuthorized(
      { database: db, jobs: async () => sink },
      { name: "Install Test Boutique", myshopifyDomain: SHOP, ianaTimezone: "Europe/Berlin", currencyCode: "EUR" },
    );
    // No worker registered this shop (an uninstall removes its schedules): the install must.
    const reconcile = await queues[QUEUE_OF["shopify-reconcile"]].getJobScheduler(`shopify-reconcile:${shop.id}`);
    const nightly = await queues[QUEUE_OF["train-recommendations"]].getJobScheduler(`train-recommendations:${shop.id}`);
    await sink.close();
    expect(reconcile).toMatchObject({ pattern: "40 */6 * * *", tz: "Europe/Berlin" });
    expect(nightly).toMatchObject({ tz: "Europe/Berlin" });
    expect(result.backfillQueued).toBe(false);
    expect(result.shop).toMatchObject({ installState: "INSTALLED", uninstalledAt: null });
  });

  it("signing in again records when, and keeps a scheduled run that is already waiting", async () => {
    const identity = {
      name: "Install Test Boutique",
      myshopifyDomain: SHOP,
      ianaTimezone: "Europe/Berlin",
      currencyCode: "EUR",
    };
    const queues = createQueues(createRedis(testRedisUrl(), "worker"), prefix);
    const sink = bullSink(queues);
    try {
      const first = await onShopAuthorized({ database: db, jobs: async () => sink }, identity);
      const sync = queues[QUEUE_OF["shopify-reconcile"]];
      // The reconcile's next run is due and waiting for a worker (a busy queue).
      const due = (await sync.getJobs(["delayed"])).find((job) => job.name === "shopify-reconcile")!;
      await due.promote();
      const again = await onShopAuthorized({ database: db, jobs: async () => sink }, identity);
      const waiting = await sync.getJobs(["waiting"]);
      expect(waiting.map((job) => job.id)).toContain(due.id);
      expect(again.shop.authorizedAt!.getTime()).toBeGreaterThanOrEqual(first.shop.authorizedAt!.getTime());
      expect(again.shop.installedAt).toEqual(first.shop.installedAt); // an install date, not a sign-in date
    } finally {
      await sink.close();
    }
  });
});
