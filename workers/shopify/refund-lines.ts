/**
 * Fetches the lines of refunds stored without them. Bulk results and pages of orders carry
 * each refund but not what it returned (its lines are a connection inside a list, which a
 * bulk query cannot nest and a page of orders has no cost left for), so the refunds are
 * flagged `linesPending` and their lines are asked for here by refund id, 10 at a time,
 * through the shop's cost limiter. Run by the reconcile, so a failure is retried with it; a
 * refund that Shopify no longer returns is completed with no lines rather than asked for
 * again forever.
 */
import type { Database } from "~/db.server";
import { log } from "~/logger.server";
import { ingestRefundLines } from "~/ingest/index.server";
import { queryData, type AdminGraphql } from "~/platforms/shopify/admin-graphql.server";
import { refundLineFromGraphql } from "~/platforms/shopify/bulk/mappers";
import {
  MORE_REFUND_LINES,
  REFUND_LINES,
  REFUND_LINES_PER_QUERY,
  type Page,
} from "~/platforms/shopify/reconcile-queries";

import { allNodes } from "./connection-pages";

/**
 * Every line of a refund whose first page was not all of them; null when a further page did
 * not come (the refund stays pending rather than be stored with part of its lines).
 */
const allRefundLines = (graphql: AdminGraphql, id: string, first: Page) =>
  allNodes<{ node: { refundLineItems: Page } | null }>(
    graphql,
    MORE_REFUND_LINES,
    id,
    first,
    (data) => data.node?.refundLineItems,
  );

/** @returns how many refunds got their lines. */
export async function fetchPendingRefundLines(options: {
  database: Database;
  graphql: AdminGraphql;
  shopId: number;
}): Promise<number> {
  const { database, graphql, shopId } = options;
  let after = 0;
  let completed = 0;
  for (;;) {
    const { rows } = await database.pool.query<{ id: number; externalId: string }>(
      `SELECT "id", "externalId" FROM "Refund" WHERE "shopId" = $1 AND "linesPending" AND "id" > $2
       ORDER BY "id" LIMIT $3`,
      [shopId, after, REFUND_LINES_PER_QUERY],
    );
    if (rows.length === 0) return completed;
    after = rows.at(-1)!.id;
    const ids = rows.map((row) => `gid://shopify/Refund/${row.externalId}`);
    const data = await queryData<{ nodes: ({ id: string; refundLineItems: Page } | null)[] }>(graphql, REFUND_LINES, {
      ids,
    });
    const refunds = [];
    for (const [index, node] of data.nodes.entries()) {
      const lines = node ? await allRefundLines(graphql, node.id, node.refundLineItems) : [];
      if (lines) refunds.push({ refundExternalId: rows[index]!.externalId, lines: lines.map(refundLineFromGraphql) });
    }
    const missing = rows.filter((_row, index) => !data.nodes[index]).map((row) => row.externalId);
    if (missing.length > 0)
      log.warn({ shopId, refunds: missing }, "refunds not returned by Shopify: stored without lines");
    const result = await ingestRefundLines(database.pool, shopId, refunds);
    if (result.rejected.length > 0) {
      log.warn({ shopId, rejected: result.rejected }, "refund lines rejected: their refunds are stored without lines");
    }
    completed += result.completed;
  }
}
