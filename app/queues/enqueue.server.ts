import { Queue, type ConnectionOptions } from "bullmq";

import { DEFAULT_PREFIX, parseJob, QUEUE_NAMES, QUEUE_OF, type JobData, type JobName, type QueueName } from "./jobs";
import { scheduleShop, type ScheduledShop } from "./schedules.server";

/** Where jobs go: BullMQ queues on Redis, or (demo without Redis) a function run in-process. */
export interface JobSink {
  enqueue<N extends JobName>(name: N, data: JobData<N>): Promise<void>;
  /** Registers the shop's recurring jobs (schedules.server.ts); idempotent. */
  schedule(shop: ScheduledShop): Promise<void>;
  close(): Promise<void>;
}

export type Queues = Record<QueueName, Queue>;

export function createQueues(connection: ConnectionOptions, prefix = DEFAULT_PREFIX): Queues {
  return Object.fromEntries(
    QUEUE_NAMES.map((name) => [
      name,
      new Queue(name, {
        connection,
        prefix,
        defaultJobOptions: {
          attempts: 5,
          backoff: { type: "exponential", delay: 5_000 },
          removeOnComplete: { age: 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      }),
    ]),
  ) as Queues;
}

/**
 * How a job is identified against duplicates. Per-shop jobs: one waiting run per shop, so a
 * burst of triggers costs one run. Webhook jobs: one per delivery. Jobs for all shops: one.
 */
function dedupeId<N extends JobName>(name: N, data: JobData<N>): string {
  if ("deliveryId" in data) return `${name}:${data.deliveryId}`;
  if ("shopId" in data) return `${name}:${data.shopId}`;
  return name;
}

/** Enqueues through BullMQ, validating the payload first. */
export function bullSink(queues: Queues): JobSink {
  return {
    async enqueue(name, data) {
      const payload = parseJob(name, data);
      await queues[QUEUE_OF[name]].add(name, payload, { deduplication: { id: dedupeId(name, payload) } });
    },
    schedule: (shop) => scheduleShop(queues, shop),
    async close() {
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
    },
  };
}
