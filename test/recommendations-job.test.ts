/**
 * The per-shop training job end to end on a real Postgres and Redis: a synthetic shop with two
 * clearly separated groups of shoppers, products that must never be shown, and a product with
 * no history, trained by the real processor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ingestOrders, ingestProducts } from "~/ingest/index.server";
import { seededRandom } from "~/ml/random";
import { createRedis } from "~/queues/connection.server";

import { ShopBusyError } from "../workers/model-run";
import { processRecommendationsJob } from "../workers/processors/train-recommendations";

import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { createShop, orderRecord } from "./helpers/factories";
import { testRedisUrl } from "./helpers/urls";

let db: TestDatabase;
let redis: ReturnType<typeof createRedis>;
let shopId: number;
const GROUP_SIZE = 40;
const groupOf = (product: string) => product[0];

/** 120 customers per group, 5 orders each over a year, 2-3 products of their own group per order. */
function shopHistory() {
  const random = seededRandom(42);
  const orders = [];
  let orderNumber = 0;
  for (const group of ["A", "B"]) {
    for (let c = 0; c < 120; c++) {
      const customer = `${group}${c}`;
      for (let o = 0; o < 5; o++) {
        const day = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 365) * 86_400_000);
        const products = new Set<string>();
        // A1 and A2 travel together: every order with one of them has both.
        if (group === "A" && random() < 0.3) ["A1", "A2"].forEach((p) => products.add(p));
        while (products.size < 3) products.add(`${group}${1 + Math.floor(random() * GROUP_SIZE)}`);
        if (random() < 0.5) products.add("GIFT"); // popular, but never recommendable
        if (random() < 0.5) products.add("OLD"); // popular, archived
        orderNumber++;
        orders.push(
          orderRecord(`O${orderNumber}`, {
            customer,
            at: day.toISOString(),
            lines: [...products].map((p) => [p, 1, "10.00"] as [string, number, string]),
          }),
        );
      }
    }
  }
  // Guests buy too: their orders count for bought-together and popularity, not for "for you".
  for (let g = 0; g < 20; g++) {
    orderNumber++;
    orders.push(
      orderRecord(`O${orderNumber}`, { customer: null, at: "2025-12-20T10:00:00Z", lines: [["B3", 1, "5.00"]] }),
    );
  }
  return orders;
}

function product(externalId: string, extra: Record<string, unknown> = {}) {
  return {
    externalId,
    title: `Product ${externalId}`,
    productType: `type-${groupOf(externalId)}`,
    status: "ACTIVE",
    totalInventory: 10,
    updatedAt: "2026-01-01T00:00:00Z",
    ...extra,
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(testRedisUrl(), "worker");
  shopId = (await createShop(db.prisma)).id;
  const catalogue = [
    ...["A", "B"].flatMap((group) => Array.from({ length: GROUP_SIZE }, (_, i) => product(`${group}${i + 1}`))),
    product("GIFT", { recommendable: false, productType: "gift" }),
    product("OLD", { status: "ARCHIVED", productType: "old" }),
    product("A99", {}), // new: no sales yet, same type as group A
  ];
  catalogue.find((p) => p.externalId === "B40")!.totalInventory = 0; // tracked and sold out
  await ingestProducts(db.pool, shopId, catalogue);
  const history = shopHistory();
  for (let start = 0; start < history.length; start += 500) {
    const result = await ingestOrders(db.pool, shopId, history.slice(start, start + 500));
    expect(result.rejected).toEqual([]);
  }
});

afterAll(async () => {
  await redis.quit();
  await db.drop();
});

const productIds = async () => {
  const rows = await db.prisma.product.findMany({ where: { shopId }, select: { id: true, externalId: true } });
  return {
    byExternal: new Map(rows.map((r) => [r.externalId, r.id])),
    byId: new Map(rows.map((r) => [r.id, r.externalId])),
  };
};

