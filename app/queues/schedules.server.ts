/**
 * Each shop's recurring jobs, as BullMQ job schedulers keyed by shop: registering twice
 * changes nothing. Workers register every installed shop when they start; the web process
 * registers a shop the moment it installs or reinstalls (install.server.ts), since a worker
 * that started earlier would otherwise not know it until its next restart.
 */
import type { Platform } from "@prisma/client";

import type { Queues } from "./enqueue.server";
import { QUEUE_OF, type JobName } from "./jobs";

export interface ScheduledShop {
  id: number;
  timezone: string;
  platform: Platform;
}

/** Cron patterns, run in each shop's own time zone. */
const PATTERNS = {
  /** Nightly, after the shop's day has closed. */
  "daily-aggregates": "15 3 * * *",
  /** Nightly, once yesterday is complete in the shop's time zone. */
  "forecast-shop": "20 3 * * *",
  /** Nightly, after the day has closed; independent of the recommenders. */
  "score-customers": "30 3 * * *",
  /** Nightly, after the day's aggregates. */
  "train-recommendations": "45 3 * * *",
  /** Four times a day: webhooks can arrive a day late or not at all. */
  "shopify-reconcile": "40 */6 * * *",
} satisfies Partial<Record<JobName, string>>;

type ScheduledJob = keyof typeof PATTERNS;

const JOBS = Object.keys(PATTERNS) as ScheduledJob[];

function jobsFor(shop: ScheduledShop): ScheduledJob[] {
  return JOBS.filter((job) => job !== "shopify-reconcile" || shop.platform === "SHOPIFY");
}

export async function scheduleShop(queues: Queues, shop: ScheduledShop): Promise<void> {
  for (const job of jobsFor(shop)) {
    await queues[QUEUE_OF[job]].upsertJobScheduler(
      `${job}:${shop.id}`,
      { pattern: PATTERNS[job], tz: shop.timezone },
      { name: job, data: { shopId: shop.id } },
    );
  }
}

/** Every quarter hour: deliveries whose job gave up are queued again (redrive-deliveries.ts). */
const REDRIVE_PATTERN = "*/15 * * * *";

/** The recurring jobs that serve every shop at once. */
export async function scheduleGlobalJobs(queues: Queues): Promise<void> {
  await queues[QUEUE_OF["redrive-webhooks"]].upsertJobScheduler(
    "redrive-webhooks",
    { pattern: REDRIVE_PATTERN },
    { name: "redrive-webhooks", data: {} },
  );
}

export async function unscheduleShop(queues: Queues, shopId: number): Promise<void> {
  for (const job of JOBS) await queues[QUEUE_OF[job]].removeJobScheduler(`${job}:${shopId}`);
}
