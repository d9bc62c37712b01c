/**
 * Loads UCI "Online Retail" (shared/data/online_retail.csv.gz) and applies the cleaning rules of
 * EVALUATION.md exactly, for the offline benchmarks (R1 recommendations now; C1 churn and F1
 * forecasting can reuse the same arrays). This is bench code, not the importer: the importer
 * (app/platforms/csv) keeps cancellations and non-product lines because a store needs them,
 * while the protocols drop them.
 *
 * Cleaning, in the order EVALUATION.md lists it:
 * - drop rows with an empty CustomerID;
 * - drop cancellations (InvoiceNo starting with "C");
 * - drop Quantity <= 0 or UnitPrice <= 0;
 * - keep StockCode matching /^[0-9]{5}/ only (a prefix match: "85123A" stays, "POST" goes).
 *
 * Time. The file's InvoiceDate is the shop's wall-clock time in Europe/London written without a
 * zone (the R package labelled it UTC, but the value is the Excel file's local time; see the
 * data README). So the string is NOT converted from UTC to London: doing that would move every
 * summer order one hour later, and shift nothing else but the risk of errors. Every protocol
 * boundary ("InvoiceDate < 2011-09-01", "T = 2011-09-10 00:00", "a day is the local calendar
 * day") is itself a local wall-clock time, so we keep wall-clock values and compare them
 * directly: `localMinute` counts minutes since 1970-01-01 00:00 of the local calendar (a clock
 * reading, not an elapsed time) and `localDay` is its calendar day. Comparing wall-clock
 * readings orders events exactly like comparing instants, except inside the autumn fall-back
 * hour (01:00-02:00 on 2011-10-30), when the shop was closed (the first order each day is after
 * 06:00). Anyone needing true instants can convert with `wallTimeToInstant(.., "Europe/London")`.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";

/**
 * The repository's copy (the demo store's data): byte-identical to shared/data/online_retail.csv.gz
 * (same sha256, 0f155087...), and present on every clone.
 */
export const ONLINE_RETAIL_FILE = new URL("../../prisma/seed/online_retail.csv.gz", import.meta.url).pathname;

/** Cleaned invoice lines, one entry per kept CSV row, as parallel typed arrays. */
export interface OnlineRetail {
  rows: number;
  /** Index into `customerIds` (sorted numerically). */
  customer: Int32Array;
  /** Index into `stockCodes` (sorted as strings). */
  item: Int32Array;
  /** Index into `invoiceNos` (sorted as strings, which for six digits is numeric order). */
  invoice: Int32Array;
  /** Local wall-clock minutes since 1970-01-01 00:00 (see the file comment). */
  localMinute: Int32Array;
  /** Local calendar day: days since 1970-01-01. */
  localDay: Int32Array;
  quantity: Int32Array;
  /** GBP per unit. Float64: sums of Quantity * UnitPrice over the year stay exact to the penny. */
  unitPrice: Float64Array;
  customerIds: string[];
  stockCodes: string[];
  invoiceNos: string[];
  /** Customer country, per customer index (the first one seen; a few customers have two). */
  customerCountry: string[];
  /** How many rows each rule dropped (first matching rule wins, in EVALUATION.md's order). */
  dropped: { noCustomer: number; cancellation: number; nonPositive: number; nonProduct: number };
  /** Data rows read (header excluded). */
  read: number;
}

const PRODUCT_CODE = /^[0-9]{5}/;
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Wall-clock "YYYY-MM-DD HH:MM[:SS]" as minutes since 1970-01-01 00:00 on the same clock.
 * Date.UTC is used only as calendar arithmetic here (it has no DST), not as a zone.
 * @throws Error on a malformed timestamp: the protocol's counts depend on every row.
 */
export function wallClockMinutes(text: string): number {
  const m = WALL_TIME.exec(text);
  if (!m) throw new Error(`bad InvoiceDate "${text}"`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!) / 60_000;
}

/** Local calendar day number of a date "YYYY-MM-DD" (for protocol boundaries). */
export function dayNumber(date: string): number {
  return Math.floor(wallClockMinutes(`${date} 00:00`) / 1440);
}

