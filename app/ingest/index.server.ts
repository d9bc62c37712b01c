export type { IngestResult } from "./batch.server";
export { ingestCustomers } from "./customers.server";
export { ingestProducts } from "./products.server";
export { deleteOrder, ingestOrders } from "./orders.server";
export { ingestRefundLines, ingestRefunds } from "./refunds.server";
export { upsertShop, type ShopIdentity } from "./shops.server";
