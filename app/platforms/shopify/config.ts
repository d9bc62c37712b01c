/** Facts about the Shopify app that code and configuration share. */

/** Admin API version for every call and webhook payload (PLATFORM-NOTES §1.8). */
export const SHOPIFY_API_VERSION = "2026-10";

/** Mirrors shopify.app.toml [access_scopes]. */
export const SHOPIFY_SCOPES = ["read_orders", "read_all_orders", "read_customers", "read_products", "write_customers"];

/** The webhook topics Foresight subscribes to (shopify.app.toml) and the queue job each becomes. */
export const SHOPIFY_DATA_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/delete",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "products/create",
  "products/update",
  "products/delete",
] as const;

export const SHOPIFY_APP_TOPICS = ["app/uninstalled", "app/scopes_update", "bulk_operations/finish"] as const;

export const SHOPIFY_COMPLIANCE_TOPICS = ["customers/data_request", "customers/redact", "shop/redact"] as const;

export type ShopifyTopic =
  | (typeof SHOPIFY_DATA_TOPICS)[number]
  | (typeof SHOPIFY_APP_TOPICS)[number]
  | (typeof SHOPIFY_COMPLIANCE_TOPICS)[number];

const ALL_TOPICS: readonly string[] = [...SHOPIFY_DATA_TOPICS, ...SHOPIFY_APP_TOPICS, ...SHOPIFY_COMPLIANCE_TOPICS];

export function isKnownTopic(topic: string): topic is ShopifyTopic {
  return ALL_TOPICS.includes(topic);
}
