/**
 * Each shop's recurring jobs, as BullMQ job schedulers keyed by shop: registering twice
 * changes nothing. Workers register every installed shop when they start and again every
 * quarter hour (housekeeping); the web process registers a shop the moment it installs or
 * reinstalls (install.server.ts), so its jobs do not wait for that.
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

/**
 * Writes scheduler `key` unless it already runs on `pattern` in `tz`. Upserting an unchanged
 * scheduler would drop its run already waiting in the queue and put the next one a whole
 * period later, so only a missing or changed one is written.
 */
async function ensureScheduler(
  queue: Queues[keyof Queues],
  key: string,
  repeat: { pattern: string; tz?: string },
  job: { name: string; data: Record<string, unknown> },
): Promise<void> {
  const existing = await queue.getJobScheduler(key);
  if (existing?.pattern === repeat.pattern && (existing.tz ?? undefined) === repeat.tz) return;
  await queue.upsertJobScheduler(key, repeat, job);
}

export async function scheduleShop(queues: Queues, shop: ScheduledShop): Promise<void> {
  for (const job of jobsFor(shop)) {
    await ensureScheduler(
      queues[QUEUE_OF[job]],
      `${job}:${shop.id}`,
      { pattern: PATTERNS[job], tz: shop.timezone },
      { name: job, data: { shopId: shop.id } },
    );
  }
}

/** Every quarter hour, for all shops at once (workers/housekeeping.ts). */
const HOUSEKEEPING_PATTERN = "*/15 * * * *";

/** The recurring jobs that serve every shop at once. */
export async function scheduleGlobalJobs(queues: Queues): Promise<void> {
  await ensureScheduler(
    queues[QUEUE_OF.housekeeping],
    "housekeeping",
    { pattern: HOUSEKEEPING_PATTERN },
    { name: "housekeeping", data: {} },
  );
}

export async function unscheduleShop(queues: Queues, shopId: number): Promise<void> {
  for (const job of JOBS) await queues[QUEUE_OF[job]].removeJobScheduler(`${job}:${shopId}`);
}
