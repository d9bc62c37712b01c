/**
 * The orders of a first backfill that need nothing from the merge, copied straight into
 * "Order" and "OrderLine" (ADR 0015). Staging and merging cost Postgres more than the rows
 * themselves: the typed staging alone is about 17 CPU-s per million orders, and the merge's
 * upserts more again. Most orders of a first backfill are simply new, so those go here, and
 * everything else still goes through staging and the shared upserts (order-merge.server.ts).
 *
 * An order is taken when its customer, products and variants are ids we already hold (the
 * maps read once before the orders), and it has no refunds (they ride on staged rows). Each
 * segment is written in one transaction holding the shop's writers' lock, as every order
 * write does. The transaction first sets aside the orders that cannot simply be inserted:
 * - stored already (a webhook was first);
 * - deleted at Shopify (DeletedOrder);
 * - naming a customer erased since the map was read.
 * Those go through ingestOrders, the shared upsert with its guards, once the copy has
 * committed. Order ids are reserved from the sequence, so lines are copied with them in the
 * same transaction. Orders stored already are first found by the copy itself failing on the
 * unique key: the segment is then checked for them and copied again.
 *
 * Two connections take turns, so Postgres writes one segment while the download is parsed
 * into the next. Orders are encoded as COPY text as they are added, with order ids reserved
 * from the sequence a segment at a time, so no order object outlives its line of the file.
 * On 200,000 orders, holding the order objects until their segment was written took peak
 * memory to 518 MB and Node to 11.1 CPU-s; keeping each order's JSONL text instead kept the
 * download's chunks alive (511-539 MB); as COPY text, 410-433 MB and 9.4 CPU-s. An order set
 * aside is read back from its own COPY text (setAsideRecords).
 */
import type pg from "pg";

import { ingestOrders } from "~/ingest/orders.server";
import type { ValidOrder } from "~/ingest/records";
import { lockCustomerWrites } from "~/ingest/redactions.server";
import { CopyWriter, copyValue, uncopyValue } from "~/lib/copy-writer.server";

import type { CatalogIds } from "./catalog-ids.server";
import { localDates } from "./local-dates";

const ORDER_COLUMNS = `"id", "shopId", "externalId", "name", "customerId", "processedAt", "localDate",
  "financialStatus", "cancelledAt", "cancelReason", "currency", "subtotalPrice", "totalDiscounts", "totalShipping",
  "totalTax", "totalPrice", "totalRefunded", "test", "platformCreatedAt", "platformUpdatedAt"`;
const LINE_COLUMNS = `"shopId", "orderId", "externalId", "kind", "productId", "variantId", "sku", "title", "quantity",
  "unitPrice", "totalDiscount"`;

/** Unique key or foreign key: something changed between the check and the copy. */
const RACED = new Set(["23505", "23503"]);
const MAX_ATTEMPTS = 3;

export interface DirectOrdersOptions {
  pool: pg.Pool;
  shopId: number;
  /** The shop's IANA time zone, for each order's local calendar day. */
  timezone: string;
  catalog: CatalogIds;
  /** Our customer ids by Shopify's (idsByShopifyId); an order naming another is staged. */
  customers: Map<string, number>;
  /** Orders per segment (and transaction); 5,000 by default. */
  segmentOrders?: number;
  /** Told the number of orders of each segment once it is stored (copied or upserted). */
  onStored?: (orders: number) => void | Promise<void>;
}

/** An order encoded for COPY, with what the checks before the copy need to know of it. */
export interface EncodedOrder {
  externalId: string;
  customerExternalId: string | null;
  /** Its row of "Order" and its rows of "OrderLine", as COPY text. */
  rows: string;
  lines: string;
}

export class DirectOrders {
  private segment: EncodedOrder[] = [];
  private ids: number[] = [];
  private readonly turns: Promise<void>[] = [];
  private turn = 0;
  private readonly localDate: (at: Date) => string;

  constructor(private readonly options: DirectOrdersOptions) {
    this.localDate = localDates(options.timezone);
  }

  private get segmentOrders(): number {
    return this.options.segmentOrders ?? 5000;
  }

  /**
   * Takes `order` if it can be copied as it is: it has no refunds and every id it names is
   * one we hold. Returns false otherwise (the caller stages it). Waits only when both
   * connections are busy.
   */
  async offer(order: ValidOrder, refunds: number): Promise<boolean> {
    if (refunds > 0) return false;
    const { customers } = this.options;
    const customer = order.customerExternalId === null ? null : customers.get(order.customerExternalId);
    if (customer === undefined) return false;
    if (this.ids.length === 0) this.ids = await this.reserveIds();
    const encoded = this.encode(order, this.ids[this.segment.length]!, customer);
    if (!encoded) return false;
    this.segment.push(encoded);
    if (this.segment.length >= this.segmentOrders) await this.flush();
    return true;
  }

