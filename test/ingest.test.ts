import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ingestCustomers, ingestOrders, ingestProducts, ingestRefundLines, ingestRefunds } from "~/ingest/index.server";

import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { createShop, orderRecord } from "./helpers/factories";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function orderState(shopId: number, externalId: string) {
  return db.prisma.order.findUniqueOrThrow({
    where: { shopId_externalId: { shopId, externalId } },
    include: { lines: { orderBy: { externalId: "asc" } }, customer: true },
  });
}

describe("order ingest", () => {
  it("writes an order with its lines, links placeholders and fixes the shop-local day", async () => {
    const shop = await createShop(db.prisma, { timezone: "America/New_York" });
    // 02:30 UTC on 1 March is still 28 February in New York.
    const result = await ingestOrders(db.pool, shop.id, [
      orderRecord("1001", {
        at: "2026-03-01T02:30:00Z",
        lines: [
          ["P1", 2, "5.25"],
          ["P2", 1, "3.10"],
        ],
      }),
    ]);
    expect(result).toEqual({ written: 1, unchanged: 0, rejected: [] });
    const order = await orderState(shop.id, "1001");
    expect(order.localDate.toISOString().slice(0, 10)).toBe("2026-02-28");
    expect(order.totalPrice.toString()).toBe("13.6");
    expect(order.lines.map((line) => [line.sku, line.quantity, line.unitPrice.toString()])).toEqual([
      ["P1", 2, "5.25"],
      ["P2", 1, "3.1"],
    ]);
    expect(order.customer?.externalId).toBe("C1");
    expect(order.customer?.platformUpdatedAt).toBeNull(); // a placeholder until the customer arrives
    expect(order.lines.every((line) => line.productId !== null)).toBe(true);
  });

  it("re-ingesting the same records changes nothing", async () => {
    const shop = await createShop(db.prisma);
    const records = [orderRecord("2001"), orderRecord("2002", { customer: null })];
    await ingestOrders(db.pool, shop.id, records);
    const before = await db.prisma.order.findMany({
      where: { shopId: shop.id },
      include: { lines: true },
      orderBy: { id: "asc" },
    });
    const again = await ingestOrders(db.pool, shop.id, records);
    expect(again).toEqual({ written: 0, unchanged: 2, rejected: [] });
    const after = await db.prisma.order.findMany({
      where: { shopId: shop.id },
      include: { lines: true },
      orderBy: { id: "asc" },
    });
    expect(after).toEqual(before);
  });

  it("an older version never overwrites a newer one, in whatever order they arrive", async () => {
    const shop = await createShop(db.prisma);
    const older = orderRecord("3001", { updatedAt: "2026-03-02T10:00:00Z", lines: [["P1", 1, "10.00"]] });
    const newer = orderRecord("3001", {
      updatedAt: "2026-03-02T11:00:00Z",
      lines: [
        ["P1", 3, "10.00"],
        ["P9", 1, "4.00"],
      ],
    });
    await ingestOrders(db.pool, shop.id, [newer]);
    const late = await ingestOrders(db.pool, shop.id, [older]);
    expect(late.written).toBe(0);
    const order = await orderState(shop.id, "3001");
    expect(order.totalPrice.toString()).toBe("34");
    expect(order.lines.map((line) => [line.sku, line.quantity])).toEqual([
      ["P1", 3],
      ["P9", 1],
    ]);

    // Within one batch too: the newest of duplicates wins.
    const shop2 = await createShop(db.prisma);
    await ingestOrders(db.pool, shop2.id, [newer, older]);
    expect((await orderState(shop2.id, "3001")).totalPrice.toString()).toBe("34");
  });

  it("a newer version replaces lines, keeping the ids of lines that survive", async () => {
    const shop = await createShop(db.prisma);
    await ingestOrders(db.pool, shop.id, [
      orderRecord("4001", {
        updatedAt: "2026-03-02T10:00:00Z",
        lines: [
          ["P1", 1, "1.00"],
          ["P2", 1, "2.00"],
        ],
      }),
    ]);
    const first = await orderState(shop.id, "4001");
    await ingestOrders(db.pool, shop.id, [
      orderRecord("4001", { updatedAt: "2026-03-02T12:00:00Z", lines: [["P1", 5, "1.00"]] }),
    ]);
    const second = await orderState(shop.id, "4001");
    expect(second.lines).toHaveLength(1);
    expect(second.lines[0]!.id).toBe(first.lines[0]!.id);
    expect(second.lines[0]!.quantity).toBe(5);
  });

  it("rejects a malformed record with a reason and still writes the valid ones", async () => {
    const shop = await createShop(db.prisma);
    const bad = { ...orderRecord("5002"), totalPrice: "12,50", currency: "pounds" };
    const result = await ingestOrders(db.pool, shop.id, [orderRecord("5001"), bad]);
    expect(result.written).toBe(1);
    expect(result.rejected).toEqual([
      {
        externalId: "5002",
        reasons: expect.arrayContaining([
          expect.stringContaining("totalPrice"),
          expect.stringContaining("currency: must be an ISO 4217 code"),
        ]),
      },
    ]);
    expect(await db.prisma.order.count({ where: { shopId: shop.id } })).toBe(1);
  });

  it("a failing batch writes nothing at all", async () => {
    const shop = await createShop(db.prisma);
    await ingestOrders(db.pool, shop.id, [orderRecord("6001")]);
    const before = await db.prisma.orderLine.count({ where: { shopId: shop.id } });
    // A quantity beyond int4 passes validation as a JS integer but fails in Postgres.
    const failing = orderRecord("6002", { lines: [["P1", 3_000_000_000, "1.00"]] });
    await expect(ingestOrders(db.pool, shop.id, [orderRecord("6003"), failing])).rejects.toThrow();
    expect(await db.prisma.order.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await db.prisma.orderLine.count({ where: { shopId: shop.id } })).toBe(before);
  });
});

