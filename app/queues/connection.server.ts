import { Redis, type RedisOptions } from "ioredis";

/**
 * Two Redis profiles. The web process must fail fast: a request that waits on a dead Redis
 * holds a Shopify webhook past its 5 s budget, so commands are not queued offline and are
 * retried once. Workers must wait: BullMQ's blocking commands need
 * `maxRetriesPerRequest: null`, and a worker should ride out a Redis restart.
 */
export type RedisProfile = "web" | "worker";

const PROFILES: Record<RedisProfile, RedisOptions> = {
  web: { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, lazyConnect: true },
  worker: { maxRetriesPerRequest: null, enableReadyCheck: true, connectTimeout: 5000 },
};

export function createRedis(url: string, profile: RedisProfile): Redis {
  return new Redis(url, { ...PROFILES[profile], connectionName: `foresight-${profile}` });
}

/** True when a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on("error", () => {}); // the outcome is the return value
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
