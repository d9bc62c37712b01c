import type { Redis } from "ioredis";

import { db } from "~/db.server";
import { env } from "~/env.server";
import { createRedis } from "~/queues/connection.server";

export interface DependencyHealth {
  ok: boolean;
  latencyMs?: number;
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
    // Driver messages name hosts and users at most, never passwords; keep only the message.
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Postgres and Redis reachability, for /healthz and load balancers. */
export async function checkHealth(): Promise<Health> {
  const config = env();
  const postgres = timed(() => db().pool.query("SELECT 1"));
  const queue: Promise<DependencyHealth> = config.FORESIGHT_INLINE_JOBS
    ? Promise.resolve({ ok: true, mode: "inline", detail: "no Redis; jobs run in-process (demo fallback)" })
    : timed(async () => {
        redis ??= createRedis(config.REDIS_URL, "web");
        redis.on("error", () => {}); // reported through the ping below
        if (redis.status === "wait" || redis.status === "end") await redis.connect();
        await redis.ping();
      });
  const [pg, rd] = await Promise.all([postgres, queue]);
  return { status: pg.ok && rd.ok ? "ok" : "degraded", postgres: pg, redis: rd };
}
