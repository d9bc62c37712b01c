/**
 * The reconcile against msw-mocked Admin GraphQL pages, through the cost limiter, into a real
 * Postgres, with the limiter's bucket state in a real Redis.
 */
import { graphql as mswGraphql, HttpResponse } from "msw";
import { afterAll, describe, expect, it } from "vitest";

import { ingestRefunds } from "~/ingest/index.server";
import { upsertShop } from "~/ingest/shops.server";
import { adminGraphqlFor } from "~/platforms/shopify/admin-graphql.server";
import { costLimited, waitForCost } from "~/platforms/shopify/cost-limiter.server";
import { REFUND_LINES_PER_REFUND } from "~/platforms/shopify/reconcile-queries";
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

/** A Shopify shop in UTC that trades in euros, with a domain of its own. */
async function euroShop(prefix: string) {
  const domain = `${prefix}-${Date.now()}.myshopify.com`;
  const shop = await upsertShop(app.db.prisma, {
    platform: "SHOPIFY",
    domain,
    name: domain,
    timezone: "UTC",
    currency: "EUR",
  });
  return { domain, shop };
}
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

function handlers(shop: string, log: { queries: string[]; throttledOnce: boolean; pages: number[][] }) {
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
      const [first, lines] = [Number(variables.first), Number(variables.lines)];
      log.pages.push([first, lines]);
      // Every object counted: each order's node (1 + 12 money + 1 customer + its refunds' list,
      // about 20) and its lines (2 + lines x 7).
      const requested = 2 + first * (20 + 2 + lines * 7);
      if (requested > 1000) {
        return HttpResponse.json({
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (1000).`,
              extensions: {
                code: "MAX_COST_EXCEEDED",
                cost: requested,
                maxCost: 1000,
                documentation: "https://shopify.dev/api/usage/rate-limits",
              },
            },
          ],
        });
      }
      log.queries.push(String(variables.query));
      const offset = variables.after ? Number(String(variables.after).replace("order-cursor-", "")) : 0;
      const page = orders.slice(offset, offset + first);
      const more = offset + first < orders.length;
      return HttpResponse.json({
        data: {
          orders: {
            pageInfo: { hasNextPage: more, endCursor: more ? `order-cursor-${offset + first}` : null },
            nodes: page.map((o) => ({
              ...strip(o),
              lineItems: {
                pageInfo: { hasNextPage: o.allItems.length > lines, endCursor: `line-cursor-${lines}` },
                nodes: o.allItems.slice(0, lines),
              },
            })),
          },
        },
        extensions: cost(requested, 1500),
      });
    }),
    admin.query("MoreLineItems", ({ variables }) => {
      const offset = Number(String(variables.after).replace("line-cursor-", ""));
      const items = orders.find((o) => o.id === variables.id)!.allItems.slice(offset);
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
  it("pages through changes since the watermark, backing off on THROTTLED and shrinking a page Shopify finds too costly, and moves the watermark", async () => {
    const { domain, shop } = await euroShop("reconcile");
    await app.db.prisma.syncRun.create({
      data: { shopId: shop.id, kind: "BACKFILL", status: "SUCCEEDED", startedAt: new Date("2026-05-02T00:00:00Z") },
    });
    const log = { queries: [] as string[], throttledOnce: false, pages: [] as number[][] };
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
    expect(result.counts).toEqual({ products: 0, customers: 0, orders: 3, refundLines: 0 });
    expect(waits[0]).toBe(7520); // the THROTTLED answer's own figures decide the wait
    // After the throttled try: 20, 10 and 5 orders of 40 lines cost over 1,000 points; 2 fit,
    // and the next page keeps 2.
    expect(log.pages).toEqual([
      [20, 40],
      [10, 40],
      [5, 40],
      [2, 40],
      [2, 40],
    ]);
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
    expect(result.watermarks.orders).toBe("2026-05-03T07:30:00.000Z");

    // The next run starts from the new watermark, minus the overlap.
    log.queries.length = 0;
    await runReconcile({ database: app.db, graphql, shopId: shop.id });
    expect(log.queries).toContain("updated_at:>'2026-05-03T07:29:00.000Z'");
    const runs = await app.db.prisma.syncRun.findMany({ where: { shopId: shop.id, kind: "RECONCILE" } });
    expect(runs.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });
});

describe("reconcile progress", () => {
  const NOW = Date.parse("2026-06-01T12:00:00Z");
  /** A customer node as ReconcileCustomers answers it, changed `ago` ms before NOW. */
  const customer = (id: number, ago: number) => ({
    id: `gid://shopify/Customer/${id}`,
    email: `c${id}@example.com`,
    firstName: null,
    lastName: null,
    tags: [],
    defaultAddress: null,
    emailMarketingConsent: null,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: new Date(NOW - ago).toISOString(),
  });

  it("keeps what a failed run got through, uses a fresh token for every call, and never moves a watermark past Shopify's search lag", async () => {
    const { domain, shop } = await euroShop("progress");
    await app.db.prisma.syncRun.create({
      data: { shopId: shop.id, kind: "BACKFILL", status: "SUCCEEDED", startedAt: new Date("2026-05-30T00:00:00Z") },
    });
    const admin = mswGraphql.link(`https://${domain}/admin/api/2026-10/graphql.json`);
    const seen = { customerQueries: [] as string[], tokens: new Set<string>(), ordersFail: true };
    const empty = { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };
    app.server.use(
      admin.query("ReconcileProducts", ({ request }) => {
        seen.tokens.add(request.headers.get("X-Shopify-Access-Token")!);
        return HttpResponse.json({ data: { products: empty }, extensions: cost(10, 1990) });
      }),
      admin.query("ReconcileCustomers", ({ request, variables }) => {
        seen.tokens.add(request.headers.get("X-Shopify-Access-Token")!);
        seen.customerQueries.push(String(variables.query));
        // Two pages: one changed an hour ago, one a minute ago (perhaps not yet searchable).
        const second = variables.after === "c-1";
        return HttpResponse.json({
          data: {
            customers: {
              pageInfo: { hasNextPage: !second, endCursor: second ? null : "c-1" },
              nodes: [second ? customer(2, 60_000) : customer(1, 3_600_000)],
            },
          },
          extensions: cost(10, 1990),
        });
      }),
      admin.query("ReconcileOrders", () =>
        seen.ordersFail
          ? HttpResponse.json({ errors: [{ message: "Internal error. Looks like something went wrong on our end." }] })
          : HttpResponse.json({ data: { orders: empty }, extensions: cost(10, 1990) }),
      ),
    );
    // The token the worker would hand out at each call: it rotates while the run goes on.
    let issued = 0;
    const graphql = adminGraphqlFor(domain, async () => `shpat_rotating_${++issued}`);

    const failed = await runReconcile({ database: app.db, graphql, shopId: shop.id, now: () => NOW }).catch(
      (error: Error) => error,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(seen.tokens.size).toBe(3); // products, and both customer pages, each with the token of its moment
    const run = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id, kind: "RECONCILE" } });
    expect(run.status).toBe("FAILED");
    // Customers went through: their watermark is kept, but held 5 minutes behind the run's
    // start, not at the customer changed a minute before it.
    expect(JSON.parse(run.cursor!).customers).toBe("2026-06-01T11:55:00.000Z");

    seen.ordersFail = false;
    seen.customerQueries.length = 0;
    await runReconcile({ database: app.db, graphql, shopId: shop.id, now: () => NOW + 3_600_000 });
    // Carries on from the failed run's progress (minus the overlap), not from the backfill.
    expect(seen.customerQueries[0]).toBe("updated_at:>'2026-06-01T11:54:00.000Z'");
  });
});

