/**
 * A shop's full history through Bulk Operations: products, then customers, then orders.
 *
 * For each resource: start the bulk query, wait for it, stream the JSONL into staging, then
 * write it in chunks of the file, two at a time. Products and customers are staged as JSON
 * lines and ingested in batches; orders, which are nearly all of a shop's rows, are mapped
 * and validated while streaming, staged as typed rows and merged by SQL (ADR 0010). The
 * SyncRun's `cursor` records where we are (operation id, staged or not, last line written),
 * so a crashed run resumes without asking Shopify again, and anything redone is harmless:
 * every write is an idempotent upsert.
 */
import type { Prisma } from "@prisma/client";

import type { Database } from "~/db.server";
import { ingestCustomers, ingestProducts } from "~/ingest/index.server";
import type { RejectedRecord } from "~/ingest/records";
import { refreshStatistics } from "~/ingest/statistics.server";
import type { AdminGraphql } from "~/platforms/shopify/admin-graphql.server";
import { customerFromBulk, productFromBulk } from "~/platforms/shopify/bulk/mappers";
import { mergeStagedOrders, nextChunkEnd } from "~/platforms/shopify/bulk/order-merge.server";
import { clearStagedOrders, countStagedOrders, stageOrders } from "~/platforms/shopify/bulk/order-staging.server";
import { BULK_QUERIES, type BulkResource } from "~/platforms/shopify/bulk/queries";
import {
  BulkOperationError,
  startBulkQuery,
  waitForBulkOperation,
  type PollOptions,
} from "~/platforms/shopify/bulk/runner.server";
import {
  clearStaging,
  readStagedBatch,
  stageBulkResult,
  type StagedObject,
} from "~/platforms/shopify/bulk/staging.server";

import { inTwoLanes } from "./two-lanes";

export const BACKFILL_ORDER: BulkResource[] = ["products", "customers", "orders"];

interface Cursor {
  resource: BulkResource;
  operationId?: string;
  url?: string;
  staged?: boolean;
  roots?: number;
  lastSeq: number;
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
  poll?: PollOptions;
  fetchImpl?: typeof fetch;
}

export interface BackfillResult {
  syncRunId: number;
  counts: Record<BulkResource, number>;
}

