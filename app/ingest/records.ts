/**
 * Platform-neutral records: what every source (Shopify, WooCommerce, file import) maps its
 * data to before it reaches Postgres. Money is a decimal string (never a float); times are
 * instants; `updatedAt` is the platform's own last-modified time and decides which of two
 * versions of the same record wins.
 */
import { z } from "zod";

const externalId = z.string().trim().min(1).max(255);
const decimal = z
  .string()
  .regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'must be a decimal number written as a string, e.g. "12.50"');
const instant = z.union([z.iso.datetime({ offset: true }), z.date()]).transform((value) => new Date(value));
const optionalText = z
  .string()
  .trim()
  .max(1000)
  .nullish()
  .transform((value) => value || null);

export const LINE_KINDS = ["PRODUCT", "SHIPPING", "DISCOUNT", "FEE", "ADJUSTMENT", "GIFT_CARD", "OTHER"] as const;
export const FINANCIAL_STATUSES = [
  "PENDING",
  "AUTHORIZED",
  "PAID",
  "PARTIALLY_PAID",
  "PARTIALLY_REFUNDED",
  "REFUNDED",
  "VOIDED",
  "UNKNOWN",
] as const;

export const CustomerRecord = z.object({
  externalId,
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(320)
    .nullish()
    .transform((value) => value || null),
  firstName: optionalText,
  lastName: optionalText,
  country: optionalText,
  tags: z.array(z.string().max(255)).default([]),
  acceptsMarketing: z
    .boolean()
    .nullish()
    .transform((value) => value ?? null),
  createdAt: instant.nullish().transform((value) => value ?? null),
  updatedAt: instant,
});
export type CustomerRecord = z.input<typeof CustomerRecord>;
export type ValidCustomer = z.output<typeof CustomerRecord>;

export const VariantRecord = z.object({
  externalId,
  title: optionalText,
  sku: optionalText,
  price: decimal.nullish().transform((value) => value ?? null),
  inventoryQuantity: z
    .number()
    .int()
    .nullish()
    .transform((value) => value ?? null),
});

export const ProductRecord = z.object({
  externalId,
  title: z.string().trim().max(1000).default(""),
  handle: optionalText,
  productType: optionalText,
  vendor: optionalText,
  status: z.enum(["ACTIVE", "DRAFT", "ARCHIVED"]).default("ACTIVE"),
  imageUrl: z
    .string()
    .url()
    .nullish()
    .transform((value) => value ?? null),
  totalInventory: z
    .number()
    .int()
    .nullish()
    .transform((value) => value ?? null),
  recommendable: z.boolean().default(true),
  deleted: z.boolean().default(false),
  variants: z.array(VariantRecord).default([]),
  createdAt: instant.nullish().transform((value) => value ?? null),
  updatedAt: instant,
});
export type ProductRecord = z.input<typeof ProductRecord>;
export type ValidProduct = z.output<typeof ProductRecord>;

export const OrderLineRecord = z.object({
  externalId,
  kind: z.enum(LINE_KINDS).default("PRODUCT"),
  productExternalId: externalId.nullish().transform((value) => value ?? null),
  variantExternalId: externalId.nullish().transform((value) => value ?? null),
  sku: optionalText,
  title: z.string().trim().max(1000).default(""),
  quantity: z.number().int(),
  unitPrice: decimal,
  totalDiscount: decimal.default("0"),
});

export type OrderLineRecord = z.input<typeof OrderLineRecord>;

