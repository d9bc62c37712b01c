/**
 * Deliveries whose job gave up. A webhook job has five attempts over about a minute and a
 * quarter; an outage longer than that (Postgres failing over, a bad deploy) leaves the
 * delivery RECEIVED with its payload, and Shopify, which got its 200 long ago, never sends it
 * again. This sweep, run every quarter hour, puts such deliveries back on the queue:
 *
 * - erasures and compliance requests (customers/redact, customers/data_request, shop/redact),
 *   deletions (of customers, orders and products) and app/uninstalled, until they are
 *   applied, however long that takes: erasing and exporting customer data is a legal duty
 *   with a 30-day deadline, and a reconcile can catch up on none of these (Shopify lists
 *   neither deleted records nor an uninstall). One still failing after a week is logged as an
 *   error for someone to look at. A late app/uninstalled loses to a later sign-in when
 *   applied (apply-webhook.ts);
 * - other topics for a few days, then they are closed as FAILED and their payload erased:
 *   by then the shop's reconcile has fetched the same records, and a payload kept for ever
 *   would keep personal data for ever.
 *
 * The two kinds are taken in separate batches, so a pile of failing erasures cannot keep
 * other stuck deliveries from their turn. Re-queuing is idempotent: a delivery whose job is
 * still waiting or running keeps its one job (jobs are deduplicated per delivery), and an
 * applied delivery is skipped by the worker.
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
/** Per kind and sweep, oldest first; the next sweep takes the rest. */
export const REDRIVE_BATCH = 500;
/** A delivery kept until applied that has failed this long needs a person. */
const ALERT_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
/** Never given up: see above. */
const KEPT_UNTIL_APPLIED = [
  ...SHOPIFY_COMPLIANCE_TOPICS,
  "customers/delete",
  "orders/delete",
  "products/delete",
  "app/uninstalled",
];

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
      topic: { notIn: KEPT_UNTIL_APPLIED },
    },
    data: { outcome: "FAILED", processedAt: new Date(now), payload: Prisma.DbNull },
  });
  if (abandoned.count > 0) {
    log.warn({ deliveries: abandoned.count }, "webhook deliveries given up after failing for days; payloads erased");
  }
  const stuckSince = new Date(now - STUCK_AFTER_MS);
  const stuck = async (erasures: boolean) =>
    prisma.webhookDelivery.findMany({
      where: {
        platform: "SHOPIFY",
        outcome: "RECEIVED",
        receivedAt: { lt: stuckSince },
        topic: erasures ? { in: KEPT_UNTIL_APPLIED } : { notIn: KEPT_UNTIL_APPLIED },
      },
      select: { id: true, shopId: true, topic: true, receivedAt: true },
      orderBy: { receivedAt: "asc" },
      take: REDRIVE_BATCH,
    });
  const erasures = await stuck(true);
  const others = await stuck(false);
  for (const delivery of [...erasures, ...others]) {
    await enqueue("shopify-webhook", { shopId: delivery.shopId, deliveryId: Number(delivery.id) });
  }
  if (erasures.length + others.length > 0) {
    log.warn({ erasures: erasures.length, others: others.length }, "webhook deliveries queued again");
  }
  const overdue = erasures.filter((delivery) => delivery.receivedAt.getTime() < now - ALERT_AFTER_MS);
  for (const delivery of overdue) {
    log.error(
      { shopId: delivery.shopId, deliveryId: String(delivery.id), topic: delivery.topic, since: delivery.receivedAt },
      "a deletion, uninstall or compliance request has failed for over a week (compliance requests must be applied within 30 days)",
    );
  }
  return { requeued: erasures.length + others.length, abandoned: abandoned.count };
}

/**
 * Applied, ignored and given-up deliveries are kept a week, then forgotten. Their row only
 * serves to recognise a repeated delivery (X-Shopify-Webhook-Id), and Shopify retries one for
 * 4 hours at most (PLATFORM-NOTES §1); kept for ever the table would only grow. Deliveries
 * still waiting to be applied are never removed here.
 */
export const FORGET_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
/** Per statement, so a first sweep over a large backlog holds no long lock; a sweep stops after ten. */
const FORGET_BATCH = 10_000;
const FORGET_ROUNDS = 10;

export async function forgetClosedDeliveries(database: Database, now = Date.now()): Promise<number> {
  let forgotten = 0;
  for (let round = 0; round < FORGET_ROUNDS; round++) {
    const { rowCount } = await database.pool.query(
      `DELETE FROM "WebhookDelivery" WHERE "id" IN (
         SELECT "id" FROM "WebhookDelivery" WHERE "receivedAt" < $1 AND "outcome" <> 'RECEIVED' LIMIT $2)`,
      [new Date(now - FORGET_AFTER_MS), FORGET_BATCH],
    );
    forgotten += rowCount ?? 0;
    if ((rowCount ?? 0) < FORGET_BATCH) break;
  }
  return forgotten;
}
