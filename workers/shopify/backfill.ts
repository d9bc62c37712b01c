/**
 * A shop's full history through Bulk Operations: products, then customers, then orders.
 *
 * For each resource: start the bulk query, wait for it, stream the JSONL into staging, then
 * ingest top-level objects with their children in batches. The SyncRun's `cursor` records
 * where we are (operation id, staged or not, last ingested line), so a crashed run resumes
 * without asking Shopify again, and anything redone is harmless: ingest is idempotent.
 */
import type { Prisma } from "@prisma/client";

import type { Database } from "~/db.server";
import { ingestCustomers, ingestOrders, ingestProducts, ingestRefunds } from "~/ingest/index.server";
import type { RefundRecord } from "~/ingest/records";
import { refreshStatistics } from "~/ingest/statistics.server";
import type { AdminGraphql } from "~/platforms/shopify/admin-graphql.server";
import { customerFromBulk, orderFromBulk, productFromBulk } from "~/platforms/shopify/bulk/mappers";
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
  batchSize?: number;
  poll?: PollOptions;
  fetchImpl?: typeof fetch;
}

export interface BackfillResult {
  syncRunId: number;
  counts: Record<BulkResource, number>;
}

/** Ingests one batch of staged objects of `resource`; returns how many objects it held. */
async function ingestStaged(database: Database, shopId: number, resource: BulkResource, batch: StagedObject[]) {
  const { pool } = database;
  const rejectedOf = (result: { rejected: { externalId?: string; reasons: string[] }[] }) => result.rejected;
  let rejected: { externalId?: string; reasons: string[] }[];
  if (resource === "products") {
    rejected = rejectedOf(
      await ingestProducts(
        pool,
        shopId,
        batch.map((o) => productFromBulk(o.data, o.children)),
      ),
    );
  } else if (resource === "customers") {
    rejected = rejectedOf(
      await ingestCustomers(
        pool,
        shopId,
        batch.map((o) => customerFromBulk(o.data)),
      ),
    );
  } else {
    const mapped = batch.map((o) => orderFromBulk(o.data, o.children));
    rejected = rejectedOf(
      await ingestOrders(
        pool,
        shopId,
        mapped.map((m) => m.order),
      ),
    );
    const refunds: RefundRecord[] = mapped.flatMap((m) => m.refunds);
    if (refunds.length > 0) rejected.push(...rejectedOf(await ingestRefunds(pool, shopId, refunds)));
  }
  return rejected;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const { database, graphql, shopId } = options;
  const { prisma, pool } = database;
  const batchSize = options.batchSize ?? 2000;
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

  /**
   * Two batches in flight: one is read and mapped while the other is written. Batches are read
   * in line order; the cursor only moves past a batch once every batch before it is stored,
   * so a resume never skips one.
   */
  async function ingestStagedInOrder(syncRunId: number, resource: BulkResource) {
    let readAfter = cursor.lastSeq;
    let reading: Promise<unknown> = Promise.resolve();
    const pending: { end: number; done: boolean }[] = [];
    const nextBatch = () => {
      const batch = reading.then(async () => {
        const rows = await readStagedBatch(pool, syncRunId, readAfter, batchSize);
        if (rows.length > 0) {
          readAfter = rows.at(-1)!.seq;
          pending.push({ end: readAfter, done: false });
        }
        return { rows, entry: pending.at(-1)! };
      });
      reading = batch.catch(() => undefined);
      return batch;
    };
    let failed = false;
    const lane = async () => {
      while (!failed) {
        const { rows, entry } = await nextBatch();
        if (rows.length === 0) return;
        const rejected = await ingestStaged(database, shopId, resource, rows);
        counts[resource] += rows.length;
        counts.rejected += rejected.length;
        entry.done = true;
        while (pending[0]?.done) cursor.lastSeq = pending.shift()!.end;
        const done = BACKFILL_ORDER.indexOf(resource) + Math.min(1, counts[resource] / Math.max(cursor.roots ?? 1, 1));
        await saveInOrder({ progress: done / BACKFILL_ORDER.length });
      }
    };
    const guarded = () =>
      lane().catch((error: unknown) => {
        failed = true; // the other lane stops after its current batch
        throw error;
      });
    const results = await Promise.allSettled([guarded(), guarded()]);
    const failure = results.find((result) => result.status === "rejected");
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }

  try {
    for (const resource of BACKFILL_ORDER.slice(BACKFILL_ORDER.indexOf(cursor.resource))) {
      if (cursor.resource !== resource) cursor = { resource, lastSeq: 0 };
      if (!cursor.operationId) {
        cursor.operationId = await startBulkQuery(graphql, BULK_QUERIES[resource]);
        await save();
      }
      if (!cursor.staged) {
        const operation = await waitForBulkOperation(graphql, cursor.operationId, options.poll);
        const staged = await stageBulkResult(pool, run.id, operation.url!, options.fetchImpl);
        Object.assign(cursor, { staged: true, roots: staged.roots, lastSeq: 0 });
        await save();
      }
      await ingestStagedInOrder(run.id, resource);
      await clearStaging(pool, run.id);
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
