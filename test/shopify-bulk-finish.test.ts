/**
 * The bulk_operations/finish webhook wakes the run polling that operation, so a finished file
 * is picked up at once rather than after the poller's back-off (up to a minute). Real Redis;
 * msw plays Shopify's Admin API.
 */
import crypto from "node:crypto";
import { graphql, HttpResponse } from "msw";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";

import { upsertShop } from "~/ingest/shops.server";
import { adminGraphqlFor } from "~/platforms/shopify/admin-graphql.server";
import { announceBulkFinished, redisFinishSignal } from "~/platforms/shopify/bulk/finish-signal.server";
import { waitForBulkOperation } from "~/platforms/shopify/bulk/runner.server";
import { createRedis } from "~/queues/connection.server";

import { applyShopifyWebhook } from "../workers/shopify/apply-webhook";

import { useShopifyTestApp } from "./helpers/shopify-app";
import { testRedisUrl } from "./helpers/urls";

const app = useShopifyTestApp("shpss_bulk_finish_secret");
const redis = createRedis(testRedisUrl(), "worker");
afterAll(() => redis.quit());

const DOMAIN = "bulk-finish.myshopify.com";
/** Longer than the test's own timeout: only the webhook can end the wait in time. */
const NEVER = 600_000;
const TEST_TIMEOUT = 15_000;

/** An operation that is RUNNING until `finish()`, answered like Admin API 2026-10. */
function operationAtShopify() {
  const id = `gid://shopify/BulkOperation/${crypto.randomInt(1e9, 9e9)}`;
  const state = { finished: false, polls: 0 };
  const handler = graphql.link(`https://${DOMAIN}/admin/api/2026-10/graphql.json`).query("BulkOperationStatus", () => {
    state.polls += 1;
    return HttpResponse.json({
      data: {
        bulkOperation: {
          id,
          status: state.finished ? "COMPLETED" : "RUNNING",
          errorCode: null,
          objectCount: state.finished ? "12" : "5",
          rootObjectCount: state.finished ? "4" : "0",
          fileSize: state.finished ? "2048" : null,
          url: state.finished ? "https://storage.googleapis.com/bulk/result.jsonl" : null,
          partialDataUrl: null,
        },
      },
      extensions: {
        cost: {
          requestedQueryCost: 1,
          actualQueryCost: 1,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 },
        },
      },
    });
  });
  return { id, state, handler, finish: () => (state.finished = true) };
}

/** Waits, listening on `listener`, for an operation Shopify has already finished. */
async function waitForFinishedOperation(listener: Redis) {
  const operation = operationAtShopify();
  operation.finish();
  app.server.use(operation.handler);
  const result = await waitForBulkOperation(adminGraphqlFor(DOMAIN, "shpat_test"), operation.id, {
    finishSignal: redisFinishSignal(listener),
  });
  return { operation, result };
}

const theShop = () =>
  upsertShop(app.db.prisma, { platform: "SHOPIFY", domain: DOMAIN, name: DOMAIN, timezone: "UTC", currency: "USD" });

/** The payload Shopify sends on bulk_operations/finish (the webhook is a signal, not the result). */
const finishPayload = (id: string) => ({
  admin_graphql_api_id: id,
  completed_at: "2026-11-27T06:10:09-05:00",
  created_at: "2026-11-27T06:09:41-05:00",
  error_code: null,
  status: "completed",
  type: "query",
});

describe("bulk_operations/finish", () => {
  it(
    "wakes the run waiting on that operation, which then reads the result from the API",
    async () => {
      const shop = await theShop();
      const operation = operationAtShopify();
      app.server.use(operation.handler);
      let firstPoll!: () => void;
      const polledOnce = new Promise<void>((resolve) => (firstPoll = resolve));
      const waiting = waitForBulkOperation(adminGraphqlFor(DOMAIN, "shpat_test"), operation.id, {
        intervalMs: NEVER,
        finishSignal: redisFinishSignal(redis),
        onProgress: firstPoll,
      });
      await polledOnce;
      operation.finish();
      const effect = await applyShopifyWebhook(
        { database: app.db, redis },
        shop,
        "bulk_operations/finish",
        finishPayload(operation.id),
        new Date(),
      );
      expect(effect).toEqual({
        outcome: "PROCESSED",
        detail: `bulk operation ${operation.id} completed; 1 waiting run(s) woken`,
      });
      const finished = await waiting;
      expect(finished).toMatchObject({ status: "COMPLETED", url: "https://storage.googleapis.com/bulk/result.jsonl" });
      expect(operation.state.polls).toBe(2);
    },
    TEST_TIMEOUT,
  );

  it("rejects a payload that names no bulk operation, and stops listening when the wait ends", async () => {
    const shop = await theShop();
    await expect(
      applyShopifyWebhook(
        { database: app.db, redis },
        shop,
        "bulk_operations/finish",
        { status: "completed" },
        new Date(),
      ),
    ).rejects.toThrow(/admin_graphql_api_id is not a BulkOperation id/);
    const { operation, result } = await waitForFinishedOperation(redis);
    expect(result.status).toBe("COMPLETED");
    expect(await announceBulkFinished(redis, operation.id)).toBe(0);
  });

  it("falls back to plain polling when Redis cannot listen", async () => {
    // Nothing listens on port 1: subscribing fails at once instead of queueing forever.
    const unreachable = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on("error", () => {}); // the outcome is the wait's result
    const { result } = await waitForFinishedOperation(unreachable);
    expect(result.status).toBe("COMPLETED");
    unreachable.disconnect();
  });
});