  /** Writes what is left and waits for every segment. */
  async finish(): Promise<void> {
    if (this.segment.length > 0) await this.flush();
    await Promise.all(this.turns);
  }

  /** Waits for the segments in flight without writing more (after a failure elsewhere). */
  async abandon(): Promise<void> {
    this.segment = [];
    await Promise.allSettled(this.turns);
  }

  /** A segment's order ids. Those of orders set aside, or past a short last segment, stay unused. */
  private async reserveIds(): Promise<number[]> {
    // The sequence is named in the text, so it is looked up once, not once per id; one array
    // comes back rather than a row per id.
    const { rows } = await this.options.pool.query<{ ids: number[] }>(
      `SELECT array_agg(nextval('"Order_id_seq"')::int) AS ids FROM generate_series(1, $1)`,
      [this.segmentOrders],
    );
    return rows[0]!.ids;
  }

  /** The order as COPY text, or null if a product or variant it names is not one we hold. */
  private encode(order: ValidOrder, id: number, customer: number | null): EncodedOrder | null {
    const { shopId, catalog } = this.options;
    const [shop, orderId] = [String(shopId), String(id)];
    const lines: string[] = [];
    for (const line of order.lines) {
      const product = catalog.product(line.productExternalId);
      const variant = catalog.variant(line.variantExternalId);
      if (
        (product === null && line.productExternalId !== null) ||
        (variant === null && line.variantExternalId !== null)
      ) {
        return null;
      }
      lines.push(
        [
          shop,
          orderId,
          copyValue(line.externalId),
          line.kind,
          copyValue(product),
          copyValue(variant),
          copyValue(line.sku),
          copyValue(line.title),
          String(line.quantity),
          line.unitPrice,
          line.totalDiscount,
        ].join("\t") + "\n",
      );
    }
    const processed = order.processedAt.toISOString();
    const rows = [
      orderId,
      shop,
      copyValue(order.externalId),
      copyValue(order.name),
      copyValue(customer),
      processed,
      this.localDate(order.processedAt),
      order.financialStatus,
      copyValue(order.cancelledAt?.toISOString()),
      copyValue(order.cancelReason),
      order.currency,
      order.subtotalPrice,
      order.totalDiscounts,
      order.totalShipping,
      order.totalTax,
      order.totalPrice,
      order.totalRefunded,
      String(order.test),
      copyValue(order.createdAt?.toISOString()),
      order.updatedAt.toISOString(),
    ].join("\t");
    // Joined, not built by +=: a string built piece by piece stays a tree of its pieces, and
    // kept until its segment is written, such trees took a 1M-order backfill from 44.0 to
    // 53.8 Node CPU-s and from 475 to 590 MB peak memory.
    return { externalId: order.externalId, customerExternalId: order.customerExternalId, rows, lines: lines.join("") };
  }

  private async flush(): Promise<void> {
    const orders = this.segment;
    this.segment = [];
    this.ids = [];
    const slot = this.turn++ % 2;
    await this.turns[slot]; // that connection's previous segment, which may have failed
    this.turns[slot] = this.write(orders);
    // Surfaced by the next flush, finish or abandon; not an unhandled rejection meanwhile.
    this.turns[slot].catch(() => undefined);
  }

  private async write(orders: EncodedOrder[]): Promise<void> {
    const { pool, shopId } = this.options;
    const client = await pool.connect();
    let setAside: EncodedOrder[] = [];
    try {
      for (let attempt = 1; ; attempt++) {
        await client.query("BEGIN");
        try {
          await lockCustomerWrites(client, shopId);
          // Stored orders and erased customers are looked for only after the copy has run into
          // one (its unique key, or the customer's foreign key): on a first backfill that is
          // rare, and looking up every order first cost 76 instead of 55 Postgres CPU-s per
          // million orders (most likely the planner, with estimates from an emptier "Order",
          // chose to read the whole table; not confirmed with EXPLAIN).
          setAside = await this.notInsertable(client, orders, attempt > 1);
          await this.copy(client, setAside.length === 0 ? orders : orders.filter((o) => !setAside.includes(o)));
          await client.query("COMMIT");
          break;
        } catch (error) {
          await client.query("ROLLBACK");
          if (attempt >= MAX_ATTEMPTS || !RACED.has((error as { code?: string }).code ?? "")) throw error;
        }
      }
    } finally {
      client.release();
    }
    if (setAside.length > 0) await ingestOrders(pool, shopId, await setAsideRecords(pool, shopId, setAside));
    await this.options.onStored?.(orders.length);
  }

