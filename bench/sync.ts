/**
 * `npm run bench:sync [-- --orders N]`: the Shopify backfill path end to end on a synthetic
 * shop (default 1,000,000 orders with about 3 lines each, 200,000 customers, 20,000
 * products; fixed seed). The bulk JSONL is written to temporary files first and streamed from
 * a local HTTP server; the bulk operation API is answered in-process (what is measured is download, staging, joining,
 * mapping and ingest). Also measures a plain COPY of the same rows into the same tables, the
 * practical ceiling, and prints both with their ratio as one JSON line.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { from as copyFrom } from "pg-copy-streams";
import pg from "pg";

import { createDatabase } from "~/db.server";
import { upsertShop } from "~/ingest/shops.server";
import type { AdminGraphql } from "~/platforms/shopify/admin-graphql.server";
import type { BulkResource } from "~/platforms/shopify/bulk/queries";

import { runBackfill } from "../workers/shopify/backfill";

import { freshDatabase } from "./lib/fresh-database";
import { postgresCpuSeconds } from "./lib/postgres-cpu";
import { benchPostgres, shopSizeFromArguments, writeLines } from "./lib/sync-setup";
import { machine } from "./machine";
import { customerLines, orderLines, productLines, seeded, shopifyIds, type ShopSize } from "./synthetic-shop";

const SEED = 20261124;

/**
 * Writes each resource's JSONL to a temporary directory before the clock starts: Shopify's
 * file server is not on our machine, so generating the lines must not take our CPU while the
 * backfill runs. The server then only streams files.
 */
async function writeJsonlFiles(size: ShopSize, directory: string) {
  const sources: Record<BulkResource, () => Iterable<string>> = {
    products: () => productLines(size),
    customers: () => customerLines(size),
    orders: () => orderLines(size, SEED).lines,
  };
  for (const [resource, lines] of Object.entries(sources)) {
    await writeLines(path.join(directory, `${resource}.jsonl`), lines());
  }
}

