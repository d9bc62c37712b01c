/**
 * Stages an orders bulk result as typed rows (BulkStagedOrder, BulkStagedOrderLine): the
 * download is read line by line, each order is mapped and validated here, and the rows go to
 * Postgres by COPY. Postgres never parses the JSON and the merge that follows is plain SQL.
 *
 * Memory holds one order and its line items at a time. Shopify writes an object's children
 * right after it, but does not promise to; a line item that does not follow its order is
 * staged on its own (validated alone) and joined to its order by id once the file is in.
 *
 * Rows are committed every `segmentOrders` orders, at an order boundary, and `onCommitted`
 * learns the last order seq committed: every order up to it is staged with the line items
 * that followed it, so the merge can start on them while the rest downloads.
 */
import type pg from "pg";

import { canonicalOrder } from "~/ingest/canonical-order";
import { OrderLineRecord, OrderRecord, validateAll, type RejectedRecord, type ValidOrder } from "~/ingest/records";
import { CopyWriter, copyValue } from "~/lib/copy-writer.server";

import { shopifyId } from "../json";

import type { CatalogIds } from "./catalog-ids.server";
import type { DirectOrders } from "./direct-orders.server";
import { jsonlLines, parseJsonlLine, stopReading } from "./jsonl-lines.server";
import { lineItemFromBulk, orderFromBulk } from "./mappers";

type Node = Record<string, unknown>;

export interface OrderStagingOptions {
  fetchImpl?: typeof fetch;
  segmentOrders?: number;
  /** Told each commit; staging waits for it to resolve (so a slow merge holds it back). */
  onCommitted?: (throughSeq: number) => void | Promise<void>;
  /** Stops the download and rolls back the open segment. */
  signal?: AbortSignal;
  /** Product and variant ids already known; lines staged without them are looked up by the merge. */
  catalog?: CatalogIds;
  /** Takes the orders it accepts instead of staging them (a first backfill; ADR 0015). */
  direct?: DirectOrders;
}

export interface OrderStagingResult {
  /** Orders staged (valid ones). */
  roots: number;
  /** Valid orders written by `direct` instead. */
  direct: number;
  rejected: RejectedRecord[];
}

const ORDER_COLUMNS = `"syncRunId", "seq", "externalId", "name", "customerExternalId", "processedAt", "financialStatus",
  "cancelledAt", "cancelReason", "currency", "subtotalPrice", "totalDiscounts", "totalShipping", "totalTax",
  "totalPrice", "totalRefunded", "test", "platformCreatedAt", "platformUpdatedAt", "refunds"`;
const LINE_COLUMNS = `"syncRunId", "seq", "parentSeq", "parentExternalId", "externalId", "kind", "productExternalId",
  "variantExternalId", "productId", "variantId", "sku", "title", "quantity", "unitPrice", "totalDiscount"`;