  /**
   * The orders deleted at Shopify, and with `thorough` those stored already and those whose
   * customer is gone since the map was read (erased: the customer is dropped from the map,
   * so later orders go to the merge too).
   */
  private async notInsertable(
    client: pg.PoolClient,
    orders: EncodedOrder[],
    thorough: boolean,
  ): Promise<EncodedOrder[]> {
    const { shopId, customers } = this.options;
    const customerOf = (order: EncodedOrder) =>
      order.customerExternalId === null ? null : (customers.get(order.customerExternalId) ?? -1);
    const named = thorough
      ? [...new Set(orders.map(customerOf).filter((id): id is number => id !== null && id > 0))]
      : [];
    const { rows } = await client.query<{ taken: string[] | null; live: number[] | null }>(
      `SELECT
         (SELECT array_agg(x."externalId") FROM (
            SELECT e.id AS "externalId" FROM unnest($2::text[]) AS e(id)
            CROSS JOIN LATERAL (SELECT 1 FROM "Order" o WHERE o."shopId" = $1 AND o."externalId" = e.id LIMIT 1) o
            WHERE $4
            UNION ALL
            SELECT "externalId" FROM "DeletedOrder" WHERE "shopId" = $1 AND "externalId" = ANY($2::text[])) x) AS taken,
         (SELECT array_agg("id") FROM "Customer" WHERE "shopId" = $1 AND "id" = ANY($3::int[])) AS live`,
      [shopId, orders.map((o) => o.externalId), named, thorough],
    );
    const taken = new Set(rows[0]!.taken ?? []);
    const live = new Set(rows[0]!.live ?? []);
    const gone = (customer: number | null) => thorough && customer !== null && !live.has(customer);
    const aside = orders.filter((order) => taken.has(order.externalId) || gone(customerOf(order)));
    for (const order of aside) if (gone(customerOf(order))) customers.delete(order.customerExternalId!);
    return aside;
  }

  private async copy(client: pg.PoolClient, orders: EncodedOrder[]): Promise<void> {
    if (orders.length === 0) return;
    const orderRows = new CopyWriter(client, `COPY "Order" (${ORDER_COLUMNS}) FROM STDIN`);
    for (const order of orders) await orderRows.row([order.rows]);
    await orderRows.end();
    const lineRows = new CopyWriter(client, `COPY "OrderLine" (${LINE_COLUMNS}) FROM STDIN`);
    for (const order of orders) if (order.lines) await lineRows.rows(order.lines);
    await lineRows.end();
  }
}

/**
 * Orders set aside, as order records again for ingestOrders, read back from the COPY text
 * they were encoded to (fields in ORDER_COLUMNS and LINE_COLUMNS order). The text names
 * products and variants by our ids, so their Shopify ids are looked up; set-aside orders are
 * few (see the header).
 */
export async function setAsideRecords(pool: pg.Pool, shopId: number, orders: EncodedOrder[]): Promise<unknown[]> {
  const parsed = orders.map((order) => ({
    order,
    fields: order.rows.split("\t").map(uncopyValue),
    lines: order.lines
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("\t").map(uncopyValue)),
  }));
  const ids = (column: number) => [...new Set(parsed.flatMap((p) => p.lines.map((line) => line[column])))];
  const { rows } = await pool.query<{ kind: string; id: string; externalId: string }>(
    `SELECT 'product' AS kind, "id"::text AS id, "externalId" FROM "Product" WHERE "shopId" = $1 AND "id" = ANY($2::int[])
     UNION ALL
     SELECT 'variant', "id"::text, "externalId" FROM "ProductVariant" WHERE "shopId" = $1 AND "id" = ANY($3::int[])`,
    [shopId, ids(4).filter((id) => id !== null), ids(5).filter((id) => id !== null)],
  );
  const shopifyIdOf = new Map(rows.map((row) => [`${row.kind}:${row.id}`, row.externalId]));
  const external = (kind: string, id: string | null) => (id === null ? null : shopifyIdOf.get(`${kind}:${id}`));
  return parsed.map(({ order, fields: f, lines }) => ({
    externalId: order.externalId,
    name: f[3],
    customerExternalId: order.customerExternalId,
    processedAt: f[5],
    financialStatus: f[7],
    cancelledAt: f[8],
    cancelReason: f[9],
    currency: f[10],
    subtotalPrice: f[11],
    totalDiscounts: f[12],
    totalShipping: f[13],
    totalTax: f[14],
    totalPrice: f[15],
    totalRefunded: f[16],
    test: f[17] === "true",
    createdAt: f[18],
    updatedAt: f[19],
    lines: lines.map((l) => ({
      externalId: l[2],
      kind: l[3],
      productExternalId: external("product", l[4]!),
      variantExternalId: external("variant", l[5]!),
      sku: l[6],
      title: l[7],
      quantity: Number(l[8]),
      unitPrice: l[9],
      totalDiscount: l[10],
    })),
  }));
}
