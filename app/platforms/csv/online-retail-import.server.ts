/**
 * Loads a UCI "Online Retail" CSV (plain or gzip) as a store, through the ingest layer.
 *
 * The file is read as a stream, but invoices are assembled in memory before ingest: in the
 * real export one invoice's rows are not always adjacent, and an order must reach ingest
 * whole (a second, partial version with the same timestamp would be ignored). Lines are kept
 * as small objects whose strings are interned (4,070 stock codes and about as many
 * descriptions repeat across 541,909 rows), so holding the whole file costs tens of MB.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import type pg from "pg";

import type { Database } from "~/db.server";
import { ingestCustomers, ingestOrders, ingestProducts, ingestRefunds, upsertShop } from "~/ingest/index.server";
import type { CustomerRecord, OrderRecord, ProductRecord, RefundRecord } from "~/ingest/records";
import { refreshStatistics } from "~/ingest/statistics.server";
import { wallTimeToInstant } from "~/lib/local-time";
import { forEachConcurrently } from "~/lib/concurrency";
import { formatMoney } from "~/lib/money";

import {
  classifyRow,
  isProductCode,
  lineKindOf,
  ONLINE_RETAIL_COLUMNS,
  type ParsedRow,
  type SkipReason,
} from "./online-retail-rows";
import { linkCancellationsToOrders } from "./link-cancellations.server";

export const DEMO_SHOP = {
  platform: "IMPORT",
  domain: "online-retail-demo",
  name: "Online Retail (UCI demo store)",
  timezone: "Europe/London",
  currency: "GBP",
} as const;

export interface ImportOptions {
  shop?: { domain: string; name: string };
  /** Orders per ingest call. */
  batchSize?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

// A type alias rather than an interface, so it counts as JSON for Prisma's Json column.
export type RejectedRow = {
  line: number;
  reason: string;
};

export interface ImportReport {
  shopId: number;
  syncRunId: number;
  rows: number;
  saleLines: number;
  cancellationLines: number;
  orders: { seen: number; written: number };
  refunds: { seen: number; written: number; linked: number };
  customers: { seen: number; written: number };
  products: { seen: number; written: number };
  skipped: Record<SkipReason, number>;
  rejectedCount: number;
  /** The first rejected rows, with their line numbers in the file. */
  rejected: RejectedRow[];
}

const REJECTED_KEPT = 200;
const INGEST_LANES = 2;

/** One invoice line as kept in memory: only what differs from line to line. */
interface InvoiceLine {
  stockCode: string;
  description: string;
  quantity: number;
  unitPrice: number;
}

interface Invoice {
  number: string;
  customerId: string | null;
  firstSeen: string;
  rows: InvoiceLine[];
}

interface Accumulated {
  sales: Map<string, Invoice>;
  cancellations: Map<string, Invoice>;
  customers: Map<string, { country: string; first: string; last: string }>;
  products: Map<string, { title: string; first: string; last: string }>;
  rows: number;
  skipped: Record<SkipReason, number>;
  rejected: RejectedRow[];
  rejectedCount: number;
  /** One shared copy of each repeated string. */
  strings: Map<string, string>;
}

export async function importOnlineRetail(
  database: Database,
  file: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const shop = await upsertShop(database.prisma, { ...DEMO_SHOP, ...options.shop });
  const run = await database.prisma.syncRun.create({
    data: { shopId: shop.id, kind: "FILE_IMPORT", status: "RUNNING", phase: "reading", cursor: file },
  });
  try {
    const data = await readFile(file);
    const report = await ingestAll(database.pool, shop.id, shop.timezone, data, options);
    await refreshStatistics(database.pool);
    const finished = { ...report, shopId: shop.id, syncRunId: run.id };
    await database.prisma.syncRun.update({
      where: { id: run.id },
      data: {
        status: "SUCCEEDED",
        phase: "done",
        progress: 1,
        finishedAt: new Date(),
        counts: countsOf(finished),
      },
    });
    return finished;
  } catch (error) {
    await database.prisma.syncRun.update({
      where: { id: run.id },
      data: { status: "FAILED", error: (error as Error).message, finishedAt: new Date() },
    });
    throw error;
  }
}

function countsOf(report: ImportReport) {
  return {
    rows: report.rows,
    orders: report.orders.seen,
    refunds: report.refunds.seen,
    customers: report.customers.seen,
    products: report.products.seen,
    skipped: report.skipped,
    rejected: report.rejectedCount,
    rejectedRows: report.rejected.slice(0, 20),
  };
}

