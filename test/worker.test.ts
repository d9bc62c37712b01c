/**
 * The real path: enqueue on Redis -> BullMQ worker -> Postgres, with this file's own queue
 * prefix so parallel test files never share queues.
 */
import crypto from "node:crypto";
import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ingestOrders, ingestRefunds } from "~/ingest/index.server";
import { createRedis } from "~/queues/connection.server";
import { bullSink, createQueues, type Queues } from "~/queues/enqueue.server";

import { inlineSink, registerSchedulers, startWorkers, type WorkerHandle } from "../workers/runtime";

import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { createShop, orderRecord } from "./helpers/factories";
import { testRedisUrl } from "./helpers/urls";

const prefix = `test-${crypto.randomBytes(4).toString("hex")}`;
let db: TestDatabase;
let redis: ReturnType<typeof createRedis>;
let queues: Queues;
let workers: WorkerHandle;
let events: QueueEvents;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(testRedisUrl(), "worker");
  queues = createQueues(redis, prefix);
  workers = startWorkers({ connection: redis, database: db, prefix, busyRetryMs: 300 });
  events = new QueueEvents("analytics", { connection: createRedis(testRedisUrl(), "worker"), prefix });
  await events.waitUntilReady();
});

afterAll(async () => {
  await workers.close();
  await events.close();
  for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
  await bullSink(queues).close();
  await redis.quit();
  await db.drop();
});

async function seedShop() {
  const shop = await createShop(db.prisma, { timezone: "Europe/London" });
  await ingestOrders(db.pool, shop.id, [
    orderRecord("A1", { customer: "C1", at: "2026-01-05T09:00:00Z", lines: [["P1", 2, "10.00"]] }),
    orderRecord("A2", {
      customer: "C2",
      at: "2026-01-05T23:30:00Z",
      lines: [
        ["P1", 1, "10.00"],
        ["P2", 3, "1.50"],
      ],
    }),
    orderRecord("A3", { customer: "C1", at: "2026-01-06T10:00:00Z", lines: [["P2", 1, "1.50"]] }),
    orderRecord("A4", { customer: null, at: "2026-01-06T11:00:00Z", lines: [["P3", 1, "99.99"]] }),
  ]);
  await ingestRefunds(db.pool, shop.id, [
    {
      externalId: "R1",
      orderExternalId: "A1",
      processedAt: "2026-01-06T12:00:00Z",
      currency: "USD",
      totalAmount: "10.00",
      lines: [{ orderLineExternalId: "A1-L1", productExternalId: "P1", quantity: 1, amount: "10.00" }],
      updatedAt: "2026-01-06T12:00:00Z",
    },
  ]);
  return shop;
}

async function dailyStats(shopId: number) {
  const rows = await db.prisma.shopDailyStat.findMany({ where: { shopId }, orderBy: { day: "asc" } });
  return rows.map((row) => ({
    day: row.day.toISOString().slice(0, 10),
    orders: row.orders,
    customers: row.customers,
    newCustomers: row.newCustomers,
    units: row.units,
    revenue: row.grossRevenue.toString(),
    refunds: row.refunds,
    refunded: row.refundedAmount.toString(),
  }));
}

const EXPECTED = [
  { day: "2026-01-05", orders: 2, customers: 2, newCustomers: 2, units: 6, revenue: "34.5", refunds: 0, refunded: "0" },
  {
    day: "2026-01-06",
    orders: 2,
    customers: 1,
    newCustomers: 0,
    units: 2,
    revenue: "101.49",
    refunds: 1,
    refunded: "10",
  },
];

describe("daily aggregates through BullMQ", () => {
  it("a job enqueued on Redis is processed by a worker and its result lands in Postgres", async () => {
    const shop = await seedShop();
    const job = await queues.analytics.add("daily-aggregates", { shopId: shop.id });
    await job.waitUntilFinished(events);
    expect(await dailyStats(shop.id)).toEqual(EXPECTED);
    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId: shop.id, kind: "DAILY_AGGREGATES" } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.metrics).toEqual({ days: 2, orders: 4 });
  });

  it("re-running the job rebuilds the same rows, and a partial rebuild touches only later days", async () => {
    const shop = await seedShop();
    const sink = bullSink(queues);
    await sink.enqueue("daily-aggregates", { shopId: shop.id });
    await (
      await queues.analytics.add("daily-aggregates", { shopId: shop.id, fromDay: "2026-01-06" })
    ).waitUntilFinished(events);
    expect(await dailyStats(shop.id)).toEqual(EXPECTED);
  });

  it("a malformed payload fails the job with a readable reason and writes nothing", async () => {
    const job = await queues.analytics.add("daily-aggregates", { shopId: "seven" }, { attempts: 1 });
    await expect(job.waitUntilFinished(events)).rejects.toThrow(/invalid daily-aggregates job: shopId/);
    expect(await db.prisma.modelRun.count({ where: { status: "RUNNING" } })).toBe(0);
  });

  it("the in-process fallback runs the very same processor", async () => {
    const shop = await seedShop();
    const sink = inlineSink(db);
    await sink.enqueue("daily-aggregates", { shopId: shop.id });
    await sink.close();
    expect(await dailyStats(shop.id)).toEqual(EXPECTED);
  });

  it("registers one nightly scheduler per installed shop, in the shop's time zone", async () => {
    const count = await registerSchedulers(queues, db);
    const schedulers = await queues.analytics.getJobSchedulers();
    expect(schedulers).toHaveLength(count);
    expect(schedulers.every((s) => s.pattern === "15 3 * * *")).toBe(true);
    expect(new Set(schedulers.map((s) => s.tz))).toEqual(new Set(["Europe/London"]));
    await registerSchedulers(queues, db); // idempotent
    expect(await queues.analytics.getJobSchedulers()).toHaveLength(count);
    // And one for all shops: stuck deliveries queued again, missing schedules restored.
    expect(await queues.webhooks.getJobScheduler("housekeeping")).toMatchObject({ pattern: "*/15 * * * *" });
  });
});

describe("a model job for a shop that is busy with the same work", () => {
  it("is put back for later instead of dropped, and runs once the shop is free", async () => {
    const shop = await seedShop();
    const customerEvents = new QueueEvents("customers", { connection: createRedis(testRedisUrl(), "worker"), prefix });
    await customerEvents.waitUntilReady();
    const lock = `foresight:lock:score-customers:${shop.platform}:${shop.domain}`;
    await redis.set(lock, "another-run", "PX", 60_000);
    try {
      const delayed = new Promise<void>((resolve) => customerEvents.once("delayed", () => resolve()));
      const job = await queues.customers.add("score-customers", { shopId: shop.id });
      await delayed;
      expect(await job.getState()).toBe("delayed");
      expect(await db.prisma.modelRun.count({ where: { shopId: shop.id, kind: "CUSTOMER_SCORES" } })).toBe(0);
      await redis.del(lock); // the other run finishes
      expect(await job.waitUntilFinished(customerEvents)).toMatchObject({ method: "recency-rule" });
      const fresh = await queues.customers.getJob(job.id!);
      // Started twice, but only the run that completed counts as an attempt: waiting for the
      // shop did not use up any of its retries.
      expect([fresh?.attemptsStarted, fresh?.attemptsMade]).toEqual([2, 1]);
    } finally {
      await redis.del(lock);
      await customerEvents.close();
    }
  });
});
