/**
 * The order lines' link to their order, kept by statement-level triggers rather than a
 * per-row foreign key (migration 20261127180000, ADR 0014): the same guarantees, checked
 * against a real Postgres, including the two races a foreign key's row lock settles.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { upsertShop } from "~/ingest/shops.server";

import { createTestDatabase, type TestDatabase } from "./helpers/database";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

let shopCounter = 0;
async function shopWithOrder() {
  shopCounter += 1;
  const shop = await upsertShop(db.prisma, {
    platform: "SHOPIFY",
    domain: `lines-${shopCounter}.myshopify.com`,
    name: "Lines",
    timezone: "UTC",
    currency: "USD",
  });
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO "Order" ("shopId", "externalId", "name", "processedAt", "localDate", "currency", "subtotalPrice",
                          "totalPrice", "platformUpdatedAt")
     VALUES ($1, 'o-1', '#1', now(), current_date, 'USD', 10, 10, now()) RETURNING "id"`,
    [shop.id],
  );
  return { shopId: shop.id, orderId: rows[0]!.id };
}

const insertLine = (client: pg.Pool | pg.PoolClient, shopId: number, orderId: number, externalId = "l-1") =>
  client.query(
    `INSERT INTO "OrderLine" ("shopId", "orderId", "externalId", "title", "quantity", "unitPrice")
     VALUES ($1, $2, $3, 'Mug', 1, 10)`,
    [shopId, orderId, externalId],
  );

const linesOf = async (orderId: number) =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM "OrderLine" WHERE "orderId" = $1`, [orderId])).rows[0].n;

/** Resolves once the backend `pid` is waiting for a lock. */
const waitingForLock = (pid: number) =>
  vi.waitFor(async () => {
    const { rows } = await db.pool.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
    if (rows[0]?.wait_event_type !== "Lock") throw new Error(`backend ${pid} is not waiting for a lock`);
  });

async function connection() {
  const client = await db.pool.connect();
  const { rows } = await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
  return { client, pid: rows[0]!.pid };
}

