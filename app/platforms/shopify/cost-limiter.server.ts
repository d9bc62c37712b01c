/**
 * Shopify's GraphQL rate limit is a leaky bucket of query cost per app and shop
 * (PLATFORM-NOTES §1.6): `extensions.cost.throttleStatus` on every answer says how full it is
 * and how fast it refills. The official client retries only HTTP 429/503, but throttling
 * arrives as HTTP 200 with a THROTTLED error. This limiter remembers each shop's last bucket
 * state in Redis (shared by every worker), waits before a query that would not fit, and on
 * THROTTLED waits exactly as long as the bucket needs and tries again.
 */
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

/** Milliseconds to wait until `cost` points are available in `bucket` at `now`. */
export function waitForCost(bucket: Bucket, cost: number, now: number): number {
  const refilled = Math.min(bucket.maximum, bucket.available + (bucket.restoreRate * (now - bucket.at)) / 1000);
  if (refilled >= cost) return 0;
  return Math.ceil(((cost - refilled) / bucket.restoreRate) * 1000);
}

/**
 * Wraps an AdminGraphql with the shop's cost budget. `estimatedCost` is what the caller
 * expects the query to cost (Shopify's requestedQueryCost for the same query is the best
 * estimate: the limiter keeps the last one it saw per query text).
 */
export function costLimited(graphql: AdminGraphql, options: LimiterOptions): AdminGraphql {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const key = `foresight:shopify-cost:${options.shop}`;
  const lastCost = new Map<string, number>();

  async function readBucket(): Promise<Bucket | null> {
    const raw = await options.redis.get(key);
    return raw ? (JSON.parse(raw) as Bucket) : null;
  }

  async function remember(answer: GraphqlAnswer<unknown>, query: string) {
    const cost = answer.extensions?.cost;
    if (!cost) return;
    lastCost.set(query, cost.requestedQueryCost);
    const bucket: Bucket = {
      available: cost.throttleStatus.currentlyAvailable,
      maximum: cost.throttleStatus.maximumAvailable,
      restoreRate: cost.throttleStatus.restoreRate,
      at: now(),
    };
    await options.redis.set(key, JSON.stringify(bucket), "PX", 3_600_000);
  }

  return async <T>(query: string, variables?: Record<string, unknown>) => {
    const maxRetries = options.maxThrottledRetries ?? 8;
    for (let attempt = 0; ; attempt++) {
      const bucket = await readBucket();
      const estimate = lastCost.get(query);
      if (bucket && estimate !== undefined) {
        const wait = waitForCost(bucket, estimate, now());
        if (wait > 0) await sleep(wait);
      }
      const answer = await graphql<T>(query, variables);
      await remember(answer, query);
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
