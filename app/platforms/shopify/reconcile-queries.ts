/**
 * Paginated "changed since" queries for the reconcile. A query's requested cost must stay
 * under Shopify's 1,000-point ceiling; a connection costs 2 + `first` times its node, whose
 * objects cost 1 each. Products (8 x 100 variants, about 850) and customers (100, about 300)
 * are sized for that; a product's variants past the first 100 (a store may have 2,048) are
 * paged with MORE_VARIANTS, since ingest removes the variants a product no longer lists. An order's node holds a dozen money objects and its lines several each,
 * so how many orders and lines fit is left to the reconcile: it starts at ORDER_PAGE and
 * shrinks the page when Shopify answers MAX_COST_EXCEEDED.
 */
import {
  CUSTOMER_FIELDS,
  LINE_ITEM_FIELDS,
  ORDER_FIELDS,
  PRODUCT_FIELDS,
  VARIANT_FIELDS,
  type BulkResource,
} from "./bulk/queries";

/** Orders and lines per page of ReconcileOrders to start with (lines past these are paged). */
export const ORDER_PAGE = { first: 20, lines: 40 };

/** One page of a connection as these queries select it (`pageInfo` and `nodes`). */
export interface Page {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Record<string, unknown>[];
}

export const RECONCILE_QUERIES: Record<BulkResource, string> = {
  orders: `query ReconcileOrders($query: String!, $after: String, $first: Int!, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${ORDER_FIELDS}
      lineItems(first: $lines) { pageInfo { hasNextPage endCursor } nodes { ${LINE_ITEM_FIELDS} } }
    }
  }
}`,
  products: `query ReconcileProducts($query: String!, $after: String) {
  products(first: 8, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${PRODUCT_FIELDS}
      variants(first: 100) { pageInfo { hasNextPage endCursor } nodes { ${VARIANT_FIELDS} } }
    }
  }
}`,
  customers: `query ReconcileCustomers($query: String!, $after: String) {
  customers(first: 100, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ${CUSTOMER_FIELDS} }
  }
}`,
};

/** The rest of an order's line items, when it has more than the page query fetched. */
export const MORE_LINE_ITEMS = `query MoreLineItems($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${LINE_ITEM_FIELDS} } }
  }
}`;

/** The rest of a product's variants, when it has more than the page query fetched. */
export const MORE_VARIANTS = `query MoreVariants($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: 250, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${VARIANT_FIELDS} } }
  }
}`;

const REFUND_LINE_FIELDS = `quantity subtotalSet { shopMoney { amount } }
        lineItem { id sku name isGiftCard product { id } }`;

/**
 * Refunds stored without their lines, by id. 10 refunds x 10 lines stays under the 1,000-point
 * ceiling even counting every object inside a line (objects 1, a connection 2 + first x its
 * node): 10 x (1 + 2 + 10 x 5) = 530. Most refunds return one or two lines; longer ones are
 * paged with MORE_REFUND_LINES.
 */
export const REFUND_LINES_PER_QUERY = 10;
export const REFUND_LINES_PER_REFUND = 10;
export const REFUND_LINES = `query RefundLines($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Refund {
      id
      refundLineItems(first: ${REFUND_LINES_PER_REFUND}) { pageInfo { hasNextPage endCursor } nodes { ${REFUND_LINE_FIELDS} } }
    }
  }
}`;

/** The rest of a refund's lines, when it has more than RefundLines fetched. */
export const MORE_REFUND_LINES = `query MoreRefundLines($id: ID!, $after: String) {
  node(id: $id) {
    ... on Refund {
      refundLineItems(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${REFUND_LINE_FIELDS} } }
    }
  }
}`;
