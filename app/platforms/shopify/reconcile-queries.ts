/**
 * Paginated "changed since" queries for the reconcile. Page sizes keep each query's
 * requested cost under Shopify's 1,000-point ceiling (a connection costs its `first`, nested
 * ones multiply): orders 20 x 40 lines, products 8 x 100 variants, customers 100.
 */
import {
  CUSTOMER_FIELDS,
  LINE_ITEM_FIELDS,
  ORDER_FIELDS,
  PRODUCT_FIELDS,
  VARIANT_FIELDS,
  type BulkResource,
} from "./bulk/queries";

export const RECONCILE_QUERIES: Record<BulkResource, string> = {
  orders: `query ReconcileOrders($query: String!, $after: String) {
  orders(first: 20, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${ORDER_FIELDS}
      lineItems(first: 40) { pageInfo { hasNextPage endCursor } nodes { ${LINE_ITEM_FIELDS} } }
    }
  }
}`,
  products: `query ReconcileProducts($query: String!, $after: String) {
  products(first: 8, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${PRODUCT_FIELDS}
      variants(first: 100) { nodes { ${VARIANT_FIELDS} } }
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

const REFUND_LINE_FIELDS = `quantity subtotalSet { shopMoney { amount } }
        lineItem { id sku name isGiftCard product { id } }`;

/**
 * Refunds stored without their lines, by id (REFUND_LINES_PER_QUERY of them: 20 refunds x 40
 * lines keeps the requested cost near 850 of the 1,000-point ceiling).
 */
export const REFUND_LINES_PER_QUERY = 20;
export const REFUND_LINES = `query RefundLines($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Refund {
      id
      refundLineItems(first: 40) { pageInfo { hasNextPage endCursor } nodes { ${REFUND_LINE_FIELDS} } }
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
