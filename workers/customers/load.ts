/**
 * Reads what the customer models learn from: every non-cancelled, non-test order of the shop's
 * known customers as (customer, local day, net value), streamed out of Postgres with COPY into
 * typed arrays, plus each customer's product breadth at the two cutoffs the scoring needs.
 */
import { to as copyTo } from "pg-copy-streams";
import readline from "node:readline";
import type pg from "pg";

import { orderHistory, type OrderHistory } from "~/ml/churn/history";

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

const ORDER_FILTER = `o."shopId" = $SHOP AND o."customerId" IS NOT NULL AND o."cancelledAt" IS NULL AND NOT o."test"`;

/**
 * Net value = subtotal (lines after discounts, before shipping and tax) less refunds, floored
 * at zero: what the customer actually kept buying.
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
  const ids = float64Column();
  let previousId = -1;
  let lastOrderDay: number | null = null;
  const client = await pool.connect();
  try {
    const stream = client.query(
      copyTo(`COPY (
        SELECT o."customerId", o."localDate" - DATE '1970-01-01',
               GREATEST(o."subtotalPrice" - o."totalRefunded", 0)
        FROM "Order" o WHERE ${ORDER_FILTER.replace("$SHOP", String(shopId))}
        ORDER BY o."customerId"
      ) TO STDOUT`),
    );
    for await (const line of readline.createInterface({ input: stream, crlfDelay: Infinity })) {
      const tab1 = line.indexOf("\t");
      const tab2 = line.indexOf("\t", tab1 + 1);
      const id = Number(line.slice(0, tab1));
      const d = Number(line.slice(tab1 + 1, tab2));
      if (id !== previousId) {
        ids.push(id);
        previousId = id;
      }
      customer.push(ids.length - 1);
      day.push(d);
      value.push(Number(line.slice(tab2 + 1)));
      if (lastOrderDay === null || d > lastOrderDay) lastOrderDay = d;
    }
  } finally {
    client.release();
  }
  const customerIds = Int32Array.from(ids.toArray());
  return {
    history: orderHistory(customerIds.length, customer.toArray(), day.toArray(), value.toArray()),
    customerIds,
    today: rows[0].today,
    lastOrderDay,
    orders: customer.length,
  };
}

/**
 * Distinct products each customer bought before `backtestCutoff` and before `asOf`, aligned
 * with the history's customer indices. One aggregate query.
 */
export async function loadProductBreadth(
  pool: pg.Pool,
  shopId: number,
  customerIds: Int32Array,
  backtestCutoff: number,
  asOf: number,
): Promise<{ backtest: Float64Array; now: Float64Array }> {
  const { rows } = await pool.query<{ customerId: number; backtest: number; now: number }>(
    `SELECT o."customerId",
            count(DISTINCT l."productId") FILTER (WHERE o."localDate" < DATE '1970-01-01' + $2::int)::int AS backtest,
            count(DISTINCT l."productId") FILTER (WHERE o."localDate" < DATE '1970-01-01' + $3::int)::int AS now
     FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id" AND l."shopId" = o."shopId"
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
