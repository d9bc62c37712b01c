/**
 * Catches what webhooks missed: Shopify delivers them at least once, unordered, sometimes a
 * day late, sometimes not at all. Pages through everything updated since the last watermark
 * (minus a minute of overlap: re-ingesting is harmless, missing is not) and ingests it.
 * Watermarks are the newest `updatedAt` actually seen, per resource, kept on the SyncRun and
 * saved after every page (pages come oldest first), so a run that fails part-way (a long
 * catch-up after a bulk edit, Shopify throttling for minutes) keeps what it did and the next
 * run carries on from there. Last, it fetches the lines of refunds stored without them
 * (refund-lines.ts).
 */
import type { Database } from "~/db.server";
import { log } from "~/logger.server";
import { ingestCustomers, ingestOrders, ingestProducts, ingestRefunds } from "~/ingest/index.server";
import { dataOf, hasErrorCode, type AdminGraphql, type GraphqlAnswer } from "~/platforms/shopify/admin-graphql.server";
import { customerFromBulk, orderFromBulk, productFromBulk } from "~/platforms/shopify/bulk/mappers";
import type { BulkResource } from "~/platforms/shopify/bulk/queries";
import {
  MORE_LINE_ITEMS,
  MORE_VARIANTS,
  ORDER_PAGE,
  RECONCILE_QUERIES,
  type Page,
} from "~/platforms/shopify/reconcile-queries";

import { allNodes } from "./connection-pages";
import { fetchPendingRefundLines } from "./refund-lines";

type Node = Record<string, unknown>;

const RESOURCES: BulkResource[] = ["products", "customers", "orders"];
const OVERLAP_MS = 60_000;
/**
 * A watermark never passes the run's start minus this: Shopify's search (`updated_at:>`) can
 * list a record some time after it changed, and a record listed late must still be after the
 * next run's watermark. Re-reading the last few minutes each run costs a page or two.
 */
const SEARCH_LAG_MS = 5 * 60_000;
const FIRST_RUN_LOOKBACK_MS = 2 * 24 * 3600_000;

export interface ReconcileOptions {
  database: Database;
  graphql: AdminGraphql;
  shopId: number;
  now?: () => number;
}

/** Every node of `parent[field]`, the rest read with `more`; a parent gone meanwhile fails the page. */
async function allChildren(graphql: AdminGraphql, parent: Node, field: "lineItems" | "variants", more: string) {
  const owner = field === "lineItems" ? "order" : "product";
  const nodes = await allNodes<Record<string, Record<string, Page> | null>>(
    graphql,
    more,
    parent.id,
    parent[field] as Page,
    (data) => data[owner]?.[field],
  );
  if (!nodes) throw new Error(`${String(parent.id)} was gone while its ${field} were paged`);
  return nodes;
}

async function ingestPage(options: ReconcileOptions, resource: BulkResource, nodes: Node[]) {
  const { database, graphql, shopId } = options;
  const { pool } = database;
  if (resource === "products") {
    const products = [];
    for (const node of nodes)
      products.push(productFromBulk(node, await allChildren(graphql, node, "variants", MORE_VARIANTS)));
    await ingestProducts(pool, shopId, products);
  } else if (resource === "customers") {
    await ingestCustomers(pool, shopId, nodes.map(customerFromBulk));
  } else {
    const mapped = [];
    for (const node of nodes)
      mapped.push(orderFromBulk(node, await allChildren(graphql, node, "lineItems", MORE_LINE_ITEMS)));
    await ingestOrders(
      pool,
      shopId,
      mapped.map((m) => m.order),
    );
    const refunds = mapped.flatMap((m) => m.refunds);
    if (refunds.length) await ingestRefunds(pool, shopId, refunds);
  }
}

/**
 * Half the orders per page, then half the lines per order, until Shopify accepts the cost.
 * Lines past the page are fetched by MORE_LINE_ITEMS, so no line is lost by shrinking.
 */
