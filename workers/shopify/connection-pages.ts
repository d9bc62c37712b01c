/**
 * The rest of a connection whose first page came inside its parent's answer (an order's line
 * items, a product's variants, a refund's lines): later pages are asked for by the parent's
 * id with `more`, whose variables are `id` and `after`.
 */
import { queryData, type AdminGraphql } from "~/platforms/shopify/admin-graphql.server";
import type { Page } from "~/platforms/shopify/reconcile-queries";

type Node = Record<string, unknown>;

/**
 * Every node of the connection, or null when a later page did not come because the parent
 * is gone (`pick` finds no connection in the answer).
 */
export async function allNodes<T>(
  graphql: AdminGraphql,
  more: string,
  id: unknown,
  first: Page,
  pick: (data: T) => Page | null | undefined,
): Promise<Node[] | null> {
  const nodes = [...first.nodes];
  let info = first.pageInfo;
  while (info.hasNextPage) {
    const page = pick(await queryData<T>(graphql, more, { id, after: info.endCursor }));
    if (!page) return null;
    nodes.push(...page.nodes);
    info = page.pageInfo;
  }
  return nodes;
}
