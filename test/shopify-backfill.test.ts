/**
 * Backfill through Bulk Operations against msw-mocked Admin API endpoints and JSONL files,
 * into a real Postgres.
 */
import crypto from "node:crypto";
import { QueueEvents, UnrecoverableError } from "bullmq";
import { http } from "msw";
import { describe, expect, it } from "vitest";

import { upsertShop } from "~/ingest/shops.server";
import { adminGraphqlFor } from "~/platforms/shopify/admin-graphql.server";
import { ingestCustomers, ingestOrders, ingestRefunds } from "~/ingest/index.server";
import { lockCustomerWrites } from "~/ingest/redactions.server";
import { finishOrderMerge, mergeStagedOrders } from "~/platforms/shopify/bulk/order-merge.server";
import { clearStagedOrders, stageOrders } from "~/platforms/shopify/bulk/order-staging.server";
import { BulkOperationError } from "~/platforms/shopify/bulk/runner.server";

import { createRedis } from "~/queues/connection.server";
import { redactCustomer } from "~/services/privacy/customer-data.server";
import { bullSink, createQueues } from "~/queues/enqueue.server";

import { ShopBusyError } from "../workers/model-run";
import { processSyncJob } from "../workers/processors/sync";
import { acquireShopLock } from "../workers/shop-lock";
import { startWorkers } from "../workers/runtime";
import { runBackfill } from "../workers/shopify/backfill";
import { clearOrphanedStaging, clearRunsNoLongerWriting, RESUMABLE_FOR_MS } from "../workers/shopify/backfill-runs";

import { orderRecord } from "./helpers/factories";
import { useShopifyTestApp } from "./helpers/shopify-app";
import { bulkHandlers, jsonl, STORAGE, type BulkScenario } from "./mocks/shopify-admin";
import { testRedisUrl } from "./helpers/urls";

const app = useShopifyTestApp("shpss_backfill_secret");
let shopCounter = 0;
const RUN_TAG = crypto.randomBytes(3).toString("hex");

const money = (amount: string) => ({ shopMoney: { amount } });

type Node = Record<string, unknown>;
/** Changes one order's objects before they are written: its own node and its line items. */
type OrderEdit = (o: number, order: Node, lines: Node[]) => Node[] | void;

/**
 * A small store: 3 products, 4 customers, `orders` orders of 2 lines. Odd orders list their
 * line items before the order, even ones after it.
 */
function storeFiles(orders = 7, edit?: OrderEdit): BulkScenario["files"] {
  const products = [1, 2, 3].flatMap((p) => [
    {
      id: `gid://shopify/Product/${p}`,
      title: `Product ${p}`,
      handle: `product-${p}`,
      productType: "Mugs",
      vendor: "Foresight",
      status: "ACTIVE",
      createdAt: "2025-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
      totalInventory: 5,
      tracksInventory: true,
      featuredMedia: null,
    },
    {
      id: `gid://shopify/ProductVariant/${p}0`,
      title: "Default",
      sku: `SKU-${p}`,
      price: "12.50",
      inventoryQuantity: 5,
      __parentId: `gid://shopify/Product/${p}`,
    },
  ]);
  const customers = [1, 2, 3, 4].map((c) => ({
    id: `gid://shopify/Customer/${c}`,
    email: `customer${c}@example.com`,
    firstName: `First${c}`,
    lastName: `Last${c}`,
    tags: ["wholesale"],
    createdAt: "2025-02-01T00:00:00Z",
    updatedAt: "2026-02-01T00:00:00Z",
    defaultAddress: { countryCodeV2: "GB" },
    emailMarketingConsent: { marketingState: "NOT_SUBSCRIBED" },
  }));
  const orderLines: object[] = [];
  for (let o = 1; o <= orders; o++) {
    const orderGid = `gid://shopify/Order/${1000 + o}`;
    const lines = [1, 2].map((l) => ({
      id: `gid://shopify/LineItem/${1000 + o}${l}`,
      sku: `SKU-${l}`,
      name: `Product ${l}`,
      quantity: l,
      isGiftCard: false,
      originalUnitPriceSet: money("12.50"),
      totalDiscountSet: money("0.00"),
      product: { id: `gid://shopify/Product/${l}` },
      variant: { id: `gid://shopify/ProductVariant/${l}0` },
      __parentId: orderGid,
    }));
    const order = {
      id: orderGid,
      name: `#${1000 + o}`,
      createdAt: `2026-03-0${1 + (o % 9)}T10:00:00Z`,
      updatedAt: `2026-03-0${1 + (o % 9)}T10:00:00Z`,
      processedAt: `2026-03-0${1 + (o % 9)}T10:00:00Z`,
      cancelledAt: null,
      cancelReason: null,
      displayFinancialStatus: o === 1 ? "PARTIALLY_REFUNDED" : "PAID",
      currencyCode: "GBP",
      test: false,
      subtotalPriceSet: money("37.50"),
      totalPriceSet: money("37.50"),
      totalTaxSet: money("0.00"),
      totalDiscountsSet: money("0.00"),
      totalShippingPriceSet: money("0.00"),
      totalRefundedSet: money(o === 1 ? "12.50" : "0.00"),
      customer: o % 5 === 0 ? null : { id: `gid://shopify/Customer/${1 + (o % 4)}` },
      refunds:
        o === 1
          ? [
              {
                id: "gid://shopify/Refund/1",
                createdAt: "2026-03-05T00:00:00Z",
                note: null,
                totalRefundedSet: money("12.50"),
              },
            ]
          : [],
    };
    const kept = edit?.(o, order, lines) ?? lines;
    // Children before their parent: Shopify does not promise any order.
    orderLines.push(...(o % 2 ? [...kept, order] : [order, ...kept]));
  }
  return { products: jsonl(products), customers: jsonl(customers), orders: jsonl(orderLines) };
}

async function newShop() {
  shopCounter += 1;
  // Unique per test run: locks and cost buckets in the shared Redis are keyed by domain.
  const domain = `backfill-${shopCounter}-${RUN_TAG}.myshopify.com`;
  const shop = await upsertShop(app.db.prisma, {
    platform: "SHOPIFY",
    domain,
    name: domain,
    timezone: "Europe/London",
    currency: "GBP",
  });
  return { shop, graphql: adminGraphqlFor(domain, "shpat_test_token") };
}

function scenario(overrides: Partial<BulkScenario> = {}): BulkScenario {
  return { files: storeFiles(), calls: { started: [], polls: 0, downloads: 0 }, ...overrides };
}

const instantPoll = { intervalMs: 1, sleep: async () => {} };