type ValidLine = ValidOrder["lines"][number];

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Downloads `url` and stages it for `syncRunId`, replacing whatever was staged for it. */
export async function stageOrders(
  pool: pg.Pool,
  syncRunId: number,
  url: string,
  options: OrderStagingOptions = {},
): Promise<OrderStagingResult> {
  const { fetchImpl = fetch, segmentOrders = 20_000, onCommitted, signal, catalog, direct } = options;
  const input = jsonlLines(url, { fetchImpl, signal });
  // Pull the first line before touching the staging: a failed download leaves it as it was.
  const first = await input.next();
  await clearStagedOrders(pool, syncRunId);
  // One COPY per connection: orders and lines stream side by side on two.
  const clients: pg.PoolClient[] = [];
  let broken: Error | undefined;
  // Assigned by open() before any use; the catch below also runs when open() failed.
  let orders!: CopyWriter;
  let lines!: CopyWriter;
  try {
    clients.push(await pool.connect());
    clients.push(await pool.connect());
    const [orderClient, lineClient] = clients as [pg.PoolClient, pg.PoolClient];
    const open = async () => {
      for (const client of clients) await client.query("BEGIN");
      orders = new CopyWriter(orderClient, `COPY "BulkStagedOrder" (${ORDER_COLUMNS}) FROM STDIN`);
      lines = new CopyWriter(lineClient, `COPY "BulkStagedOrderLine" (${LINE_COLUMNS}) FROM STDIN`);
    };
    const commit = async () => {
      await orders.end();
      await lines.end();
      for (const client of clients) await client.query("COMMIT");
    };
    await open();
    const result: OrderStagingResult = { roots: 0, direct: 0, rejected: [] };
    const run = String(syncRunId);
    let orphans = 0;
    /** Seq of the last order written to the open segment. */
    let lastStaged = 0;
    let sinceCommit = 0;
    let segments = 0;

    /** `parentSeq` 0: the order has not been seen next to it (see adoptOrphans). */
    const writeLine = (seq: number, parentSeq: number, parentId: string, l: ValidLine) =>
      lines.row([
        run,
        String(seq),
        String(parentSeq),
        copyValue(parentId),
        copyValue(l.externalId),
        l.kind,
        copyValue(l.productExternalId),
        copyValue(l.variantExternalId),
        copyValue(catalog?.product(l.productExternalId)),
        copyValue(catalog?.variant(l.variantExternalId)),
        copyValue(l.sku),
        copyValue(l.title),
        String(l.quantity),
        l.unitPrice,
        l.totalDiscount,
      ]);

    /** The order being read, with the line items that followed it. */
    let held: { seq: number; gid: string; node: Node; children: { seq: number; node: Node }[] } | null = null;
    const flush = async () => {
      if (!held) return;
      const { order, refunds } = orderFromBulk(
        held.node,
        held.children.map((child) => child.node),
      );
      const { valid, rejected } = validateAll(OrderRecord, [order], canonicalOrder);
      const checked = valid[0];
      if (!checked) {
        result.rejected.push(...rejected);
        return;
      }
      if (await direct?.offer(checked, refunds.length)) {
        result.direct += 1;
        return counted();
      }
      result.roots += 1;
      lastStaged = held.seq;
      await orders.row([
        run,
        String(held.seq),
        copyValue(checked.externalId),
        copyValue(checked.name),
        copyValue(checked.customerExternalId),
        checked.processedAt.toISOString(),
        checked.financialStatus,
        copyValue(iso(checked.cancelledAt)),
        copyValue(checked.cancelReason),
        checked.currency,
        checked.subtotalPrice,
        checked.totalDiscounts,
        checked.totalShipping,
        checked.totalTax,
        checked.totalPrice,
        checked.totalRefunded,
        String(checked.test),
        copyValue(iso(checked.createdAt)),
        checked.updatedAt.toISOString(),
        copyValue(refunds.length > 0 ? JSON.stringify(refunds.map(withoutCustomer)) : null),
      ]);
      for (const [index, line] of checked.lines.entries()) {
        await writeLine(held.children[index]!.seq, held.seq, checked.externalId, line);
      }
      await counted();
    };

    /** Commits the segment every `segmentOrders` orders read, staged or written directly. */
    const counted = async () => {
      sinceCommit += 1;
      if (sinceCommit < segmentOrders) return;
      await commit();
      segments += 1;
      // Statistics once there is something to count: the merges that start now are planned
      // from them (an empty table's estimates would pick nested loops over the chunk).
      if (segments === 1) await pool.query(`ANALYZE "BulkStagedOrder", "BulkStagedOrderLine"`);
      sinceCommit = 0;
      if (lastStaged > 0) await onCommitted?.(lastStaged);
      await open();
    };

    for (let next = first; !next.done; next = await input.next()) {
      const seq = next.value.seq;
      const node = parseJsonlLine(next.value);
      const parentGid = node.__parentId;
      if (typeof parentGid !== "string") {
        await flush();
        held = { seq, gid: node.id, node, children: [] };
      } else if (held?.gid === parentGid) {
        held.children.push({ seq, node });
      } else {
        // Validated alone: if it fails, the line is rejected and its order kept without it.
        orphans += 1;
        const { valid, rejected } = validateAll(OrderLineRecord, [lineItemFromBulk(node)]);
        if (valid[0]) await writeLine(seq, 0, shopifyId(parentGid)!, valid[0]);
        else result.rejected.push(...rejected);
      }
    }
    await flush();
    await commit();
    await direct?.finish();
    if (orphans > 0) await adoptOrphans(pool, syncRunId);
    await pool.query(`ANALYZE "BulkStagedOrder", "BulkStagedOrderLine"`);
    if (lastStaged > 0) await onCommitted?.(lastStaged);
    return result;
  } catch (error) {
    await direct?.abandon();
    for (const writer of [orders, lines] as (CopyWriter | undefined)[]) await writer?.abort(error as Error);
    for (const client of clients) {
      await client.query("ROLLBACK").catch((rollbackFailed: Error) => (broken = rollbackFailed));
    }
    throw error;
  } finally {
    // A connection that could not roll back is discarded, not returned to the pool.
    for (const client of clients) client.release(broken);
    stopReading(input);
  }
}

/** The customer is stored once, on the order row; see BulkStagedOrder.refunds. */
function withoutCustomer<T extends { customerExternalId?: unknown }>(refund: T): Omit<T, "customerExternalId"> {
  const { customerExternalId: _customer, ...rest } = refund;
  return rest;
}

/** Points line items that came apart from their order at it. */
async function adoptOrphans(pool: pg.Pool, syncRunId: number): Promise<void> {
  await pool.query(
    `UPDATE "BulkStagedOrderLine" l SET "parentSeq" = o."seq", "adopted" = true
     FROM "BulkStagedOrder" o
     WHERE l."syncRunId" = $1 AND l."parentSeq" = 0 AND o."syncRunId" = $1 AND o."externalId" = l."parentExternalId"`,
    [syncRunId],
  );
}

/** How many orders are staged for the run (a resume checks nothing was lost). */
export async function countStagedOrders(pool: pg.Pool, syncRunId: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "BulkStagedOrder" WHERE "syncRunId" = $1`,
    [syncRunId],
  );
  return rows[0]!.n;
}

export async function clearStagedOrders(pool: pg.Pool, syncRunId: number): Promise<void> {
  await pool.query(`DELETE FROM "BulkStagedOrder" WHERE "syncRunId" = $1`, [syncRunId]);
  await pool.query(`DELETE FROM "BulkStagedOrderLine" WHERE "syncRunId" = $1`, [syncRunId]);
}
