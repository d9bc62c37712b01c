/**
 * Shopify webhooks end to end: requests signed for real with the app secret, the real
 * receiver, real Postgres, a real BullMQ queue (this file's own prefix) and worker.
 */
import crypto from "node:crypto";
import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { lockCustomerWrites } from "~/ingest/redactions.server";
import { upsertShop } from "~/ingest/shops.server";
import { createRedis } from "~/queues/connection.server";
import { bullSink, createQueues, type JobSink, type Queues } from "~/queues/enqueue.server";
import { receiveShopifyWebhook } from "~/services/webhooks/receive-shopify.server";

import { registerSchedulers, startWorkers, type WorkerHandle } from "../workers/runtime";

import {
  customerPayload,
  orderPayload,
  productPayload,
  refundPayload,
  SECRET,
  SHOP_DOMAIN,
  signedWebhook,
  withOrderId,
} from "./fixtures/shopify-webhooks";
import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { testRedisUrl } from "./helpers/urls";

Object.assign(process.env, {
  SHOPIFY_API_KEY: "test-api-key",
  SHOPIFY_API_SECRET: SECRET,
  SHOPIFY_APP_URL: "https://foresight.example.com",
});

const prefix = `test-${crypto.randomBytes(4).toString("hex")}`;
let db: TestDatabase;
let queues: Queues;
let workers: WorkerHandle;
let events: QueueEvents;
let sink: JobSink;
let redis: ReturnType<typeof createRedis>;
let shopId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url; // the app's configuration is read on first use
  redis = createRedis(testRedisUrl(), "worker");
  queues = createQueues(redis, prefix);
  sink = bullSink(queues);
  workers = startWorkers({ connection: redis, database: db, queues, prefix });
  events = new QueueEvents("webhooks", { connection: createRedis(testRedisUrl(), "worker"), prefix });
  // A job's first attempt ends in one of these events (a failure that will be retried is "delayed").
  for (const event of ["completed", "failed", "delayed"] as const) {
    events.on(event, ({ jobId }: { jobId: string }) => attemptEnded(jobId));
  }
  await events.waitUntilReady();
});

const ended = new Set<string>();
const waiting = new Map<string, () => void>();
function attemptEnded(jobId: string) {
  ended.add(jobId);
  waiting.get(jobId)?.();
}
function firstAttempt(jobId: string): Promise<void> {
  return ended.has(jobId) ? Promise.resolve() : new Promise((resolve) => waiting.set(jobId, resolve));
}

afterAll(async () => {
  await workers.close();
  await events.close();
  for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
  await sink.close();
  await redis.quit();
  await db.drop();
});

beforeEach(async () => {
  await db.prisma.shop.deleteMany({ where: { domain: SHOP_DOMAIN } });
  const shop = await upsertShop(db.prisma, {
    platform: "SHOPIFY",
    domain: SHOP_DOMAIN,
    name: "Foresight Test",
    timezone: "America/New_York",
    currency: "USD",
  });
  shopId = shop.id;
});

/** Sends a webhook and, when it was enqueued, waits for the worker to finish it. */
async function deliver(request: Request, jobs: () => Promise<JobSink> = async () => sink) {
  const outcome = await receiveShopifyWebhook(request, { database: db, jobs });
  const delivery = await db.prisma.webhookDelivery.findFirst({
    where: { dedupeKey: request.headers.get("X-Shopify-Webhook-Id")! },
  });
  if (outcome.status === 200 && outcome.body === "ok" && delivery) {
    const jobs = await queues.webhooks.getJobs(["waiting", "active", "completed", "failed", "delayed"]);
    const job = jobs.find((candidate) => candidate.data.deliveryId === Number(delivery.id))!;
    await firstAttempt(job.id!);
  }
  return outcome;
}

async function storedOrder(externalId = "5912345678901") {
  return db.prisma.order.findFirst({
    where: { shopId, externalId },
    include: { lines: { orderBy: { externalId: "asc" } }, customer: true },
  });
}

