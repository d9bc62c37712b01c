/**
 * A synthetic shop for the customer-scoring benchmark, drawn from the very processes the
 * models assume, so fit times are those of realistic data and not of noise: customers arrive
 * uniformly over two years; each buys as a Poisson process with a gamma-distributed rate and
 * drops out after each repeat purchase with a beta-distributed probability (BG/NBD, in days);
 * order values follow the Gamma-Gamma model; each order has 1-3 lines of Zipf-popular products.
 * The orders are thinned at random to exactly the requested count (a thinned Poisson process
 * is still Poisson, so the shape survives). Fixed seed: the same shop every time.
 */
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type pg from "pg";

import { betaFrom, gammaFrom, seededRandom } from "~/ml/random";
import { dayNumberToIso } from "~/lib/local-time";

export interface SyntheticCustomerShop {
  customers: number;
  orders: number;
  products: number;
  /** Days of history; the last day is day `days - 1` counted from the first. */
  days: number;
  seed: number;
}

/** Rates per day. 100,000 customers over two years buy 1,092,768 orders (seed 20261127) before thinning. */
const PURCHASE = { r: 0.9, alpha: 18, a: 0.6, b: 8 };
const SPEND = { p: 6, q: 4, gamma: 15 };
const FIRST_DAY = 19_000; // 2022-01-08: any fixed day works

export interface SyntheticOrders {
  customer: Int32Array;
  day: Int32Array;
  value: Float64Array;
}

export function simulateCustomerOrders(shop: SyntheticCustomerShop): SyntheticOrders {
  const random = seededRandom(shop.seed);
  const gamma = gammaFrom(random);
  const beta = betaFrom(random);
  const customer: number[] = [];
  const day: number[] = [];
  const value: number[] = [];
  for (let c = 0; c < shop.customers; c++) {
    const birth = random() * shop.days;
    const rate = gamma(PURCHASE.r) / PURCHASE.alpha;
    const dropout = beta(PURCHASE.a, PURCHASE.b);
    // Gamma-Gamma: a customer's spend rate nu ~ Gamma(q, gamma); each order's value ~ Gamma(p, nu).
    const nu = gamma(SPEND.q) / SPEND.gamma;
    let t = birth;
    for (let purchase = 0; t < shop.days; purchase++) {
      customer.push(c);
      day.push(FIRST_DAY + Math.floor(t));
      value.push(Math.round((gamma(SPEND.p) / nu) * 100) / 100);
      if (purchase > 0 && random() < dropout) break;
      t += -Math.log(1 - random()) / rate;
    }
  }
  // Thin to the requested count: drop uniformly chosen repeat orders (first orders stay, so
  // every customer keeps a history).
  const n = customer.length;
  const keep = new Uint8Array(n).fill(1);
  const repeats: number[] = [];
  for (let i = 0; i < n; i++) if (i > 0 && customer[i - 1] === customer[i]) repeats.push(i);
  let excess = n - shop.orders;
  if (excess < 0) throw new Error(`the process produced ${n} orders, fewer than the ${shop.orders} asked for`);
  for (let k = repeats.length - 1; k > 0 && excess > 0; k--) {
    // Partial Fisher-Yates: the last `excess` slots end up a uniform sample.
    const j = Math.floor(random() * (k + 1));
    [repeats[k], repeats[j]] = [repeats[j]!, repeats[k]!];
    keep[repeats[k]!] = 0;
    excess--;
  }
  const kept = (source: number[]) => source.filter((_, i) => keep[i]);
  return {
    customer: Int32Array.from(kept(customer)),
    day: Int32Array.from(kept(day)),
    value: Float64Array.from(kept(value)),
  };
}

async function copyRows(client: pg.PoolClient, sql: string, rows: Iterable<string>) {
  await pipeline(Readable.from(rows), client.query(copyFrom(sql)));
}

/** Row ids of a shop's rows of `table`, in insertion (id) order. */
async function idsOf(client: pg.PoolClient, table: string, shopId: number): Promise<Int32Array> {
  const { rows } = await client.query<{ id: number }>(`SELECT "id" FROM "${table}" WHERE "shopId" = $1 ORDER BY "id"`, [
    shopId,
  ]);
  return Int32Array.from(rows, (row) => row.id);
}

/**
 * Writes the shop's customers, products, orders and lines (COPY for the big tables). Works
 * next to other shops in the same database: rows are matched back to their ids after insert.
 */
export async function loadSyntheticCustomerShop(
  pool: pg.Pool,
  shopId: number,
  shop: SyntheticCustomerShop,
): Promise<{ orders: number; lines: number; lastDay: number; customerIds: Int32Array }> {
  const orders = simulateCustomerOrders(shop);
  const random = seededRandom(shop.seed + 1);
  const client = await pool.connect();
  let lines = 0;
  try {
    await client.query(
      `INSERT INTO "Customer" ("shopId", "externalId")
       SELECT $1, 'C' || g FROM generate_series(1, $2::int) g ORDER BY g`,
      [shopId, shop.customers],
    );
    await client.query(
      `INSERT INTO "Product" ("shopId", "externalId", "title")
       SELECT $1, 'P' || g, 'Product ' || g FROM generate_series(1, $2::int) g ORDER BY g`,
      [shopId, shop.products],
    );
    const customerIds = await idsOf(client, "Customer", shopId);
    const productIds = await idsOf(client, "Product", shopId);
    await copyRows(
      client,
      `COPY "Order" ("shopId", "externalId", "name", "customerId", "processedAt", "localDate", "currency",
        "subtotalPrice", "totalPrice", "platformUpdatedAt") FROM STDIN`,
      (function* () {
        for (let i = 0; i < orders.customer.length; i++) {
          const day = dayNumberToIso(orders.day[i]!);
          const amount = orders.value[i]!.toFixed(2);
          yield `${shopId}\tO${i + 1}\t#${i + 1}\t${customerIds[orders.customer[i]!]}\t${day} 12:00:00+00\t${day}\tUSD\t${amount}\t${amount}\t${day} 12:00:00+00\n`;
        }
      })(),
    );
    // One COPY inserts in stream order, so ids come out in the same order as the rows.
    const orderIds = await idsOf(client, "Order", shopId);
    await copyRows(
      client,
      `COPY "OrderLine" ("shopId", "orderId", "externalId", "productId", "title", "quantity", "unitPrice") FROM STDIN`,
      (function* () {
        for (let i = 0; i < orders.customer.length; i++) {
          const count = 1 + Math.floor(random() * 3);
          for (let l = 0; l < count; l++) {
            // Zipf-like popularity: product k is drawn with probability about proportional to 1 / k.
            const k = Math.min(shop.products, Math.floor(Math.exp(random() * Math.log(shop.products + 1))));
            lines++;
            yield `${shopId}\t${orderIds[i]}\tL${i + 1}-${l}\t${productIds[k - 1]}\tProduct ${k}\t1\t${(orders.value[i]! / count).toFixed(2)}\n`;
          }
        }
      })(),
    );
    await client.query(`ANALYZE "Customer", "Product", "Order", "OrderLine"`);
    return { orders: orders.customer.length, lines, lastDay: FIRST_DAY + shop.days - 1, customerIds };
  } finally {
    client.release();
  }
}
