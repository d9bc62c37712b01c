/**
 * Processor for the "webhooks" queue: applies one recorded delivery, then marks it and drops
 * its payload (which may hold personal data). A failure keeps the payload and the error on
 * the row and rethrows, so BullMQ retries with backoff; once those retries are spent, the
 * quarter-hourly housekeeping puts the delivery back (workers/shopify/redrive-deliveries.ts).
 */
import { Prisma } from "@prisma/client";

import { isKnownTopic } from "~/platforms/shopify/config";
import type { JobSink } from "~/queues/enqueue.server";
import { parseJob } from "~/queues/jobs";

import { applyShopifyWebhook, type ApplyContext } from "../shopify/apply-webhook";
import { clearOrphanedStaging } from "../shopify/backfill-runs";
import { forgetClosedDeliveries, redriveDeliveries } from "../shopify/redrive-deliveries";

export async function processWebhookJob(
  name: string,
  data: unknown,
  context: ApplyContext & { enqueue?: JobSink["enqueue"]; restoreSchedules?: () => Promise<number> },
) {
  if (name === "housekeeping") {
    parseJob("housekeeping", data);
    if (!context.enqueue) throw new Error("housekeeping needs a queue to put deliveries back on");
    const deliveries = await redriveDeliveries(context.database, context.enqueue);
    const forgotten = await forgetClosedDeliveries(context.database);
    await clearOrphanedStaging(context.database.pool);
    const scheduledShops = await context.restoreSchedules?.();
    return { ...deliveries, forgotten, scheduledShops };
  }
  if (name !== "shopify-webhook") throw new Error(`the webhooks queue has no job named "${name}"`);
  const job = parseJob("shopify-webhook", data);
  const { prisma } = context.database;
  const delivery = await prisma.webhookDelivery.findFirst({
    where: { id: BigInt(job.deliveryId), shopId: job.shopId },
    include: { shop: true },
  });
  if (!delivery) return { skipped: "delivery no longer held (shop redacted)" };
  if (delivery.outcome === "PROCESSED" || delivery.outcome === "IGNORED") return { skipped: "already applied" };
  if (!isKnownTopic(delivery.topic)) throw new Error(`no handler for topic ${delivery.topic}`);
  try {
    const happenedAt = delivery.triggeredAt ?? delivery.receivedAt;
    const effect = await applyShopifyWebhook(context, delivery.shop, delivery.topic, delivery.payload, happenedAt);
    // updateMany: after shop/redact the row itself is gone with the shop.
    await prisma.webhookDelivery.updateMany({
      where: { id: delivery.id },
      data: { outcome: effect.outcome, processedAt: new Date(), payload: Prisma.DbNull, error: null },
    });
    return effect;
  } catch (error) {
    await prisma.webhookDelivery.updateMany({
      where: { id: delivery.id },
      data: { error: (error as Error).message.slice(0, 1000) },
    });
    throw error;
  }
}