export const OrderRecord = z
  .object({
    externalId,
    name: z.string().trim().min(1).max(255),
    customerExternalId: externalId.nullish().transform((value) => value ?? null),
    processedAt: instant,
    financialStatus: z.enum(FINANCIAL_STATUSES).default("UNKNOWN"),
    cancelledAt: instant.nullish().transform((value) => value ?? null),
    cancelReason: optionalText,
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
    subtotalPrice: decimal,
    totalDiscounts: decimal.default("0"),
    totalShipping: decimal.default("0"),
    totalTax: decimal.default("0"),
    totalPrice: decimal,
    totalRefunded: decimal.default("0"),
    test: z.boolean().default(false),
    lines: z.array(OrderLineRecord),
    createdAt: instant.nullish().transform((value) => value ?? null),
    updatedAt: instant,
  })
  .superRefine((order, ctx) => {
    const seen = new Set<string>();
    for (const [index, line] of order.lines.entries()) {
      if (seen.has(line.externalId)) {
        ctx.addIssue({ code: "custom", path: ["lines", index, "externalId"], message: "duplicate line id" });
      }
      seen.add(line.externalId);
      if (line.kind === "PRODUCT" && !line.productExternalId) {
        ctx.addIssue({ code: "custom", path: ["lines", index], message: "a PRODUCT line needs productExternalId" });
      }
    }
  });
export type OrderRecord = z.input<typeof OrderRecord>;
export type ValidOrder = z.output<typeof OrderRecord>;

export const RefundLineRecord = z.object({
  orderLineExternalId: externalId.nullish().transform((value) => value ?? null),
  kind: z.enum(LINE_KINDS).default("PRODUCT"),
  productExternalId: externalId.nullish().transform((value) => value ?? null),
  sku: optionalText,
  title: z.string().trim().max(1000).default(""),
  quantity: z.number().int().nonnegative(),
  amount: decimal,
});

export const RefundRecord = z.object({
  externalId,
  orderExternalId: externalId.nullish().transform((value) => value ?? null),
  customerExternalId: externalId.nullish().transform((value) => value ?? null),
  processedAt: instant,
  isCancellation: z.boolean().default(false),
  note: optionalText,
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  totalAmount: decimal,
  lines: z.array(RefundLineRecord),
  /** The source could not say which lines were refunded (`lines` is empty, not "none"). */
  linesPending: z.boolean().default(false),
  updatedAt: instant,
});
export type RefundLineRecord = z.input<typeof RefundLineRecord>;
export type RefundRecord = z.input<typeof RefundRecord>;
export type ValidRefund = z.output<typeof RefundRecord>;

/** A record that failed validation: which one, and why, in words a merchant can act on. */
export interface RejectedRecord {
  externalId: string | undefined;
  reasons: string[];
}

/**
 * A schema's hand-written fast path: the record as the schema would return it, or undefined
 * to let the schema decide (see canonical-order.ts).
 */
export type CanonicalCheck<S extends z.ZodType> = (record: unknown) => z.output<S> | undefined;

/** Validates a batch, splitting it into valid records and readable rejections. */
export function validateAll<S extends z.ZodType>(
  schema: S,
  records: readonly unknown[],
  canonical?: CanonicalCheck<S>,
): { valid: z.output<S>[]; rejected: RejectedRecord[] } {
  const valid: z.output<S>[] = [];
  const rejected: RejectedRecord[] = [];
  for (const record of records) {
    const checked = canonical?.(record);
    if (checked !== undefined) {
      valid.push(checked);
      continue;
    }
    const result = schema.safeParse(record);
    if (result.success) {
      valid.push(result.data);
    } else {
      const id = (record as { externalId?: unknown } | null)?.externalId;
      rejected.push({
        externalId: typeof id === "string" ? id : undefined,
        reasons: result.error.issues.map((issue) => `${issue.path.join(".") || "record"}: ${issue.message}`),
      });
    }
  }
  return { valid, rejected };
}

/** Keeps one record per externalId, the one with the newest updatedAt (last wins on ties). */
export function newestPerId<T extends { externalId: string; updatedAt: Date }>(records: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const record of records) {
    const current = byId.get(record.externalId);
    if (!current || current.updatedAt <= record.updatedAt) byId.set(record.externalId, record);
  }
  return [...byId.values()];
}
