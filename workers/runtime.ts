/**
 * Starts the BullMQ workers for every queue and the per-shop schedulers, and stops them in
 * the order BullMQ's production guide asks for: workers first (finishing their current
 * jobs), then the caller closes Prisma, then Redis.
 */
import { DelayedError, Worker, type ConnectionOptions } from "bullmq";
import { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { log } from "~/logger.server";
import { bullSink, type JobSink, type Queues } from "~/queues/enqueue.server";
import { DEFAULT_PREFIX, QUEUE_OF, type JobData, type JobName, type QueueName } from "~/queues/jobs";
import { scheduleGlobalJobs, scheduleShop, unscheduleShop } from "~/queues/schedules.server";

import { processAnalyticsJob } from "./processors/analytics";
import { processSyncJob } from "./processors/sync";
import { processForecastJob } from "./processors/forecast-shop";
import { processCustomersJob } from "./processors/score-customers";
import { processRecommendationsJob } from "./processors/train-recommendations";
import { processWebhookJob } from "./processors/webhooks";
import { ShopBusyError, type ModelJobContext } from "./model-run";
import type { ApplyContext } from "./shopify/apply-webhook";

type ProcessorContext = ApplyContext &
  Pick<ModelJobContext, "progress"> & {
    /** Queues follow-up work (a backfill's first training); absent in unit tests. */
    enqueue?: JobSink["enqueue"];
    /** Registers every installed shop's missing schedules (housekeeping); returns how many shops. */
    restoreSchedules?: () => Promise<number>;
  };
type Processor = (name: string, data: unknown, context: ProcessorContext) => Promise<unknown>;

const PROCESSORS: Record<QueueName, Processor> = {
  analytics: processAnalyticsJob,
  webhooks: processWebhookJob,
  sync: processSyncJob,
  recommendations: processRecommendationsJob,
  customers: processCustomersJob,
  forecasts: processForecastJob,
};

/**
 * Training keeps the main thread busy for seconds at a time between awaits (ranking every
 * customer), so its lock gets more slack than BullMQ's 30 s default before a job counts as stalled.
 */
const LOCK_DURATION_MS: Partial<Record<QueueName, number>> = {
  recommendations: 5 * 60 * 1000,
  customers: 5 * 60 * 1000,
  forecasts: 5 * 60 * 1000,
};

/** A job whose shop is busy with the same work comes back this much later. */
const BUSY_RETRY_MS = 2 * 60 * 1000;

export interface WorkerHandle {
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(options: {
  connection: ConnectionOptions;
  database: Database;
  /** The same queues the workers serve; used to stop an uninstalled shop's schedules and restore missing ones. */
  queues?: Queues;
  prefix?: string;
  concurrency?: number;
  /** How long a job waits when its shop is busy (BUSY_RETRY_MS); tests shorten it. */
  busyRetryMs?: number;
}): WorkerHandle {
  const { queues } = options;
  const context: ProcessorContext = {
    database: options.database,
    redis: options.connection instanceof Redis ? options.connection : undefined,
    removeShopSchedules: queues ? (shopId) => unscheduleShop(queues, shopId) : undefined,
    restoreSchedules: queues ? () => registerSchedulers(queues, options.database) : undefined,
    enqueue: queues ? bullSink(queues).enqueue : undefined,
  };
  const workers = (Object.keys(PROCESSORS) as QueueName[]).map((queue) => {
    const worker = new Worker(
      queue,
      async (job, token) => {
        try {
          return await PROCESSORS[queue](job.name, job.data, {
            ...context,
            progress: (progress) => job.updateProgress(progress),
          });
        } catch (error) {
          if (!(error instanceof ShopBusyError) || !token) throw error;
          // Back to the delayed set, without spending an attempt (BullMQ's documented pattern).
          log.info({ queue, job: job.name, shopId: job.data?.shopId, reason: error.message }, "shop busy: job delayed");
          await job.moveToDelayed(Date.now() + (options.busyRetryMs ?? BUSY_RETRY_MS), token);
          throw new DelayedError();
        }
      },
      {
        connection: options.connection,
        prefix: options.prefix ?? DEFAULT_PREFIX,
        concurrency: options.concurrency ?? 2,
        // Only where set: an explicit undefined would replace BullMQ's default and break locking.
        ...(LOCK_DURATION_MS[queue] ? { lockDuration: LOCK_DURATION_MS[queue] } : {}),
      },
    );
    worker.on("failed", (job, error) =>
      log.error({ queue, job: job?.name, jobId: job?.id, shopId: job?.data?.shopId, err: error.message }, "job failed"),
    );
    worker.on("error", (error) => log.error({ queue, err: error.message }, "worker error"));
    return worker;
  });
  return {
    workers,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}

/** Registers (idempotently) the recurring jobs, each installed shop's and the global ones; returns how many shops. */
export async function registerSchedulers(queues: Queues, database: Database): Promise<number> {
  await scheduleGlobalJobs(queues);
  const shops = await database.prisma.shop.findMany({
    where: { installState: { not: "UNINSTALLED" } },
    select: { id: true, timezone: true, platform: true },
  });
  for (const shop of shops) await scheduleShop(queues, shop);
  return shops.length;
}

/**
 * The demo's fallback when no Redis answers: the same processors, called in-process, one
 * job at a time. Failures are logged, as a worker would; nothing is retried.
 */
export function inlineSink(database: Database): JobSink {
  let chain = Promise.resolve();
  // A follow-up a job queues runs after it on the same chain; awaiting it inside the job
  // would wait for the job itself.
  const followUp: JobSink["enqueue"] = async (name, data) => {
    void sink.enqueue(name, data);
  };
  const sink: JobSink = {
    enqueue<N extends JobName>(name: N, data: JobData<N>) {
      const queue = QUEUE_OF[name];
      const run = chain
        .then(() => PROCESSORS[queue](name, data, { database, enqueue: followUp }))
        .then(
          () => undefined,
          (error: Error) => log.error({ job: name, err: error.message }, "inline job failed"),
        );
      chain = run;
      return run;
    },
    // Without Redis there is no scheduler: the demo runs each job once, when it starts.
    schedule: async () => {},
    async close() {
      // Follow-ups extend the chain while it runs: wait until it stops growing.
      let seen: Promise<void> | undefined;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
  };
  return sink;
}
