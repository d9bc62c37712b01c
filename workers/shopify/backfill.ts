/**
 * A shop's full history through Bulk Operations: products, then customers, then orders.
 *
 * For each resource: start the bulk query, wait for it, then write the JSONL result in
 * chunks of the file, two at a time. Products are staged as JSON lines (their variants may
 * come anywhere) and read back with their variants; customers, which have no children, are
 * ingested straight from the download; orders, nearly all of a shop's rows, are mapped and
 * validated while streaming, staged as typed rows and merged by SQL while the download goes
 * on (ADR 0010). The SyncRun's `cursor` records where we are (operation id, staged or not,
 * last line written), so a crashed run resumes without asking Shopify to run the operation
 * again, and anything redone is harmless: every write is an idempotent upsert.
 */
import type { Prisma } from "@prisma/client";

import type { Database } from "~/db.server";
import { log } from "~/logger.server";
import { ingestCustomers, ingestProducts } from "~/ingest/index.server";
import type { CustomerRecord } from "~/ingest/records";
import { refreshStatistics } from "~/ingest/statistics.server";
import type { AdminGraphql } from "~/platforms/shopify/admin-graphql.server";
import { idsByShopifyId, loadCatalogIds, type CatalogIds } from "~/platforms/shopify/bulk/catalog-ids.server";
import { jsonlLines, parseJsonlLine, stopReading } from "~/platforms/shopify/bulk/jsonl-lines.server";
import { customerFromBulk, productFromBulk } from "~/platforms/shopify/bulk/mappers";
import { finishOrderMerge, mergeStagedOrders, nextChunkEnd } from "~/platforms/shopify/bulk/order-merge.server";
import { clearStagedOrders, countStagedOrders, stageOrders } from "~/platforms/shopify/bulk/order-staging.server";
import { DirectOrders } from "~/platforms/shopify/bulk/direct-orders.server";
import { BULK_QUERIES, type BulkResource } from "~/platforms/shopify/bulk/queries";
import {
  BulkOperationError,
  resultUrl,
  startBulkQuery,
  waitForBulkOperation,
  type PollOptions,
} from "~/platforms/shopify/bulk/runner.server";
import {
  clearStaging,
  hasStagedLines,
  readStagedBatch,
  stageBulkResult,
  type StagedObject,
} from "~/platforms/shopify/bulk/staging.server";

import { stageTimer } from "../stage-timer";

import { clearFinishedRun, clearSupersededRuns } from "./backfill-runs";
import { inTwoLanes } from "./two-lanes";
import { Watermark } from "./watermark";

/** Segments of staged orders (20,000 each by default) that may wait for the merge. */
const STAGING_LEAD = 2;

/** Line numbers are Postgres integers. */
const MAX_SEQ = 2_147_483_647;

export const BACKFILL_ORDER: BulkResource[] = ["products", "customers", "orders"];

interface Cursor {
  resource: BulkResource;
  operationId?: string;
  staged?: boolean;
  roots?: number;
  lastSeq: number;
  /** The orders staging's rejects are in counts (a file staged again must not add them twice). */
  stagingRejectsCounted?: boolean;
  /** counts.rejected when this resource began, to start it over if its operation fails. */
  rejectedBefore?: number;
  /** Orders written straight to the tables (not staged) by this run's orders staging. */
  direct?: number;
  /** Set, and saved, before the first order is offered to the direct path. */
  directPath?: boolean;
}

export interface BackfillOptions {
  database: Database;
  graphql: AdminGraphql;
  shopId: number;
  /** Resume this run instead of starting a new one. */
  syncRunId?: number;
  /** Products and customers per ingest batch. */
  batchSize?: number;
  /** Orders per merge chunk. */
  orderChunk?: number;
  /** Orders staged per commit; the merge follows these commits. */
  stagingSegment?: number;
  poll?: PollOptions;
  fetchImpl?: typeof fetch;
  /** Write new orders of a first staging straight to the tables (ADR 0015); default true. */
  directOrders?: boolean;
}

export interface BackfillResult {
  syncRunId: number;
  counts: Record<BulkResource, number>;
  /**
   * Milliseconds per step of this invocation, e.g. {"productsMs": 1800, "customersMs": 4700,
   * "ordersMs": 101800}, and for orders when staging finished and the process CPU it used.
   */
  timings: Record<string, number>;
}