/** Ingests one batch of staged products or customers; returns the records rejected. */
async function ingestStaged(
  database: Database,
  shopId: number,
  resource: "products" | "customers",
  batch: StagedObject[],
): Promise<RejectedRecord[]> {
  const result =
    resource === "products"
      ? await ingestProducts(
          database.pool,
          shopId,
          batch.map((o) => productFromBulk(o.data, o.children)),
        )
      : await ingestCustomers(
          database.pool,
          shopId,
          batch.map((o) => customerFromBulk(o.data)),
        );
  return result.rejected;
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
  const counts = { products: 0, customers: 0, orders: 0, rejected: 0, ...(run.counts as Record<string, number>) };
  let cursor: Cursor = run.cursor ? (JSON.parse(run.cursor) as Cursor) : { resource: BACKFILL_ORDER[0]!, lastSeq: 0 };
  await prisma.syncRun.update({ where: { id: run.id }, data: { status: "RUNNING", error: null, finishedAt: null } });

  const save = (data: Partial<Prisma.SyncRunUpdateInput> = {}) =>
    prisma.syncRun.update({
      where: { id: run.id },
      data: { phase: cursor.resource, cursor: JSON.stringify(cursor), counts, ...data },
    });

  // Saves run one after another, so a slower earlier save never overwrites a later cursor.
  let saving = Promise.resolve();
  const saveInOrder = (data: Partial<Prisma.SyncRunUpdateInput> = {}) => {
    const snapshot = { cursor: JSON.stringify(cursor), counts: { ...counts } };
    saving = saving.then(async () => {
      await prisma.syncRun.update({
        where: { id: run.id },
        data: { phase: cursor.resource, ...snapshot, ...data },
      });
    });
    return saving;
  };

  const progressed = (resource: BulkResource, end: number) => {
    cursor.lastSeq = end;
    const done = BACKFILL_ORDER.indexOf(resource) + Math.min(1, counts[resource] / Math.max(cursor.roots ?? 1, 1));
    return saveInOrder({ progress: done / BACKFILL_ORDER.length });
  };

  /** Products and customers: staged JSON lines, read back in batches and ingested. */
  async function ingestStagedLines(syncRunId: number, resource: BulkResource) {
    let readAfter = cursor.lastSeq;
    await inTwoLanes(
      async () => {
        const rows = await readStagedBatch(pool, syncRunId, readAfter, batchSize);
        if (rows.length === 0) return null;
        readAfter = rows.at(-1)!.seq;
        return { end: readAfter, rows };
      },
      async ({ rows }) => {
        const rejected = await ingestStaged(database, shopId, resource as "products" | "customers", rows);
        counts[resource] += rows.length;
        counts.rejected += rejected.length;
      },
      (end) => progressed(resource, end),
    );
  }

  /** Orders: typed rows, merged by SQL in chunks of the file. */
  async function mergeOrders(syncRunId: number) {
    let readAfter = cursor.lastSeq;
    await inTwoLanes(
      async () => {
        const chunk = await nextChunkEnd(pool, syncRunId, readAfter, orderChunk);
        if (!chunk) return null;
        const unit = { start: readAfter, ...chunk };
        readAfter = chunk.end;
        return unit;
      },
      async ({ start, end, orders }) => {
        const merged = await mergeStagedOrders(pool, shopId, syncRunId, start, end);
        counts.orders += orders;
        counts.rejected += merged.rejected.length;
      },
      (end) => progressed("orders", end),
    );
  }

  /** Stages the operation's result unless that is done and still there (staging is unlogged). */
  async function stage(resource: BulkResource) {
    if (cursor.staged && resource === "orders" && (await countStagedOrders(pool, run.id)) === cursor.roots) return;
    if (cursor.staged && resource !== "orders") return;
    const operation = await waitForBulkOperation(graphql, cursor.operationId!, options.poll);
    if (resource === "orders") {
      const staged = await stageOrders(pool, run.id, operation.url!, options.fetchImpl);
      if (!cursor.staged) counts.rejected += staged.rejected.length;
      Object.assign(cursor, { staged: true, roots: staged.roots });
    } else {
      const staged = await stageBulkResult(pool, run.id, operation.url!, options.fetchImpl);
      Object.assign(cursor, { staged: true, roots: staged.roots, lastSeq: 0 });
    }
    await save();
  }

  try {
    for (const resource of BACKFILL_ORDER.slice(BACKFILL_ORDER.indexOf(cursor.resource))) {
      if (cursor.resource !== resource) cursor = { resource, lastSeq: 0 };
      if (!cursor.operationId) {
        cursor.operationId = await startBulkQuery(graphql, BULK_QUERIES[resource]);
        await save();
      }
      let t0 = performance.now();
      await stage(resource);
      console.error("STAGE", resource, (performance.now() - t0) / 1000);
      t0 = performance.now();
      if (resource === "orders") {
        await mergeOrders(run.id);
        await clearStagedOrders(pool, run.id);
      } else {
        await ingestStagedLines(run.id, resource);
        await clearStaging(pool, run.id);
      }
      console.error("WRITE", resource, (performance.now() - t0) / 1000);
    }
    await refreshStatistics(pool);
    await save({ status: "SUCCEEDED", phase: "done", progress: 1, finishedAt: new Date() });
    return {
      syncRunId: run.id,
      counts: { products: counts.products, customers: counts.customers, orders: counts.orders },
    };
  } catch (error) {
    const message =
      error instanceof BulkOperationError ? `${error.reason}: ${error.message}` : (error as Error).message;
    await save({ status: "FAILED", error: message.slice(0, 1000), finishedAt: new Date() });
    throw error;
  }
}
