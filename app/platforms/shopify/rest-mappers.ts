/**
 * Maps Shopify webhook payloads (REST representation, API 2026-10) to neutral ingest records.
 * Ids come from `admin_graphql_api_id` where present, so they match what GraphQL bulk
 * exports give for the same objects. Money strings pass through unchanged.
 */
import { z } from "zod";

import type { CustomerRecord, OrderRecord, ProductRecord, RefundRecord } from "~/ingest/records";

import { shopifyId } from "./json";

const id = z.union([z.string(), z.number()]);
const money = z.union([z.string(), z.number()]).transform((value) => String(value));
const time = z.string().min(1);
const optionalTime = z.string().nullish();

const RestCustomer = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  tags: z.string().nullish(),
  created_at: optionalTime,
  updated_at: time,
  default_address: z.object({ country_code: z.string().nullish() }).nullish(),
  email_marketing_consent: z.object({ state: z.string().nullish() }).nullish(),
});

const RestLineItem = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  product_id: id.nullish(),
  variant_id: id.nullish(),
  sku: z.string().nullish(),
  title: z.string().nullish(),
  name: z.string().nullish(),
  quantity: z.number().int(),
  price: money,
  total_discount: money.optional(),
  /** What each discount took off this line: the real figure (see lineDiscount). */
  discount_allocations: z.array(z.object({ amount: money })).optional(),
  gift_card: z.boolean().optional(),
});

const RestRefund = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  order_id: id,
  created_at: time,
  processed_at: optionalTime,
  note: z.string().nullish(),
  refund_line_items: z
    .array(
      z.object({
        line_item_id: id,
        quantity: z.number().int(),
        subtotal: money,
        line_item: RestLineItem.partial({ quantity: true, price: true }).optional(),
      }),
    )
    .default([]),
  transactions: z.array(z.object({ kind: z.string(), status: z.string().nullish(), amount: money })).default([]),
});

const RestOrder = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  name: z.string(),
  created_at: time,
  updated_at: time,
  processed_at: optionalTime,
  cancelled_at: optionalTime,
  cancel_reason: z.string().nullish(),
  financial_status: z.string().nullish(),
  currency: z.string(),
  subtotal_price: money.nullish(),
  total_price: money,
  total_tax: money.nullish(),
  total_discounts: money.nullish(),
  total_shipping_price_set: z.object({ shop_money: z.object({ amount: money }) }).nullish(),
  test: z.boolean().optional(),
  customer: RestCustomer.nullish(),
  line_items: z.array(RestLineItem),
  shipping_lines: z.array(z.object({ id, title: z.string().nullish(), price: money })).default([]),
  refunds: z.array(RestRefund).default([]),
});

const RestProduct = z.object({
  id,
  admin_graphql_api_id: z.string().optional(),
  title: z.string(),
  handle: z.string().nullish(),
  product_type: z.string().nullish(),
  vendor: z.string().nullish(),
  status: z.string().nullish(),
  created_at: optionalTime,
  updated_at: time,
  image: z.object({ src: z.string() }).nullish(),
  variants: z
    .array(
      z.object({
        id,
        admin_graphql_api_id: z.string().optional(),
        title: z.string().nullish(),
        sku: z.string().nullish(),
        price: money.nullish(),
        inventory_quantity: z.number().int().nullish(),
        /** "shopify", a fulfillment service's handle, or null when the variant's stock is not tracked. */
        inventory_management: z.string().nullish(),
      }),
    )
    .default([]),
});

export const RestDeletion = z.object({ id });

/** Parses with a schema, turning failures into one readable error. */
function parse<S extends z.ZodType>(schema: S, payload: unknown, what: string): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const reasons = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`malformed ${what} payload: ${reasons.join("; ")}`);
  }
  return result.data;
}

function idOf(object: { id: string | number; admin_graphql_api_id?: string }): string {
  const value = shopifyId(object.admin_graphql_api_id) ?? shopifyId(object.id);
  if (!value) throw new Error(`unreadable Shopify id: ${String(object.id)}`);
  return value;
}

const FINANCIAL: Record<string, OrderRecord["financialStatus"]> = {
  pending: "PENDING",
  authorized: "AUTHORIZED",
  paid: "PAID",
  partially_paid: "PARTIALLY_PAID",
  partially_refunded: "PARTIALLY_REFUNDED",
  refunded: "REFUNDED",
  voided: "VOIDED",
};

export function mapCustomer(payload: unknown): CustomerRecord {
  return toCustomer(parse(RestCustomer, payload, "customer"));
}

function toCustomer(customer: z.output<typeof RestCustomer>): CustomerRecord {
  return {
    externalId: idOf(customer),
    email: customer.email,
    firstName: customer.first_name,
    lastName: customer.last_name,
    country: customer.default_address?.country_code,
    tags: customer.tags
      ? customer.tags
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean)
      : [],
    acceptsMarketing: customer.email_marketing_consent?.state
      ? customer.email_marketing_consent.state === "subscribed"
      : null,
    createdAt: customer.created_at,
    updatedAt: customer.updated_at,
  };
}

/**
 * A line's discount. Shopify puts it in discount_allocations; line_item.total_discount stays 0
 * for orders from the online store, POS and draft orders (Shopify staff on the API forum,
 * "Discount Applications exposes line level discounts on the Order API"), and only some apps
 * fill it. Allocations win when present, so discount codes are not read as full-price sales.
 */