/** Backfill options with one order per staging commit and per merge chunk. */
function oneOrderAtATime(shopId: number, graphql: ReturnType<typeof adminGraphqlFor>) {
  return { database: app.db, graphql, shopId, poll: instantPoll, stagingSegment: 1, orderChunk: 1 };
}

/**
 * Makes inserting order `externalId` of the shop fail ("disk full", after `delaySeconds`), as a
 * full disk would; returns what removes the failure again.
 */
async function failOrderInsert(shopId: number, externalId: string, delaySeconds = 0) {
  const trigger = `poison_${shopId}_${externalId}`;
  await app.db.pool.query(
    `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_sleep(${delaySeconds}); RAISE EXCEPTION 'disk full'; END $$;
     CREATE TRIGGER ${trigger} BEFORE INSERT ON "Order" FOR EACH ROW
     WHEN (NEW."shopId" = ${shopId} AND NEW."externalId" = '${externalId}') EXECUTE FUNCTION ${trigger}()`,
  );
  return async () => {
    await app.db.pool.query(`DROP TRIGGER ${trigger} ON "Order"; DROP FUNCTION ${trigger}()`);
  };
}

/** A fetch that runs `meanwhile` when the orders file is requested, before it downloads. */
function beforeOrdersDownload(meanwhile: () => Promise<unknown>): typeof fetch {
  return async (input, init) => {
    if (String(input).endsWith("/orders.jsonl")) await meanwhile();
    return fetch(input, init);
  };
}

async function storeState(shopId: number) {
  const { rows } = await app.db.pool.query(
    `SELECT (SELECT count(*) FROM "Product" WHERE "shopId" = $1)::int AS products,
            (SELECT count(*) FROM "ProductVariant" WHERE "shopId" = $1)::int AS variants,
            (SELECT count(*) FROM "Customer" WHERE "shopId" = $1 AND "platformUpdatedAt" IS NOT NULL)::int AS customers,
            (SELECT count(*) FROM "Order" WHERE "shopId" = $1)::int AS orders,
            (SELECT count(*) FROM "OrderLine" WHERE "shopId" = $1 AND "productId" IS NOT NULL)::int AS lines,
            (SELECT count(*) FROM "OrderLine" l
               JOIN "ProductVariant" v ON v."id" = l."variantId" AND v."productId" = l."productId"
               WHERE l."shopId" = $1)::int AS "linesWithTheirVariant",
            (SELECT count(*) FROM "Refund" WHERE "shopId" = $1)::int AS refunds,
            (SELECT sum("totalPrice")::text FROM "Order" WHERE "shopId" = $1) AS revenue,
            (SELECT (SELECT count(*) FROM "BulkStagingRow") + (SELECT count(*) FROM "BulkStagedOrder")
                    + (SELECT count(*) FROM "BulkStagedOrderLine"))::int AS staged`,
    [shopId],
  );
  return rows[0];
}

const COMPLETE = {
  products: 3,
  variants: 3,
  customers: 4,
  orders: 7,
  lines: 14,
  linesWithTheirVariant: 14,
  refunds: 1,
  revenue: "262.5000",
  staged: 0,
};