async function openMaybeGzipped(file: string): Promise<Readable> {
  const handle = await open(file, "r");
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const raw = createReadStream(file);
  return magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
}

async function readFile(file: string): Promise<Accumulated> {
  const acc: Accumulated = {
    sales: new Map(),
    cancellations: new Map(),
    customers: new Map(),
    products: new Map(),
    rows: 0,
    skipped: { stockAdjustment: 0, zeroPrice: 0, negativePrice: 0 },
    rejected: [],
    rejectedCount: 0,
    strings: new Map(),
  };
  const parser = (await openMaybeGzipped(file)).pipe(
    parse({ columns: checkHeader, info: true, relax_column_count: true, skip_empty_lines: true, bom: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    acc.rows += 1;
    const classified = classifyRow(record);
    switch (classified.type) {
      case "malformed":
        acc.rejectedCount += 1;
        if (acc.rejected.length < REJECTED_KEPT) acc.rejected.push({ line: info.lines, reason: classified.reason });
        break;
      case "skip":
        acc.skipped[classified.reason] += 1;
        break;
      case "sale":
      case "cancellation":
        remember(acc, classified.row, classified.type === "sale" ? acc.sales : acc.cancellations);
        break;
    }
  }
  return acc;
}

function checkHeader(header: string[]): string[] {
  const names = header.map((name) => name.trim());
  const missing = ONLINE_RETAIL_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new Error(`not an Online Retail CSV: the header lacks ${missing.join(", ")} (line 1)`);
  }
  return names;
}

function remember(acc: Accumulated, row: ParsedRow, invoices: Map<string, Invoice>) {
  let invoice = invoices.get(row.invoice);
  if (!invoice) {
    invoice = { number: row.invoice, customerId: row.customerId, firstSeen: row.invoiceDate, rows: [] };
    invoices.set(row.invoice, invoice);
  }
  if (row.invoiceDate < invoice.firstSeen) invoice.firstSeen = row.invoiceDate;
  invoice.rows.push({
    stockCode: intern(acc.strings, row.stockCode),
    description: intern(acc.strings, row.description),
    quantity: row.quantity,
    unitPrice: row.unitPrice,
  });
  if (row.customerId) {
    const customer = acc.customers.get(row.customerId);
    if (!customer)
      acc.customers.set(row.customerId, { country: row.country, first: row.invoiceDate, last: row.invoiceDate });
    else if (row.invoiceDate >= customer.last) Object.assign(customer, { country: row.country, last: row.invoiceDate });
  }
  if (isProductCode(row.stockCode)) {
    const product = acc.products.get(row.stockCode);
    // Sales name products better than cancellations, and later names are the current ones.
    const title = row.description;
    if (!product) acc.products.set(row.stockCode, { title, first: row.invoiceDate, last: row.invoiceDate });
    else {
      if (title && (row.invoiceDate >= product.last || !product.title)) product.title = title;
      if (row.invoiceDate > product.last) product.last = row.invoiceDate;
    }
  }
}

function intern(strings: Map<string, string>, value: string): string {
  const shared = strings.get(value);
  if (shared !== undefined) return shared;
  strings.set(value, value);
  return value;
}

async function ingestAll(
  pool: pg.Pool,
  shopId: number,
  timezone: string,
  acc: Accumulated,
  options: ImportOptions,
): Promise<Omit<ImportReport, "shopId" | "syncRunId">> {
  const instant = memoInstant(timezone);
  const batchSize = options.batchSize ?? 2000;
  const progress = options.onProgress ?? (() => {});

  const products: ProductRecord[] = [...acc.products].map(([code, p]) => ({
    externalId: code,
    title: p.title || code,
    createdAt: instant(p.first),
    updatedAt: instant(p.last),
  }));
  const productResult = await ingestProducts(pool, shopId, products);
  progress("products", products.length, products.length);

  const customers: CustomerRecord[] = [...acc.customers].map(([id, c]) => ({
    externalId: id,
    country: c.country,
    createdAt: instant(c.first),
    updatedAt: instant(c.last),
  }));
  const customerResult = await ingestCustomers(pool, shopId, customers);
  progress("customers", customers.length, customers.length);

  const sales = await ingestInvoices([...acc.sales.values()], {
    batchSize,
    toRecord: (invoice) => toOrder(invoice, instant),
    ingest: (batch) => ingestOrders(pool, shopId, batch),
    onProgress: (done, total) => progress("orders", done, total),
  });
  const cancellations = await ingestInvoices([...acc.cancellations.values()], {
    batchSize,
    toRecord: (invoice) => toRefund(invoice, instant),
    ingest: (batch) => ingestRefunds(pool, shopId, batch),
    onProgress: (done, total) => progress("cancellations", done, total),
  });
  const linked = await linkCancellationsToOrders(pool, shopId);

  return {
    rows: acc.rows,
    saleLines: sales.lines,
    cancellationLines: cancellations.lines,
    orders: { seen: sales.seen, written: sales.written },
    refunds: { seen: cancellations.seen, written: cancellations.written, linked },
    customers: { seen: customers.length, written: customerResult.written },
    products: { seen: products.length, written: productResult.written },
    skipped: acc.skipped,
    rejectedCount: acc.rejectedCount,
    rejected: acc.rejected,
  };
}

/**
 * Maps invoices to records and ingests them in batches, two in flight: while Postgres writes
 * one batch, Node validates and encodes the next.
 */
async function ingestInvoices<R extends { lines: unknown[] }>(
  invoices: Invoice[],
  options: {
    batchSize: number;
    toRecord: (invoice: Invoice) => R;
    ingest: (batch: R[]) => Promise<{ written: number }>;
    onProgress: (done: number, total: number) => void;
  },
): Promise<{ seen: number; written: number; lines: number }> {
  const totals = { seen: invoices.length, written: 0, lines: 0 };
  let done = 0;
  await forEachConcurrently(chunks(invoices, options.batchSize), INGEST_LANES, async (chunk) => {
    const batch = chunk.map(options.toRecord);
    totals.lines += batch.reduce((sum, record) => sum + record.lines.length, 0);
    const { written } = await options.ingest(batch);
    totals.written += written; // after the await: `x += await f()` would read x before it
    done += chunk.length;
    options.onProgress(done, invoices.length);
  });
  return totals;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** 25,900 invoices share far fewer distinct timestamps than the file has rows; convert each once. */
function memoInstant(timezone: string): (wallTime: string) => Date {
  const cache = new Map<string, Date>();
  return (wallTime) => {
    let value = cache.get(wallTime);
    if (!value) {
      value = wallTimeToInstant(wallTime, timezone)!; // the row rules already checked the format
      cache.set(wallTime, value);
    }
    return value;
  };
}

function toOrder(invoice: Invoice, instant: (wallTime: string) => Date): OrderRecord {
  let total = 0;
  let shipping = 0;
  const lines = invoice.rows.map((row, index) => {
    const kind = lineKindOf(row.stockCode);
    const amount = row.quantity * row.unitPrice;
    total += amount;
    if (kind === "SHIPPING") shipping += amount;
    return {
      externalId: `${invoice.number}-${index + 1}`,
      kind,
      productExternalId: kind === "PRODUCT" ? row.stockCode : null,
      sku: row.stockCode,
      title: row.description || row.stockCode,
      quantity: row.quantity,
      unitPrice: formatMoney(row.unitPrice),
    };
  });
  const at = instant(invoice.firstSeen);
  return {
    externalId: invoice.number,
    name: invoice.number,
    customerExternalId: invoice.customerId,
    processedAt: at,
    financialStatus: "PAID",
    currency: DEMO_SHOP.currency,
    subtotalPrice: formatMoney(total - shipping),
    totalShipping: formatMoney(shipping),
    totalPrice: formatMoney(total),
    lines,
    createdAt: at,
    updatedAt: at,
  };
}

function toRefund(invoice: Invoice, instant: (wallTime: string) => Date): RefundRecord {
  let total = 0;
  const lines = invoice.rows.map((row) => {
    const kind = lineKindOf(row.stockCode);
    const amount = -row.quantity * row.unitPrice;
    total += amount;
    return {
      kind,
      productExternalId: kind === "PRODUCT" ? row.stockCode : null,
      sku: row.stockCode,
      title: row.description || row.stockCode,
      quantity: -row.quantity,
      amount: formatMoney(amount),
    };
  });
  const at = instant(invoice.firstSeen);
  return {
    externalId: invoice.number,
    customerExternalId: invoice.customerId,
    processedAt: at,
    isCancellation: true,
    currency: DEMO_SHOP.currency,
    totalAmount: formatMoney(total),
    lines,
    updatedAt: at,
  };
}