describe("customer and product ingest", () => {
  it("fills a placeholder, then ignores an older version of the customer", async () => {
    const shop = await createShop(db.prisma);
    await ingestOrders(db.pool, shop.id, [orderRecord("7001", { customer: "C77" })]);
    const newer = { externalId: "C77", email: "Ann@Example.com", firstName: "Ann", updatedAt: "2026-03-05T00:00:00Z" };
    const older = { externalId: "C77", email: "old@example.com", firstName: "Old", updatedAt: "2026-03-01T00:00:00Z" };
    expect((await ingestCustomers(db.pool, shop.id, [newer])).written).toBe(1);
    expect((await ingestCustomers(db.pool, shop.id, [older])).written).toBe(0);
    const customer = await db.prisma.customer.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: "C77" } },
      include: { orders: true },
    });
    expect(customer.email).toBe("ann@example.com");
    expect(customer.orders).toHaveLength(1);
  });

  it("replaces a product's variants and keeps deleted products for history", async () => {
    const shop = await createShop(db.prisma);
    const base = { externalId: "P1", title: "Mug", updatedAt: "2026-03-01T00:00:00Z" };
    await ingestProducts(db.pool, shop.id, [
      {
        ...base,
        variants: [
          { externalId: "V1", price: "9.50" },
          { externalId: "V2", price: "11.00" },
        ],
      },
    ]);
    const sold = orderRecord("7501", { lines: [["P1", 1, "9.50"]] });
    await ingestOrders(db.pool, shop.id, [
      { ...sold, lines: sold.lines.map((l) => ({ ...l, variantExternalId: "V1" })) },
    ]);
    await ingestProducts(db.pool, shop.id, [
      { ...base, updatedAt: "2026-03-02T00:00:00Z", variants: [{ externalId: "V2", price: "12.00" }] },
    ]);
    const variants = await db.prisma.productVariant.findMany({ where: { shopId: shop.id } });
    expect(variants.map((v) => [v.externalId, v.price?.toString()])).toEqual([["V2", "12"]]);
    // The line that sold the removed variant keeps its product and loses only the variant.
    const line = await db.prisma.orderLine.findFirstOrThrow({ where: { shopId: shop.id, externalId: "7501-L1" } });
    expect([line.productId, line.variantId]).toEqual([variants[0]!.productId, null]);
    await ingestProducts(db.pool, shop.id, [{ ...base, updatedAt: "2026-03-03T00:00:00Z", deleted: true }]);
    const product = await db.prisma.product.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(product.deletedAt?.toISOString()).toBe("2026-03-03T00:00:00.000Z");
  });

  it("links refund lines to the order lines they name", async () => {
    const shop = await createShop(db.prisma);
    await ingestOrders(db.pool, shop.id, [orderRecord("8001", { lines: [["P1", 2, "10.00"]] })]);
    await ingestRefunds(db.pool, shop.id, [
      {
        externalId: "R1",
        orderExternalId: "8001",
        processedAt: "2026-03-03T00:00:00Z",
        currency: "USD",
        totalAmount: "10.00",
        lines: [{ orderLineExternalId: "8001-L1", productExternalId: "P1", quantity: 1, amount: "10.00" }],
        updatedAt: "2026-03-03T00:00:00Z",
      },
    ]);
    const refund = await db.prisma.refund.findFirstOrThrow({
      where: { shopId: shop.id },
      include: { lines: true, order: true },
    });
    expect(refund.order?.externalId).toBe("8001");
    expect(refund.lines[0]!.orderLineId).not.toBeNull();
  });

  it("completes a refund stored without lines, and gives one with an invalid line none, saying why", async () => {
    const shop = await createShop(db.prisma);
    await ingestOrders(db.pool, shop.id, [orderRecord("8003", { lines: [["P1", 3, "4.00"]] })]);
    const pending = (externalId: string) => ({
      externalId,
      orderExternalId: "8003",
      processedAt: "2026-03-03T00:00:00Z",
      currency: "USD",
      totalAmount: "4.00",
      lines: [],
      linesPending: true,
      updatedAt: "2026-03-03T00:00:00Z",
    });
    await ingestRefunds(db.pool, shop.id, [pending("R3"), pending("R4")]);
    const result = await ingestRefundLines(db.pool, shop.id, [
      { refundExternalId: "R3", lines: [{ orderLineExternalId: "8003-L1", quantity: 1, amount: "4.00" }] },
      { refundExternalId: "R4", lines: [{ orderLineExternalId: "8003-L1", quantity: -1, amount: "4.00" }] },
    ]);
    expect(result.completed).toBe(2);
    expect(result.rejected).toEqual([{ externalId: "R4", reasons: [expect.stringMatching(/^line: quantity: /)] }]);
    const refunds = await db.prisma.refund.findMany({
      where: { shopId: shop.id },
      include: { lines: true },
      orderBy: { externalId: "asc" },
    });
    expect(refunds.map((r) => [r.externalId, r.linesPending, r.lines.length])).toEqual([
      ["R3", false, 1],
      ["R4", false, 0],
    ]);
    expect(refunds[0]!.lines[0]!.orderLineId).not.toBeNull();
  });

  it("links a refund that arrived before its order to the order's lines when the order comes", async () => {
    const shop = await createShop(db.prisma);
    // refunds/create ahead of orders/create (webhooks are unordered); the line names no product.
    await ingestRefunds(db.pool, shop.id, [
      {
        externalId: "R2",
        orderExternalId: "8002",
        processedAt: "2026-03-03T00:00:00Z",
        currency: "USD",
        totalAmount: "10.00",
        lines: [{ orderLineExternalId: "8002-L2", quantity: 1, amount: "10.00" }],
        updatedAt: "2026-03-03T00:00:00Z",
      },
    ]);
    const before = await db.prisma.refundLine.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(before).toMatchObject({ orderLineId: null, productId: null, orderLineExternalId: "8002-L2" });
    await ingestOrders(db.pool, shop.id, [
      orderRecord("8002", {
        lines: [
          ["P1", 1, "5.00"],
          ["P2", 1, "10.00"],
        ],
      }),
    ]);
    const after = await db.prisma.refundLine.findFirstOrThrow({
      where: { shopId: shop.id },
      include: { orderLine: true, product: true },
    });
    expect(after.orderLine?.externalId).toBe("8002-L2");
    expect(after.product?.externalId).toBe("P2"); // taken from the order line it reverses
  });
});

