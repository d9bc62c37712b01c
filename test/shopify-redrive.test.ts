/**
 * Deliveries whose job gave up are queued again (workers/shopify/redrive-deliveries.ts):
 * erasures and compliance requests until they are applied, other topics for three days and
 * then closed with their payload erased. Real Postgres; the queue is a recorder of what was enqueued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ingestCustomers } from "~/ingest/index.server";
import type { JobData } from "~/queues/jobs";

import { processWebhookJob } from "../workers/processors/webhooks";
import {
  ABANDON_AFTER_MS,
  FORGET_AFTER_MS,
  redriveDeliveries,
  REDRIVE_BATCH,
  STUCK_AFTER_MS,
} from "../workers/shopify/redrive-deliveries";

import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { createShop } from "./helpers/factories";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const MINUTE = 60_000;

describe("redriving webhook deliveries whose job gave up", () => {
  it("queues compliance requests again however old, gives up other topics after three days, and leaves fresh ones alone", async () => {
    const shop = await createShop(db.prisma);
    await ingestCustomers(db.pool, shop.id, [
      { externalId: "7001", email: "ada@example.com", firstName: "Ada", updatedAt: "2026-01-01T00:00:00Z" },
    ]);
    const now = Date.now();
    const delivery = (topic: string, ageMs: number, payload: object, outcome: "RECEIVED" | "PROCESSED" = "RECEIVED") =>
      db.prisma.webhookDelivery.create({
        data: {
          shopId: shop.id,
          platform: "SHOPIFY",
          dedupeKey: `${topic}-${ageMs}-${Math.random()}`,
          topic,
          receivedAt: new Date(now - ageMs),
          outcome,
          error: outcome === "RECEIVED" ? "connect ECONNREFUSED 127.0.0.1:5432" : null,
          payload,
        },
      });
    const redact = { shop_domain: shop.domain, customer: { id: 7001, email: "ada@example.com" }, orders_to_redact: [] };
    const stuckRedaction = await delivery("customers/redact", STUCK_AFTER_MS + MINUTE, redact);
    const monthOldRequest = await delivery("customers/data_request", 40 * 24 * 60 * MINUTE, {
      customer: { id: 7001 },
      data_request: { id: 9911 },
    });
    const oldOrder = await delivery("orders/updated", ABANDON_AFTER_MS + MINUTE, { id: 1, email: "ada@example.com" });
    // A deletion is an erasure too: the reconcile never sees deleted customers.
    const oldDeletion = await delivery("customers/delete", ABANDON_AFTER_MS + MINUTE, { id: 7002 });
    // Nor deleted orders and products, nor an uninstall: nothing else would ever apply them.
    const oldOrderDeletion = await delivery("orders/delete", ABANDON_AFTER_MS + MINUTE, { id: 3 });
    const oldUninstall = await delivery("app/uninstalled", ABANDON_AFTER_MS + MINUTE, { id: 1, domain: shop.domain });
    const stuckOrder = await delivery("orders/updated", STUCK_AFTER_MS + MINUTE, { id: 2 });
    const fresh = await delivery("customers/redact", MINUTE, redact);
    await delivery("customers/redact", STUCK_AFTER_MS + MINUTE, redact, "PROCESSED");

    const queued: JobData<"shopify-webhook">[] = [];
    const result = await redriveDeliveries(
      db,
      async (name, data) => {
        expect(name).toBe("shopify-webhook");
        queued.push(data as JobData<"shopify-webhook">);
      },
      now,
    );

    expect(result).toEqual({ requeued: 6, abandoned: 1 });
    expect(queued.map((job) => job.deliveryId).sort((a, b) => a - b)).toEqual(
      [stuckRedaction, monthOldRequest, oldDeletion, oldOrderDeletion, oldUninstall, stuckOrder]
        .map((row) => Number(row.id))
        .sort((a, b) => a - b),
    );
    const closed = await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: oldOrder.id } });
    expect(closed).toMatchObject({ outcome: "FAILED", payload: null });
    expect(closed.error).toContain("ECONNREFUSED"); // why it failed stays for whoever looks
    expect(await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: fresh.id } })).toMatchObject({
      outcome: "RECEIVED",
    });

    // The requeued redaction is applied like any delivery.
    const job = queued.find((entry) => entry.deliveryId === Number(stuckRedaction.id))!;
    await processWebhookJob("shopify-webhook", job, { database: db });
    expect(await db.prisma.customer.count({ where: { shopId: shop.id, externalId: "7001" } })).toBe(0);
    expect(await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: stuckRedaction.id } })).toMatchObject({
      outcome: "PROCESSED",
      payload: null,
    });
  });

  it("a pile of failing erasures does not keep other stuck deliveries from their turn", async () => {
    await db.prisma.webhookDelivery.deleteMany(); // this file's database: only this test's rows
    const shop = await createShop(db.prisma);
    // The erasures are the older ones, so one batch over both kinds, oldest first, would
    // hold nothing but erasures.
    const erasuresSince = Date.now() - STUCK_AFTER_MS - 2 * MINUTE;
    const row = (topic: string, n: number) => ({
      shopId: shop.id,
      platform: "SHOPIFY" as const,
      dedupeKey: `${shop.id}-${topic}-${n}`,
      topic,
      receivedAt: new Date(topic === "customers/redact" ? erasuresSince : erasuresSince + MINUTE),
      payload: { id: n },
    });
    await db.prisma.webhookDelivery.createMany({
      data: Array.from({ length: REDRIVE_BATCH + 1 }, (_, n) => row("customers/redact", n)),
    });
    const order = await db.prisma.webhookDelivery.create({ data: row("orders/updated", 1) });
    const queued: number[] = [];
    await redriveDeliveries(db, async (_name, data) => void queued.push((data as { deliveryId: number }).deliveryId));
    expect(queued).toContain(Number(order.id));
    expect(queued).toHaveLength(REDRIVE_BATCH + 1);
  });

  it("the housekeeping job forgets applied deliveries after a week, but never one still waiting", async () => {
    await db.prisma.webhookDelivery.deleteMany();
    const shop = await createShop(db.prisma);
    const make = (outcome: "RECEIVED" | "PROCESSED" | "IGNORED" | "FAILED", ageMs: number) =>
      db.prisma.webhookDelivery.create({
        data: {
          shopId: shop.id,
          platform: "SHOPIFY",
          dedupeKey: `${outcome}-${ageMs}-${Math.random()}`,
          topic: outcome === "RECEIVED" ? "customers/redact" : "orders/updated",
          receivedAt: new Date(Date.now() - ageMs),
          outcome,
          payload: outcome === "RECEIVED" ? { customer: { id: 1 } } : undefined,
        },
      });
    const old = FORGET_AFTER_MS + 60_000;
    await Promise.all([make("PROCESSED", old), make("IGNORED", old), make("FAILED", old)]);
    const recent = await make("PROCESSED", FORGET_AFTER_MS - 60_000);
    const waiting = await make("RECEIVED", old);
    const queued: number[] = [];
    const result = await processWebhookJob(
      "housekeeping",
      {},
      { database: db, enqueue: async (_name, data) => void queued.push((data as { deliveryId: number }).deliveryId) },
    );
    expect(result).toMatchObject({ requeued: 1, forgotten: 3 });
    const left = await db.prisma.webhookDelivery.findMany({ select: { id: true }, orderBy: { id: "asc" } });
    expect(left.map((row) => row.id)).toEqual([recent.id, waiting.id]);
    expect(queued).toEqual([Number(waiting.id)]);
  });
});