describe("an order line's order", () => {
  it("must exist: a line naming no order is refused as a foreign-key violation", async () => {
    const { shopId, orderId } = await shopWithOrder();
    await expect(insertLine(db.pool, shopId, orderId + 1_000_000)).rejects.toMatchObject({ code: "23503" });
    expect(await linesOf(orderId + 1_000_000)).toBe(0);
  });

  it("must belong to the line's shop", async () => {
    const mine = await shopWithOrder();
    const theirs = await shopWithOrder();
    await expect(insertLine(db.pool, mine.shopId, theirs.orderId)).rejects.toMatchObject({ code: "23503" });
    // Moving a stored line to another shop's order is refused the same way.
    await insertLine(db.pool, mine.shopId, mine.orderId);
    await expect(
      db.pool.query(`UPDATE "OrderLine" SET "orderId" = $1 WHERE "orderId" = $2`, [theirs.orderId, mine.orderId]),
    ).rejects.toMatchObject({ code: "23503" });
    expect(await linesOf(mine.orderId)).toBe(1);
  });

  it("is checked for every line of a statement, not only the first", async () => {
    const { shopId, orderId } = await shopWithOrder();
    await expect(
      db.pool.query(
        `INSERT INTO "OrderLine" ("shopId", "orderId", "externalId", "title", "quantity", "unitPrice")
         SELECT $1, o, 'many-' || g, 'Mug', 1, 10
         FROM generate_series(1, 500) g, LATERAL (SELECT CASE WHEN g = 377 THEN -1 ELSE $2::int END AS o) x`,
        [shopId, orderId],
      ),
    ).rejects.toMatchObject({ code: "23503" });
    expect(await linesOf(orderId)).toBe(0);
  });

  it("takes its lines with it when deleted, alone or with its shop", async () => {
    const one = await shopWithOrder();
    const other = await shopWithOrder();
    for (const order of [one, other]) {
      await insertLine(db.pool, order.shopId, order.orderId, "a");
      await insertLine(db.pool, order.shopId, order.orderId, "b");
    }
    await db.pool.query(`DELETE FROM "Order" WHERE "id" = $1`, [one.orderId]);
    expect([await linesOf(one.orderId), await linesOf(other.orderId)]).toEqual([0, 2]);
    await db.prisma.shop.delete({ where: { id: other.shopId } }); // shop/redact: Shop cascades to Order
    expect(await linesOf(other.orderId)).toBe(0);
  });

  it("goes with its shop when refunds of its lines and products go too", async () => {
    const { shopId, orderId } = await shopWithOrder();
    const product = await db.prisma.product.create({ data: { shopId, externalId: "p-1", title: "Mug" } });
    await insertLine(db.pool, shopId, orderId);
    await db.pool.query(`UPDATE "OrderLine" SET "productId" = $1 WHERE "orderId" = $2`, [product.id, orderId]);
    const refund = await db.prisma.refund.create({
      data: {
        shopId,
        externalId: "r-1",
        orderId,
        processedAt: new Date(),
        localDate: new Date(),
        currency: "USD",
        totalAmount: "10",
        platformUpdatedAt: new Date(),
      },
    });
    await db.pool.query(
      `INSERT INTO "RefundLine" ("shopId", "refundId", "orderLineId", "productId", "title", "quantity", "amount")
       SELECT $1, $2, l."id", $3, 'Mug', 1, 10 FROM "OrderLine" l WHERE l."orderId" = $4`,
      [shopId, refund.id, product.id, orderId],
    );
    // shop/redact: the refund line is reached from its product, its order line and its refund.
    await db.prisma.shop.delete({ where: { id: shopId } });
    const left = await db.pool.query(
      `SELECT (SELECT count(*) FROM "OrderLine" WHERE "shopId" = $1)::int AS lines,
              (SELECT count(*) FROM "RefundLine" WHERE "shopId" = $1)::int AS "refundLines"`,
      [shopId],
    );
    expect(left.rows[0]).toEqual({ lines: 0, refundLines: 0 });
  });

  it("is not locked by an update that leaves a line's order as it was", async () => {
    // Such an update locking the order after its lines could deadlock with a delete of the
    // order, which locks the order and then its lines.
    const { shopId, orderId } = await shopWithOrder();
    await insertLine(db.pool, shopId, orderId);
    const updater = await connection();
    const other = await connection();
    try {
      await updater.client.query("BEGIN");
      await updater.client.query(`UPDATE "OrderLine" SET "title" = 'Cup' WHERE "orderId" = $1`, [orderId]);
      // FOR UPDATE conflicts with the FOR KEY SHARE a check takes: NOWAIT says at once.
      await other.client.query("BEGIN");
      await other.client.query(`SELECT 1 FROM "Order" WHERE "id" = $1 FOR UPDATE NOWAIT`, [orderId]);
      await other.client.query("ROLLBACK");
      // Moving a line to another order is still checked, and locks that order.
      const second = await db.pool.query<{ id: number }>(
        `INSERT INTO "Order" ("shopId", "externalId", "name", "processedAt", "localDate", "currency", "subtotalPrice",
                              "totalPrice", "platformUpdatedAt")
         VALUES ($1, 'o-2', '#2', now(), current_date, 'USD', 10, 10, now()) RETURNING "id"`,
        [shopId],
      );
      await updater.client.query(`UPDATE "OrderLine" SET "orderId" = $1 WHERE "orderId" = $2`, [
        second.rows[0]!.id,
        orderId,
      ]);
      await other.client.query("BEGIN");
      await expect(
        other.client.query(`SELECT 1 FROM "Order" WHERE "id" = $1 FOR UPDATE NOWAIT`, [second.rows[0]!.id]),
      ).rejects.toMatchObject({ code: "55P03" });
      await other.client.query("ROLLBACK");
      await updater.client.query("COMMIT");
    } finally {
      // Back to the pool outside any transaction, whatever failed above.
      for (const { client } of [updater, other]) {
        await client.query("ROLLBACK");
        client.release();
      }
    }
  });

  it("cannot be deleted from under a line being written: the delete waits, then takes the line", async () => {
    const { shopId, orderId } = await shopWithOrder();
    const writer = await connection();
    const deleter = await connection();
    try {
      await writer.client.query("BEGIN");
      await insertLine(writer.client, shopId, orderId);
      const deleted = deleter.client.query(`DELETE FROM "Order" WHERE "id" = $1`, [orderId]);
      await waitingForLock(deleter.pid);
      await writer.client.query("COMMIT");
      await deleted;
      expect(await linesOf(orderId)).toBe(0);
    } finally {
      writer.client.release();
      deleter.client.release();
    }
  });

  it("refuses a line whose order is deleted while the line waits for it", async () => {
    const { shopId, orderId } = await shopWithOrder();
    const deleter = await connection();
    const writer = await connection();
    try {
      await deleter.client.query("BEGIN");
      await deleter.client.query(`DELETE FROM "Order" WHERE "id" = $1`, [orderId]);
      const written = insertLine(writer.client, shopId, orderId).catch((error: unknown) => error);
      await waitingForLock(writer.pid);
      await deleter.client.query("COMMIT");
      expect(await written).toMatchObject({ code: "23503" });
      expect(await linesOf(orderId)).toBe(0);
    } finally {
      deleter.client.release();
      writer.client.release();
    }
  });
});