function lineDiscount(item: z.infer<typeof RestLineItem>): string {
  if (!item.discount_allocations || item.discount_allocations.length === 0) return item.total_discount ?? "0";
  // Summed in ten-thousandths, the stored precision, so three-decimal currencies stay exact.
  const units = item.discount_allocations.reduce((sum, a) => sum + Math.round(Number(a.amount) * 10_000), 0);
  return (units / 10_000).toFixed(4);
}

export function mapOrder(payload: unknown): {
  order: OrderRecord;
  customer: CustomerRecord | null;
  refunds: RefundRecord[];
} {
  const order = parse(RestOrder, payload, "order");
  const orderId = idOf(order);
  const lines: OrderRecord["lines"] = order.line_items.map((item) => ({
    externalId: idOf(item),
    kind: item.gift_card ? "GIFT_CARD" : item.product_id ? "PRODUCT" : "OTHER",
    productExternalId: item.product_id && !item.gift_card ? shopifyId(item.product_id) : null,
    variantExternalId: item.variant_id ? shopifyId(item.variant_id) : null,
    sku: item.sku,
    title: item.title ?? item.name ?? "",
    quantity: item.quantity,
    unitPrice: item.price,
    totalDiscount: lineDiscount(item),
  }));
  for (const shipping of order.shipping_lines) {
    lines.push({
      externalId: `shipping-${shopifyId(shipping.id)}`,
      kind: "SHIPPING",
      title: shipping.title ?? "Shipping",
      quantity: 1,
      unitPrice: shipping.price,
    });
  }
  const customer = order.customer ? toCustomer(order.customer) : null;
  return {
    order: {
      externalId: orderId,
      name: order.name,
      customerExternalId: customer?.externalId ?? null,
      processedAt: order.processed_at ?? order.created_at,
      financialStatus: FINANCIAL[order.financial_status ?? ""] ?? "UNKNOWN",
      cancelledAt: order.cancelled_at,
      cancelReason: order.cancel_reason,
      currency: order.currency,
      subtotalPrice: order.subtotal_price ?? order.total_price,
      totalDiscounts: order.total_discounts ?? "0",
      totalShipping: order.total_shipping_price_set?.shop_money.amount ?? "0",
      totalTax: order.total_tax ?? "0",
      totalPrice: order.total_price,
      test: order.test ?? false,
      lines,
      createdAt: order.created_at,
      updatedAt: order.updated_at,
    },
    customer,
    refunds: order.refunds.map((refund) => toRefund(refund, order.currency, customer?.externalId ?? null)),
  };
}

export function mapRefund(payload: unknown, currency: string): RefundRecord {
  return toRefund(parse(RestRefund, payload, "refund"), currency, null);
}

function toRefund(
  refund: z.output<typeof RestRefund>,
  currency: string,
  customerExternalId: string | null,
): RefundRecord {
  const refunded = refund.transactions
    .filter((t) => t.kind === "refund" && (t.status ?? "success") === "success")
    .reduce((sum, t) => sum + Math.round(Number(t.amount) * 100), 0);
  const lineTotal = refund.refund_line_items.reduce((sum, line) => sum + Math.round(Number(line.subtotal) * 100), 0);
  return {
    externalId: idOf(refund),
    orderExternalId: shopifyId(refund.order_id),
    customerExternalId,
    processedAt: refund.processed_at ?? refund.created_at,
    note: refund.note,
    currency,
    // What left the merchant's account; a refund of goods only (no money) falls back to the lines.
    totalAmount: ((refunded || lineTotal) / 100).toFixed(2),
    lines: refund.refund_line_items.map((line) => ({
      orderLineExternalId: line.line_item?.admin_graphql_api_id
        ? shopifyId(line.line_item.admin_graphql_api_id)
        : shopifyId(line.line_item_id),
      productExternalId: line.line_item?.product_id ? shopifyId(line.line_item.product_id) : null,
      sku: line.line_item?.sku,
      title: line.line_item?.title ?? "",
      quantity: line.quantity,
      amount: line.subtotal,
    })),
    updatedAt: refund.created_at,
  };
}

export function mapProduct(payload: unknown): ProductRecord {
  const product = parse(RestProduct, payload, "product");
  const status = (product.status ?? "active").toUpperCase();
  return {
    externalId: idOf(product),
    title: product.title,
    handle: product.handle,
    productType: product.product_type,
    vendor: product.vendor,
    status: status === "DRAFT" || status === "ARCHIVED" ? status : "ACTIVE",
    imageUrl: product.image?.src ?? null,
    // Only tracked variants count: Shopify sends inventory_quantity (often 0 or negative) for
    // untracked ones too, which would read as "sold out". No tracked variant: null, untracked.
    totalInventory: product.variants.some((v) => v.inventory_management)
      ? product.variants.reduce((sum, v) => sum + (v.inventory_management ? (v.inventory_quantity ?? 0) : 0), 0)
      : null,
    variants: product.variants.map((variant) => ({
      externalId: idOf(variant),
      title: variant.title,
      sku: variant.sku,
      price: variant.price ?? null,
      inventoryQuantity: variant.inventory_quantity ?? null,
    })),
    createdAt: product.created_at,
    updatedAt: product.updated_at,
  };
}

/** The id in a deletion payload ({"id": 123}). */
export function mapDeletedId(payload: unknown): string {
  return idOf(parse(RestDeletion, payload, "deletion"));
}
