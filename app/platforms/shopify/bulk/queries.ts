/**
 * The fields Foresight reads from Shopify (Admin API 2026-10), shared by the bulk backfill
 * and the paginated reconcile so both yield the same node shapes for the same mappers.
 *
 * Bulk queries have one top-level connection and at most one nested connection, within
 * Shopify's limits (5 connections, depth 2). In the JSONL result every nested node is its own
 * line with `__parentId` (PLATFORM-NOTES §1.7).
 */
const money = "shopMoney { amount }";

export const PRODUCT_FIELDS = `id title handle productType vendor status createdAt updatedAt totalInventory tracksInventory
      featuredMedia { preview { image { url } } }`;
export const VARIANT_FIELDS = "id title sku price inventoryQuantity";
export const CUSTOMER_FIELDS = `id email firstName lastName tags createdAt updatedAt
      defaultAddress { countryCodeV2 }
      emailMarketingConsent { marketingState }`;
export const ORDER_FIELDS = `id name createdAt updatedAt processedAt cancelledAt cancelReason displayFinancialStatus
      currencyCode test
      subtotalPriceSet { ${money} } totalPriceSet { ${money} } totalTaxSet { ${money} }
      totalDiscountsSet { ${money} } totalShippingPriceSet { ${money} } totalRefundedSet { ${money} }
      customer { id }
      refunds { id createdAt note totalRefundedSet { ${money} } }`;
export const LINE_ITEM_FIELDS = `id sku name quantity isGiftCard
        originalUnitPriceSet { ${money} } totalDiscountSet { ${money} }
        product { id } variant { id }`;

export type BulkResource = "products" | "customers" | "orders";

export const BULK_QUERIES: Record<BulkResource, string> = {
  products: `{
  products {
    edges { node {
      ${PRODUCT_FIELDS}
      variants { edges { node { ${VARIANT_FIELDS} } } }
    } }
  }
}`,
  customers: `{
  customers {
    edges { node {
      ${CUSTOMER_FIELDS}
    } }
  }
}`,
  orders: `{
  orders {
    edges { node {
      ${ORDER_FIELDS}
      lineItems { edges { node {
        ${LINE_ITEM_FIELDS}
      } } }
    } }
  }
}`,
};

export const RUN_BULK_QUERY = `mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

export const BULK_OPERATION_STATUS = `query BulkOperationStatus($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode objectCount rootObjectCount fileSize url partialDataUrl
  }
}`;
