/**
 * The reconcile against msw-mocked Admin GraphQL pages, through the cost limiter, into a real
 * Postgres, with the limiter's bucket state in a real Redis.
 */
import { graphql as mswGraphql, HttpResponse } from "msw";
import { afterAll, describe, expect, it } from "vitest";

import { upsertShop } from "~/ingest/shops.server";
import { adminGraphqlFor } from "~/platforms/shopify/admin-graphql.server";
import { costLimited, waitForCost } from "~/platforms/shopify/cost-limiter.server";
import { createRedis } from "~/queues/connection.server";

import { runReconcile } from "../workers/shopify/reconcile";

import { useShopifyTestApp } from "./helpers/shopify-app";
import { testRedisUrl } from "./helpers/urls";

const app = useShopifyTestApp("shpss_reconcile_secret");
const redis = createRedis(testRedisUrl(), "worker");

afterAll(async () => {
  await redis.quit();
});

const money = (amount: string) => ({ shopMoney: { amount } });
const cost = (requested: number, available: number) => ({
  cost: {
    requestedQueryCost: requested,
    actualQueryCost: available < requested ? null : requested,
    throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 },
  },
});

function lineItem(order: number, n: number) {
  return {
    id: `gid://shopify/LineItem/${order}${String(n).padStart(3, "0")}`,
    sku: `SKU-${n}`,
    name: `Item ${n}`,
    quantity: 1,
    isGiftCard: false,
    originalUnitPriceSet: money("2.00"),
    totalDiscountSet: money("0.00"),
    product: { id: `gid://shopify/Product/${n}` },
    variant: null,
  };
}

function order(n: number, updatedAt: string, lines: number) {
  const items = Array.from({ length: lines }, (_, i) => lineItem(n, i + 1));
  return {
    id: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    createdAt: "2026-05-01T10:00:00Z",
    updatedAt,
    processedAt: "2026-05-01T10:00:00Z",
    cancelledAt: null,
    cancelReason: null,
    displayFinancialStatus: "PAID",
    currencyCode: "EUR",
    test: false,
    subtotalPriceSet: money(`${2 * lines}.00`),
    totalPriceSet: money(`${2 * lines}.00`),
    totalTaxSet: money("0.00"),
    totalDiscountsSet: money("0.00"),
    totalShippingPriceSet: money("0.00"),
    totalRefundedSet: money("0.00"),
    customer: null,
    refunds: [],
    lineItems: {
      pageInfo: { hasNextPage: lines > 40, endCursor: lines > 40 ? "line-cursor-40" : null },
      nodes: items.slice(0, 40),
    },
    allItems: items,
  };
}

function handlers(shop: string, log: { queries: string[]; throttledOnce: boolean }) {
  const admin = mswGraphql.link(`https://${shop}/admin/api/2026-10/graphql.json`);
  const orders = [
    order(1, "2026-05-02T08:00:00Z", 2),
    order(2, "2026-05-02T09:00:00Z", 45),
    order(3, "2026-05-03T07:30:00Z", 1),
  ];
  const strip = ({ allItems: _all, ...rest }: ReturnType<typeof order>) => rest;
  return [
    admin.query("ReconcileProducts", ({ variables }) => {
      log.queries.push(String(variables.query));
      return HttpResponse.json({
        data: { products: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } },
        extensions: cost(818, 1900),
      });
    }),
    admin.query("ReconcileCustomers", () =>
      HttpResponse.json({
        data: { customers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } },
        extensions: cost(102, 1800),
      }),
    ),
    admin.query("ReconcileOrders", ({ variables }) => {
      if (!log.throttledOnce) {
        log.throttledOnce = true;
        // Shopify's throttle: HTTP 200, no data, a THROTTLED error and the bucket's state.
        return HttpResponse.json({
          errors: [
            {
              message: "Throttled",
              extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
            },
          ],
          extensions: cost(862, 110),
        });
      }
      log.queries.push(String(variables.query));
      const page = variables.after ? orders.slice(2) : orders.slice(0, 2);
      return HttpResponse.json({
        data: {
          orders: {
            pageInfo: { hasNextPage: !variables.after, endCursor: variables.after ? null : "order-cursor-2" },
            nodes: page.map(strip),
          },
        },
        extensions: cost(862, 1500),
      });
    }),
    admin.query("MoreLineItems", ({ variables }) => {
      const items = orders.find((o) => o.id === variables.id)!.allItems.slice(40);
      return HttpResponse.json({
        data: { order: { lineItems: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: items } } },
        extensions: cost(102, 1400),
      });
    }),
  ];
}

describe("the cost limiter", () => {
  it("waits exactly until the bucket holds the query's cost", () => {
    // 110 points left, 100 restored per second, 862 needed: (862 - 110) / 100 = 7.52 s.
    expect(waitForCost({ available: 110, maximum: 2000, restoreRate: 100, at: 0 }, 862, 0)).toBe(7520);
    // Two seconds later 310 are there: 5.52 s to go.
    expect(waitForCost({ available: 110, maximum: 2000, restoreRate: 100, at: 0 }, 862, 2000)).toBe(5520);
    expect(waitForCost({ available: 1900, maximum: 2000, restoreRate: 100, at: 0 }, 862, 0)).toBe(0);
  });
});

describe("reconcile", () => {
  it("pages through changes since the watermark, backing off on THROTTLED, and moves the watermark", async () => {
    const domain = `reconcile-${Date.now()}.myshopify.com`;
    const shop = await upsertShop(app.db.prisma, {
      platform: "SHOPIFY",
      domain,
      name: domain,
      timezone: "UTC",
      currency: "EUR",
    });
    await app.db.prisma.syncRun.create({
      data: { shopId: shop.id, kind: "BACKFILL", status: "SUCCEEDED", startedAt: new Date("2026-05-02T00:00:00Z") },
    });
    const log = { queries: [] as string[], throttledOnce: false };
    app.server.use(...handlers(domain, log));
    const waits: number[] = [];
    const graphql = costLimited(adminGraphqlFor(domain, "shpat_reconcile"), {
      redis,
      shop: domain,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    const result = await runReconcile({ database: app.db, graphql, shopId: shop.id });
    expect(result.counts).toEqual({ products: 0, customers: 0, orders: 3 });
    expect(waits[0]).toBe(7520); // the THROTTLED answer's own figures decide the wait
    // One minute of overlap before the backfill's start.
    expect(log.queries[0]).toBe("updated_at:>'2026-05-01T23:59:00.000Z'");
    const lines = await app.db.pool.query(
      `SELECT o."externalId", count(l.*)::int AS n FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id"
       WHERE o."shopId" = $1 GROUP BY 1 ORDER BY 1`,
      [shop.id],
    );
    expect(lines.rows).toEqual([
      { externalId: "1", n: 2 },
      { externalId: "2", n: 45 }, // 40 on the page, 5 fetched after
      { externalId: "3", n: 1 },
    ]);
    expect(result.watermarks.orders).toBe("2026-05-03T07:30:00Z");

    // The next run starts from the new watermark, minus the overlap.
    log.queries.length = 0;
    await runReconcile({ database: app.db, graphql, shopId: shop.id });
    expect(log.queries).toContain("updated_at:>'2026-05-03T07:29:00.000Z'");
    const runs = await app.db.prisma.syncRun.findMany({ where: { shopId: shop.id, kind: "RECONCILE" } });
    expect(runs.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });
});
