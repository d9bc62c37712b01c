/**
 * The worker process: `npm run worker`. Any number of these, on any number of machines,
 * share one Redis and one Postgres; BullMQ hands each job to exactly one of them.
 */
import { createDatabase } from "~/db.server";
import { env } from "~/env.server";
import { log, redactUrl } from "~/logger.server";
import { createRedis } from "~/queues/connection.server";
import { createQueues } from "~/queues/enqueue.server";

import { registerSchedulers, startWorkers } from "./runtime";

async function main() {
  const config = env();
  const database = createDatabase(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, "worker");
  const queues = createQueues(redis, config.FORESIGHT_QUEUE_PREFIX);
  const handle = startWorkers({ connection: redis, database, queues, prefix: config.FORESIGHT_QUEUE_PREFIX });
  const shops = await registerSchedulers(queues, database);
  log.info({ redis: redactUrl(config.REDIS_URL), shops }, "workers started");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping workers");
    await handle.close();
    await Promise.all(Object.values(queues).map((queue) => queue.close()));
    await database.close();
    await redis.quit();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: Error) => {
  log.fatal({ err: error.message }, "worker failed to start");
  console.error(error.message);
  process.exit(1);
});