describe("receiving", () => {
  it("accepts a correctly signed order, records the delivery and the worker stores the order", async () => {
    const outcome = await deliver(signedWebhook("orders/create", orderPayload()));
    expect(outcome).toEqual({ status: 200, body: "ok" });
    const order = await storedOrder();
    expect(order).toMatchObject({ name: "#9999", financialStatus: "PAID", currency: "USD" });
    expect(order!.totalPrice.toString()).toBe("408");
    expect(order!.totalShipping.toString()).toBe("10");
    expect(order!.localDate.toISOString().slice(0, 10)).toBe("2026-03-02");
    expect(order!.lines.map((l) => [l.externalId, l.kind, l.quantity])).toEqual([
      ["14012345678901", "PRODUCT", 2],
      ["shipping-271878346", "SHIPPING", 1],
    ]);
    expect(order!.customer).toMatchObject({ externalId: "7064055069303", email: "bob.norman@example.com" });
    const delivery = await db.prisma.webhookDelivery.findFirstOrThrow({ where: { shopId } });
    expect(delivery).toMatchObject({ topic: "orders/create", outcome: "PROCESSED", payload: null });
  });

  it("answers 401 to a wrong signature and stores nothing", async () => {
    const outcome = await receiveShopifyWebhook(
      signedWebhook("orders/create", orderPayload(), { secret: "someone-elses-secret" }),
      { database: db, jobs: async () => sink },
    );
    expect(outcome.status).toBe(401);
    expect(await db.prisma.webhookDelivery.count({ where: { shopId } })).toBe(0);
  });

  it("answers 401 to a body altered after signing", async () => {
    const request = signedWebhook("orders/create", orderPayload());
    const tampered = new Request(request.url, {
      method: "POST",
      headers: request.headers,
      body: (await request.text()).replace("408.00", "1.00"),
    });
    expect((await receiveShopifyWebhook(tampered, { database: db, jobs: async () => sink })).status).toBe(401);
  });

  it("answers 400 when Shopify's headers are missing, 405 to a GET", async () => {
    const request = signedWebhook("orders/create", orderPayload());
    const headers = new Headers(request.headers);
    headers.delete("X-Shopify-Topic");
    const missing = new Request(request.url, { method: "POST", headers, body: await request.text() });
    const outcome = await receiveShopifyWebhook(missing, { database: db, jobs: async () => sink });
    expect(outcome.status).toBe(400);
    expect(outcome.body).toContain("missing_headers");
    const get = new Request(request.url, { method: "GET" });
    expect((await receiveShopifyWebhook(get, { database: db, jobs: async () => sink })).status).toBe(405);
  });

  it("treats a repeated webhook id as a duplicate: 200, one row, one job", async () => {
    const webhookId = crypto.randomUUID();
    await deliver(signedWebhook("orders/create", orderPayload(), { webhookId }));
    const again = await receiveShopifyWebhook(signedWebhook("orders/create", orderPayload(), { webhookId }), {
      database: db,
      jobs: async () => sink,
    });
    expect(again).toEqual({ status: 200, body: "duplicate delivery" });
    expect(await db.prisma.webhookDelivery.count({ where: { dedupeKey: webhookId } })).toBe(1);
  });

  it("answers 200 and stores nothing for a shop it does not know", async () => {
    const outcome = await receiveShopifyWebhook(
      signedWebhook("orders/create", orderPayload(), { shop: "stranger.myshopify.com" }),
      { database: db, jobs: async () => sink },
    );
    expect(outcome).toEqual({ status: 200, body: "unknown shop" });
    expect(await db.prisma.webhookDelivery.count()).toBe(await db.prisma.webhookDelivery.count({ where: { shopId } }));
  });

  it("deletes the session of a shop whose sign-in never created it, on app/uninstalled and shop/redact", async () => {
    for (const [topic, domain] of [
      ["app/uninstalled", "half-installed.myshopify.com"],
      ["shop/redact", "half-redacted.myshopify.com"],
    ] as const) {
      // What a failed afterAuth leaves: the library stored the session, no Shop row exists.
      await db.prisma.session.create({
        data: { id: `offline_${domain}`, shop: domain, state: "", accessToken: "shpat_orphaned" },
      });
      const outcome = await receiveShopifyWebhook(
        signedWebhook(topic, { shop_domain: domain, shop_id: 9 }, { shop: domain }),
        { database: db, jobs: async () => sink },
      );
      expect(outcome).toEqual({ status: 200, body: "unknown shop" });
      expect(await db.prisma.session.count({ where: { shop: domain } })).toBe(0);
    }
    // Any other topic leaves it: only an uninstall or a redaction ends what the token is for.
    await db.prisma.session.create({
      data: { id: "offline_still.myshopify.com", shop: "still.myshopify.com", state: "", accessToken: "shpat_x" },
    });
    await receiveShopifyWebhook(signedWebhook("orders/create", orderPayload(), { shop: "still.myshopify.com" }), {
      database: db,
      jobs: async () => sink,
    });
    expect(await db.prisma.session.count({ where: { shop: "still.myshopify.com" } })).toBe(1);
  });

  it("asks for a retry (503) and forgets the delivery when the queue is down", async () => {
    const webhookId = crypto.randomUUID();
    const down = async (): Promise<JobSink> => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
    };
    const outcome = await receiveShopifyWebhook(signedWebhook("orders/create", orderPayload(), { webhookId }), {
      database: db,
      jobs: down,
    });
    expect(outcome.status).toBe(503);
    expect(await db.prisma.webhookDelivery.count({ where: { dedupeKey: webhookId } })).toBe(0);
    // Shopify's retry then goes through.
    expect(await deliver(signedWebhook("orders/create", orderPayload(), { webhookId }))).toEqual({
      status: 200,
      body: "ok",
    });
  });
});

