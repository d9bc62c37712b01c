/**
 * Queue names and job payloads, shared by the web process (which enqueues) and the workers
 * (which process). Payloads carry ids only: never tokens, never customer data.
 */
import { z } from "zod";

export const DEFAULT_PREFIX = "foresight";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");

export const JOBS = {
  /** Rebuild a shop's per-day figures (all days, or from `fromDay` on). */
  "daily-aggregates": z.object({ shopId: z.number().int().positive(), fromDay: day.optional() }),
  /** Load a Shopify shop's history through Bulk Operations (or resume the given run). */
  "shopify-backfill": z.object({
    shopId: z.number().int().positive(),
    syncRunId: z.number().int().positive().optional(),
  }),
  /** Fetch everything a Shopify shop changed since the last watermark (what webhooks missed). */
  "shopify-reconcile": z.object({ shopId: z.number().int().positive() }),
  /** Retrain a shop's recommenders on its own history and replace its lists. */
  "train-recommendations": z.object({ shopId: z.number().int().positive() }),
  /** Refit a shop's customer models (churn, lifetime value, segments) and replace its scores. */
  "score-customers": z.object({ shopId: z.number().int().positive() }),
  /** Forecast a shop's sales and its best sellers' units, with inventory cover. */
  "forecast-shop": z.object({ shopId: z.number().int().positive() }),
  /** Apply one recorded webhook delivery; its verified payload waits in WebhookDelivery. */
  "shopify-webhook": z.object({ shopId: z.number().int().positive(), deliveryId: z.number().int().positive() }),
  /** For all shops: requeue deliveries whose job gave up, forget old applied ones, clear orphaned staging, restore schedules. */
  housekeeping: z.object({}),
} as const;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.infer<(typeof JOBS)[N]>;

/** Which queue each job runs on; one processor file per queue under workers/processors. */
export const QUEUE_OF: Record<JobName, QueueName> = {
  "daily-aggregates": "analytics",
  "shopify-webhook": "webhooks",
  housekeeping: "webhooks",
  "shopify-backfill": "sync",
  "shopify-reconcile": "sync",
  "train-recommendations": "recommendations",
  "score-customers": "customers",
  "forecast-shop": "forecasts",
};

export const QUEUE_NAMES = ["analytics", "webhooks", "sync", "recommendations", "customers", "forecasts"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Validates a payload for `name`, throwing a readable error for a malformed one. */
export function parseJob<N extends JobName>(name: N, data: unknown): JobData<N> {
  const result = JOBS[name].safeParse(data);
  if (!result.success) {
    const reasons = result.error.issues.map((issue) => `${issue.path.join(".") || "data"}: ${issue.message}`);
    throw new Error(`invalid ${name} job: ${reasons.join("; ")}`);
  }
  return result.data as JobData<N>;
}

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
