/**
 * Processor for the "webhooks" queue. A "shopify-webhook" job applies one recorded delivery,
 * then marks it and drops its payload (which may hold personal data). A failure keeps the
 * payload and the error on the row and rethrows, so BullMQ retries with backoff; once those
 * retries are spent, the quarter-hourly "housekeeping" job (workers/housekeeping.ts), also
 * run here, puts the delivery back.
 */
import { Prisma } from "@prisma/client";

import { isKnownTopic } from "~/platforms/shopify/config";
import { parseJob } from "~/queues/jobs";

import { applyShopifyWebhook, type ApplyContext } from "../shopify/apply-webhook";
import { runHousekeeping, type HousekeepingContext } from "../housekeeping";

export async function processWebhookJob(
  name: string,
  data: unknown,
  context: ApplyContext & Partial<Pick<HousekeepingContext, "enqueue" | "restoreSchedules">>,
) {
  if (name === "housekeeping") {
    parseJob("housekeeping", data);
    const { enqueue } = context;
    if (!enqueue) throw new Error("housekeeping needs a queue to put deliveries back on");
    return runHousekeeping({ ...context, enqueue });
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