describe("backfill", () => {
  it("loads products, customers and orders, joining children that come before their parents", async () => {
    const { shop, graphql } = await newShop();
    const s = scenario();
    app.server.use(...bulkHandlers(shop.domain, s));
    const result = await runBackfill({ database: app.db, graphql, shopId: shop.id, batchSize: 3, poll: instantPoll });
    expect(result.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(await storeState(shop.id)).toEqual(COMPLETE);
    expect(s.calls.started).toEqual(["products", "customers", "orders"]);
    const run = await app.db.prisma.syncRun.findUniqueOrThrow({ where: { id: result.syncRunId } });
    expect(run).toMatchObject({ status: "SUCCEEDED", phase: "done", progress: 1, kind: "BACKFILL" });
    const order = await app.db.prisma.order.findFirstOrThrow({
      where: { shopId: shop.id, externalId: "1001" },
      include: { lines: true, customer: true, refunds: true },
    });
    expect(order.lines.map((l) => l.quantity).sort()).toEqual([1, 2]);
    expect(order.customer?.email).toBe("customer2@example.com");
    expect(order.refunds.map((r) => r.totalAmount.toString())).toEqual(["12.5"]);
  });

  it("running it again changes nothing", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    const before = await app.db.prisma.order.findMany({
      where: { shopId: shop.id },
      include: { lines: true },
      orderBy: { id: "asc" },
    });
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    const after = await app.db.prisma.order.findMany({
      where: { shopId: shop.id },
      include: { lines: true },
      orderBy: { id: "asc" },
    });
    expect(after).toEqual(before);
  });

  it("resumes a crashed run where it stopped, without asking Shopify to redo finished work", async () => {
    const { shop, graphql } = await newShop();
    const s = scenario({ failingDownloads: { orders: 1 } });
    app.server.use(...bulkHandlers(shop.domain, s));
    const crashed = await runBackfill({
      database: app.db,
      graphql,
      shopId: shop.id,
      batchSize: 2,
      poll: instantPoll,
    }).catch((error: Error) => error);
    expect(crashed).toBeInstanceOf(Error);
    const failedRun = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(failedRun).toMatchObject({ status: "FAILED", phase: "orders" });
    expect(failedRun.error).toMatch(/download failed: HTTP 503/);

    const resumed = await runBackfill({
      database: app.db,
      graphql,
      shopId: shop.id,
      syncRunId: failedRun.id,
      batchSize: 2,
      poll: instantPoll,
    });
    expect(resumed.syncRunId).toBe(failedRun.id);
    expect(resumed.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(s.calls.started).toEqual(["products", "customers", "orders"]); // the orders operation was reused
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("merges orders while the rest of the file is still being staged, in many small chunks", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    const result = await runBackfill({
      database: app.db,
      graphql,
      shopId: shop.id,
      poll: instantPoll,
      stagingSegment: 2,
      orderChunk: 2,
    });
    expect(result.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("resumes after the orders download drops part-way while merging, with the same final counts", async () => {
    const { shop, graphql } = await newShop();
    const s = scenario();
    app.server.use(...bulkHandlers(shop.domain, s));
    // The first orders download delivers 17 lines, then the connection drops. That is past
    // the fourth order, where staging (two segments of lead) waits for the merge, so some
    // orders are surely stored by then. (msw buffers a mocked body whole, so the drop is
    // made here, around the mocked download.)
    let dropped = false;
    const droppingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (dropped || !String(input).endsWith("/orders.jsonl")) return response;
      dropped = true;
      const head = (await response.text()).split("\n").slice(0, 17).join("\n") + "\n";
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new Error("connection reset by peer"));
          sent = true;
          controller.enqueue(new TextEncoder().encode(head));
        },
      });
      return new Response(body, { status: 200 });
    };
    const options = { ...oneOrderAtATime(shop.id, graphql), fetchImpl: droppingFetch };
    await expect(runBackfill(options)).rejects.toThrow();
    const failed = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(failed).toMatchObject({ status: "FAILED", phase: "orders", error: "connection reset by peer" });
    const cursor = JSON.parse(failed.cursor!) as { staged: boolean; lastSeq: number };
    expect(cursor.staged).toBe(false);
    expect(cursor.lastSeq).toBeGreaterThan(0);
    const stored = await app.db.prisma.order.count({ where: { shopId: shop.id } });
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(7);

    const resumed = await runBackfill({ ...options, syncRunId: failed.id });
    expect(resumed.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(s.calls.started).toEqual(["products", "customers", "orders"]);
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("resumes after a merge fails part-way, and stages the file again if the staged rows were lost", async () => {
    const { shop, graphql } = await newShop();
    const s = scenario();
    app.server.use(...bulkHandlers(shop.domain, s));
    // The last order cannot be stored, so the run fails after the earlier chunks are merged.
    const heal = await failOrderInsert(shop.id, "1007");
    const options = {
      ...{ database: app.db, graphql, shopId: shop.id, poll: instantPoll, stagingSegment: 2, orderChunk: 2 },
      directOrders: false, // the merge is what fails here
    };
    await expect(runBackfill(options)).rejects.toThrow(/disk full/);
    const failed = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(failed).toMatchObject({ status: "FAILED", phase: "orders" });
    const cursor = JSON.parse(failed.cursor!) as { staged: boolean; lastSeq: number };
    expect(cursor.staged).toBe(true);
    expect(cursor.lastSeq).toBeGreaterThan(0);
    expect(await app.db.prisma.order.count({ where: { shopId: shop.id } })).toBeGreaterThan(0);

    // Staging is unlogged: a Postgres crash empties it. The resume notices and stages again.
    await heal();
    await app.db.pool.query(`DELETE FROM "BulkStagedOrder" WHERE "syncRunId" = $1`, [failed.id]);
    const downloads = s.calls.downloads;
    const resumed = await runBackfill({ ...options, syncRunId: failed.id });
    expect(resumed.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(s.calls.downloads).toBe(downloads + 1);
    expect(s.calls.started).toEqual(["products", "customers", "orders"]);
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("fails promptly when the first chunk cannot be merged while staging waits for the merge; the next run clears what it left", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    const heal = await failOrderInsert(shop.id, "1001", 0.2);
    try {
      // One order per segment and chunk: staging is soon two segments ahead and waits, and the
      // other lane waits for staging, when the first chunk fails. Both must give up.
      const options = { ...oneOrderAtATime(shop.id, graphql), directOrders: false }; // the merge fails here
      await expect(runBackfill(options)).rejects.toThrow(/disk full/);
      const failed = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
      expect(failed).toMatchObject({ status: "FAILED", phase: "orders" });
    } finally {
      await heal();
    }
    // Not resumed: a new run starts over, and removes the failed run's staged rows.
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("keeps the lines of a newer version a webhook stored while the backfill ran", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    // The next backfill's file has 1002 edited (its second line dropped)...
    const edited = storeFiles(7, (o, order, lines) => {
      if (o !== 2) return;
      order.updatedAt = "2026-04-01T00:00:00Z";
      return lines.slice(0, 1);
    });
    const run = await app.db.prisma.syncRun.create({ data: { shopId: shop.id, kind: "BACKFILL", status: "RUNNING" } });
    const file = async () => new Response(edited.orders);
    await stageOrders(app.db.pool, run.id, "https://storage.example/orders.jsonl", { fetchImpl: file });
    await mergeStagedOrders(app.db.pool, shop.id, run.id, 0, 2_147_483_647);
    // ...and before its last step, a webhook stores a newer version with a third line. The
    // last step must leave that version's lines alone.
    const newer = orderRecord("1002", {
      lines: [
        ["1", 1, "12.50"],
        ["2", 2, "12.50"],
        ["3", 1, "12.50"],
      ],
    });
    await ingestOrders(app.db.pool, shop.id, [{ ...newer, updatedAt: "2026-04-02T00:00:00Z" }]);
    await finishOrderMerge(app.db.pool, shop.id, run.id, run.startedAt);
    await clearStagedOrders(app.db.pool, run.id);
    const lines = await app.db.prisma.orderLine.findMany({ where: { shopId: shop.id, order: { externalId: "1002" } } });
    expect(lines.map((l) => l.externalId).sort()).toEqual(["1002-L1", "1002-L2", "1002-L3"]);
  });

  it("a newer version of an order loses the lines it dropped; lines listed apart from their order keep their ids", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    const linesOf = (externalId: string) =>
      app.db.prisma.orderLine.findMany({
        where: { shopId: shop.id, order: { externalId } },
        orderBy: { externalId: "asc" },
        select: { id: true, externalId: true, quantity: true },
      });
    const before1001 = await linesOf("1001");

    // Both orders edited later: 1002 dropped its second line, 1001 changed a quantity (and its
    // line items come before it in the file, so they are joined after staging).
    const edited = storeFiles(7, (o, order, lines) => {
      if (o !== 1 && o !== 2) return;
      order.updatedAt = "2026-04-01T00:00:00Z";
      if (o === 2) return lines.slice(0, 1);
      lines[0]!.quantity = 5;
    });
    app.server.use(...bulkHandlers(shop.domain, scenario({ files: edited })));
    // One order per commit and chunk: 1001 is merged before its line items are joined to it.
    const small = { stagingSegment: 1, orderChunk: 1 };
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll, ...small });
    expect((await linesOf("1002")).map((l) => l.externalId)).toEqual(["10021"]);
    const after1001 = await linesOf("1001");
    expect(after1001.map((l) => l.quantity)).toEqual([5, 2]);
    expect(after1001.map((l) => l.id)).toEqual(before1001.map((l) => l.id));
  });

  it("links the lines of a refund a webhook stored before the backfill merged its order", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await ingestRefunds(app.db.pool, shop.id, [
      {
        externalId: "99",
        orderExternalId: "1003",
        processedAt: "2026-03-05T00:00:00Z",
        currency: "GBP",
        totalAmount: "25.00",
        lines: [{ orderLineExternalId: "10032", quantity: 2, amount: "25.00" }],
        updatedAt: "2026-03-05T00:00:00Z",
      },
    ]);
    await runBackfill(oneOrderAtATime(shop.id, graphql));
    const line = await app.db.prisma.refundLine.findFirstOrThrow({
      where: { shopId: shop.id, refund: { externalId: "99" } },
      include: { orderLine: true, product: true },
    });
    expect(line.orderLine?.externalId).toBe("10032");
    expect(line.product?.externalId).toBe("2");
  });

  it("gives a customer and a product created while the backfill ran a placeholder, linked to the order", async () => {
    const { shop, graphql } = await newShop();
    const files = storeFiles(7, (o, order, lines) => {
      if (o !== 4) return;
      order.customer = { id: "gid://shopify/Customer/99" };
      Object.assign(lines[0]!, { product: { id: "gid://shopify/Product/77" }, name: "Gift box" });
    });
    app.server.use(...bulkHandlers(shop.domain, scenario({ files })));
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    const order = await app.db.prisma.order.findFirstOrThrow({
      where: { shopId: shop.id, externalId: "1004" },
      include: { customer: true, lines: { orderBy: { externalId: "asc" } } },
    });
    expect(order.customer).toMatchObject({ externalId: "99", platformUpdatedAt: null });
    const product = await app.db.prisma.product.findFirstOrThrow({ where: { id: order.lines[0]!.productId! } });
    expect(product).toMatchObject({ externalId: "77", title: "Gift box", platformUpdatedAt: null });
  });

  it("rejects an order whose line item is invalid, and only the line when it was listed apart", async () => {
    const { shop, graphql } = await newShop();
    const files = storeFiles(7, (o, _order, lines) => {
      if (o === 2 || o === 3) lines[1]!.quantity = "two";
    });
    app.server.use(...bulkHandlers(shop.domain, scenario({ files })));
    const result = await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    expect(result.counts.orders).toBe(6);
    const run = await app.db.prisma.syncRun.findUniqueOrThrow({ where: { id: result.syncRunId } });
    expect(run.counts).toMatchObject({ orders: 6, rejected: 2 });
    const orders = await app.db.prisma.order.findMany({
      where: { shopId: shop.id, externalId: { in: ["1002", "1003"] } },
      include: { lines: true },
    });
    // 1002's line followed it, so the whole order is judged together; 1003's came first.
    expect(orders.map((o) => [o.externalId, o.lines.length])).toEqual([["1003", 1]]);
  });

  it("says clearly when bulk operations are not enabled for the app", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario({ start: "access-denied" })));
    const error = await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BulkOperationError);
    expect((error as BulkOperationError).reason).toBe("ACCESS_DENIED");
    const run = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatch(/^ACCESS_DENIED: .*enable them in the Partner Dashboard/);
  });

  it("reports Shopify's userErrors", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario({ start: "user-error" })));
    await expect(runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll })).rejects.toThrow(
      /OPERATION_IN_PROGRESS: A bulk query operation for this app and shop is already in progress/,
    );
  });

  it("finishes a shop that has no products and no customers, for which Shopify gives no file", async () => {
    const { shop, graphql } = await newShop();
    const s = scenario({ files: { ...storeFiles(), products: "", customers: "" } });
    app.server.use(...bulkHandlers(shop.domain, s));
    const result = await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    expect(result.counts).toEqual({ products: 0, customers: 0, orders: 7 });
    expect(s.calls.downloads).toBe(1); // the orders file only
    const state = await storeState(shop.id);
    // The two products the lines name are placeholders until their own records arrive (the
    // customers are too, but storeState counts only customers with a platform record).
    expect(state).toMatchObject({ products: 2, customers: 0, orders: 7, lines: 14, staged: 0 });
    expect(await app.db.prisma.syncRun.findUniqueOrThrow({ where: { id: result.syncRunId } })).toMatchObject({
      status: "SUCCEEDED",
      progress: 1,
    });
  });

  it("finishes a shop with no orders at all", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario({ files: { ...storeFiles(), orders: "" } })));
    const result = await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    expect(result.counts).toEqual({ products: 3, customers: 4, orders: 0 });
    expect(await storeState(shop.id)).toMatchObject({ products: 3, customers: 4, orders: 0, staged: 0 });
  });

  it("stops on an operation denied a field, and starts a new operation once access is granted", async () => {
    const { shop, graphql } = await newShop();
    const denied = scenario({ finalStatus: "FAILED", failureCode: "ACCESS_DENIED" });
    app.server.use(...bulkHandlers(shop.domain, denied));
    const error = (await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll }).catch(
      (e: unknown) => e,
    )) as BulkOperationError;
    expect(error.reason).toBe("ACCESS_DENIED");
    const run = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(run.error).toMatch(/^ACCESS_DENIED: .*access scopes and its protected customer data access/);
    // Granted: the run resumes with a new operation, not by polling the one that failed.
    const granted = scenario();
    app.server.use(...bulkHandlers(shop.domain, granted));
    const resumed = await runBackfill({
      database: app.db,
      graphql,
      shopId: shop.id,
      syncRunId: run.id,
      poll: instantPoll,
    });
    expect(resumed.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(granted.calls.started).toEqual(["products", "customers", "orders"]);
  });

  it("fails with the partial data location when the operation fails", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario({ finalStatus: "FAILED" })));
    const error = (await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll }).catch(
      (e: unknown) => e,
    )) as BulkOperationError;
    expect(error.reason).toBe("FAILED");
    expect(error.partialDataUrl).toMatch(/products\.jsonl$/);
    expect((await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } })).error).toMatch(
      /^FAILED: bulk operation failed \(INTERNAL_SERVER_ERROR, partial data not used\)/,
    );
  });

  it("runs as a queued job in a worker, with the token from session storage and not from the job", async () => {
    const { shop } = await newShop();
    await app.db.prisma.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", accessToken: "shpat_stored_offline_token" },
    });
    const tokens = new Set<string | null>();
    app.server.use(
      http.post(`https://${shop.domain}/admin/api/2026-10/graphql.json`, ({ request }) => {
        tokens.add(request.headers.get("X-Shopify-Access-Token"));
        return undefined; // not answered here: msw moves on to the bulk handlers below
      }),
      ...bulkHandlers(shop.domain, scenario()),
    );
    const prefix = `test-${crypto.randomBytes(4).toString("hex")}`;
    const redis = createRedis(testRedisUrl(), "worker");
    const queues = createQueues(redis, prefix);
    const workers = startWorkers({ connection: redis, database: app.db, queues, prefix });
    const events = new QueueEvents("sync", { connection: createRedis(testRedisUrl(), "worker"), prefix });
    await events.waitUntilReady();
    try {
      const job = await queues.sync.add("shopify-backfill", { shopId: shop.id });
      expect(job.data).toEqual({ shopId: shop.id }); // ids only
      expect(await job.waitUntilFinished(events)).toEqual({ products: 3, customers: 4, orders: 7 });
      expect(tokens).toEqual(new Set(["shpat_stored_offline_token"]));
      expect(await storeState(shop.id)).toEqual(COMPLETE);
    } finally {
      await workers.close();
      await events.close();
      for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
      await bullSink(queues).close();
      await redis.quit();
    }
  });
});

