/**
 * The quarter-hourly job that serves every shop at once ("housekeeping", on the webhooks
 * queue): webhook deliveries whose job gave up are queued again and old applied ones
 * forgotten (shopify/redrive-deliveries.ts), staging orphaned by a deleted shop is cleared
 * (shopify/backfill-runs.ts), and missing per-shop schedules are restored, so a sign-in that
 * could not write them loses nothing.
 */
import type { Database } from "~/db.server";
import type { JobSink } from "~/queues/enqueue.server";

import { clearOrphanedStaging } from "./shopify/backfill-runs";
import { forgetClosedDeliveries, redriveDeliveries } from "./shopify/redrive-deliveries";

export interface HousekeepingContext {
  database: Database;
  enqueue: JobSink["enqueue"];
  /** Registers every installed shop's missing schedules; returns how many shops. */
  restoreSchedules?: () => Promise<number>;
}

export async function runHousekeeping({ database, enqueue, restoreSchedules }: HousekeepingContext) {
  const deliveries = await redriveDeliveries(database, enqueue);
  const forgotten = await forgetClosedDeliveries(database);
  await clearOrphanedStaging(database.pool);
  const scheduledShops = await restoreSchedules?.();
  return { ...deliveries, forgotten, scheduledShops };
}
