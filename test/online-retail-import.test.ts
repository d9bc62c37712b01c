/**
 * The demo store against the dataset itself. Expected figures are computed here, from the
 * raw CSV, with the cleaning rules of shared/EVALUATION.md written out independently of the
 * importer; the issue quotes them too (530,104 lines, 19,960 orders, 4,338 customers,
 * 3,900 product codes, £10,666,684.54, 3,836 cancellation invoices).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { importOnlineRetail, type ImportReport } from "~/platforms/csv/online-retail-import.server";

import { createTestDatabase, type TestDatabase } from "./helpers/database";

const DATA = path.resolve(import.meta.dirname, "../prisma/seed/online_retail.csv.gz");

interface Row {
  InvoiceNo: string;
  StockCode: string;
  Quantity: string;
  UnitPrice: string;
  CustomerID: string;
}

function expectedFigures() {
  const rows = parse(zlib.gunzipSync(fs.readFileSync(DATA)), { columns: true }) as Row[];
  const valid = rows.filter((r) => !r.InvoiceNo.startsWith("C") && Number(r.Quantity) > 0 && Number(r.UnitPrice) > 0);
  // Revenue in hundredths of a penny, summed as integers to stay exact.
  const revenue = valid.reduce((sum, r) => sum + Number(r.Quantity) * Math.round(Number(r.UnitPrice) * 10_000), 0);
  return {
    rows: rows.length,
    lines: valid.length,
    orders: new Set(valid.map((r) => r.InvoiceNo)).size,
    customers: new Set(valid.filter((r) => r.CustomerID).map((r) => r.CustomerID)).size,
    productCodes: new Set(valid.filter((r) => /^[0-9]{5}/.test(r.StockCode)).map((r) => r.StockCode)).size,
    revenue: (revenue / 10_000).toFixed(2),
    cancellations: new Set(rows.filter((r) => r.InvoiceNo.startsWith("C")).map((r) => r.InvoiceNo)).size,
  };
}

let db: TestDatabase;
let report: ImportReport;
const expected = expectedFigures();

beforeAll(async () => {
  db = await createTestDatabase();
  report = await importOnlineRetail(db, DATA);
});
afterAll(async () => {
  await db.drop();
});

async function storeFigures(shopId: number) {
  const { rows } = await db.pool.query(
    `SELECT
       (SELECT count(*) FROM "OrderLine" WHERE "shopId" = $1)::int AS lines,
       (SELECT count(*) FROM "Order" WHERE "shopId" = $1)::int AS orders,
       (SELECT count(DISTINCT "customerId") FROM "Order" WHERE "shopId" = $1)::int AS customers,
       (SELECT count(DISTINCT "productId") FROM "OrderLine" WHERE "shopId" = $1)::int AS products,
       (SELECT round(sum("totalPrice"), 2)::text FROM "Order" WHERE "shopId" = $1) AS revenue,
       (SELECT round(sum("quantity" * "unitPrice"), 2)::text FROM "OrderLine" WHERE "shopId" = $1) AS line_revenue,
       (SELECT count(*) FROM "Refund" WHERE "shopId" = $1 AND "isCancellation")::int AS cancellations,
       (SELECT count(*) FROM "RefundLine" WHERE "shopId" = $1)::int AS cancellation_lines,
       (SELECT count(*) FROM "Order" WHERE "shopId" = $1 AND "customerId" IS NULL)::int AS guest_orders,
       (SELECT count(*) FROM "Product" WHERE "shopId" = $1 AND "externalId" !~ '^[0-9]{5}')::int AS non_product_rows`,
    [shopId],
  );
  return rows[0];
}

describe("importing UCI Online Retail", () => {
  it("matches the dataset under the cleaning rules", async () => {
    expect(expected).toMatchObject({
      rows: 541_909,
      lines: 530_104,
      orders: 19_960,
      customers: 4_338,
      productCodes: 3_900,
      revenue: "10666684.54",
      cancellations: 3_836,
    });
    const figures = await storeFigures(report.shopId);
    expect(figures).toMatchObject({
      lines: expected.lines,
      orders: expected.orders,
      customers: expected.customers,
      products: expected.productCodes,
      revenue: expected.revenue,
      line_revenue: expected.revenue,
      cancellations: expected.cancellations,
      cancellation_lines: 9_288,
      non_product_rows: 0,
    });
    expect(figures.guest_orders).toBeGreaterThan(1000);
    expect(report).toMatchObject({ rows: expected.rows, rejectedCount: 0, saleLines: expected.lines });
    // Everything not imported is accounted for: 541,909 = sales + cancellations + skipped.
    const skipped = Object.values(report.skipped).reduce((a, b) => a + b, 0);
    expect(report.saleLines + report.cancellationLines + skipped).toBe(report.rows);
  });

  it("keeps non-product codes as order lines that are never products", async () => {
    const { rows } = await db.pool.query(
      `SELECT "kind", count(*)::int AS n, bool_and("productId" IS NULL) AS no_product
       FROM "OrderLine" WHERE "shopId" = $1 AND "sku" IN ('POST', 'M', 'DOT', 'BANK CHARGES', 'AMAZONFEE')
       GROUP BY 1 ORDER BY 1`,
      [report.shopId],
    );
    expect(rows.map((r) => r.kind)).toEqual(["SHIPPING", "FEE", "ADJUSTMENT"]);
    expect(rows.every((r) => r.no_product)).toBe(true);
  });

  it("links cancellations to the sales they reverse where the data allows", async () => {
    const { rows } = await db.pool.query(
      `SELECT count(*) FILTER (WHERE rl."orderLineId" IS NOT NULL)::int AS linked,
              count(*) FILTER (WHERE rl."orderLineId" IS NOT NULL AND (ol."sku" <> rl."sku" OR o."customerId" <> r."customerId"
                                 OR o."processedAt" > r."processedAt"))::int AS inconsistent
       FROM "RefundLine" rl JOIN "Refund" r ON r."id" = rl."refundId"
       LEFT JOIN "OrderLine" ol ON ol."id" = rl."orderLineId" LEFT JOIN "Order" o ON o."id" = ol."orderId"
       WHERE rl."shopId" = $1`,
      [report.shopId],
    );
    expect(rows[0].inconsistent).toBe(0);
    expect(rows[0].linked).toBe(report.refunds.linked);
    expect(rows[0].linked).toBeGreaterThan(5000); // most of the 9,288 cancelled lines
  });

  it("stores invoice times as London wall-clock instants", async () => {
    // 536365 was issued 2010-12-01 08:26 (GMT); 556444 on 2011-06-10 15:28 (BST, UTC+1).
    const orders = await db.prisma.order.findMany({
      where: { shopId: report.shopId, externalId: { in: ["536365", "556444"] } },
      orderBy: { externalId: "asc" },
    });
    expect(orders.map((o) => [o.processedAt.toISOString(), o.localDate.toISOString().slice(0, 10)])).toEqual([
      ["2010-12-01T08:26:00.000Z", "2010-12-01"],
      ["2011-06-10T14:28:00.000Z", "2011-06-10"],
    ]);
  });

  it("importing the same file again changes nothing", async () => {
    const fingerprint = async () =>
      (
        await db.pool.query(
          `SELECT md5(string_agg(x, ',' ORDER BY x)) AS h FROM (
             SELECT concat_ws('|', "externalId", "customerId", "totalPrice", "totalRefunded", "financialStatus", "updatedAt") AS x
             FROM "Order" WHERE "shopId" = $1
             UNION ALL SELECT concat_ws('|', "id", "orderId", "quantity", "unitPrice") FROM "OrderLine" WHERE "shopId" = $1
             UNION ALL SELECT concat_ws('|', "id", "orderLineId", "amount") FROM "RefundLine" WHERE "shopId" = $1
             UNION ALL SELECT concat_ws('|', "id", "country", "updatedAt") FROM "Customer" WHERE "shopId" = $1
           ) t`,
          [report.shopId],
        )
      ).rows[0].h;
    const before = await fingerprint();
    const again = await importOnlineRetail(db, DATA);
    expect(again.shopId).toBe(report.shopId);
    expect(again.orders.written).toBe(0);
    expect(again.refunds.written).toBe(0);
    expect(again.customers.written).toBe(0);
    expect(again.products.written).toBe(0);
    expect(again.refunds.linked).toBe(0);
    expect(await fingerprint()).toBe(before);
  });
});

describe("malformed files", () => {
  function writeCsv(lines: string[]): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "foresight-csv-")), "retail.csv");
    fs.writeFileSync(file, lines.join("\n") + "\n");
    return file;
  }
  const header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

  it("reports malformed rows with their line numbers and loads the rest", async () => {
    const file = writeCsv([
      header,
      "900001,85123A,WHITE HANGING HEART,6,2011-01-05 10:00:00,2.55,17850,United Kingdom",
      "900001,71053,WHITE METAL LANTERN,six,2011-01-05 10:00:00,3.39,17850,United Kingdom",
      '900002,22752,"SET 7 BABUSHKA, NESTING BOXES",2,2011-13-45 10:00:00,7.65,,United Kingdom',
      "900003,POST,POSTAGE,1,2011-01-06 11:00:00,18.00,12347,Iceland",
      '900003,22752,"SET 7 BABUSHKA, NESTING BOXES",2,2011-01-06 11:00:00,7.65,12347,Iceland',
      "900004,22752,BOX,1,2011-01-06 11:00:00,1.23456,12347,Iceland",
    ]);
    const result = await importOnlineRetail(db, file, { shop: { domain: "malformed-test", name: "Malformed" } });
    expect(result.rejected).toEqual([
      { line: 3, reason: 'Quantity "six" is not an integer' },
      { line: 4, reason: 'InvoiceDate "2011-13-45 10:00:00" is not a real date' },
      { line: 7, reason: 'UnitPrice "1.23456" is not a decimal with at most 4 places' },
    ]);
    const figures = await storeFigures(result.shopId);
    expect(figures).toMatchObject({ orders: 2, lines: 3, revenue: "48.60", products: 2 });
    const run = await db.prisma.syncRun.findUniqueOrThrow({ where: { id: result.syncRunId } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.counts).toMatchObject({ rejected: 3 });
  });

  it("refuses a file that is not an Online Retail export, recording the failure", async () => {
    const file = writeCsv(["order_id,sku,qty", "1,A,2"]);
    await expect(importOnlineRetail(db, file, { shop: { domain: "wrong-file", name: "Wrong" } })).rejects.toThrow(
      /not an Online Retail CSV: the header lacks InvoiceNo, StockCode/,
    );
    const run = await db.prisma.syncRun.findFirstOrThrow({ where: { shop: { domain: "wrong-file" } } });
    expect(run.status).toBe("FAILED");
  });
});