describe("train-recommendations", () => {
  it("judges models on the shop's holdout, records the choice and writes every kind of list", async () => {
    const progress: number[] = [];
    const result = await processRecommendationsJob(
      "train-recommendations",
      { shopId },
      { database: db, redis, progress: async ({ fraction }) => void progress.push(fraction) },
    );
    expect(result).toMatchObject({ served: expect.any(String) });
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId, kind: "RECOMMENDATIONS" } });
    expect(run.status).toBe("SUCCEEDED");
    const metrics = run.metrics as {
      served: string;
      blendWeight: number | null;
      reason: string;
      holdout: { testUsers: number; metrics: Record<string, Record<string, number>> };
    };
    expect(metrics.holdout.testUsers).toBeGreaterThanOrEqual(30);
    expect(Object.keys(metrics.holdout.metrics)).toEqual(
      expect.arrayContaining(["popularity", "item_knn", "als", "als+popularity@0.5", "als+item_knn@0.5"]),
    );
    // Two cleanly separated groups: any collaborative model must beat best sellers here.
    expect(metrics.served).not.toBe("popularity");
    // What is served is the holdout's best, or a simpler contender within 1% of it, and the
    // reason quotes its figure.
    const servedKey = metrics.blendWeight === null ? metrics.served : `${metrics.served}@${metrics.blendWeight}`;
    const servedNdcg = metrics.holdout.metrics[servedKey]!["ndcg@10"]!;
    const best = Math.max(...Object.values(metrics.holdout.metrics).map((m) => m["ndcg@10"]!));
    expect(servedNdcg).toBeGreaterThanOrEqual(best / 1.01);
    expect(metrics.reason).toContain(`NDCG@10 on the shop's last 20% of history (${servedNdcg.toFixed(4)},`);
  });

  it("never recommends unavailable products or the product itself", async () => {
    const { byExternal } = await productIds();
    const banned = ["GIFT", "OLD", "B40"].map((p) => byExternal.get(p)!);
    const personal = await db.prisma.customerRecommendation.findMany({ where: { shopId } });
    const products = await db.prisma.productRecommendation.findMany({ where: { shopId } });
    const popular = await db.prisma.popularProduct.findMany({ where: { shopId } });
    expect(personal.length).toBeGreaterThan(0);
    expect(popular.length).toBeGreaterThan(0);
    for (const row of personal) expect(banned).not.toContain(row.productId);
    for (const row of popular) expect(banned).not.toContain(row.productId);
    for (const row of products) {
      expect(banned).not.toContain(row.recommendedProductId);
      expect(row.recommendedProductId).not.toBe(row.productId);
    }
  });

  it("keeps customers within their group, excludes what they bought and explains with their purchases", async () => {
    const { byId } = await productIds();
    const customers = await db.prisma.customer.findMany({
      where: { shopId },
      include: {
        recommendations: { orderBy: { rank: "asc" } },
        orders: { include: { lines: true } },
      },
    });
    // Repeat-purchase products (default rule: >= 30% of buyers, and >= 20 of them, bought
    // it in more than one order) may be shown again to their buyers; nothing else may.
    const repeatable = await db.pool.query<{ productId: number }>(
      `SELECT "productId" FROM (
         SELECT l."productId", o."customerId", count(DISTINCT o."id") AS orders
         FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
         WHERE l."shopId" = $1 AND o."customerId" IS NOT NULL GROUP BY 1, 2) per_buyer
       GROUP BY "productId"
       HAVING count(*) FILTER (WHERE orders > 1) >= GREATEST(20, 0.3 * count(*))`,
      [shopId],
    );
    const mayRepeat = new Set(repeatable.rows.map((r) => r.productId));
    expect([...mayRepeat].length).toBeLessThanOrEqual(4); // selective: the A1+A2 pair, not the catalogue
    let inGroup = 0;
    for (const customer of customers) {
      const bought = new Set(customer.orders.flatMap((o) => o.lines.map((l) => l.productId)));
      expect(customer.recommendations.length).toBeGreaterThan(0);
      const top = customer.recommendations[0]!;
      if (groupOf(byId.get(top.productId)!) === customer.externalId[0]) inGroup++;
      for (const rec of customer.recommendations) {
        if (bought.has(rec.productId)) expect(mayRepeat.has(rec.productId)).toBe(true);
        for (const reason of rec.because) expect(bought.has(reason)).toBe(true);
      }
    }
    expect(inGroup / customers.length).toBeGreaterThan(0.9);
  });

  it("pairs what is bought together and gives a new product neighbours of its own type", async () => {
    const { byExternal, byId } = await productIds();
    const together = await db.prisma.productRecommendation.findMany({
      where: { shopId, productId: byExternal.get("A1")!, kind: "BOUGHT_TOGETHER" },
      orderBy: { rank: "asc" },
    });
    expect(byId.get(together[0]!.recommendedProductId)).toBe("A2");
    const similar = await db.prisma.productRecommendation.findMany({
      where: { shopId, productId: byExternal.get("A99")!, kind: "SIMILAR" },
      orderBy: { rank: "asc" },
    });
    expect(similar.length).toBeGreaterThan(0);
    for (const row of similar) expect(groupOf(byId.get(row.recommendedProductId)!)).toBe("A");
  });

  it("replaces the whole set on a rerun: every row belongs to the newest run", async () => {
    await processRecommendationsJob("train-recommendations", { shopId }, { database: db, redis });
    const latest = await db.prisma.modelRun.findFirstOrThrow({
      where: { shopId, kind: "RECOMMENDATIONS" },
      orderBy: { id: "desc" },
    });
    const runs = await db.pool.query<{ run: number }>(
      `SELECT DISTINCT "modelRunId" AS run FROM "CustomerRecommendation" WHERE "shopId" = $1
       UNION SELECT DISTINCT "modelRunId" FROM "ProductRecommendation" WHERE "shopId" = $1
       UNION SELECT DISTINCT "modelRunId" FROM "PopularProduct" WHERE "shopId" = $1`,
      [shopId],
    );
    expect(runs.rows.map((r) => r.run)).toEqual([latest.id]);
  });

  it("waits (ShopBusyError) while the same shop is already training", async () => {
    const shop = await db.prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    const lock = `foresight:lock:train-recommendations:${shop.platform}:${shop.domain}`;
    await redis.set(lock, "someone-else", "PX", 60_000);
    try {
      await expect(
        processRecommendationsJob("train-recommendations", { shopId }, { database: db, redis }),
      ).rejects.toThrow(new ShopBusyError("this shop is already training"));
    } finally {
      await redis.del(lock);
    }
  });

  it("serves best sellers to a shop too small to judge models on, and says why", async () => {
    const tiny = (await createShop(db.prisma)).id;
    await ingestOrders(db.pool, tiny, [
      orderRecord("T1", {
        customer: "X",
        lines: [
          ["P1", 1, "3.00"],
          ["P2", 1, "3.00"],
        ],
      }),
      orderRecord("T2", { customer: "Y", lines: [["P2", 1, "3.00"]] }),
      orderRecord("T3", { customer: "Z", at: "2026-03-05T10:00:00Z", lines: [["P3", 1, "3.00"]] }),
    ]);
    await processRecommendationsJob("train-recommendations", { shopId: tiny }, { database: db, redis });
    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId: tiny, kind: "RECOMMENDATIONS" } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.metrics).toMatchObject({ served: "popularity", reason: expect.stringMatching(/customers to judge/) });
    const forY = await db.prisma.customerRecommendation.findMany({
      where: { shopId: tiny, customer: { externalId: "Y" } },
    });
    expect(forY.length).toBeGreaterThan(0);
  });
});