/** Reads and cleans the file. About 3 s; everything stays in memory (about 10 MB of arrays). */
export async function loadOnlineRetail(file = ONLINE_RETAIL_FILE): Promise<OnlineRetail> {
  const parser = createReadStream(file)
    .pipe(createGunzip())
    .pipe(parse({ bom: true, from_line: 1 }));
  let header: string[] | undefined;
  let col = { invoice: 0, stock: 0, quantity: 0, date: 0, price: 0, customer: 0, country: 0 };
  // Raw kept rows first (strings interned through the maps), then re-indexed in sorted order
  // so indices do not depend on the file's row order.
  const customers = new Map<string, number>();
  const items = new Map<string, number>();
  const invoices = new Map<string, number>();
  const countries: string[] = [];
  const cust: number[] = [];
  const item: number[] = [];
  const inv: number[] = [];
  const minute: number[] = [];
  const qty: number[] = [];
  const price: number[] = [];
  const dropped = { noCustomer: 0, cancellation: 0, nonPositive: 0, nonProduct: 0 };
  let read = 0;
  const intern = (map: Map<string, number>, key: string) => {
    let id = map.get(key);
    if (id === undefined) map.set(key, (id = map.size));
    return id;
  };
  for await (const record of parser as AsyncIterable<string[]>) {
    if (!header) {
      header = record;
      const at = (name: string) => {
        const i = header!.indexOf(name);
        if (i < 0) throw new Error(`column ${name} missing from ${file}`);
        return i;
      };
      col = {
        invoice: at("InvoiceNo"),
        stock: at("StockCode"),
        quantity: at("Quantity"),
        date: at("InvoiceDate"),
        price: at("UnitPrice"),
        customer: at("CustomerID"),
        country: at("Country"),
      };
      continue;
    }
    read++;
    const customerId = (record[col.customer] ?? "").trim();
    if (customerId === "") {
      dropped.noCustomer++;
      continue;
    }
    const invoiceNo = (record[col.invoice] ?? "").trim();
    if (invoiceNo.startsWith("C")) {
      dropped.cancellation++;
      continue;
    }
    const quantity = Number(record[col.quantity]);
    const unitPrice = Number(record[col.price]);
    // NaN fails both comparisons, so a malformed number is dropped rather than kept as a sale;
    // the reference file has none (the counts check in r1 would reveal them).
    if (!(quantity > 0) || !(unitPrice > 0)) {
      dropped.nonPositive++;
      continue;
    }
    // No trimming or case folding: the protocol's pattern is applied to the code as written,
    // and "15056bl" vs "15056BL" stay distinct items, as they are in the file.
    const stockCode = record[col.stock] ?? "";
    if (!PRODUCT_CODE.test(stockCode)) {
      dropped.nonProduct++;
      continue;
    }
    const c = intern(customers, customerId);
    if (c === countries.length) countries.push((record[col.country] ?? "").trim());
    cust.push(c);
    item.push(intern(items, stockCode));
    inv.push(intern(invoices, invoiceNo));
    minute.push(wallClockMinutes((record[col.date] ?? "").trim()));
    qty.push(quantity);
    price.push(unitPrice);
  }

  const customerOrder = sortedIndex(customers, (a, b) => Number(a) - Number(b));
  const itemOrder = sortedIndex(items, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const invoiceOrder = sortedIndex(invoices, (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rows = cust.length;
  const out: OnlineRetail = {
    rows,
    customer: Int32Array.from(cust, (c) => customerOrder.rank[c]!),
    item: Int32Array.from(item, (i) => itemOrder.rank[i]!),
    invoice: Int32Array.from(inv, (i) => invoiceOrder.rank[i]!),
    localMinute: Int32Array.from(minute),
    localDay: Int32Array.from(minute, (m) => Math.floor(m / 1440)),
    quantity: Int32Array.from(qty),
    unitPrice: Float64Array.from(price),
    customerIds: customerOrder.keys,
    stockCodes: itemOrder.keys,
    invoiceNos: invoiceOrder.keys,
    customerCountry: customerOrder.keys.map((key) => countries[customers.get(key)!]!),
    dropped,
    read,
  };
  return out;
}

/** Sorted keys of an interning map, and the rank of each first-seen id in that order. */
function sortedIndex(map: Map<string, number>, compare: (a: string, b: string) => number) {
  const keys = [...map.keys()].sort(compare);
  const rank = new Int32Array(map.size);
  keys.forEach((key, position) => (rank[map.get(key)!] = position));
  return { keys, rank };
}
