/**
 * Row rules for the UCI "Online Retail" export (one row per invoice line). Pure: no I/O.
 *
 * - `InvoiceNo` starting with C: a cancellation; its (negative) lines are returned goods.
 * - Quantity > 0 and UnitPrice > 0: a sold line.
 * - Anything else is not a sale: stock adjustments (quantity <= 0, e.g. "damaged"),
 *   zero-price lines and negative-price accounting entries. They are counted, not imported.
 * - StockCode matching /^[0-9]{5}/ is a product; other codes (POST, M, BANK CHARGES, ...) are
 *   non-product lines that count toward order totals but never become products.
 */
import type { LINE_KINDS } from "~/ingest/records";
import { parseMoney } from "~/lib/money";

export const ONLINE_RETAIL_COLUMNS = [
  "InvoiceNo",
  "StockCode",
  "Description",
  "Quantity",
  "InvoiceDate",
  "UnitPrice",
  "CustomerID",
  "Country",
] as const;

export type LineKind = (typeof LINE_KINDS)[number];

export type SkipReason = "stockAdjustment" | "zeroPrice" | "negativePrice";

export type ClassifiedRow =
  | { type: "sale"; row: ParsedRow }
  | { type: "cancellation"; row: ParsedRow }
  | { type: "skip"; reason: SkipReason }
  | { type: "malformed"; reason: string };

export interface ParsedRow {
  invoice: string;
  stockCode: string;
  description: string;
  quantity: number;
  /** Local wall-clock time as written, "YYYY-MM-DD HH:MM:SS". */
  invoiceDate: string;
  /** UnitPrice in ten-thousandths (see lib/money.ts). */
  unitPrice: number;
  customerId: string | null;
  country: string;
}

const INVOICE = /^[A-Z]?\d{6}$/;
const INTEGER = /^-?\d+$/;
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/;
const CUSTOMER = /^\d{1,10}$/;
const PRODUCT_CODE = /^[0-9]{5}/;

export function isProductCode(stockCode: string): boolean {
  return PRODUCT_CODE.test(stockCode);
}

/** How a non-product stock code counts in an order. */
export function lineKindOf(stockCode: string): LineKind {
  if (isProductCode(stockCode)) return "PRODUCT";
  const code = stockCode.toUpperCase();
  if (code === "POST" || code === "DOT" || code === "C2") return "SHIPPING";
  if (code === "D") return "DISCOUNT";
  if (code === "BANK CHARGES" || code === "AMAZONFEE" || code === "CRUK") return "FEE";
  if (code === "M" || code === "B") return "ADJUSTMENT";
  if (code.startsWith("GIFT_")) return "GIFT_CARD";
  return "OTHER";
}

function isCalendarTime(text: string): boolean {
  const [year, month, day, hour, minute, second = 0] = text.split(/[- :]/).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return date.getUTCMonth() === month! - 1 && date.getUTCDate() === day && hour! < 24 && minute! < 60 && second < 60;
}

/** Validates one record (already split into fields) and says what it is. */
export function classifyRow(fields: Record<string, string | undefined>): ClassifiedRow {
  const invoice = (fields.InvoiceNo ?? "").trim();
  if (!INVOICE.test(invoice)) return { type: "malformed", reason: `InvoiceNo "${invoice}" is not an invoice number` };
  const stockCode = (fields.StockCode ?? "").trim();
  if (!stockCode) return { type: "malformed", reason: "StockCode is empty" };
  const quantityText = (fields.Quantity ?? "").trim();
  if (!INTEGER.test(quantityText)) return { type: "malformed", reason: `Quantity "${quantityText}" is not an integer` };
  const invoiceDate = (fields.InvoiceDate ?? "").trim();
  if (!DATE.test(invoiceDate)) {
    return { type: "malformed", reason: `InvoiceDate "${invoiceDate}" is not YYYY-MM-DD HH:MM:SS` };
  }
  if (!isCalendarTime(invoiceDate))
    return { type: "malformed", reason: `InvoiceDate "${invoiceDate}" is not a real date` };
  const unitPrice = parseMoney(fields.UnitPrice ?? "");
  if (unitPrice === null) {
    return {
      type: "malformed",
      reason: `UnitPrice "${fields.UnitPrice ?? ""}" is not a decimal with at most 4 places`,
    };
  }
  const customerText = (fields.CustomerID ?? "").trim();
  if (customerText && !CUSTOMER.test(customerText)) {
    return { type: "malformed", reason: `CustomerID "${customerText}" is not a customer number` };
  }
  const row: ParsedRow = {
    invoice,
    stockCode,
    description: (fields.Description ?? "").trim(),
    quantity: Number(quantityText),
    invoiceDate: invoiceDate.length === 16 ? `${invoiceDate}:00` : invoiceDate,
    unitPrice,
    customerId: customerText || null,
    country: (fields.Country ?? "").trim(),
  };
  if (invoice.startsWith("C")) {
    if (row.quantity >= 0) return { type: "malformed", reason: "a cancellation line must have a negative Quantity" };
    return { type: "cancellation", row };
  }
  if (row.quantity <= 0) return { type: "skip", reason: "stockAdjustment" };
  if (row.unitPrice === 0) return { type: "skip", reason: "zeroPrice" };
  if (row.unitPrice < 0) return { type: "skip", reason: "negativePrice" };
  return { type: "sale", row };
}