describe("refund lines", () => {
  /** A RefundLineItem node as Admin API 2026-10 answers it, returning order 7's line `n`. */
  const refundLine = (n: number, quantity = 1) => ({
    quantity,
    subtotalSet: money(`${2 * quantity}.00`),
    lineItem: {
      id: lineItem(7, n).id,
      sku: `SKU-${n}`,
      name: `Item ${n}`,
      isGiftCard: false,
      product: { id: `gid://shopify/Product/${n}` },
    },
  });
  const refund = (id: number, createdAt: string) => ({
    id: `gid://shopify/Refund/${id}`,
    createdAt,
    note: null,
    totalRefundedSet: money("4.00"),
  });

  /**
   * Order 7 (50 lines) with three refunds, as a page of orders brings them: no lines. Shopify
   * then holds refund 71 with lines 1 and 2, refund 72 with 45 lines (more than one page),
   * and no refund 73 any more.
   */
  function refundHandlers(shop: string, asked: { ids: string[][]; more: number; failing: boolean }) {
    const admin = mswGraphql.link(`https://${shop}/admin/api/2026-10/graphql.json`);
    const empty = { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };
    const withRefunds = {
      ...order(7, "2026-05-04T10:00:00Z", 50),
      displayFinancialStatus: "PARTIALLY_REFUNDED",
      refunds: [
        refund(71, "2026-05-05T10:00:00Z"),
        refund(72, "2026-05-06T10:00:00Z"),
        refund(73, "2026-05-06T11:00:00Z"),
      ],
    };
    const held: Record<string, ReturnType<typeof refundLine>[]> = {
      "gid://shopify/Refund/71": [refundLine(1), refundLine(2, 2)],
      "gid://shopify/Refund/72": Array.from({ length: 45 }, (_, i) => refundLine(i + 3)),
    };
    return [
      admin.query("ReconcileProducts", () =>
        HttpResponse.json({ data: { products: empty }, extensions: cost(818, 1900) }),
      ),
      admin.query("ReconcileCustomers", () =>
        HttpResponse.json({ data: { customers: empty }, extensions: cost(102, 1900) }),
      ),
      admin.query("ReconcileOrders", () => {
        const { allItems: _all, ...node } = withRefunds;
        return HttpResponse.json({
          data: { orders: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [node] } },
          extensions: cost(862, 1900),
        });
      }),
      admin.query("MoreLineItems", () =>
        HttpResponse.json({
          data: {
            order: {
              lineItems: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: withRefunds.allItems.slice(40) },
            },
          },
          extensions: cost(102, 1900),
        }),
      ),
      admin.query("RefundLines", ({ variables }) => {
        const ids = variables.ids as string[];
        asked.ids.push(ids);
        if (asked.failing) {
          return HttpResponse.json({
            errors: [
              {
                message: "Internal error. Looks like something went wrong on our end.",
                extensions: { code: "INTERNAL_SERVER_ERROR" },
              },
            ],
            extensions: cost(530, 1900),
          });
        }
        return HttpResponse.json({
          data: {
            nodes: ids.map((id) =>
              held[id]
                ? {
                    id,
                    refundLineItems: {
                      pageInfo: {
                        hasNextPage: held[id]!.length > REFUND_LINES_PER_REFUND,
                        endCursor: held[id]!.length > REFUND_LINES_PER_REFUND ? "refund-line-10" : null,
                      },
                      nodes: held[id]!.slice(0, REFUND_LINES_PER_REFUND),
                    },
                  }
                : null,
            ),
          },
          extensions: cost(530, 1900),
        });
      }),
      admin.query("MoreRefundLines", ({ variables }) => {
        asked.more += 1;
        return HttpResponse.json({
          data: {
            node: {
              refundLineItems: {
                pageInfo: { hasNextPage: false, endCursor: null },
                nodes: held[String(variables.id)]!.slice(REFUND_LINES_PER_REFUND),
              },
            },
          },
          extensions: cost(102, 1900),
        });
      }),
    ];
  }

  async function reconciledShop() {
    const { domain, shop } = await euroShop("refund-lines");
    const asked = { ids: [] as string[][], more: 0, failing: false };
    app.server.use(...refundHandlers(domain, asked));
    const graphql = costLimited(adminGraphqlFor(domain, "shpat_refunds"), {
      redis,
      shop: domain,
      sleep: async () => {},
    });
    return { shop, asked, reconcile: () => runReconcile({ database: app.db, graphql, shopId: shop.id }) };
  }

  const storedRefundLines = async (shopId: number) =>
    (
      await app.db.pool.query(
        `SELECT r."externalId" AS refund, count(rl.*)::int AS lines, count(rl."orderLineId")::int AS linked,
                count(rl."productId")::int AS products, coalesce(sum(rl."quantity"), 0)::int AS units, r."linesPending" AS pending
         FROM "Refund" r LEFT JOIN "RefundLine" rl ON rl."refundId" = r."id"
         WHERE r."shopId" = $1 GROUP BY r."id" ORDER BY 1`,
        [shopId],
      )
    ).rows;

  it("fetches the lines of refunds a page of orders brought without them, linked to the lines they return", async () => {
    const { shop, asked, reconcile } = await reconciledShop();
    const result = await reconcile();
    expect(result.counts).toMatchObject({ orders: 1, refundLines: 3 });
    expect(asked.ids).toEqual([["gid://shopify/Refund/71", "gid://shopify/Refund/72", "gid://shopify/Refund/73"]]);
    expect(asked.more).toBe(1); // refund 72's lines past the first 10
    expect(await storedRefundLines(shop.id)).toEqual([
      { refund: "71", lines: 2, linked: 2, products: 2, units: 3, pending: false },
      { refund: "72", lines: 45, linked: 45, products: 45, units: 45, pending: false },
      // Shopify no longer returns it: completed with no lines, not asked for again forever.
      { refund: "73", lines: 0, linked: 0, products: 0, units: 0, pending: false },
    ]);

    // The next reconcile brings the same refunds without lines again: what is stored stays.
    asked.ids.length = 0;
    const again = await reconcile();
    expect(again.counts.refundLines).toBe(0);
    expect(asked.ids).toEqual([]);
    expect((await storedRefundLines(shop.id)).map((r) => r.lines)).toEqual([2, 45, 0]);
  });

  it("a failure fetching refund lines leaves them pending for the next run, and the watermarks move on", async () => {
    const { shop, asked, reconcile } = await reconciledShop();
    asked.failing = true;
    const failed = await reconcile();
    expect(failed.counts).toMatchObject({ orders: 1, refundLines: 0 });
    const run = await app.db.prisma.syncRun.findUniqueOrThrow({ where: { id: failed.syncRunId } });
    expect(run.status).toBe("SUCCEEDED");
    expect(JSON.parse(run.cursor!)).toEqual(failed.watermarks); // saved for the next run
    expect((await storedRefundLines(shop.id)).map((r) => r.pending)).toEqual([true, true, true]);
    asked.failing = false;
    expect((await reconcile()).counts.refundLines).toBe(3);
    expect((await storedRefundLines(shop.id)).map((r) => r.lines)).toEqual([2, 45, 0]);
  });

  it("keeps the lines a refunds/create webhook brought when a later page brings the refund without them", async () => {
    const { shop, asked, reconcile } = await reconciledShop();
    await ingestRefunds(app.db.pool, shop.id, [
      {
        externalId: "71",
        orderExternalId: "7",
        processedAt: "2026-05-05T10:00:00Z",
        currency: "EUR",
        totalAmount: "4.00",
        lines: [{ orderLineExternalId: "7001", sku: "SKU-1", title: "Item 1", quantity: 2, amount: "4.00" }],
        updatedAt: "2026-05-05T10:00:00Z",
      },
    ]);
    await reconcile();
    expect(asked.ids).toEqual([["gid://shopify/Refund/72", "gid://shopify/Refund/73"]]);
    const [kept] = await storedRefundLines(shop.id);
    expect(kept).toMatchObject({ refund: "71", lines: 1, units: 2, pending: false });
  });

  it("a webhook completes a refund stored without lines, and a version without lines never removes them", async () => {
    const { shop } = await reconciledShop();
    const base = {
      externalId: "80",
      processedAt: "2026-05-05T10:00:00Z",
      currency: "EUR",
      totalAmount: "4.00",
      updatedAt: "2026-05-05T10:00:00Z",
    };
    const line = { orderLineExternalId: "7001", sku: "SKU-1", title: "Item 1", quantity: 2, amount: "4.00" };
    await ingestRefunds(app.db.pool, shop.id, [{ ...base, lines: [], linesPending: true }]);
    expect(await storedRefundLines(shop.id)).toMatchObject([{ refund: "80", lines: 0, pending: true }]);
    // refunds/create for the same refund, same updated_at, with its lines.
    await ingestRefunds(app.db.pool, shop.id, [{ ...base, lines: [line] }]);
    expect(await storedRefundLines(shop.id)).toMatchObject([{ refund: "80", lines: 1, units: 2, pending: false }]);
    // A newer version from a source that cannot see lines.
    await ingestRefunds(app.db.pool, shop.id, [
      { ...base, totalAmount: "5.00", updatedAt: "2026-05-06T10:00:00Z", lines: [], linesPending: true },
    ]);
    expect(await storedRefundLines(shop.id)).toMatchObject([{ refund: "80", lines: 1, units: 2, pending: false }]);
  });
});

