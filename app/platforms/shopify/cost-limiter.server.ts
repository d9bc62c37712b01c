/**
 * Shopify's GraphQL rate limit is a leaky bucket of query cost per app and shop
 * (PLATFORM-NOTES §1.6): `extensions.cost.throttleStatus` on every answer says how full it is
 * and how fast it refills. The official client retries only HTTP 429/503, but throttling
 * arrives as HTTP 200 with a THROTTLED error. This limiter keeps each shop's last bucket
 * state in Redis (shared by every worker), waits before a query that would not fit, and on
 * THROTTLED waits exactly as long as the bucket needs and tries again.
 *
 * Several callers can spend one shop's bucket at once (a backfill polling its bulk operation
 * while a reconcile pages, on two workers). Each query therefore reserves its expected cost
 * in Redis, atomically, before it is sent: a second caller sees the points the first has
 * claimed and waits for them, instead of both reading the same "enough left" and one of them
 * being throttled. A reservation ends when its answer is recorded, or expires on its own if
 * the worker died with the query in flight.
 */
import { createHash, randomUUID } from "node:crypto";

import type { Redis } from "ioredis";

import { hasErrorCode, type AdminGraphql, type GraphqlAnswer } from "./admin-graphql.server";

interface Bucket {
  available: number;
  maximum: number;
  restoreRate: number;
  /** When `available` was observed, epoch ms. */
  at: number;
}

export interface LimiterOptions {
  redis: Redis;
  shop: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** THROTTLED answers tolerated in a row for one query before giving up. */
  maxThrottledRetries?: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Milliseconds to wait until `cost` points are available in `bucket` at `now`. A restore rate
 * below 1 point per second is read as 1: Shopify's buckets always refill, and dividing by a
 * zero rate would give an endless wait (RESERVE applies the same floor).
 */
export function waitForCost(bucket: Bucket, cost: number, now: number): number {
  const rate = Math.max(bucket.restoreRate, 1);
  const refilled = Math.min(bucket.maximum, bucket.available + (rate * (now - bucket.at)) / 1000);
  if (refilled >= cost) return 0;
  return Math.ceil(((cost - refilled) / rate) * 1000);
}

/**
 * Claims the points one query is expected to cost and says how long to wait before sending
 * it: the points already claimed by queries still in flight count as spent. The expected
 * cost is what the same query text cost last time, as any worker learned it (KEYS[3]); a
 * text never answered yet is sent without a claim, and its answer teaches the cost. Claims
 * expire at their score (epoch ms), so one left by a worker that died cannot hold the bucket
 * forever. KEYS: bucket, claims, learned costs. ARGV: now, claim id, how long a sent query
 * may take (ms), query key. Returns {wait ms, points claimed}.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local cost = tonumber(redis.call('HGET', KEYS[3], ARGV[4]))
if not cost then return {0, 0} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local claimed = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  claimed = claimed + tonumber(string.match(member, ':([^:]+)$'))
end
local wait = 0
local raw = redis.call('GET', KEYS[1])
if raw then
  local bucket = cjson.decode(raw)
  local rate = math.max(bucket.restoreRate, 1) -- as in waitForCost
  local refilled = math.min(bucket.maximum, bucket.available + rate * (now - bucket.at) / 1000)
  local short = claimed + cost - refilled
  if short > 0 then wait = math.ceil(short / rate * 1000) end
end
redis.call('ZADD', KEYS[2], now + wait + tonumber(ARGV[3]), ARGV[2] .. ':' .. cost)
redis.call('PEXPIRE', KEYS[2], 3600000)
return {wait, cost}`;

/** A sent query's claim lasts this long past its wait: the client's own retries included. */
const IN_FLIGHT_MS = 60_000;

/**
 * Shopify's requestedQueryCost of each query text, for every shop and worker: the cost
 * depends on the query and its page sizes, not on the shop, and the texts are the app's own,
 * a few dozen at most. Kept in Redis so that a worker that just started claims the right
 * points from its first query instead of learning them by sending it unclaimed.
 */
export const LEARNED_COSTS_KEY = "foresight:shopify-query-costs";

const queryKey = (query: string) => createHash("sha1").update(query).digest("base64url");

/** Wraps an AdminGraphql with the shop's cost budget. */
export function costLimited(graphql: AdminGraphql, options: LimiterOptions): AdminGraphql {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const key = `foresight:shopify-cost:${options.shop}`;
  const claims = `${key}:claims`;

  /** Reserves a query's expected cost; returns the claim to settle (if any) and the wait before sending. */
  async function reserve(text: string): Promise<{ claim?: string; wait: number }> {
    const id = randomUUID();
    const [wait, cost] = (await options.redis.eval(
      RESERVE,
      3,
      key,
      claims,
      LEARNED_COSTS_KEY,
      now(),
      id,
      IN_FLIGHT_MS,
      text,
    )) as [number, number];
    return { claim: cost > 0 ? `${id}:${cost}` : undefined, wait }; // the member RESERVE wrote
  }

  /** Stores the bucket as the answer saw it and ends the query's claim, in one step. */
  async function settle(answer: GraphqlAnswer<unknown> | undefined, text: string, claim: string | undefined) {
    const cost = answer?.extensions?.cost;
    const write = options.redis.multi();
    if (cost) {
      write.hset(LEARNED_COSTS_KEY, text, cost.requestedQueryCost);
      const bucket: Bucket = {
        available: cost.throttleStatus.currentlyAvailable,
        maximum: cost.throttleStatus.maximumAvailable,
        restoreRate: cost.throttleStatus.restoreRate,
        at: now(),
      };
      write.set(key, JSON.stringify(bucket), "PX", 3_600_000);
    }
    if (claim) write.zrem(claims, claim);
    await write.exec();
  }

  return async <T>(query: string, variables?: Record<string, unknown>) => {
    const maxRetries = options.maxThrottledRetries ?? 8;
    const text = queryKey(query);
    for (let attempt = 0; ; attempt++) {
      let claim: string | undefined;
      let answer: GraphqlAnswer<T> | undefined;
      try {
        const reserved = await reserve(text);
        claim = reserved.claim;
        if (reserved.wait > 0) await sleep(reserved.wait);
        answer = await graphql<T>(query, variables);
      } finally {
        await settle(answer, text, claim);
      }
      if (!hasErrorCode(answer, "THROTTLED")) return answer;
      if (attempt >= maxRetries) throw new Error(`Shopify kept throttling ${options.shop} after ${maxRetries} retries`);
      const cost = answer.extensions?.cost;
      const wait = cost
        ? waitForCost(
            {
              available: cost.throttleStatus.currentlyAvailable,
              maximum: cost.throttleStatus.maximumAvailable,
              restoreRate: cost.throttleStatus.restoreRate,
              at: 0,
            },
            cost.requestedQueryCost,
            0,
          )
        : 1000 * 2 ** attempt;
      await sleep(Math.max(wait, 100));
    }
  };
}