/** Ingests one batch of staged products with their variants; returns the records rejected. */
async function ingestStagedProducts(database: Database, shopId: number, batch: StagedObject[]) {
  const products = batch.map((o) => productFromBulk(o.data, o.children));
  return (await ingestProducts(database.pool, shopId, products)).rejected;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const { database, graphql, shopId } = options;
  const { prisma, pool } = database;
  const batchSize = options.batchSize ?? 2000;
  const orderChunk = options.orderChunk ?? 5000;
  const run = options.syncRunId
    ? await prisma.syncRun.findFirstOrThrow({ where: { id: options.syncRunId, shopId } })
    : await prisma.syncRun.create({
        data: { shopId, kind: "BACKFILL", status: "RUNNING", phase: BACKFILL_ORDER[0], counts: {} },
      });
  if (!options.syncRunId) await clearSupersededRuns(pool, shopId, run.id);
  const counts = { products: 0, customers: 0, orders: 0, rejected: 0, ...(run.counts as Record<string, number>) };
  let cursor: Cursor = run.cursor
    ? (JSON.parse(run.cursor) as Cursor)
    : { resource: BACKFILL_ORDER[0]!, lastSeq: 0, rejectedBefore: 0 };
  await prisma.syncRun.update({ where: { id: run.id }, data: { status: "RUNNING", error: null, finishedAt: null } });

  // Saves run one after another, so a slower earlier save never overwrites a later cursor.
  // Each waits for the one before whether it worked or not (its caller saw the error), so
  // the final FAILED still gets written after a failed progress save.
  let saving: Promise<unknown> = Promise.resolve();
  const save = (data: Partial<Prisma.SyncRunUpdateInput> = {}) => {
    const snapshot = { phase: cursor.resource, cursor: JSON.stringify(cursor), counts: { ...counts } };
    const saved = saving
      .catch(() => undefined)
      .then(async () => {
        await prisma.syncRun.update({ where: { id: run.id }, data: { ...snapshot, ...data } });
      });
    saving = saved;
    return saved;
  };

  /** How far the orders are merged: their staging waits on it. */
  let merged = new Watermark();

  /** Units of work are counted once every unit before them is stored too (see inTwoLanes). */
  const progressed = (resource: BulkResource, units: { end: number; objects: number; rejected: number }[]) => {
    for (const unit of units) {
      counts[resource] += unit.objects;
      counts.rejected += unit.rejected;
    }
    cursor.lastSeq = units.at(-1)!.end;
    merged.advance(cursor.lastSeq);
    const done = BACKFILL_ORDER.indexOf(resource) + Math.min(1, counts[resource] / Math.max(cursor.roots ?? 1, 1));
    return save({ progress: done / BACKFILL_ORDER.length });
  };

  /** Products: staged JSON lines (variants may come anywhere), read back in batches. */
  async function ingestProductsFromStaging(syncRunId: number) {
    let readAfter = cursor.lastSeq;
    await inTwoLanes(
      async () => {
        const rows = await readStagedBatch(pool, syncRunId, readAfter, batchSize);
        if (rows.length === 0) return null;
        readAfter = rows.at(-1)!.seq;
        return { end: readAfter, rows, objects: rows.length, rejected: 0 };
      },
      async (unit) => {
        unit.rejected = (await ingestStagedProducts(database, shopId, unit.rows)).length;
      },
      (units) => progressed("products", units),
    );
  }

  /**
   * Customers have no children, so each line is a whole record: they are ingested in batches
   * straight from the download, with no staging. A resume downloads the file again and skips
   * the lines already stored.
   */
  async function streamCustomers() {
    const operation = await waitForBulkOperation(graphql, cursor.operationId!, options.poll);
    cursor.roots = Number(operation.rootObjectCount) || undefined;
    const url = resultUrl(operation);
    if (!url) return; // the shop has no customers
    const lines = jsonlLines(url, { fetchImpl: options.fetchImpl });
    let readAfter = cursor.lastSeq;
    try {
      await inTwoLanes(
        async () => {
          const records: CustomerRecord[] = [];
          let end = readAfter;
          while (records.length < batchSize) {
            const next = await lines.next();
            if (next.done) break;
            end = next.value.seq;
            if (end > readAfter) records.push(customerFromBulk(parseJsonlLine(next.value)));
          }
          readAfter = end;
          return records.length > 0 ? { end, records, objects: records.length, rejected: 0 } : null;
        },
        async (unit) => {
          unit.rejected = (await ingestCustomers(pool, shopId, unit.records)).rejected.length;
        },
        (units) => progressed("customers", units),
      );
    } finally {
      stopReading(lines);
    }
  }

  /** Orders: merged by SQL in chunks of the file, as far as staging has committed. */
  async function mergeOrders(syncRunId: number, staged: Watermark, failed?: (error: unknown) => void) {
    let readAfter = cursor.lastSeq;
    await inTwoLanes(
      async () => {
        for (;;) {
          const [limit, done] = [staged.value, staged.done];
          const chunk = await nextChunkEnd(pool, syncRunId, readAfter, orderChunk, limit);
          if (chunk) {
            const unit = { start: readAfter, end: chunk.end, objects: chunk.orders, rejected: 0 };
            readAfter = chunk.end;
            return unit;
          }
          if (done) return null;
          await staged.beyond(limit);
        }
      },
      async (unit) => {
        unit.rejected = (await mergeStagedOrders(pool, shopId, syncRunId, unit.start, unit.end)).length;
      },
      (units) => progressed("orders", units),
      failed,
    );
  }

  /**
   * Stages the orders file while merging what is already staged: Node parses on one core
   * while Postgres merges on the other. A crash before staging finished stages it again (the
   * merges already done are skipped as not newer); after, only the merges resume.
   */
  async function backfillOrders() {
    const direct = cursor.direct ?? 0;
    const stillStaged = cursor.staged && (await countStagedOrders(pool, run.id)) === (cursor.roots ?? 0) - direct;
    if (!stillStaged && cursor.directPath) {
      // Staging again after the direct path was used: orders it held or wrote are not in the
      // staging, and merges may have gone past them in the file, so the orders start over and
      // are counted from zero (the merge skips those stored already as not newer).
      Object.assign(cursor, { lastSeq: 0, direct: 0, directPath: false, stagingRejectsCounted: false });
      counts.orders = 0;
      counts.rejected = cursor.rejectedBefore ?? counts.rejected;
    }
    if (stillStaged) {
      const all = new Watermark(MAX_SEQ);
      all.finish();
      await mergeOrders(run.id, all);
    } else {
      const operation = await waitForBulkOperation(graphql, cursor.operationId!, options.poll);
      const url = resultUrl(operation);
      if (!url) return; // the shop has no orders
      Object.assign(cursor, { staged: false, roots: Number(operation.rootObjectCount) || undefined });
      const watermark = new Watermark();
      merged = new Watermark(cursor.lastSeq);
      const started = performance.now();
      const cpu = process.cpuUsage();
      const abort = new AbortController();
      const segmentEnds: number[] = [];
      const catalog = await loadCatalogIds(pool, shopId);
      const staging = stageOrders(pool, run.id, url, {
        catalog,
        direct:
          options.directOrders !== false && cursor.lastSeq === 0 && counts.orders === 0
            ? await directOrders(catalog)
            : undefined,
        fetchImpl: options.fetchImpl,
        segmentOrders: options.stagingSegment,
        signal: abort.signal,
        onCommitted: async (seq) => {
          watermark.advance(seq);
          segmentEnds.push(seq);
          // Stay at most STAGING_LEAD segments ahead of the merge, so rows are merged while
          // still in Postgres's buffers rather than after a fast download pushed them out:
          // on the 1M-order benchmark this took the backfill from 7,202 to 8,103 orders/s.
          const behind = segmentEnds.at(-1 - STAGING_LEAD);
          if (behind !== undefined) await merged.beyond(behind - 1);
        },
      }).then(
        async (staged) => {
          // For the benchmark: when the download was done, and what it cost this process.
          const used = process.cpuUsage(cpu);
          timer.timings.ordersStagedAfterMs = Math.round(performance.now() - started);
          timer.timings.ordersStagingCpuMs = Math.round((used.user + used.system) / 1000);
          if (!cursor.stagingRejectsCounted) counts.rejected += staged.rejected.length;
          Object.assign(cursor, { staged: true, roots: staged.roots + staged.direct, stagingRejectsCounted: true });
          watermark.finish();
          await save();
        },
        (error: unknown) => {
          watermark.fail(error);
          throw error;
        },
      );
      // A failed merge lane stops everything at once: the other lane may be waiting for
      // staging, and staging for the merge.
      const stopAll = (error: unknown) => {
        watermark.fail(error);
        merged.fail(error);
        abort.abort(error);
      };
      const merging = mergeOrders(run.id, watermark, stopAll).catch((error: unknown) => {
        stopAll(error);
        throw error;
      });
      // Both settle before anything is reported, so no lane is still writing when the run is
      // marked failed (and a retry starts). A merge failure is the cause of staging's abort.
      const [staged, mergedAll] = await Promise.allSettled([staging, merging]);
      if (mergedAll.status === "rejected") throw mergedAll.reason;
      if (staged.status === "rejected") throw staged.reason;
    }
    await finishOrderMerge(pool, shopId, run.id, run.startedAt);
    await clearStagedOrders(pool, run.id);
  }

  /**
   * For a shop's first backfill, on its first staging of the orders: new orders that need
   * nothing from the merge are copied straight into the tables (ADR 0015), and count as
   * stored once committed. Not when the shop holds orders already: a stored order whose line
   * items the file lists apart from it needs the staging to find them (finishOrderMerge).
   */
  async function directOrders(catalog: CatalogIds) {
    const { rows } = await pool.query(`SELECT 1 FROM "Order" WHERE "shopId" = $1 LIMIT 1`, [shopId]);
    if (rows.length > 0) return undefined;
    cursor.directPath = true;
    await save();
    const shop = await prisma.shop.findUniqueOrThrow({ where: { id: shopId }, select: { timezone: true } });
    return new DirectOrders({
      pool,
      shopId,
      timezone: shop.timezone,
      catalog,
      customers: await idsByShopifyId(pool, "Customer", shopId),
      segmentOrders: options.stagingSegment ?? 5000,
      onStored: async (orders) => {
        counts.orders += orders;
        cursor.direct = (cursor.direct ?? 0) + orders;
        await save();
      },
    });
  }

  /** Stages the products file unless that is done and still there (staging is unlogged). */
  async function stageLines() {
    if (cursor.staged && (await hasStagedLines(pool, run.id))) return;
    const operation = await waitForBulkOperation(graphql, cursor.operationId!, options.poll);
    const url = resultUrl(operation);
    if (!url) return clearStaging(pool, run.id); // no products: nothing to read back
    const staged = await stageBulkResult(pool, run.id, url, options.fetchImpl);
    // lastSeq stays: line numbers are the same in a file staged again.
    Object.assign(cursor, { staged: true, roots: staged.roots });
    await save();
  }

  const timer = stageTimer();
  try {
    for (const resource of BACKFILL_ORDER.slice(BACKFILL_ORDER.indexOf(cursor.resource))) {
      if (cursor.resource !== resource) cursor = { resource, lastSeq: 0, rejectedBefore: counts.rejected };
      if (!cursor.operationId) {
        cursor.operationId = await startBulkQuery(graphql, BULK_QUERIES[resource]);
        await save();
      }
      if (resource === "orders") {
        await backfillOrders();
      } else if (resource === "customers") {
        await streamCustomers();
      } else {
        await stageLines();
        await ingestProductsFromStaging(run.id);
        await clearStaging(pool, run.id);
      }
      timer.stage(`${resource}Ms`);
    }
    await refreshStatistics(pool);
    timer.stage("analyzeMs");
    log.info(
      { shopId, syncRunId: run.id, counts, direct: cursor.direct ?? 0, timings: timer.timings },
      "backfill finished",
    );
    await save({ status: "SUCCEEDED", phase: "done", progress: 1, finishedAt: new Date() });
  } catch (error) {
    const message =
      error instanceof BulkOperationError ? `${error.reason}: ${error.message}` : (error as Error).message;
    if (error instanceof BulkOperationError) {
      // The operation ended without a result (or never started), so its file will never come:
      // the resource starts over with a new operation, once the reason is dealt with.
      counts[cursor.resource] = 0;
      counts.rejected = cursor.rejectedBefore ?? counts.rejected;
      cursor = { resource: cursor.resource, lastSeq: 0, rejectedBefore: counts.rejected };
    }
    await save({ status: "FAILED", error: message.slice(0, 1000), finishedAt: new Date() });
    throw error;
  }
  // The run has succeeded whatever happens here: a failure is logged, not thrown (a retried
  // job would start a new backfill), and the reconcile clears what is left.
  await clearFinishedRun(pool, shopId, run.id).catch((error: Error) =>
    log.warn({ shopId, syncRunId: run.id, error: error.message }, "could not clear a finished backfill's leftovers"),
  );
  return {
    syncRunId: run.id,
    counts: { products: counts.products, customers: counts.customers, orders: counts.orders },
    timings: timer.timings,
  };
}