async function serveJsonl(directory: string) {
  const server = http.createServer((request, response) => {
    const name = path.basename(request.url ?? "");
    response.writeHead(200, { "Content-Type": "application/jsonl" });
    fs.createReadStream(path.join(directory, name)).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Answers the bulk operation API as Shopify would once each operation has completed. */
function completedBulkApi(base: string): AdminGraphql {
  return async <T>(query: string, variables?: Record<string, unknown>) => {
    if (query.includes("bulkOperationRunQuery")) {
      const resource = /\{\s*(products|customers|orders)\s*\{/.exec(String(variables?.query))![1];
      return {
        data: { bulkOperationRunQuery: { bulkOperation: { id: resource, status: "CREATED" }, userErrors: [] } },
      } as { data: T };
    }
    const id = String(variables?.id);
    return {
      data: {
        bulkOperation: {
          id,
          status: "COMPLETED",
          errorCode: null,
          objectCount: "0",
          rootObjectCount: "0",
          url: `${base}/${id}.jsonl`,
          partialDataUrl: null,
        },
      },
    } as { data: T };
  };
}

/**
 * CPU seconds used by this process and by the Postgres server over a step. Their sum against
 * twice the wall time says how much of the two cores the step left idle.
 */
interface CpuSeconds {
  node: number;
  postgres: number | null;
}

function cpuReading() {
  return { node: process.cpuUsage(), postgres: postgresCpuSeconds() };
}

function cpuSince(before: ReturnType<typeof cpuReading>): CpuSeconds {
  const node = process.cpuUsage(before.node);
  const postgres = postgresCpuSeconds();
  return {
    node: Math.round((node.user + node.system) / 1e5) / 10,
    postgres: postgres === null || before.postgres === null ? null : Math.round((postgres - before.postgres) * 10) / 10,
  };
}

/** COPY the same shop straight into the tables: no download, no JSON, no upserts. */
async function copyCeiling(
  url: string,
  size: ShopSize,
): Promise<{ seconds: number; orders: number; lines: number; cpu: CpuSeconds }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(
    `INSERT INTO "Shop" ("platform", "domain", "name", "timezone", "currency", "updatedAt")
     VALUES ('SHOPIFY', 'copy.myshopify.com', 'copy', 'UTC', 'USD', now()) RETURNING "id"`,
  );
  const shopId = rows[0].id as number;
  const copy = async (sql: string, produce: () => Generator<string>) => {
    const stream = client.query(copyFrom(sql));
    const done = new Promise((resolve, reject) => stream.on("finish", resolve).on("error", reject));
    let chunk = "";
    for (const row of produce()) {
      chunk += row;
      if (chunk.length > 1 << 16) {
        if (!stream.write(chunk)) await new Promise((resolve) => stream.once("drain", resolve));
        chunk = "";
      }
    }
    stream.end(chunk);
    await done;
  };
  const started = performance.now();
  const cpuBefore = cpuReading();
  const at = "2024-01-01T00:00:00Z";
  await copy(
    `COPY "Product" ("shopId", "externalId", "title", "platformUpdatedAt", "updatedAt") FROM STDIN`,
    function* () {
      for (let p = 1; p <= size.products; p++)
        yield `${shopId}\t${shopifyIds.product(p)}\tProduct ${p}\t${at}\t${at}\n`;
    },
  );
  await copy(`COPY "ProductVariant" ("shopId", "productId", "externalId", "sku") FROM STDIN`, function* () {
    // A fresh database numbers rows from 1, so product p has id p (customers and orders alike).
    for (let p = 1; p <= size.products; p++) yield `${shopId}\t${p}\t${shopifyIds.variant(p)}\tSKU-${p}\n`;
  });
  await copy(
    `COPY "Customer" ("shopId", "externalId", "email", "platformUpdatedAt", "updatedAt") FROM STDIN`,
    function* () {
      for (let c = 1; c <= size.customers; c++) {
        yield `${shopId}\t${shopifyIds.customer(c)}\tcustomer${c}@example.com\t${at}\t${at}\n`;
      }
    },
  );
  // Orders, then their lines: two passes over the same random sequence as the JSONL
  // generator, so the rows are the same and nothing is held in memory.
  function* shopRows(kind: "orders" | "lines") {
    const random = seeded(SEED);
    for (let o = 1; o <= size.orders; o++) {
      const when = new Date(Date.UTC(2024, 0, 1) + o * 30_000).toISOString();
      const count = 1 + Math.floor(random() * 5);
      const customer = random() < 0.1 ? "\\N" : String(1 + Math.floor(random() * size.customers));
      let total = 0;
      for (let l = 1; l <= count; l++) {
        const product = 1 + Math.floor(size.products * random() ** 3);
        const quantity = 1 + Math.floor(random() * 3);
        const price = (product % 90) + 9.99;
        total += quantity * price;
        if (kind === "lines") {
          yield `${shopId}\t${o}\t${shopifyIds.lineItem(o, l)}\t${product}\t${product}\tSKU-${product}\tProduct ${product}\t${quantity}\t${price.toFixed(2)}\n`;
        }
      }
      if (kind === "orders") {
        yield `${shopId}\t${shopifyIds.order(o)}\t#${1000 + o}\t${customer}\t${when}\t${when.slice(0, 10)}\tUSD\t${total.toFixed(2)}\t${total.toFixed(2)}\t${when}\t${when}\n`;
      }
    }
  }
  let lineCount = 0;
  await copy(
    `COPY "Order" ("shopId", "externalId", "name", "customerId", "processedAt", "localDate", "currency", "subtotalPrice",
                   "totalPrice", "platformUpdatedAt", "updatedAt") FROM STDIN`,
    () => shopRows("orders"),
  );
  await copy(
    `COPY "OrderLine" ("shopId", "orderId", "externalId", "productId", "variantId", "sku", "title", "quantity",
                       "unitPrice") FROM STDIN`,
    function* () {
      for (const row of shopRows("lines")) {
        lineCount += 1;
        yield row;
      }
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSince(cpuBefore);
  await client.end();
  return { seconds, orders: size.orders, lines: lineCount, cpu };
}

async function main() {
  const size = shopSizeFromArguments();
  const postgres = await benchPostgres();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "foresight-bench-sync-"));
  await writeJsonlFiles(size, directory);
  const { server, base } = await serveJsonl(directory);
  const target = await freshDatabase(postgres.adminUrl);
  let result: Record<string, unknown>;
  let peakRss = 0;
  try {
    const database = createDatabase(target.url);
    const shop = await upsertShop(database.prisma, {
      platform: "SHOPIFY",
      domain: "bench-sync.myshopify.com",
      name: "Bench",
      timezone: "UTC",
      currency: "USD",
    });
    const started = performance.now();
    const cpuBefore = cpuReading();
    const backfill = await runBackfill({ database, graphql: completedBulkApi(base), shopId: shop.id });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSince(cpuBefore);
    const { rows } = await database.pool.query(`SELECT count(*)::int AS n FROM "OrderLine"`);
    await database.close();
    peakRss = Math.round(process.resourceUsage().maxRSS / 1024); // before the COPY part runs
    result = {
      seconds: Math.round(seconds * 10) / 10,
      orders: backfill.counts.orders,
      lines: rows[0].n,
      orders_per_s: Math.round(backfill.counts.orders / seconds),
      lines_per_s: Math.round(rows[0].n / seconds),
      step_ms: backfill.timings,
      cpu_s: cpu,
    };
    console.error(`backfill: ${JSON.stringify(result)}`);
  } finally {
    await target.drop();
    server.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
  const ceilingDb = await freshDatabase(postgres.adminUrl);
  let ceiling;
  try {
    ceiling = await copyCeiling(ceilingDb.url, size);
  } finally {
    await ceilingDb.drop();
  }
  await postgres.stop();
  const copyOrdersPerS = Math.round(ceiling.orders / ceiling.seconds);
  console.log(
    JSON.stringify({
      bench: "sync",
      final: true,
      size,
      ...result,
      peak_rss_mb: peakRss,
      copy: {
        seconds: Math.round(ceiling.seconds * 10) / 10,
        orders_per_s: copyOrdersPerS,
        lines_per_s: Math.round(ceiling.lines / ceiling.seconds),
        cpu_s: ceiling.cpu,
      },
      ratio_to_copy: Math.round(((result.orders_per_s as number) / copyOrdersPerS) * 1000) / 1000,
      targets: { orders_per_s: 20_000, peak_rss_mb: 512 },
      machine: machine(),
    }),
  );
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
