/**
 * A per-shop Redis lock for long model runs. A scheduled run and a post-backfill run can meet:
 * one works, the other stands down. The lock lives for LOCK_MS and is renewed every LOCK_MS / 3
 * while the run goes on, so a worker that dies leaves it for two minutes at most, not for the
 * length of a training. Keyed by the shop's identity, not only its row id: databases sharing one
 * Redis (tests, a demo next to a test run) number their shops alike.
 */
import type { Redis } from "ioredis";

const LOCK_MS = 2 * 60 * 1000;
const RENEW_IF_OURS = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_IF_OURS = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface ShopLock {
  release(): Promise<void>;
}

/**
 * Takes `foresight:lock:<job>:<platform>:<domain>`, or returns null when another run holds it.
 * Without Redis (the demo's in-process mode runs one job at a time) there is nothing to lock.
 */
export async function acquireShopLock(
  redis: Redis | undefined,
  job: string,
  shop: { platform: string; domain: string },
): Promise<ShopLock | null> {
  if (!redis) return { release: async () => undefined };
  const key = `foresight:lock:${job}:${shop.platform}:${shop.domain}`;
  const token = `${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
  if ((await redis.set(key, token, "PX", LOCK_MS, "NX")) !== "OK") return null;
  const renewal = setInterval(() => {
    redis.eval(RENEW_IF_OURS, 1, key, token, LOCK_MS).catch(() => undefined);
  }, LOCK_MS / 3);
  return {
    async release() {
      clearInterval(renewal);
      // Only our own lock: compare-and-delete, so an expired-and-retaken lock is left alone.
      await redis.eval(RELEASE_IF_OURS, 1, key, token);
    },
  };
}
