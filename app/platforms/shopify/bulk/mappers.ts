/**
 * GraphQL bulk nodes -> neutral records. The ingest layer validates what comes out, so these
 * stay thin: rename, pick the shop-currency amounts, turn gids into ids.
 */
import type {
  CustomerRecord,
  OrderLineRecord,
  OrderRecord,
  ProductRecord,
  RefundLineRecord,
  RefundRecord,
} from "~/ingest/records";

import { shopifyId } from "../json";

type Node = Record<string, unknown>;

const amount = (set: unknown): string | undefined =>
  (set as { shopMoney?: { amount?: string } } | null | undefined)?.shopMoney?.amount ?? undefined;
const idOf = (value: unknown): string | null => shopifyId((value as { id?: unknown } | null | undefined)?.id ?? value);
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

const FINANCIAL: Record<string, OrderRecord["financialStatus"]> = {
  PENDING: "PENDING",
  AUTHORIZED: "AUTHORIZED",
  PAID: "PAID",
  PARTIALLY_PAID: "PARTIALLY_PAID",
  PARTIALLY_REFUNDED: "PARTIALLY_REFUNDED",
  REFUNDED: "REFUNDED",
  VOIDED: "VOIDED",
};

export function productFromBulk(node: Node, variants: Node[]): ProductRecord {
  const image = (node.featuredMedia as { preview?: { image?: { url?: string } } } | null)?.preview?.image?.url;
  return {
    externalId: idOf(node.id)!,
    title: text(node.title) ?? "",
    handle: text(node.handle),
    productType: text(node.productType),
    vendor: text(node.vendor),
    status: node.status === "DRAFT" || node.status === "ARCHIVED" ? node.status : "ACTIVE",
    imageUrl: image ?? null,
    totalInventory: node.tracksInventory === false ? null : ((node.totalInventory as number | null) ?? null),
    variants: variants.map((variant) => ({
      externalId: idOf(variant.id)!,
      title: text(variant.title),
      sku: text(variant.sku),
      price: text(variant.price),
      inventoryQuantity: (variant.inventoryQuantity as number | null) ?? null,
    })),
    createdAt: text(node.createdAt),
    updatedAt: text(node.updatedAt)!,
  };
}

export function customerFromBulk(node: Node): CustomerRecord {
  const marketing = (node.emailMarketingConsent as { marketingState?: string } | null)?.marketingState;
  return {
    externalId: idOf(node.id)!,
    email: text(node.email),
    firstName: text(node.firstName),
    lastName: text(node.lastName),
    country: (node.defaultAddress as { countryCodeV2?: string } | null)?.countryCodeV2 ?? null,
    tags: Array.isArray(node.tags) ? (node.tags as string[]) : [],
    acceptsMarketing: marketing ? marketing === "SUBSCRIBED" : null,
    createdAt: text(node.createdAt),
    updatedAt: text(node.updatedAt)!,
  };
}

/** A LineItem's kind and product: gift cards are sold but are no product to recommend. */
function kindAndProduct(item: Node): Pick<OrderLineRecord, "kind" | "productExternalId"> {
  const productId = idOf(item.product);
  if (item.isGiftCard === true) return { kind: "GIFT_CARD", productExternalId: null };
  return { kind: productId ? "PRODUCT" : "OTHER", productExternalId: productId };
}

export function lineItemFromBulk(item: Node): OrderLineRecord {
  return {
    externalId: idOf(item.id)!,
    ...kindAndProduct(item),
    variantExternalId: idOf(item.variant),
    sku: text(item.sku),
    title: text(item.name) ?? "",
    quantity: item.quantity as number,
    unitPrice: amount(item.originalUnitPriceSet)!,
    totalDiscount: amount(item.totalDiscountSet) ?? "0",
  };
}

export function orderFromBulk(node: Node, lineItems: Node[]): { order: OrderRecord; refunds: RefundRecord[] } {
  const externalId = idOf(node.id)!;
  const currency = text(node.currencyCode)!;
  const customerExternalId = idOf(node.customer);
  const order: OrderRecord = {
    externalId,
    name: text(node.name)!,
    customerExternalId,
    processedAt: text(node.processedAt) ?? text(node.createdAt)!,
    financialStatus: FINANCIAL[text(node.displayFinancialStatus) ?? ""] ?? "UNKNOWN",
    cancelledAt: text(node.cancelledAt),
    cancelReason: text(node.cancelReason),
    currency,
    subtotalPrice: amount(node.subtotalPriceSet) ?? amount(node.totalPriceSet)!,
    totalDiscounts: amount(node.totalDiscountsSet) ?? "0",
    totalShipping: amount(node.totalShippingPriceSet) ?? "0",
    totalTax: amount(node.totalTaxSet) ?? "0",
    totalPrice: amount(node.totalPriceSet)!,
    totalRefunded: amount(node.totalRefundedSet) ?? "0",
    test: node.test === true,
    lines: lineItems.map(lineItemFromBulk),
    createdAt: text(node.createdAt),
    updatedAt: text(node.updatedAt)!,
  };
  const refunds: RefundRecord[] = ((node.refunds as Node[] | null) ?? []).map((refund) => ({
    externalId: idOf(refund.id)!,
    orderExternalId: externalId,
    customerExternalId,
    processedAt: text(refund.createdAt)!,
    note: text(refund.note),
    currency,
    totalAmount: amount(refund.totalRefundedSet) ?? "0",
    // Refund lines are a connection inside a list, which bulk queries cannot nest and a
    // page of orders has no cost left for: the reconcile fetches them (refund-lines.ts).
    lines: [],
    linesPending: true,
    updatedAt: text(refund.createdAt)!,
  }));
  return { order, refunds };
}

/** A RefundLineItem node (refund-lines query): what was returned, against which order line. */
export function refundLineFromGraphql(node: Node): RefundLineRecord {
  const item = (node.lineItem as Node | null) ?? {};
  return {
    orderLineExternalId: idOf(item.id),
    ...kindAndProduct(item),
    sku: text(item.sku),
    title: text(item.name) ?? "",
    quantity: node.quantity as number,
    amount: amount(node.subtotalSet)!,
  };
}
