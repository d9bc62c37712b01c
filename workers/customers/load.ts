/**
 * Reads what the customer models learn from: every non-test order of the shop's known customers
 * as (customer, local day, value, the day it was cancelled if it was), and every refund of
 * those orders, streamed out of Postgres into typed arrays; plus each customer's product
 * breadth at the two cutoffs the scoring needs. Cancellations and refunds carry their own days,
 * so a backtest sees them only once they had happened (history.ts).
 */
import { to as copyTo } from "pg-copy-streams";
import readline from "node:readline";
import type pg from "pg";

import { NEVER, orderHistory, type OrderHistory } from "~/ml/churn/history";

import { float64Column } from "../growable-column";

export interface ShopOrderHistory {
  history: OrderHistory;
  /** Customer database id per customer index. */
  customerIds: Int32Array;
  /** The shop's local today as a day number, and its latest order day (null without orders). */
  today: number;
  lastOrderDay: number | null;
  orders: number;
}

const ORDER_FILTER = `o."shopId" = $SHOP AND o."customerId" IS NOT NULL AND NOT o."test"`;
/** The shop-local day an order was cancelled, or NEVER. Needs "Shop" s joined. */
const CANCELLED_DAY = `COALESCE(((o."cancelledAt" AT TIME ZONE s."timezone")::date - DATE '1970-01-01'), ${NEVER})`;

/**
 * An order's value is its subtotal (lines after discounts, before shipping and tax); refunds
 * come off it from the day they were made, floored at zero: what the customer kept buying.
 */
export async function loadOrderHistory(pool: pg.Pool, shopId: number): Promise<ShopOrderHistory> {
  if (!Number.isSafeInteger(shopId)) throw new Error("shopId must be an integer"); // inlined: COPY takes no parameters
  const { rows } = await pool.query<{ today: number }>(
    `SELECT ((now() AT TIME ZONE "timezone")::date - DATE '1970-01-01') AS today FROM "Shop" WHERE "id" = $1`,
    [shopId],
  );
  if (!rows[0]) throw new Error(`shop ${shopId} does not exist`);
  const customer = float64Column();
  const day = float64Column();
  const value = float64Column();
  const cancelledDay = float64Column();
  const ids = float64Column();
  const orderIndex = new Map<number, number>();
  let previousId = -1;
  let lastOrderDay: number | null = null;
  const client = await pool.connect();
  try {
    const stream = client.query(
      copyTo(`COPY (
        SELECT o."id", o."customerId", o."localDate" - DATE '1970-01-01', o."subtotalPrice", ${CANCELLED_DAY}
        FROM "Order" o JOIN "Shop" s ON s."id" = o."shopId"
        WHERE ${ORDER_FILTER.replace("$SHOP", String(shopId))}
        ORDER BY o."customerId"
      ) TO STDOUT`),
    );
    for await (const line of readline.createInterface({ input: stream, crlfDelay: Infinity })) {
      const [orderId, customerId, orderDay, subtotal, cancelled] = line.split("\t").map(Number) as [
        number,
        number,
        number,
        number,
        number,
      ];
      if (customerId !== previousId) {
        ids.push(customerId);
        previousId = customerId;
      }
      orderIndex.set(orderId, customer.length);
      customer.push(ids.length - 1);
      day.push(orderDay);
      value.push(subtotal);
      cancelledDay.push(cancelled);
      if (cancelled === NEVER && (lastOrderDay === null || orderDay > lastOrderDay)) lastOrderDay = orderDay;
    }
  } finally {
    client.release();
  }
  const refunds = await pool.query<{ orderId: number; day: number; amount: number }>(
    `SELECT r."orderId", r."localDate" - DATE '1970-01-01' AS day, r."totalAmount"::float8 AS amount
     FROM "Refund" r WHERE r."shopId" = $1 AND r."orderId" IS NOT NULL`,
    [shopId],
  );
  // Refunds of orders outside the history (guests, test orders, orders placed since) are left out.
  const known = refunds.rows.filter((refund) => orderIndex.has(refund.orderId));
  const customerIds = Int32Array.from(ids.toArray());
  return {
    history: orderHistory(customerIds.length, customer.toArray(), day.toArray(), value.toArray(), {
      cancelledDay: cancelledDay.toArray(),
      refunds: {
        order: known.map((refund) => orderIndex.get(refund.orderId)!),
        day: known.map((refund) => refund.day),
        amount: known.map((refund) => refund.amount),
      },
    }),
    customerIds,
    today: rows[0].today,
    lastOrderDay,
    orders: customer.length,
  };
}

/**
 * Distinct products each customer bought before `backtestCutoff` and before `asOf`, counting
 * only orders not yet cancelled at each cutoff, aligned with the history's customer indices.
 * One aggregate query.
 */
export async function loadProductBreadth(
  pool: pg.Pool,
  shopId: number,
  customerIds: Int32Array,
  backtestCutoff: number,
  asOf: number,
): Promise<{ backtest: Float64Array; now: Float64Array }> {
  const standingBefore = (cutoff: string) =>
    `o."localDate" < DATE '1970-01-01' + ${cutoff}::int AND ${CANCELLED_DAY} >= ${cutoff}::int`;
  const { rows } = await pool.query<{ customerId: number; backtest: number; now: number }>(
    `SELECT o."customerId",
            count(DISTINCT l."productId") FILTER (WHERE ${standingBefore("$2")})::int AS backtest,
            count(DISTINCT l."productId") FILTER (WHERE ${standingBefore("$3")})::int AS now
     FROM "Order" o JOIN "Shop" s ON s."id" = o."shopId"
     JOIN "OrderLine" l ON l."orderId" = o."id" AND l."shopId" = o."shopId"
     WHERE ${ORDER_FILTER.replace("$SHOP", "$1")} AND l."kind" = 'PRODUCT' AND l."productId" IS NOT NULL
     GROUP BY o."customerId"`,
    [shopId, backtestCutoff, asOf],
  );
  const index = new Map<number, number>();
  customerIds.forEach((id, i) => index.set(id, i));
  const backtest = new Float64Array(customerIds.length);
  const now = new Float64Array(customerIds.length);
  for (const row of rows) {
    const i = index.get(row.customerId);
    if (i === undefined) continue; // a customer whose first order arrived after the history was read
    backtest[i] = row.backtest;
    now[i] = row.now;
  }
  return { backtest, now };
}
