import { env } from "~/env.server";

import { createRedis } from "./connection.server";
import { bullSink, createQueues, type JobSink } from "./enqueue.server";

let sink: Promise<JobSink> | undefined;

/**
 * The web process's way into the queues: BullMQ over the fail-fast Redis profile, created on
 * first use. A route that cannot enqueue fails quickly and answers 503, so the platform
 * retries the delivery later.
 */
export function webJobSink(): Promise<JobSink> {
  sink ??= (async () => {
    const redis = createRedis(env().REDIS_URL, "web");
    redis.on("error", () => {}); // surfaced as failed enqueues
    await redis.connect();
    return bullSink(createQueues(redis, env().FORESIGHT_QUEUE_PREFIX));
  })().catch((error: unknown) => {
    sink = undefined; // try again on the next request
    throw error;
  });
  return sink;
}
