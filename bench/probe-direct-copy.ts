/**
 * `node scripts/bootstrap.cjs bench/probe-direct-copy.ts [--orders N] [--without-foreign-keys]`: a measurement for
 * ADR 0013, not a code path of the app. How fast could the orders backfill go if new orders
 * skipped staging and were copied straight into "Order" and "OrderLine"?
 *
 * The orders file of `bench:sync`'s synthetic shop is downloaded, parsed, mapped and
 * validated by the backfill's own code. Each segment of 20,000 orders is then written in one
 * transaction (its orders, then its lines, so the lines' foreign key finds them), and two
 * connections take turns, so Postgres writes one segment while Node parses the next.
 *
 * Left out, so this is an upper bound: falling back to the merge when a webhook stored an
 * order first, DeletedOrder and erased-customer checks, refunds, line items listed apart
 * from their order, and resuming. Products, variants and customers are inserted before the
 * clock starts, as the backfill's earlier phases would have.
 *
 * `--without-foreign-keys` drops the order's foreign keys and the lines' statement-level
 * check first, to measure what they cost on this path (ADR 0013, ADR 0014).
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

import { canonicalOrder } from "~/ingest/canonical-order";
import { OrderRecord, validateAll, type ValidOrder } from "~/ingest/records";
import { CopyWriter, copyValue } from "~/lib/copy-writer.server";
import { loadCatalogIds } from "~/platforms/shopify/bulk/catalog-ids.server";
import { jsonlLines, parseJsonlLine } from "~/platforms/shopify/bulk/jsonl-lines.server";
import { orderFromBulk } from "~/platforms/shopify/bulk/mappers";

import { freshDatabase } from "./lib/fresh-database";
import { postgresCpuSeconds } from "./lib/postgres-cpu";
import { benchPostgres, shopSizeFromArguments, writeLines } from "./lib/sync-setup";
import { machine } from "./machine";
import { orderLines, shopifyIds, type ShopSize } from "./synthetic-shop";

const SEED = 20261124; // bench:sync's, so the rows are the same
const SEGMENT = 20_000;
const ORDER_COLUMNS = `"id", "shopId", "externalId", "name", "customerId", "processedAt", "localDate", "financialStatus",
  "cancelledAt", "cancelReason", "currency", "subtotalPrice", "totalDiscounts", "totalShipping", "totalTax",
  "totalPrice", "totalRefunded", "test", "platformCreatedAt", "platformUpdatedAt", "updatedAt"`;
const LINE_COLUMNS = `"shopId", "orderId", "externalId", "kind", "productId", "variantId", "sku", "title", "quantity",
  "unitPrice", "totalDiscount"`;

async function serveOrdersFile(size: ShopSize, directory: string): Promise<{ server: http.Server; url: string }> {
  const file = path.join(directory, "orders.jsonl");
  await writeLines(file, orderLines(size, SEED).lines);
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "application/jsonl" });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders.jsonl` };
}

/** The shop's catalogue and customers, with the synthetic shop's ids (as bench:sync's COPY ceiling). */
async function seedShop(pool: pg.Pool, size: ShopSize): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO "Shop" ("platform", "domain", "name", "timezone", "currency", "updatedAt")
     VALUES ('SHOPIFY', 'probe.myshopify.com', 'probe', 'UTC', 'USD', now()) RETURNING "id"`,
  );
  const shopId = rows[0]!.id;
  const [product, variant, customer] = [shopifyIds.product(0), shopifyIds.variant(0), shopifyIds.customer(0)];
  const at = "2024-01-01T00:00:00Z";
  // shopifyIds are affine in the row number: base + n * step.
  const step = (id: (n: number) => string) => Number(id(1)) - Number(id(0));
  await pool.query(
    `INSERT INTO "Product" ("shopId", "externalId", "title", "platformUpdatedAt", "updatedAt")
     SELECT $1, ($2::bigint + g * $3)::text, 'Product ' || g, $4, $4 FROM generate_series(1, $5) g`,
    [shopId, product, step(shopifyIds.product), at, size.products],
  );
  await pool.query(
    `INSERT INTO "ProductVariant" ("shopId", "productId", "externalId")
     SELECT $1, g, ($2::bigint + g * $3)::text FROM generate_series(1, $4) g`,
    [shopId, variant, step(shopifyIds.variant), size.products],
  );
  await pool.query(
    `INSERT INTO "Customer" ("shopId", "externalId", "platformUpdatedAt", "updatedAt")
     SELECT $1, ($2::bigint + g * $3)::text, $4, $4 FROM generate_series(1, $5) g`,
    [shopId, customer, step(shopifyIds.customer), at, size.customers],
  );
  await pool.query("VACUUM ANALYZE");
  if (process.argv.includes("--without-foreign-keys")) {
    await pool.query(
      `ALTER TABLE "Order" DROP CONSTRAINT "Order_shopId_fkey", DROP CONSTRAINT "Order_customerId_fkey"`,
    );
    await pool.query(`DROP TRIGGER "OrderLine_order_exists_on_insert" ON "OrderLine"`);
  }
  return shopId;
}

/** Segments of rows in COPY text, written by two connections in turn. */
class SegmentWriter {
  private inFlight: Promise<void>[] = [];
  private next = 0;

  constructor(private readonly clients: pg.PoolClient[]) {}

  async write(orders: string[], lines: string[]): Promise<void> {
    const slot = this.next++ % this.clients.length;
    await this.inFlight[slot]; // the connection's previous segment
    this.inFlight[slot] = this.copy(this.clients[slot]!, orders, lines);
  }

  async finish(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private async copy(client: pg.PoolClient, orders: string[], lines: string[]): Promise<void> {
    await client.query("BEGIN");
    for (const [sql, rows] of [
      [`COPY "Order" (${ORDER_COLUMNS}) FROM STDIN`, orders],
      [`COPY "OrderLine" (${LINE_COLUMNS}) FROM STDIN`, lines],
    ] as const) {
      const writer = new CopyWriter(client, sql);
      for (const row of rows) await writer.row([row]);
      await writer.end();
    }
    await client.query("COMMIT");
  }
}

async function copyOrdersStraight(pool: pg.Pool, shopId: number, url: string): Promise<number> {
  const catalog = await loadCatalogIds(pool, shopId);
  const { rows } = await pool.query<{ externalId: string; id: number }>(
    `SELECT "externalId", "id" FROM "Customer" WHERE "shopId" = $1`,
    [shopId],
  );
  const customers = new Map(rows.map((row) => [row.externalId, row.id]));
  const clients = [await pool.connect(), await pool.connect()];
  const writer = new SegmentWriter(clients);
  const shop = String(shopId);
  const now = new Date().toISOString();
  let orderId = 0; // a fresh database: ids from 1
  let orders: string[] = [];
  let lines: string[] = [];

  const encode = (order: ValidOrder) => {
    const id = String(++orderId);
    const processed = order.processedAt.toISOString();
    const customer = order.customerExternalId ? customers.get(order.customerExternalId) : null;
    orders.push(
      [
        id,
        shop,
        copyValue(order.externalId),
        copyValue(order.name),
        copyValue(customer),
        processed,
        processed.slice(0, 10), // the shop is in UTC
        order.financialStatus,
        copyValue(order.cancelledAt?.toISOString()),
        copyValue(order.cancelReason),
        order.currency,
        order.subtotalPrice,
        order.totalDiscounts,
        order.totalShipping,
        order.totalTax,
        order.totalPrice,
        order.totalRefunded,
        String(order.test),
        copyValue(order.createdAt?.toISOString()),
        order.updatedAt.toISOString(),
        now,
      ].join("\t"),
    );
    for (const line of order.lines) {
      lines.push(
        [
          shop,
          id,
          copyValue(line.externalId),
          line.kind,
          copyValue(catalog.product(line.productExternalId)),
          copyValue(catalog.variant(line.variantExternalId)),
          copyValue(line.sku),
          copyValue(line.title),
          String(line.quantity),
          line.unitPrice,
          line.totalDiscount,
        ].join("\t"),
      );
    }
  };
  const flushSegment = async () => {
    await writer.write(orders, lines);
    [orders, lines] = [[], []];
  };

  let held: { node: Record<string, unknown>; children: Record<string, unknown>[] } | null = null;
  const take = async () => {
    if (!held) return;
    const { valid } = validateAll(OrderRecord, [orderFromBulk(held.node, held.children).order], canonicalOrder);
    if (valid[0]) encode(valid[0]);
    if (orders.length >= SEGMENT) await flushSegment();
  };
  try {
    for await (const line of jsonlLines(url)) {
      const node = parseJsonlLine(line);
      if (typeof node.__parentId !== "string") {
        await take();
        held = { node, children: [] };
      } else {
        held?.children.push(node); // the synthetic file lists every line after its order
      }
    }
    await take();
    if (orders.length > 0) await flushSegment();
    await writer.finish();
  } finally {
    for (const client of clients) client.release();
  }
  return orderId;
}

async function main() {
  const size = shopSizeFromArguments();
  const postgres = await benchPostgres();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "foresight-probe-direct-"));
  const { server, url } = await serveOrdersFile(size, directory);
  const target = await freshDatabase(postgres.adminUrl);
  const pool = new pg.Pool({ connectionString: target.url, max: 4 });
  try {
    const shopId = await seedShop(pool, size);
    const started = performance.now();
    const nodeBefore = process.cpuUsage();
    const postgresBefore = postgresCpuSeconds();
    const orders = await copyOrdersStraight(pool, shopId, url);
    const seconds = (performance.now() - started) / 1000;
    const node = process.cpuUsage(nodeBefore);
    const postgresAfter = postgresCpuSeconds();
    const { rows } = await pool.query<{ lines: number }>(`SELECT count(*)::int AS "lines" FROM "OrderLine"`);
    console.log(
      JSON.stringify({
        bench: "probe-direct-copy",
        size,
        foreign_keys: !process.argv.includes("--without-foreign-keys"),
        seconds: Math.round(seconds * 10) / 10,
        orders,
        lines: rows[0]!.lines,
        orders_per_s: Math.round(orders / seconds),
        cpu_s: {
          node: Math.round((node.user + node.system) / 1e5) / 10,
          postgres:
            postgresAfter === null || postgresBefore === null
              ? null
              : Math.round((postgresAfter - postgresBefore) * 10) / 10,
        },
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        machine: machine(),
      }),
    );
  } finally {
    await pool.end();
    await target.drop();
    server.close();
    fs.rmSync(directory, { recursive: true, force: true });
    await postgres.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
