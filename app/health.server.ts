import type { Redis } from "ioredis";

import { db } from "~/db.server";
import { env } from "~/env.server";
import { redactUrl } from "~/logger.server";
import { createRedis } from "~/queues/connection.server";

export interface DependencyHealth {
  ok: boolean;
  latencyMs?: number;
  /** "inline": the demo runs jobs in-process and has no Redis to check. */
  mode?: "inline";
  detail?: string;
  error?: string;
}

export interface Health {
  status: "ok" | "degraded";
  postgres: DependencyHealth;
  redis: DependencyHealth;
}

const TIMEOUT_MS = 2000;

let redis: Redis | undefined;

/**
 * One Redis client for all health checks, created on the first check: a new connection per
 * probe would churn sockets under a load balancer polling every few seconds. The web profile
 * fails fast (no offline queue, one retry), so a dead Redis answers "degraded" at once;
 * ioredis keeps reconnecting in the background, so recovery shows up on the next check.
 */
function healthRedis(): Redis {
  if (!redis) {
    redis = createRedis(env().REDIS_URL, "web");
    // Without a listener an unreachable Redis would crash the process; the failure is
    // reported by the PING below instead.
    redis.on("error", () => {});
  }
  return redis;
}

async function pingRedis(): Promise<void> {
  const client = healthRedis();
  // "wait": never connected (lazyConnect); "end": gave up. Concurrent checks during the
  // first connect share it: ioredis rejects a second connect() while one is in progress.
  if (client.status === "wait" || client.status === "end") await client.connect();
  else if (client.status === "connecting" || client.status === "connect") {
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        client.off("ready", settle).off("error", settle);
        if (error) reject(error);
        else resolve();
      };
      client.once("ready", settle).once("error", settle);
    });
  }
  await client.ping();
}

/** Driver messages may quote a connection string; never let a password reach the response. */
function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\b(?:postgres(?:ql)?|rediss?):\/\/\S+/gi, (url) => redactUrl(url));
}

/** Runs one check against a deadline and times it. */
async function timed(check: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: safeMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Postgres and Redis reachability, for /healthz and load balancers. */
export async function checkHealth(): Promise<Health> {
  const [postgres, queue] = await Promise.all([
    timed(() => db().pool.query("SELECT 1")),
    env().FORESIGHT_INLINE_JOBS
      ? Promise.resolve<DependencyHealth>({
          ok: true,
          mode: "inline",
          detail: "no Redis; jobs run in-process (demo fallback)",
        })
      : timed(pingRedis),
  ]);
  return { status: postgres.ok && queue.ok ? "ok" : "degraded", postgres, redis: queue };
}
