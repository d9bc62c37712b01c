/**
 * Bulk queries for a backfill (Admin API 2026-10). Each has one top-level connection and at
 * most one nested connection, within Shopify's limits (5 connections, depth 2). In the JSONL
 * result every nested node is its own line with `__parentId` (PLATFORM-NOTES §1.7).
 */
const money = "shopMoney { amount }";

export type BulkResource = "products" | "customers" | "orders";

export const BULK_QUERIES: Record<BulkResource, string> = {
  products: `{
  products {
    edges { node {
      id title handle productType vendor status createdAt updatedAt totalInventory tracksInventory
      featuredMedia { preview { image { url } } }
      variants { edges { node { id title sku price inventoryQuantity } } }
    } }
  }
}`,
  customers: `{
  customers {
    edges { node {
      id email firstName lastName tags createdAt updatedAt
      defaultAddress { countryCodeV2 }
      emailMarketingConsent { marketingState }
    } }
  }
}`,
  orders: `{
  orders {
    edges { node {
      id name createdAt updatedAt processedAt cancelledAt cancelReason displayFinancialStatus
      currencyCode test
      subtotalPriceSet { ${money} } totalPriceSet { ${money} } totalTaxSet { ${money} }
      totalDiscountsSet { ${money} } totalShippingPriceSet { ${money} } totalRefundedSet { ${money} }
      customer { id }
      refunds { id createdAt note totalRefundedSet { ${money} } }
      lineItems { edges { node {
        id sku name quantity isGiftCard
        originalUnitPriceSet { ${money} } totalDiscountSet { ${money} }
        product { id } variant { id }
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
