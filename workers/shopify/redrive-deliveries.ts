/**
 * Deliveries whose job gave up. A webhook job has five attempts over about a minute and a
 * quarter; an outage longer than that (Postgres failing over, a bad deploy) leaves the
 * delivery RECEIVED with its payload, and Shopify, which got its 200 long ago, never sends it
 * again. This sweep, run every quarter hour, puts such deliveries back on the queue:
 *
 * - compliance topics (customers/redact, customers/data_request, shop/redact) until they are
 *   applied, however long that takes: erasing and exporting customer data is a legal duty
 *   with a 30-day deadline, not something a reconcile can catch up on;
 * - other topics for a few days, then they are closed as FAILED and their payload erased:
 *   by then the shop's reconcile has fetched the same records, and a payload kept for ever
 *   would keep personal data for ever.
 *
 * Re-queuing is idempotent: a delivery whose job is still waiting or running keeps its one
 * job (jobs are deduplicated per delivery), and an applied delivery is skipped by the worker.
 */
import { Prisma } from "@prisma/client";

import type { Database } from "~/db.server";
import { log } from "~/logger.server";
import { SHOPIFY_COMPLIANCE_TOPICS } from "~/platforms/shopify/config";
import type { JobSink } from "~/queues/enqueue.server";

/** Longer than a job's own retries take (5 attempts, backoff from 5 s: about 75 s). */
export const STUCK_AFTER_MS = 30 * 60 * 1000;
/** Non-compliance deliveries are given up after this; four reconciles a day have run since. */
export const ABANDON_AFTER_MS = 3 * 24 * 60 * 60 * 1000;
/** Per sweep, oldest first; the next sweep takes the rest. */
const BATCH = 1000;

export async function redriveDeliveries(
  database: Database,
  enqueue: JobSink["enqueue"],
  now = Date.now(),
): Promise<{ requeued: number; abandoned: number }> {
  const { prisma } = database;
  const abandoned = await prisma.webhookDelivery.updateMany({
    where: {
      platform: "SHOPIFY",
      outcome: "RECEIVED",
      receivedAt: { lt: new Date(now - ABANDON_AFTER_MS) },
      topic: { notIn: [...SHOPIFY_COMPLIANCE_TOPICS] },
    },
    data: { outcome: "FAILED", processedAt: new Date(now), payload: Prisma.DbNull },
  });
  if (abandoned.count > 0) {
    log.warn({ deliveries: abandoned.count }, "webhook deliveries given up after failing for days; payloads erased");
  }
  const stuck = await prisma.webhookDelivery.findMany({
    where: { platform: "SHOPIFY", outcome: "RECEIVED", receivedAt: { lt: new Date(now - STUCK_AFTER_MS) } },
    select: { id: true, shopId: true, topic: true },
    orderBy: { receivedAt: "asc" },
    take: BATCH,
  });
  for (const delivery of stuck) {
    await enqueue("shopify-webhook", { shopId: delivery.shopId, deliveryId: Number(delivery.id) });
  }
  if (stuck.length > 0) {
    const compliance = stuck.filter((delivery) =>
      (SHOPIFY_COMPLIANCE_TOPICS as readonly string[]).includes(delivery.topic),
    );
    log.warn({ deliveries: stuck.length, compliance: compliance.length }, "webhook deliveries queued again");
  }
  return { requeued: stuck.length, abandoned: abandoned.count };
}