describe("shop isolation", () => {
  it("the same external ids in two shops are two separate rows, and one shop's ingest never touches the other's", async () => {
    const shopA = await createShop(db.prisma);
    const shopB = await createShop(db.prisma);
    await ingestOrders(db.pool, shopA.id, [orderRecord("9001", { lines: [["P1", 1, "10.00"]] })]);
    await ingestOrders(db.pool, shopB.id, [
      orderRecord("9001", { updatedAt: "2027-01-01T00:00:00Z", lines: [["P1", 7, "99.00"]] }),
    ]);
    const a = await orderState(shopA.id, "9001");
    const b = await orderState(shopB.id, "9001");
    expect(a.id).not.toBe(b.id);
    expect(a.totalPrice.toString()).toBe("10");
    expect(b.totalPrice.toString()).toBe("693");
    expect(a.lines[0]!.productId).not.toBe(b.lines[0]!.productId);
    expect(a.customerId).not.toBe(b.customerId);
  });

  it("the database itself refuses a line filed under another shop than its order", async () => {
    const shopA = await createShop(db.prisma);
    const shopB = await createShop(db.prisma);
    await ingestOrders(db.pool, shopA.id, [orderRecord("9101")]);
    const order = await orderState(shopA.id, "9101");
    await expect(
      db.pool.query(
        `INSERT INTO "OrderLine" ("shopId", "orderId", "externalId", "title", "quantity", "unitPrice")
         VALUES ($1, $2, 'stray', 'stray', 1, 1)`,
        [shopB.id, order.id],
      ),
    ).rejects.toMatchObject({ code: "23503", message: expect.stringMatching(/does not exist in its shop/) });
  });
});