describe("applying", () => {
  it("out-of-order deliveries leave the newest version", async () => {
    const newer = orderPayload({
      updated_at: "2026-03-03T08:00:00-05:00",
      financial_status: "partially_refunded",
      total_price: "209.00",
    });
    await deliver(signedWebhook("orders/updated", newer));
    await deliver(signedWebhook("orders/create", orderPayload()));
    const order = await storedOrder();
    expect(order!.financialStatus).toBe("PARTIALLY_REFUNDED");
    expect(order!.totalPrice.toString()).toBe("209");
  });

  it("a deleted order stays deleted when an update sent before the deletion arrives after it", async () => {
    const id = "5912345670002";
    await deliver(signedWebhook("orders/create", null, { body: withOrderId(orderPayload(), id) }));
    expect(await storedOrder(id)).not.toBeNull();
    await deliver(signedWebhook("orders/delete", { id: Number(id) }));
    expect(await storedOrder(id)).toBeNull();
    const late = orderPayload({ updated_at: "2026-03-03T08:00:00-05:00" });
    await deliver(signedWebhook("orders/updated", null, { body: withOrderId(late, id) }));
    expect(await storedOrder(id)).toBeNull();
  });

  it("an order write in flight when orders/delete arrives commits first, and is deleted", async () => {
    const id = "5912345670003";
    const writer = await db.pool.connect();
    try {
      // A write under way: it holds the writers' lock shared, as every order write does, and
      // has stored a version of the order without committing yet.
      await writer.query("BEGIN");
      await lockCustomerWrites(writer, shopId);
      await writer.query(
        `INSERT INTO "Order" ("shopId", "externalId", "name", "processedAt", "localDate", "currency",
                              "subtotalPrice", "totalPrice", "platformUpdatedAt", "updatedAt")
         VALUES ($1, $2, '#1003', '2026-03-02T17:00:00Z', '2026-03-02', 'USD', 10, 10, '2026-03-02T17:00:00Z', now())`,
        [shopId, id],
      );
      const deleting = deliver(signedWebhook("orders/delete", { id: Number(id) }));
      // The deletion must wait for the write; had it not, it would finish here first.
      const waitingForTheWrite = vi.waitFor(
        async () => {
          const { rows } = await db.pool.query(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted AND l.objid = $1`,
            [shopId],
          );
          if (rows[0].n === 0) throw new Error("the deletion is not waiting");
        },
        { timeout: 10_000, interval: 20 },
      );
      await Promise.race([waitingForTheWrite, deleting]);
      await writer.query("COMMIT");
      await deleting;
    } finally {
      writer.release();
    }
    expect(await storedOrder(id)).toBeNull();
  });

  it("keeps 64-bit ids exact and links a refund to the line it returns", async () => {
    // Shopify's own sample order id, past 2^53: JavaScript cannot even write it as a number
    // literal, so the JSON text carries the digits.
    const bigId = "820982911946154508";
    await deliver(signedWebhook("orders/create", null, { body: withOrderId(orderPayload(), bigId) }));
    expect(await storedOrder(bigId)).not.toBeNull();
    await deliver(signedWebhook("refunds/create", null, { body: withOrderId(refundPayload(), bigId) }));
    const refund = await db.prisma.refund.findFirstOrThrow({
      where: { shopId },
      include: { lines: true, order: true },
    });
    expect(refund.order?.externalId).toBe(bigId);
    expect(refund.totalAmount.toString()).toBe("199");
    expect(refund.lines[0]!.orderLineId).not.toBeNull();
  });

  it("links a refund delivered before its order once the order arrives, and names the order's customer", async () => {
    const refund = refundPayload();
    await deliver(signedWebhook("refunds/create", refund));
    const alone = await db.prisma.refund.findFirstOrThrow({ where: { shopId } });
    expect(alone).toMatchObject({ orderId: null, customerId: null });
    // The order's later version carries the same refund, unchanged (same created_at).
    const updated = orderPayload({
      updated_at: "2026-03-05T09:00:05-05:00",
      financial_status: "partially_refunded",
      refunds: [refund],
    });
    await deliver(signedWebhook("orders/updated", updated));
    const order = await storedOrder();
    const linked = await db.prisma.refund.findFirstOrThrow({ where: { shopId }, include: { lines: true } });
    expect(linked).toMatchObject({ id: alone.id, orderId: order!.id, customerId: order!.customerId });
    expect(order!.customerId).not.toBeNull();
    expect(linked.lines[0]!.orderLineId).toBe(order!.lines[0]!.id);
  });

  it("names the order's customer on a refunds/create for an order already held", async () => {
    await deliver(signedWebhook("orders/create", orderPayload()));
    await deliver(signedWebhook("refunds/create", refundPayload()));
    const order = await storedOrder();
    const refund = await db.prisma.refund.findFirstOrThrow({ where: { shopId } });
    expect(refund).toMatchObject({ orderId: order!.id, customerId: order!.customerId });
    expect(refund.customerId).not.toBeNull();
  });

  it("creates, updates and deletes products and customers", async () => {
    await deliver(signedWebhook("products/create", productPayload()));
    await deliver(
      signedWebhook("products/update", productPayload({ title: "iPod Nano", updated_at: "2026-03-09T00:00:00Z" })),
    );
    const product = await db.prisma.product.findFirstOrThrow({ where: { shopId }, include: { variants: true } });
    expect(product).toMatchObject({ externalId: "632910392", title: "iPod Nano", totalInventory: 10, deletedAt: null });
    expect(product.variants.map((v) => v.sku)).toEqual(["IPOD2008PINK"]);
    // A variant whose stock Shopify does not track still carries inventory_quantity: not stock.
    await deliver(
      signedWebhook(
        "products/update",
        productPayload({
          updated_at: "2026-03-10T00:00:00Z",
          variants: [
            { id: 808950810, title: "Pink", price: "199.00", inventory_quantity: -3, inventory_management: null },
          ],
        }),
      ),
    );
    expect((await db.prisma.product.findFirstOrThrow({ where: { shopId } })).totalInventory).toBeNull();
    await deliver(signedWebhook("products/delete", { id: 632910392 }));
    expect((await db.prisma.product.findFirstOrThrow({ where: { shopId } })).deletedAt).not.toBeNull();
    // An update sent before the deletion but delivered after it must not bring the product back.
    await deliver(signedWebhook("products/update", productPayload({ updated_at: "2026-03-11T00:00:00Z" })));
    expect((await db.prisma.product.findFirstOrThrow({ where: { shopId } })).deletedAt).not.toBeNull();

    await deliver(signedWebhook("customers/create", customerPayload()));
    const customer = await db.prisma.customer.findFirstOrThrow({ where: { shopId } });
    expect(customer).toMatchObject({ country: "CA", tags: ["vip", "newsletter"], acceptsMarketing: true });
    await deliver(signedWebhook("customers/delete", { id: 7064055069303 }));
    expect(await db.prisma.customer.count({ where: { shopId } })).toBe(0);
  });

  it("keeps a product deleted before it was stored from coming back with an older version", async () => {
    // The deletion comes first: a backfill or a late products/update read the product before it.
    await deliver(signedWebhook("products/delete", { id: 632910392 }));
    await deliver(signedWebhook("products/update", productPayload({ updated_at: "2026-03-09T00:00:00Z" })));
    const [product, ...others] = await db.prisma.product.findMany({ where: { shopId }, include: { variants: true } });
    expect(others).toEqual([]);
    expect(product!.deletedAt).not.toBeNull();
    expect(product!.variants).toEqual([]);
  });

  it("records a malformed payload's reason on the delivery and lets BullMQ retry", async () => {
    const webhookId = crypto.randomUUID();
    await deliver(signedWebhook("orders/create", { id: 1, name: "#1" }, { webhookId }));
    const delivery = await db.prisma.webhookDelivery.findFirstOrThrow({ where: { dedupeKey: webhookId } });
    expect(delivery.outcome).toBe("RECEIVED");
    expect(delivery.error).toMatch(/^malformed order payload: /);
    expect(delivery.payload).not.toBeNull(); // kept for the retry
  });

  it("an app/uninstalled that happened before the shop's latest sign-in changes nothing", async () => {
    await db.prisma.session.create({
      data: { id: `offline_${SHOP_DOMAIN}`, shop: SHOP_DOMAIN, state: "", accessToken: "shpat_after_reinstall" },
    });
    // Installed a month ago; the uninstall ten minutes ago never reached us (so the shop still
    // looked installed), and the merchant has just installed again: a token exchange now.
    const now = Date.now();
    await db.prisma.shop.update({
      where: { id: shopId },
      data: { installedAt: new Date(now - 30 * 86_400_000), authorizedAt: new Date(now) },
    });
    const webhookId = crypto.randomUUID();
    const before = new Date(now - 10 * 60_000);
    await deliver(
      signedWebhook("app/uninstalled", { id: 548380009, domain: SHOP_DOMAIN }, { webhookId, triggeredAt: before }),
    );
    expect((await db.prisma.shop.findUniqueOrThrow({ where: { id: shopId } })).installState).toBe("INSTALLED");
    expect(await db.prisma.session.count({ where: { shop: SHOP_DOMAIN } })).toBe(1);
    const delivery = await db.prisma.webhookDelivery.findFirstOrThrow({ where: { dedupeKey: webhookId } });
    expect(delivery).toMatchObject({ outcome: "IGNORED", triggeredAt: before });
    await db.prisma.session.deleteMany({ where: { shop: SHOP_DOMAIN } });
  });

  it("app/scopes_update keeps the newest scopes whatever order the changes arrive in", async () => {
    await db.prisma.shop.update({ where: { id: shopId }, data: { authorizedAt: new Date(Date.now() - 3_600_000) } });
    await db.prisma.session.create({
      data: {
        id: `offline_${SHOP_DOMAIN}`,
        shop: SHOP_DOMAIN,
        state: "",
        accessToken: "shpat_x",
        scope: "read_orders",
      },
    });
    const change = (current: string[], minutesAgo: number) =>
      signedWebhook(
        "app/scopes_update",
        { id: 9, previous: ["read_orders"], current, updated_at: new Date().toISOString() },
        { triggeredAt: new Date(Date.now() - minutesAgo * 60_000) },
      );
    try {
      await deliver(change(["read_orders", "read_customers"], 10));
      await deliver(change(["read_orders"], 20)); // older, delivered late
      const scope = async () =>
        (await db.prisma.session.findUniqueOrThrow({ where: { id: `offline_${SHOP_DOMAIN}` } })).scope;
      expect(await scope()).toBe("read_orders,read_customers");
      await deliver(change(["read_orders", "read_customers", "read_products"], 5));
      expect(await scope()).toBe("read_orders,read_customers,read_products");
      // A change from before the latest sign-in lost to the scopes that sign-in stored.
      await deliver(change([], 90));
      expect(await scope()).toBe("read_orders,read_customers,read_products");
    } finally {
      await db.prisma.session.delete({ where: { id: `offline_${SHOP_DOMAIN}` } });
    }
  });

  it("app/uninstalled marks the shop, deletes its sessions and stops its schedules; later data is ignored", async () => {
    await deliver(signedWebhook("customers/create", customerPayload()));
    await db.prisma.session.create({
      data: { id: `offline_${SHOP_DOMAIN}`, shop: SHOP_DOMAIN, state: "", accessToken: "shpat_secret" },
    });
    await registerSchedulers(queues, db);
    expect((await queues.analytics.getJobSchedulers()).map((s) => s.key)).toContain(`daily-aggregates:${shopId}`);
    await deliver(signedWebhook("app/uninstalled", { id: 548380009, domain: SHOP_DOMAIN }));
    const shop = await db.prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    expect(shop.installState).toBe("UNINSTALLED");
    expect(await db.prisma.session.count({ where: { shop: SHOP_DOMAIN } })).toBe(0);
    expect((await queues.analytics.getJobSchedulers()).map((s) => s.key)).not.toContain(`daily-aggregates:${shopId}`);
    const webhookId = crypto.randomUUID();
    await deliver(signedWebhook("orders/create", orderPayload(), { webhookId }));
    expect(await storedOrder()).toBeNull();
    expect((await db.prisma.webhookDelivery.findFirstOrThrow({ where: { dedupeKey: webhookId } })).outcome).toBe(
      "IGNORED",
    );
    // A deletion still applies: what it removes must not wait for a reinstall.
    expect(await db.prisma.customer.count({ where: { shopId } })).toBe(1);
    await deliver(signedWebhook("customers/delete", { id: 7064055069303 }));
    expect(await db.prisma.customer.count({ where: { shopId } })).toBe(0);
  });
});

describe("compliance topics", () => {
  const customer = { id: 7064055069303, email: "bob.norman@example.com", phone: "+16135551111" };

  /** Every row of every table in the public schema, as text, that mentions `needle`. */
  async function rowsMentioning(needle: string): Promise<string[]> {
    const { rows: tables } = await db.pool.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const hits: string[] = [];
    for (const { name } of tables) {
      const { rows } = await db.pool.query(`SELECT t::text AS row FROM "${name}" t WHERE t::text LIKE $1`, [
        `%${needle}%`,
      ]);
      hits.push(...rows.map((row) => `${name}: ${row.row}`));
    }
    return hits;
  }

  /** What a backfill that is still running holds: a staged order and a staged customer line. */
  async function stageBackfillRows(customerId: string, customerNode: object): Promise<number> {
    const run = await db.prisma.syncRun.create({ data: { shopId, kind: "BACKFILL", status: "RUNNING" } });
    await db.pool.query(
      `INSERT INTO "BulkStagedOrder" ("syncRunId", "seq", "externalId", "name", "customerExternalId", "processedAt",
         "financialStatus", "currency", "subtotalPrice", "totalDiscounts", "totalShipping", "totalTax", "totalPrice",
         "totalRefunded", "test", "platformUpdatedAt")
       VALUES ($1, 1, '777', '#777', $2, now(), 'PAID', 'USD', 10, 0, 0, 0, 10, 0, false, now())`,
      [run.id, customerId],
    );
    await db.pool.query(`INSERT INTO "BulkStagingRow" ("syncRunId", "seq", "gid", "data") VALUES ($1, 1, $2, $3)`, [
      run.id,
      `gid://shopify/Customer/${customerId}`,
      JSON.stringify(customerNode),
    ]);
    return run.id;
  }

  const requestCustomerData = (requestId: number) =>
    deliver(
      signedWebhook("customers/data_request", {
        shop_id: 548380009,
        shop_domain: SHOP_DOMAIN,
        customer,
        data_request: { id: requestId },
      }),
    );

  it("customers/data_request stores everything held about the customer for the merchant", async () => {
    await deliver(signedWebhook("orders/create", orderPayload()));
    // A refund webhook names the order, not the customer.
    await deliver(signedWebhook("refunds/create", refundPayload()));
    await deliver(
      signedWebhook("customers/data_request", {
        shop_id: 548380009,
        shop_domain: SHOP_DOMAIN,
        orders_requested: [5912345678901],
        customer,
        data_request: { id: 9999 },
      }),
    );
    const exported = await db.prisma.customerDataExport.findFirstOrThrow({ where: { shopId, requestId: "9999" } });
    expect(exported.data).toMatchObject({
      heldData: true,
      customer: {
        email: "bob.norman@example.com",
        orders: [{ name: "#9999", lines: expect.any(Array), refunds: [{ note: "it broke during shipping" }] }],
      },
    });
  });

  it("customers/redact leaves no row anywhere with the customer's id, email or name, and keeps the sales", async () => {
    await deliver(signedWebhook("orders/create", orderPayload()));
    await requestCustomerData(10000);
    // A delivery about this customer still waiting for a worker holds their data too.
    await db.prisma.webhookDelivery.create({
      data: {
        shopId,
        platform: "SHOPIFY",
        dedupeKey: crypto.randomUUID(),
        topic: "customers/update",
        payload: customerPayload({ updated_at: "2026-03-09T00:00:00Z" }),
      },
    });
    // So does a backfill in progress: a staged order naming them, and their staged record.
    await stageBackfillRows("7064055069303", customerPayload());
    expect(await rowsMentioning("bob.norman@example.com")).not.toEqual([]);
    await deliver(
      signedWebhook("customers/redact", {
        shop_id: 548380009,
        shop_domain: SHOP_DOMAIN,
        customer,
        orders_to_redact: [5912345678901],
      }),
    );
    // Even while that backfill runs: the tombstone that keeps its rows from storing the
    // customer again holds a hash of the id, not the id.
    expect(await rowsMentioning("7064055069303")).toEqual([]);
    expect(await db.prisma.erasedCustomer.count({ where: { shopId } })).toBe(1);
    expect(await rowsMentioning("bob.norman@example.com")).toEqual([]);
    expect(await rowsMentioning("Norman")).toEqual([]);
    const order = await storedOrder();
    expect(order).toMatchObject({ customerId: null, name: "#9999" });
    // A data request applied after the redaction (a retry, a slow worker) stores nothing:
    // not even an empty export, which would hold the id.
    await requestCustomerData(10001);
    expect(await db.prisma.customerDataExport.count({ where: { shopId, requestId: "10001" } })).toBe(0);
    expect(await rowsMentioning("7064055069303")).toEqual([]);
  });

  it("shop/redact deletes all of the shop's data", async () => {
    await deliver(signedWebhook("orders/create", orderPayload()));
    await deliver(signedWebhook("products/create", productPayload()));
    const runId = await stageBackfillRows("7064055069303", customerPayload());
    await deliver(signedWebhook("shop/redact", { shop_id: 548380009, shop_domain: SHOP_DOMAIN }));
    expect(await db.prisma.shop.count({ where: { id: shopId } })).toBe(0);
    expect(await db.prisma.bulkStagedOrder.count({ where: { syncRunId: runId } })).toBe(0);
    for (const table of ["Order", "OrderLine", "Customer", "Product", "ProductVariant", "WebhookDelivery"]) {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${table}" WHERE "shopId" = $1`, [shopId]);
      expect({ table, n: rows[0].n }).toEqual({ table, n: 0 });
    }
  });

  it("answers 401 to a compliance webhook with a bad signature", async () => {
    const outcome = await receiveShopifyWebhook(
      signedWebhook("shop/redact", { shop_id: 1, shop_domain: SHOP_DOMAIN }, { secret: "wrong" }),
      { database: db, jobs: async () => sink },
    );
    expect(outcome.status).toBe(401);
    expect(await db.prisma.shop.count({ where: { id: shopId } })).toBe(1);
  });
});