describe("a product with more variants than one page", () => {
  /** Product 500 as ReconcileProducts answers it, updated at `updatedAt`, with `variants` variants. */
  const variantNode = (n: number) => ({
    id: `gid://shopify/ProductVariant/500${String(n).padStart(4, "0")}`,
    title: `Size ${n}`,
    sku: `BIG-${n}`,
    price: "10.00",
    inventoryQuantity: 1,
  });

  function productHandlers(domain: string, catalogue: { updatedAt: string; variants: number[] }, seen: string[]) {
    const admin = mswGraphql.link(`https://${domain}/admin/api/2026-10/graphql.json`);
    const empty = { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };
    /** Shopify's pages of the product's variants: 100 in the product query, then 250 at a time. */
    const page = (offset: number, size: number) => {
      const nodes = catalogue.variants.slice(offset, offset + size).map(variantNode);
      const more = offset + size < catalogue.variants.length;
      return { pageInfo: { hasNextPage: more, endCursor: more ? `variant-cursor-${offset + size}` : null }, nodes };
    };
    return [
      admin.query("ReconcileProducts", () =>
        HttpResponse.json({
          data: {
            products: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [
                {
                  id: "gid://shopify/Product/500",
                  title: "Many sizes",
                  handle: "many-sizes",
                  productType: "Shoes",
                  vendor: "Foresight",
                  status: "ACTIVE",
                  createdAt: "2026-01-01T00:00:00Z",
                  updatedAt: catalogue.updatedAt,
                  totalInventory: catalogue.variants.length,
                  tracksInventory: true,
                  featuredMedia: null,
                  variants: page(0, 100),
                },
              ],
            },
          },
          extensions: cost(818, 1900),
        }),
      ),
      admin.query("MoreVariants", ({ variables }) => {
        seen.push(String(variables.after));
        const offset = Number(String(variables.after).replace("variant-cursor-", ""));
        return HttpResponse.json({
          data: { product: { variants: page(offset, 250) } },
          extensions: cost(252, 1700),
        });
      }),
      admin.query("ReconcileCustomers", () =>
        HttpResponse.json({ data: { customers: empty }, extensions: cost(10, 1990) }),
      ),
      admin.query("ReconcileOrders", () => HttpResponse.json({ data: { orders: empty }, extensions: cost(10, 1990) })),
    ];
  }

  const storedVariants = async (shopId: number) =>
    (
      await app.db.pool.query<{ externalId: string; id: number }>(
        `SELECT "externalId", "id" FROM "ProductVariant" WHERE "shopId" = $1 ORDER BY "externalId"`,
        [shopId],
      )
    ).rows;

  it("reads the variants past the first page, so only the ones Shopify deleted are removed", async () => {
    const { domain, shop } = await euroShop("variants");
    const seen: string[] = [];
    const catalogue = { updatedAt: "2026-05-02T08:00:00Z", variants: Array.from({ length: 380 }, (_, i) => i + 1) };
    app.server.use(...productHandlers(domain, catalogue, seen));
    const graphql = adminGraphqlFor(domain, "shpat_variants");
    await runReconcile({ database: app.db, graphql, shopId: shop.id, now: () => Date.parse("2026-05-03T00:00:00Z") });
    expect(seen).toEqual(["variant-cursor-100", "variant-cursor-350"]);
    const first = await storedVariants(shop.id);
    expect(first).toHaveLength(380);

    // The merchant deletes size 7 and the product changes: 379 variants, still over a page.
    catalogue.updatedAt = "2026-05-03T08:00:00Z";
    catalogue.variants = catalogue.variants.filter((n) => n !== 7);
    await runReconcile({ database: app.db, graphql, shopId: shop.id, now: () => Date.parse("2026-05-04T00:00:00Z") });
    const second = await storedVariants(shop.id);
    expect(second).toEqual(first.filter((variant) => variant.externalId !== variantNode(7).id.split("/").pop()));
  });
});
