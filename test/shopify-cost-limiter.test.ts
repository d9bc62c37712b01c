import { afterAll, describe, expect, it, vi } from "vitest";

import type { AdminGraphql, GraphqlAnswer } from "~/platforms/shopify/admin-graphql.server";
import { costLimited, waitForCost } from "~/platforms/shopify/cost-limiter.server";
import { createRedis } from "~/queues/connection.server";

import { testRedisUrl } from "./helpers/urls";

const redis = createRedis(testRedisUrl(), "worker");

afterAll(async () => {
  await redis.quit();
});

const QUERY = "query { shop { name } }";
const MAXIMUM = 1000;
const RESTORE_RATE = 50;
const COST = 400;

/**
 * Shopify's side of one shop's bucket, as its answers describe it: each query costs 400 of
 * 1,000 points, restored at 50 per second. The clock does not move in these tests, so only
 * what the limiter decides to wait is under test, not time passing.
 */
function shopBucket(options: { failNext?: boolean; restoreRate?: number } = {}) {
  let available = MAXIMUM;
  const graphql: AdminGraphql = async <T>() => {
    if (options.failNext) {
      options.failNext = false;
      throw new Error("socket hang up");
    }
    available = Math.max(0, available - COST);
    return {
      data: { shop: { name: "Shop" } } as T,
      extensions: {
        cost: {
          requestedQueryCost: COST,
          actualQueryCost: COST,
          throttleStatus: {
            maximumAvailable: MAXIMUM,
            currentlyAvailable: available,
            restoreRate: options.restoreRate ?? RESTORE_RATE,
          },
        },
      },
    } satisfies GraphqlAnswer<T>;
  };
  return graphql;
}

/** One worker's limited client for `shop`, recording the waits it decides on. */
function worker(graphql: AdminGraphql, shop: string, clock: () => number, limit = costLimited) {
  const waits: number[] = [];
  const limited = limit(graphql, {
    redis,
    shop,
    now: clock,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { limited, waits };
}

describe("the Shopify cost limiter shared by several workers", () => {
  it("makes a second concurrent query wait for the points the first has claimed", async () => {
    const shop = `limiter-${Date.now()}.myshopify.com`;
    const server = shopBucket();
    const clock = () => 1_000_000;
    const first = worker(server, shop, clock);
    const second = worker(server, shop, clock);
    // One query each: 1,000 - 2 x 400 = 200 points left, and the query's cost is known.
    await first.limited(QUERY);
    await second.limited(QUERY);
    expect(first.waits.concat(second.waits)).toEqual([]);

    await Promise.all([first.limited(QUERY), second.limited(QUERY)]);
    // The first to reserve needs 200 more points (4 s at 50/s). The other must also wait for
    // the 400 the first claimed: (400 + 400 - 200) / 50 = 12 s. Reading the bucket without
    // claiming, both would have waited 4 s and one would have been throttled.
    expect(first.waits.concat(second.waits).sort((a, b) => a - b)).toEqual([4000, 12_000]);
    expect(await redis.zcard(`foresight:shopify-cost:${shop}:claims`)).toBe(0);
  });

  it("ends a claim when the query fails, so the points are not held", async () => {
    const shop = `limiter-failed-${Date.now()}.myshopify.com`;
    const options = { failNext: false };
    const server = shopBucket(options);
    const { limited, waits } = worker(server, shop, () => 2_000_000);
    await limited(QUERY); // 600 left
    options.failNext = true;
    await expect(limited(QUERY)).rejects.toThrow("socket hang up");
    expect(await redis.zcard(`foresight:shopify-cost:${shop}:claims`)).toBe(0);
    await limited(QUERY); // 600 >= 400: no wait, the failed query's claim is gone
    expect(waits).toEqual([]);
  });

  it("ends a claim when the wait before sending is cut short", async () => {
    const shop = `limiter-cancelled-${Date.now()}.myshopify.com`;
    const server = shopBucket();
    const clock = () => 2_500_000;
    await worker(server, shop, clock).limited(QUERY);
    await worker(server, shop, clock).limited(QUERY); // 200 left: the next query must wait
    const cancelled = costLimited(server, {
      redis,
      shop,
      now: clock,
      sleep: async () => {
        throw new Error("job cancelled");
      },
    });
    await expect(cancelled(QUERY)).rejects.toThrow("job cancelled");
    expect(await redis.zcard(`foresight:shopify-cost:${shop}:claims`)).toBe(0);
  });

  it("ignores a claim whose worker died once its time is up", async () => {
    const shop = `limiter-dead-${Date.now()}.myshopify.com`;
    let now = 3_000_000;
    const { limited, waits } = worker(shopBucket(), shop, () => now);
    await limited(QUERY); // 600 left at 3,000,000
    // A worker that reserved 900 points and died: its claim expires 60 s after it was made.
    await redis.zadd(`foresight:shopify-cost:${shop}:claims`, now + 60_000, "dead-worker:900");
    await limited(QUERY);
    expect(waits).toEqual([14_000]); // 900 + 400 - 600 = 700 short at 50/s
    // Past its expiry the claim no longer counts: the full bucket of 1,000 serves 400 at once
    // (still counted, 900 + 400 would have been 300 short).
    now += 61_000;
    await limited(QUERY);
    expect(waits).toEqual([14_000]);
  });

  it("claims from a worker's first query the cost another worker learned", async () => {
    const shop = `limiter-learned-${Date.now()}.myshopify.com`;
    // A text no worker has sent before, so what is learned here is all there is.
    const query = `query Learned${Date.now()} { shop { name } }`;
    const server = shopBucket();
    const clock = () => 4_000_000;
    await worker(server, shop, clock).limited(query); // 600 left; the cost, 400, is learned
    // Two workers started afterwards, on a fresh copy of the module as a new process loads it.
    vi.resetModules();
    const fresh = (await import("~/platforms/shopify/cost-limiter.server")).costLimited;
    expect(fresh).not.toBe(costLimited);
    const [a, b] = [worker(server, shop, clock, fresh), worker(server, shop, clock, fresh)];
    await Promise.all([a.limited(query), b.limited(query)]);
    // The first fits in the 600 left; the second waits for 400 + 400 - 600 = 200 points at 50/s.
    // Sent unclaimed, neither would have waited and one would have been throttled.
    expect(a.waits.concat(b.waits)).toEqual([4000]);
  });

  it("waits a finite time when a bucket reports that it does not refill", async () => {
    // Shopify's buckets always refill; a restore rate of 0 is read as 1 point per second rather
    // than as a wait without end (or, through setTimeout, no wait at all).
    expect(waitForCost({ available: 100, maximum: 1000, restoreRate: 0, at: 0 }, 400, 0)).toBe(300_000);
    const shop = `limiter-stalled-${Date.now()}.myshopify.com`;
    const { limited, waits } = worker(shopBucket({ restoreRate: 0 }), shop, () => 5_000_000);
    await limited(QUERY);
    await limited(QUERY); // 200 left: the next is 200 short at the floor of 1 point/s
    await limited(QUERY);
    expect(waits).toEqual([200_000]);
  });
});
