/**
 * Reads what a shop's recommenders learn from, straight into typed arrays: purchase events
 * stream out of Postgres with COPY (no ORM objects, no row-per-object arrays), and the
 * catalogue comes with the flags that decide what may be recommended.
 */
import { to as copyTo } from "pg-copy-streams";
import readline from "node:readline";
import type pg from "pg";

import type { PurchaseEvents } from "~/ml/recommend/interactions";

import { int32Column } from "../growable-column";

export interface Catalogue {
  /** Product database id per item index. */
  productIds: Int32Array;
  /** 1 where the product may be shown: active, not deleted, recommendable, in stock if tracked. */
  available: Uint8Array;
  /** Group ids per item (-1 = none), for cold-start neighbours. */
  productType: Int32Array;
  vendor: Int32Array;
  indexOf: Map<number, number>;
}

export interface ShopPurchases extends PurchaseEvents {
  /** Dense order index per event (guest orders included). */
  order: Int32Array;
  orders: number;
  /** Customer database id per user index. */
  customerIds: Int32Array;
  /** Latest day with a purchase, or null for a shop without sales. */
  lastDay: number | null;
  firstDay: number | null;
}

export async function loadCatalogue(pool: pg.Pool, shopId: number): Promise<Catalogue> {
  const { rows } = await pool.query<{
    id: number;
    available: boolean;
    productType: string | null;
    vendor: string | null;
  }>(
    `SELECT "id",
            ("status" = 'ACTIVE' AND "deletedAt" IS NULL AND "recommendable"
             AND ("totalInventory" IS NULL OR "totalInventory" > 0)) AS available,
            lower(nullif(trim("productType"), '')) AS "productType",
            lower(nullif(trim("vendor"), '')) AS "vendor"
     FROM "Product" WHERE "shopId" = $1 ORDER BY "id"`,
    [shopId],
  );
  const groupIds = () => {
    const ids = new Map<string, number>();
    return (name: string | null) => {
      if (name === null) return -1;
      let id = ids.get(name);
      if (id === undefined) ids.set(name, (id = ids.size));
      return id;
    };
  };
  const typeId = groupIds();
  const vendorId = groupIds();
  return {
    productIds: Int32Array.from(rows, (row) => row.id),
    available: Uint8Array.from(rows, (row) => (row.available ? 1 : 0)),
    productType: Int32Array.from(rows, (row) => typeId(row.productType)),
    vendor: Int32Array.from(rows, (row) => vendorId(row.vendor)),
    indexOf: new Map(rows.map((row, index) => [row.id, index])),
  };
}

/**
 * One event per product per order: paid or pending orders that were not cancelled and are
 * not test orders, product lines only. Ordered by order so order indices come out dense.
 */
export async function loadPurchases(pool: pg.Pool, shopId: number, catalogue: Catalogue): Promise<ShopPurchases> {
  if (!Number.isSafeInteger(shopId)) throw new Error("shopId must be an integer"); // it is inlined: COPY takes no parameters
  const client = await pool.connect();
  const order = int32Column();
  const user = int32Column();
  const item = int32Column();
  const day = int32Column();
  const customerIndex = new Map<number, number>();
  const customerIds = int32Column();
  let orders = 0;
  let previousOrder = -1;
  try {
    const stream = client.query(
      copyTo(`COPY (
        SELECT o."id", COALESCE(o."customerId", 0), l."productId", (o."localDate" - DATE '1970-01-01')
        FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id" AND l."shopId" = o."shopId"
        WHERE o."shopId" = ${shopId} AND o."cancelledAt" IS NULL AND NOT o."test"
          AND l."kind" = 'PRODUCT' AND l."productId" IS NOT NULL AND l."quantity" > 0
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 3
      ) TO STDOUT`),
    );
    for await (const line of readline.createInterface({ input: stream, crlfDelay: Infinity })) {
      const [orderId, customerId, productId, dayNumber] = line.split("\t").map(Number) as [
        number,
        number,
        number,
        number,
      ];
      const itemIndex = catalogue.indexOf.get(productId);
      if (itemIndex === undefined) continue; // a product created after the catalogue was read
      if (orderId !== previousOrder) {
        previousOrder = orderId;
        orders++;
      }
      let userIndex = -1;
      if (customerId !== 0) {
        userIndex = customerIndex.get(customerId) ?? -1;
        if (userIndex < 0) {
          userIndex = customerIndex.size;
          customerIndex.set(customerId, userIndex);
          customerIds.push(customerId);
        }
      }
      order.push(orders - 1);
      user.push(userIndex);
      item.push(itemIndex);
      day.push(dayNumber);
    }
  } finally {
    client.release();
  }
  const days = day.toArray();
  let firstDay: number | null = null;
  let lastDay: number | null = null;
  for (const d of days) {
    if (firstDay === null || d < firstDay) firstDay = d;
    if (lastDay === null || d > lastDay) lastDay = d;
  }
  return {
    order: order.toArray(),
    orders,
    user: user.toArray(),
    item: item.toArray(),
    day: days,
    customerIds: customerIds.toArray(),
    firstDay,
    lastDay,
  };
}
