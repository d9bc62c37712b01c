/**
 * `npm run demo`: the whole product on one machine with nothing configured.
 *
 * Postgres: DATABASE_URL, else an embedded server with its data under .data/.
 * Redis: REDIS_URL or 127.0.0.1:6379 when one answers (BullMQ workers in this process),
 * else the same processors run in-process (the demo fallback, said loudly).
 * Then: migrate, import the demo store once, refresh its aggregates, serve the admin UI in
 * standalone mode on loopback and print its URL.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { QueueEvents } from "bullmq";

import { migrate } from "../prisma/migrate";

import { ensureDatabase, resolvePostgres } from "./lib/postgres";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEMO_FILE = path.join(root, "prisma", "seed", "online_retail.csv.gz");
const say = (line: string) => console.log(`demo: ${line}`);

function describeTraining(result: Record<string, unknown>): string {
  if (typeof result.skipped === "string") return `skipped (${result.skipped})`;
  return `serving ${String(result.served)}; ${String(result.forYou)} personal, ${String(result.similar)} similar, ${String(result.boughtTogether)} bought-together rows`;
}

function describeScoring(result: Record<string, unknown>): string {
  if (typeof result.skipped === "string") return `skipped (${result.skipped})`;
  return `${String(result.written)} customers, churn risk from ${String(result.served)}`;
}

function describeForecast(result: Record<string, unknown>): string {
  if (typeof result.skipped === "string") return `skipped (${result.skipped})`;
  return `revenue by ${String(result.model)}; ${String(result.points)} daily points, ${String(result.covered)} products with stock cover`;
}

async function main() {
  const postgres = await resolvePostgres(process.env.DATABASE_URL, undefined, root, say);
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(postgres.adminUrl, "foresight"));
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

  const { redisAnswers, createRedis } = await import("~/queues/connection.server");
  const useRedis = await redisAnswers(redisUrl);
  // The app reads its configuration once, from process.env: settle it before importing it.
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    FORESIGHT_STANDALONE: "1",
    FORESIGHT_INLINE_JOBS: useRedis ? "0" : "1",
    NODE_ENV: process.env.NODE_ENV === "production" ? "development" : (process.env.NODE_ENV ?? "development"),
  });
  if (!useRedis) {
    say("no Redis answers at the configured address: DEMO FALLBACK, jobs run inside this process");
  }

  const migrations = await migrate(databaseUrl);
  say(
    `database ready (${migrations.applied.length} migrations applied now, ${migrations.alreadyApplied.length} before)`,
  );

  const { createDatabase } = await import("~/db.server");
  const { importOnlineRetail, DEMO_SHOP } = await import("~/platforms/csv/online-retail-import.server");
  const database = createDatabase(databaseUrl);

  let shop = await database.prisma.shop.findUnique({
    where: { platform_domain: { platform: DEMO_SHOP.platform, domain: DEMO_SHOP.domain } },
  });
  const imported = shop
    ? await database.prisma.syncRun.findFirst({ where: { shopId: shop.id, kind: "FILE_IMPORT", status: "SUCCEEDED" } })
    : null;
  if (!imported) {
    say("importing the demo store (UCI Online Retail, 541,909 rows); this takes about half a minute");
    const started = performance.now();
    const report = await importOnlineRetail(database, DEMO_FILE);
    say(
      `imported ${report.orders.seen} orders, ${report.refunds.seen} cancellations, ` +
        `${report.customers.seen} customer records, ${report.products.seen} products in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    shop = await database.prisma.shop.findUniqueOrThrow({ where: { id: report.shopId } });
  } else {
    say("demo store already imported");
  }

  const { startWorkers, registerSchedulers, inlineSink } = await import("../workers/runtime");
  const { bullSink, createQueues } = await import("~/queues/enqueue.server");
  const { DEFAULT_PREFIX } = await import("~/queues/jobs");
  let stopJobs: () => Promise<void>;
  if (useRedis) {
    const connection = createRedis(redisUrl, "worker");
    const queues = createQueues(connection);
    const workers = startWorkers({ connection, database, queues });
    await registerSchedulers(queues, database);
    // Each job is awaited through its queue's events, so the URL is printed once the figures exist.
    const runJob = async (
      queue: "analytics" | "recommendations" | "customers" | "forecasts",
      name: "daily-aggregates" | "train-recommendations" | "score-customers" | "forecast-shop",
    ) => {
      const events = new QueueEvents(queue, { connection: createRedis(redisUrl, "worker"), prefix: DEFAULT_PREFIX });
      await events.waitUntilReady(); // else a fast job can finish before we listen, and we wait forever
      try {
        const job = await queues[queue].add(name, { shopId: shop!.id });
        return await job.waitUntilFinished(events);
      } finally {
        await events.close();
      }
    };
    await runJob("analytics", "daily-aggregates");
    say("daily aggregates refreshed by a BullMQ worker");
    const trained = (await runJob("recommendations", "train-recommendations")) as Record<string, unknown>;
    say(`recommendations trained by a BullMQ worker: ${describeTraining(trained)}`);
    const scored = (await runJob("customers", "score-customers")) as Record<string, unknown>;
    say(`customers scored by a BullMQ worker: ${describeScoring(scored)}`);
    const forecast = (await runJob("forecasts", "forecast-shop")) as Record<string, unknown>;
    say(`forecasts made by a BullMQ worker: ${describeForecast(forecast)}`);
    stopJobs = async () => {
      await workers.close();
      await bullSink(queues).close();
      await connection.quit();
    };
  } else {
    const sink = inlineSink(database);
    await sink.enqueue("daily-aggregates", { shopId: shop!.id });
    say("daily aggregates refreshed in-process");
    await sink.enqueue("train-recommendations", { shopId: shop!.id });
    const run = await database.prisma.modelRun.findFirst({
      where: { shopId: shop!.id, kind: "RECOMMENDATIONS" },
      orderBy: { id: "desc" },
    });
    say(`recommendations trained in-process: ${run?.status ?? "not run"}`);
    await sink.enqueue("score-customers", { shopId: shop!.id });
    const scoring = await database.prisma.modelRun.findFirst({
      where: { shopId: shop!.id, kind: "CUSTOMER_SCORES" },
      orderBy: { id: "desc" },
    });
    say(`customers scored in-process: ${scoring?.status ?? "not run"}`);
    await sink.enqueue("forecast-shop", { shopId: shop!.id });
    const forecasting = await database.prisma.modelRun.findFirst({
      where: { shopId: shop!.id, kind: "FORECAST" },
      orderBy: { id: "desc" },
    });
    say(`forecasts made in-process: ${forecasting?.status ?? "not run"}`);
    stopJobs = () => sink.close();
  }

  const { buildIfStale, startWebServer } = await import("./serve");
  await buildIfStale();
  const port = Number(process.env.PORT ?? 3000);
  const server = await startWebServer({ host: "127.0.0.1", port }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE") throw error;
    say(`port ${port} is taken; using a free one`);
    return startWebServer({ host: "127.0.0.1", port: 0 });
  });
  say(`Foresight is running: open ${server.url}/app  (Ctrl-C stops it)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await stopJobs();
    await database.close();
    await postgres.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: Error) => {
  console.error(`demo: ${error.message}`);
  process.exit(1);
});