describe("backfill jobs", () => {
  /** Runs the sync queue's processor as BullMQ would for one attempt of a backfill job. */
  async function attempt(shopId: number, enqueued: string[] = []) {
    const redis = createRedis(testRedisUrl(), "worker");
    const enqueue = async (name: string) => void enqueued.push(name);
    try {
      return await processSyncJob(
        "shopify-backfill",
        { shopId },
        { database: app.db, redis, bulkPoll: instantPoll, enqueue },
      );
    } finally {
      await redis.quit();
    }
  }

  async function shopWithToken() {
    const { shop } = await newShop();
    await app.db.prisma.session.create({
      data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", accessToken: "shpat_stored_offline_token" },
    });
    return shop;
  }

  const backfillRuns = (shopId: number) =>
    app.db.prisma.syncRun.findMany({ where: { shopId, kind: "BACKFILL" }, orderBy: { id: "asc" } });

  it("a shop whose refresh token was refused sends Shopify nothing until the merchant signs in again, then carries on", async () => {
    const shop = await shopWithToken();
    await app.db.prisma.shop.update({ where: { id: shop.id }, data: { installState: "NEEDS_REAUTH" } });
    // What a refusal leaves: an expired token and no refresh token.
    await app.db.prisma.session.update({
      where: { id: `offline_${shop.domain}` },
      data: { expires: new Date(Date.now() - 60_000), refreshToken: null },
    });
    // No handler is installed: any request to Shopify would fail the test (onUnhandledRequest).
    await expect(attempt(shop.id)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await backfillRuns(shop.id)).toEqual([]);
    // The merchant opens the app: the token exchange stores a fresh session.
    await app.db.prisma.session.update({
      where: { id: `offline_${shop.domain}` },
      data: {
        accessToken: "shpat_after_sign_in",
        expires: new Date(Date.now() + 3_600_000),
        refreshToken: "shprt_new",
      },
    });
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    expect(await attempt(shop.id)).toEqual({ products: 3, customers: 4, orders: 7 });
    expect((await app.db.prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).installState).toBe("INSTALLED");
  });

  it("a retried job resumes the failed run instead of asking Shopify for every file again", async () => {
    const shop = await shopWithToken();
    const s = scenario({ failingDownloads: { orders: 1 } });
    app.server.use(...bulkHandlers(shop.domain, s));
    const enqueued: string[] = [];
    await expect(attempt(shop.id, enqueued)).rejects.toThrow(/download failed: HTTP 503/);
    expect(enqueued).toEqual([]);
    expect(await attempt(shop.id, enqueued)).toEqual({ products: 3, customers: 4, orders: 7 });
    // What changed meanwhile, and the refunds' lines, come next; then the models.
    expect(enqueued).toEqual([
      "shopify-reconcile",
      "daily-aggregates",
      "train-recommendations",
      "score-customers",
      "forecast-shop",
    ]);
    const runs = await backfillRuns(shop.id);
    expect(runs.map((run) => run.status)).toEqual(["SUCCEEDED"]);
    expect(s.calls.started).toEqual(["products", "customers", "orders"]);
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("a job whose worker died picks up the run it left RUNNING", async () => {
    const shop = await shopWithToken();
    const s = scenario({ failingDownloads: { customers: 1 } });
    app.server.use(...bulkHandlers(shop.domain, s));
    await expect(attempt(shop.id)).rejects.toThrow(/HTTP 503/);
    // What a killed worker leaves: the run still marked RUNNING, its cursor saved.
    const [left] = await backfillRuns(shop.id);
    await app.db.prisma.syncRun.update({ where: { id: left!.id }, data: { status: "RUNNING", finishedAt: null } });
    expect(await attempt(shop.id)).toEqual({ products: 3, customers: 4, orders: 7 });
    expect((await backfillRuns(shop.id)).map((run) => [run.id, run.status])).toEqual([[left!.id, "SUCCEEDED"]]);
    expect(s.calls.started).toEqual(["products", "customers", "orders"]);
  });

  it("asks again for an operation that failed at Shopify, and counts its rows once", async () => {
    const shop = await shopWithToken();
    const s = scenario({ failingOperations: { customers: 1 } });
    app.server.use(...bulkHandlers(shop.domain, s));
    await expect(attempt(shop.id)).rejects.toThrow(
      /bulk operation failed \(INTERNAL_SERVER_ERROR, partial data not used\)/,
    );
    expect(await attempt(shop.id)).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(s.calls.started).toEqual(["products", "customers", "customers", "orders"]);
    const [run] = await backfillRuns(shop.id);
    expect(run!.counts).toEqual({ products: 3, customers: 4, orders: 7, rejected: 0 });
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("asks again when Shopify no longer knows the operation a resumed run was waiting for", async () => {
    const shop = await shopWithToken();
    const s = scenario();
    app.server.use(...bulkHandlers(shop.domain, s));
    const cursor = { resource: "products", operationId: "gid://shopify/BulkOperation/404", lastSeq: 0 };
    const run = await app.db.prisma.syncRun.create({
      data: { shopId: shop.id, kind: "BACKFILL", status: "FAILED", cursor: JSON.stringify(cursor) },
    });
    await expect(attempt(shop.id)).rejects.toThrow(/bulk operation gid:\/\/shopify\/BulkOperation\/404 not found/);
    expect(await attempt(shop.id)).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(s.calls.started).toEqual(["products", "customers", "orders"]);
    expect((await backfillRuns(shop.id)).map((r) => [r.id, r.status])).toEqual([[run.id, "SUCCEEDED"]]);
  });

  it("starts a new run once the last one succeeded, or is too old to resume", async () => {
    const shop = await shopWithToken();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await attempt(shop.id);
    await attempt(shop.id);
    const failedLongAgo = await app.db.prisma.syncRun.create({
      data: {
        shopId: shop.id,
        kind: "BACKFILL",
        status: "FAILED",
        startedAt: new Date(Date.now() - 8 * 24 * 3600 * 1000),
        cursor: JSON.stringify({ resource: "orders", operationId: "gid://shopify/BulkOperation/1", lastSeq: 0 }),
      },
    });
    await attempt(shop.id);
    const runs = await backfillRuns(shop.id);
    expect(runs.map((run) => run.status)).toEqual(["SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED"]);
    expect(runs[2]!.id).toBe(failedLongAgo.id);
  });

  it("stands down while another worker runs the shop's backfill, instead of resuming the same run", async () => {
    const shop = await shopWithToken();
    const s = scenario();
    app.server.use(...bulkHandlers(shop.domain, s));
    const redis = createRedis(testRedisUrl(), "worker");
    const held = await acquireShopLock(redis, "shopify-backfill", shop);
    try {
      await expect(attempt(shop.id)).rejects.toBeInstanceOf(ShopBusyError);
      expect(s.calls.started).toEqual([]);
      expect(await backfillRuns(shop.id)).toEqual([]);
    } finally {
      await held!.release();
      await redis.quit();
    }
    expect(await attempt(shop.id)).toEqual({ products: 3, customers: 4, orders: 7 });
  });

  it("a reconcile stands down while another runs for the shop", async () => {
    const shop = await shopWithToken();
    const redis = createRedis(testRedisUrl(), "worker");
    const held = await acquireShopLock(redis, "shopify-reconcile", shop);
    try {
      // No Shopify handler: a second reconcile that went ahead would fail on its first query.
      await expect(
        processSyncJob("shopify-reconcile", { shopId: shop.id }, { database: app.db, redis }),
      ).rejects.toBeInstanceOf(ShopBusyError);
      expect(await app.db.prisma.syncRun.count({ where: { shopId: shop.id, kind: "RECONCILE" } })).toBe(0);
    } finally {
      await held!.release();
      await redis.quit();
    }
  });

  it("does not retry when bulk operations are not enabled for the app", async () => {
    const shop = await shopWithToken();
    app.server.use(...bulkHandlers(shop.domain, scenario({ start: "access-denied" })));
    const error = await attempt(shop.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/enable them in the Partner Dashboard/);
    const [run] = await backfillRuns(shop.id);
    expect(run).toMatchObject({ status: "FAILED" });
    expect(run!.error).toMatch(/^ACCESS_DENIED/);
  });

  it("does not retry an operation that Shopify failed for a field the app may not read", async () => {
    const shop = await shopWithToken();
    app.server.use(...bulkHandlers(shop.domain, scenario({ finalStatus: "FAILED", failureCode: "ACCESS_DENIED" })));
    const error = await attempt(shop.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(/access scopes/);
  });
});

describe("orders written directly on a shop's first backfill", () => {
  const directCount = async (syncRunId: number) =>
    (
      JSON.parse((await app.db.prisma.syncRun.findUniqueOrThrow({ where: { id: syncRunId } })).cursor!) as {
        direct?: number;
      }
    ).direct;

  it("copies the orders that need nothing from the merge, lines listed apart included, and stages the rest", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    const result = await runBackfill({ ...oneOrderAtATime(shop.id, graphql), stagingSegment: 2 });
    expect(result.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    // Order 1001 has a refund, so it is staged; 1003, 1005 and 1007 list their lines before
    // themselves, and still get them.
    expect(await directCount(result.syncRunId)).toBe(6);
    expect(await storeState(shop.id)).toEqual(COMPLETE);
    const local = await app.db.pool.query(
      `SELECT "externalId", "localDate"::text AS day FROM "Order" WHERE "shopId" = $1 AND "externalId" = '1003'`,
      [shop.id],
    );
    expect(local.rows).toEqual([{ externalId: "1003", day: "2026-03-04" }]); // Europe/London, 10:00 UTC
  });

  it("leaves a version a webhook stored meanwhile, and an order Shopify deleted, to the upserts' guards", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    // Our product ids must differ from Shopify's here, or reading them back could mix them up.
    await app.db.pool.query(`SELECT setval('"Product_id_seq"', nextval('"Product_id_seq"') + 500)`);
    // Deleted at Shopify before the backfill read it: a tombstone, and no orders yet.
    await app.db.pool.query(`INSERT INTO "DeletedOrder" ("shopId", "externalId") VALUES ($1, '1004')`, [shop.id]);
    // Once the backfill has decided to write directly, a webhook stores a newer 1006.
    const webhookFirst = beforeOrdersDownload(async () => {
      const newer = orderRecord("1006", { customer: null, updatedAt: "2026-04-01T00:00:00Z" });
      // And an older 1002 than the file's, which the file's version must replace.
      const older = orderRecord("1002", { customer: null, updatedAt: "2026-03-01T00:00:00Z" });
      expect((await ingestOrders(app.db.pool, shop.id, [newer, older])).written).toBe(2);
    });
    const result = await runBackfill({
      ...oneOrderAtATime(shop.id, graphql),
      stagingSegment: 2,
      fetchImpl: webhookFirst,
    });
    expect(await directCount(result.syncRunId)).toBe(6);
    const orders = await app.db.prisma.order.findMany({
      where: { shopId: shop.id },
      include: { lines: true },
      orderBy: { externalId: "asc" },
    });
    expect(orders.map((o) => o.externalId)).toEqual(["1001", "1002", "1003", "1005", "1006", "1007"]);
    const webhookVersion = orders.find((o) => o.externalId === "1006")!;
    expect(webhookVersion.platformUpdatedAt.toISOString()).toBe("2026-04-01T00:00:00.000Z");
    expect(webhookVersion.lines.map((l) => l.externalId)).toEqual(["1006-L1"]);
    // 1002 was set aside too, read back from its COPY text and written by the upsert: the
    // file's version, exactly as an order copied directly (1004's neighbour 1003) is stored.
    const shape = (externalId: string) =>
      app.db.pool.query(
        `SELECT o."name", o."processedAt", o."localDate"::text, o."financialStatus", o."currency", o."subtotalPrice"::text,
                o."totalPrice"::text, o."totalRefunded"::text, o."test", o."platformCreatedAt", o."platformUpdatedAt",
                c."externalId" AS customer,
                array_agg(l."externalId" || ':' || l."quantity" || ':' || l."unitPrice" || ':' || p."externalId" || ':'
                          || v."externalId" || ':' || l."sku" || ':' || l."title" ORDER BY l."externalId") AS lines
         FROM "Order" o LEFT JOIN "Customer" c ON c."id" = o."customerId"
         JOIN "OrderLine" l ON l."orderId" = o."id" JOIN "Product" p ON p."id" = l."productId"
         JOIN "ProductVariant" v ON v."id" = l."variantId"
         WHERE o."shopId" = $1 AND o."externalId" = $2 GROUP BY o."id", c."externalId"`,
        [shop.id, externalId],
      );
    const [reread] = (await shape("1002")).rows;
    expect(reread).toMatchObject({
      name: "#1002",
      localDate: "2026-03-03",
      financialStatus: "PAID",
      currency: "GBP",
      subtotalPrice: "37.5000",
      totalPrice: "37.5000",
      totalRefunded: "0.0000",
      test: false,
      customer: "3",
      lines: ["10021:1:12.5000:1:10:SKU-1:Product 1", "10022:2:12.5000:2:20:SKU-2:Product 2"],
    });
    expect(reread.platformUpdatedAt.toISOString()).toBe("2026-03-03T10:00:00.000Z");
    const [copied] = (await shape("1003")).rows;
    expect(Object.keys(reread)).toEqual(Object.keys(copied));
  });

  it("leaves the orders of a customer erased after the backfill read its customers without them", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    // Customer 3 (orders 1002 and 1006) is erased once the orders are about to be read: the
    // direct writer still has their id, and the copy of 1002's segment runs into the
    // customer's foreign key. (Whether 1006 was offered to the direct writer before that
    // depends on timing, so how many orders went direct is not asserted.)
    const erasedFirst = beforeOrdersDownload(() => redactCustomer(app.db, shop.id, "3"));
    const result = await runBackfill({
      ...oneOrderAtATime(shop.id, graphql),
      stagingSegment: 2,
      fetchImpl: erasedFirst,
    });
    expect(result.counts.orders).toBe(7);
    const { rows } = await app.db.pool.query(
      `SELECT o."externalId", c."externalId" AS customer FROM "Order" o LEFT JOIN "Customer" c ON c."id" = o."customerId"
       WHERE o."shopId" = $1 ORDER BY 1`,
      [shop.id],
    );
    expect(rows.map((row) => [row.externalId, row.customer])).toEqual([
      ["1001", "2"],
      ["1002", null],
      ["1003", "4"],
      ["1004", "1"],
      ["1005", null],
      ["1006", null],
      ["1007", "4"],
    ]);
    expect(await app.db.prisma.customer.count({ where: { shopId: shop.id, externalId: "3" } })).toBe(0);
  });

  it("resumes through the merge after a failure part-way, with every order counted once", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    const heal = await failOrderInsert(shop.id, "1007");
    const options = { ...oneOrderAtATime(shop.id, graphql), stagingSegment: 2 };
    try {
      await expect(runBackfill(options)).rejects.toThrow(/disk full/);
    } finally {
      await heal();
    }
    const failed = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(await directCount(failed.id)).toBeGreaterThan(0);
    const resumed = await runBackfill({ ...options, syncRunId: failed.id });
    expect(resumed.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(await storeState(shop.id)).toEqual(COMPLETE);
  });

  it("resumes without losing a direct order that was not yet written when staged ones were merged past it", async () => {
    const { shop, graphql } = await newShop();
    // Only 1001 can go direct; every other order names a customer not held, so it is staged.
    const files = storeFiles(15, (o, order) => {
      order.refunds = [];
      order.customer = o === 1 ? null : { id: `gid://shopify/Customer/9${o}` };
    });
    app.server.use(...bulkHandlers(shop.domain, scenario({ files })));
    const heal = await failOrderInsert(shop.id, "1006");
    const options = { ...oneOrderAtATime(shop.id, graphql), stagingSegment: 3 };
    try {
      // 1001 waits in the direct writer's unfinished segment while staged orders are merged.
      await expect(runBackfill(options)).rejects.toThrow(/disk full/);
    } finally {
      await heal();
    }
    const failed = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    const resumed = await runBackfill({ ...options, syncRunId: failed.id });
    expect(resumed.counts).toEqual({ products: 3, customers: 4, orders: 15 });
    expect(await app.db.prisma.order.count({ where: { shopId: shop.id } })).toBe(15);
    expect(await app.db.prisma.order.count({ where: { shopId: shop.id, externalId: "1001" } })).toBe(1);
  });

  it("is not used when the shop holds orders already", async () => {
    const { shop, graphql } = await newShop();
    await ingestOrders(app.db.pool, shop.id, [orderRecord("999", { customer: null })]);
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    const result = await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    expect(await directCount(result.syncRunId)).toBeUndefined();
    expect(result.counts.orders).toBe(7);
  });
});

describe("a customer redacted while a backfill runs", () => {
  /** Customer 2 of the store files: order #1001 (refunded) names them. */
  const REDACTED = "2";

  /** Redacts customer 2 when Shopify serves `resource`'s file, before any of it is written. */
  function redactOnDownload(shopId: number, resource: "customers" | "orders") {
    return http.get(`${STORAGE}/${resource}.jsonl`, async () => {
      await redactCustomer(app.db, shopId, REDACTED);
      return undefined; // served by the bulk handlers below: what was downloaded before the redaction
    });
  }

  async function traces(shopId: number) {
    const { rows } = await app.db.pool.query(
      `SELECT (SELECT count(*) FROM "Customer" WHERE "shopId" = $1 AND ("externalId" = $2 OR "email" = $3))::int AS customers,
              (SELECT "customerId" FROM "Order" WHERE "shopId" = $1 AND "externalId" = '1001') AS "orderCustomer",
              (SELECT "customerId" FROM "Refund" WHERE "shopId" = $1 AND "externalId" = '1') AS "refundCustomer",
              (SELECT count(*) FROM "ErasedCustomer" WHERE "shopId" = $1)::int AS tombstones`,
      [shopId, REDACTED, `customer${REDACTED}@example.com`],
    );
    return rows[0];
  }

  /** The customer is gone; only the tombstone (a hash, not the id) stays. */
  const GONE = { customers: 0, orderCustomer: null, refundCustomer: null, tombstones: 1 };

  it("is not stored again from the customers file downloaded before the redaction", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(redactOnDownload(shop.id, "customers"), ...bulkHandlers(shop.domain, scenario()));
    const result = await runBackfill({ database: app.db, graphql, shopId: shop.id, batchSize: 2, poll: instantPoll });
    expect(result.counts).toEqual({ products: 3, customers: 4, orders: 7 });
    expect(await traces(shop.id)).toEqual(GONE);
    expect(await storeState(shop.id)).toEqual({ ...COMPLETE, customers: 3 });
  });

  it("gets no placeholder from the orders and refunds staged after the redaction", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(redactOnDownload(shop.id, "orders"), ...bulkHandlers(shop.domain, scenario()));
    await runBackfill(oneOrderAtATime(shop.id, graphql));
    expect(await traces(shop.id)).toEqual(GONE);
    expect(await storeState(shop.id)).toEqual({ ...COMPLETE, customers: 3 });
  });

  it("stays out while the failed run is resumed", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario({ failingDownloads: { orders: 1 } })));
    const failed = await runBackfill(oneOrderAtATime(shop.id, graphql)).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    await redactCustomer(app.db, shop.id, REDACTED);
    expect(await traces(shop.id)).toEqual(GONE);
    const run = await app.db.prisma.syncRun.findFirstOrThrow({ where: { shopId: shop.id } });
    await runBackfill({ ...oneOrderAtATime(shop.id, graphql), syncRunId: run.id });
    expect(await traces(shop.id)).toEqual(GONE);
  });

  it("waits for a write in flight that stores the customer, then erases it", async () => {
    const { shop } = await newShop();
    const writer = await app.db.pool.connect();
    try {
      await writer.query("BEGIN");
      await lockCustomerWrites(writer, shop.id);
      await writer.query(
        `INSERT INTO "Customer" ("shopId", "externalId", "email") VALUES ($1, $2, 'late@example.com')`,
        [shop.id, REDACTED],
      );
      let finished = false;
      const redaction = redactCustomer(app.db, shop.id, REDACTED).finally(() => (finished = true));
      // The redaction must queue behind the write, not delete around its uncommitted row.
      while (!finished) {
        const { rows } = await app.db.pool.query(
          `SELECT count(*)::int AS n FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND classid = ${0x72656463} AND objid = $1 AND objsubid = 2
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [shop.id],
        );
        if (rows[0].n > 0) break;
      }
      await writer.query("COMMIT");
      expect(await redaction).toBe(true);
    } finally {
      writer.release();
    }
    expect(await app.db.prisma.customer.count({ where: { shopId: shop.id, externalId: REDACTED } })).toBe(0);
  });

  it("clears the staging of a run too old to resume, but not of one still writing", async () => {
    const { shop } = await newShop();
    const startedAt = new Date(Date.now() - RESUMABLE_FOR_MS - 60_000);
    // Resumed late and still writing: started as long ago, but saved progress just now.
    const late = await app.db.prisma.syncRun.create({
      data: { shopId: shop.id, kind: "BACKFILL", status: "RUNNING", startedAt },
    });
    const old = await app.db.prisma.syncRun.create({
      data: { shopId: shop.id, kind: "BACKFILL", status: "FAILED", startedAt, updatedAt: startedAt },
    });
    await app.db.pool.query(
      `INSERT INTO "BulkStagingRow" ("syncRunId", "seq", "gid", "data") VALUES ($1, 1, 'gid://shopify/Product/1', '{}')`,
      [late.id],
    );
    await app.db.pool.query(
      `INSERT INTO "BulkStagingRow" ("syncRunId", "seq", "gid", "data") VALUES ($1, 1, 'gid://shopify/Product/1', '{}')`,
      [old.id],
    );
    await clearRunsNoLongerWriting(app.db.pool, shop.id, Date.now() - 120_000);
    expect(await app.db.prisma.bulkStagingRow.count({ where: { syncRunId: old.id } })).toBe(1); // not yet too old then
    await clearRunsNoLongerWriting(app.db.pool, shop.id);
    expect(await app.db.prisma.bulkStagingRow.count({ where: { syncRunId: old.id } })).toBe(0);
    expect(await app.db.prisma.bulkStagingRow.count({ where: { syncRunId: late.id } })).toBe(1);
  });

  it("leaves no staged rows of a shop deleted while its backfill was still staging", async () => {
    const { shop: gone } = await newShop();
    const { shop: other } = await newShop();
    const [goneRun, liveRun] = await Promise.all(
      [gone, other].map((shop) =>
        app.db.prisma.syncRun.create({ data: { shopId: shop.id, kind: "BACKFILL", status: "RUNNING" } }),
      ),
    );
    await app.db.prisma.shop.delete({ where: { id: gone.id } }); // shop/redact, cascading to its runs
    // A segment that committed after the redaction, and the other shop's backfill at work.
    for (const run of [goneRun!, liveRun!]) {
      await app.db.pool.query(
        `INSERT INTO "BulkStagedOrder" ("syncRunId", "seq", "externalId", "name", "customerExternalId", "processedAt",
           "financialStatus", "currency", "subtotalPrice", "totalDiscounts", "totalShipping", "totalTax", "totalPrice",
           "totalRefunded", "test", "platformUpdatedAt")
         VALUES ($1, 1, '1001', '#1001', '2', now(), 'PAID', 'GBP', 10, 0, 0, 0, 10, 0, false, now())`,
        [run.id],
      );
    }
    await clearOrphanedStaging(app.db.pool);
    const staged = await app.db.pool.query(`SELECT "syncRunId" FROM "BulkStagedOrder" WHERE "syncRunId" = ANY($1)`, [
      [goneRun!.id, liveRun!.id],
    ]);
    expect(staged.rows).toEqual([{ syncRunId: liveRun!.id }]);
  });

  it("clears the staging of a run that succeeded, even if clearing at its end did not happen", async () => {
    const { shop } = await newShop();
    const run = await app.db.prisma.syncRun.create({
      data: { shopId: shop.id, kind: "BACKFILL", status: "SUCCEEDED" },
    });
    await app.db.pool.query(
      `INSERT INTO "BulkStagingRow" ("syncRunId", "seq", "gid", "data") VALUES ($1, 1, 'gid://shopify/Product/1', '{}')`,
      [run.id],
    );
    await clearRunsNoLongerWriting(app.db.pool, shop.id);
    expect(await app.db.prisma.bulkStagingRow.count({ where: { syncRunId: run.id } })).toBe(0);
  });

  it("keeps the customer out after the backfill too: a late webhook or reconcile page cannot store them", async () => {
    const { shop, graphql } = await newShop();
    app.server.use(...bulkHandlers(shop.domain, scenario()));
    await runBackfill({ database: app.db, graphql, shopId: shop.id, poll: instantPoll });
    await redactCustomer(app.db, shop.id, REDACTED);
    // Read before the redaction, applied after it: the customer's own record, and an order naming them.
    const late = { externalId: REDACTED, email: `customer${REDACTED}@example.com`, updatedAt: "2030-01-01T00:00:00Z" };
    expect((await ingestCustomers(app.db.pool, shop.id, [late])).written).toBe(0);
    await ingestOrders(app.db.pool, shop.id, [
      orderRecord("1001", { customer: REDACTED, updatedAt: "2030-01-01T00:00:00Z" }),
    ]);
    expect(await traces(shop.id)).toEqual(GONE);
  });
});