function smallerPage(page: typeof ORDER_PAGE): typeof ORDER_PAGE {
  if (page.first > 1) return { ...page, first: Math.floor(page.first / 2) };
  if (page.lines > 1) return { ...page, lines: Math.floor(page.lines / 2) };
  throw new Error("Shopify refuses even one order with one line per query as too costly");
}

export async function runReconcile(options: ReconcileOptions) {
  const { database, graphql, shopId } = options;
  const { prisma } = database;
  const now = options.now ?? Date.now;
  const [previous, backfill] = await Promise.all([
    // The latest run that saved progress, whether it finished or failed part-way.
    prisma.syncRun.findFirst({
      where: { shopId, kind: "RECONCILE", cursor: { not: null } },
      orderBy: { id: "desc" },
    }),
    prisma.syncRun.findFirst({
      where: { shopId, kind: "BACKFILL", status: "SUCCEEDED" },
      orderBy: { startedAt: "desc" },
    }),
  ]);
  const watermarks: Record<string, string> = previous?.cursor ? JSON.parse(previous.cursor) : {};
  const fallback = backfill?.startedAt.getTime() ?? now() - FIRST_RUN_LOOKBACK_MS;
  const run = await prisma.syncRun.create({ data: { shopId, kind: "RECONCILE", status: "RUNNING" } });
  const ceiling = now() - SEARCH_LAG_MS;
  const counts: Record<string, number> = {};
  let orderPage = ORDER_PAGE;
  try {
    for (const resource of RESOURCES) {
      const since = new Date((watermarks[resource] ? Date.parse(watermarks[resource]) : fallback) - OVERLAP_MS);
      const start = watermarks[resource] ?? new Date(fallback).toISOString();
      let newest = start;
      let after: string | null = null;
      counts[resource] = 0;
      await prisma.syncRun.update({ where: { id: run.id }, data: { phase: resource } });
      for (;;) {
        const variables: Record<string, unknown> = { query: `updated_at:>'${since.toISOString()}'`, after };
        if (resource === "orders") Object.assign(variables, orderPage);
        const answer: GraphqlAnswer<Record<string, Page>> = await graphql(RECONCILE_QUERIES[resource], variables);
        if (resource === "orders" && hasErrorCode(answer, "MAX_COST_EXCEEDED")) {
          orderPage = smallerPage(orderPage);
          continue;
        }
        const page: Page = dataOf(answer)[resource]!;
        await ingestPage(options, resource, page.nodes);
        counts[resource] += page.nodes.length;
        for (const node of page.nodes) {
          if (typeof node.updatedAt === "string" && Date.parse(node.updatedAt) > Date.parse(newest)) {
            newest = node.updatedAt;
          }
        }
        const capped = Math.max(Date.parse(start), Math.min(Date.parse(newest), ceiling));
        watermarks[resource] = new Date(capped).toISOString();
        await prisma.syncRun.update({ where: { id: run.id }, data: { cursor: JSON.stringify(watermarks), counts } });
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        if (!after) break;
      }
    }
    // Refunds from the backfill and from the pages above came without their lines. A failure
    // here must not hold back the watermarks: the refunds stay pending for the next run.
    await prisma.syncRun.update({ where: { id: run.id }, data: { phase: "refund-lines", counts } });
    counts.refundLines = await fetchPendingRefundLines(options).catch((error: Error) => {
      log.warn({ shopId, syncRunId: run.id, error: error.message }, "refund lines not fetched; retried next reconcile");
      return 0;
    });
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { status: "SUCCEEDED", phase: "done", cursor: JSON.stringify(watermarks), counts, finishedAt: new Date() },
    });
    return { syncRunId: run.id, counts, watermarks };
  } catch (error) {
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { status: "FAILED", error: (error as Error).message.slice(0, 1000), counts, finishedAt: new Date() },
    });
    throw error;
  }
}
