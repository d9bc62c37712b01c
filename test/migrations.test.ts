import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { migrate } from "../prisma/migrate";

import { createTestDatabase, type TestDatabase } from "./helpers/database";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
});
afterAll(async () => {
  await db.drop();
});

describe("migrations", () => {
  it("apply to an empty database, create every table, and are recorded as prisma migrate would", async () => {
    const first = await migrate(db.url);
    expect(first.applied.length).toBeGreaterThan(0);
    const { rows } = await db.pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      "BulkStagedOrder",
      "BulkStagedOrderLine",
      "BulkStagingRow",
      "Customer",
      "CustomerDataExport",
      "CustomerRecommendation",
      "CustomerScore",
      "DeletedOrder",
      "ErasedCustomer",
      "ForecastPoint",
      "InventoryCover",
      "ModelRun",
      "Order",
      "OrderLine",
      "PopularProduct",
      "Product",
      "ProductRecommendation",
      "ProductVariant",
      "Refund",
      "RefundLine",
      "Session",
      "Shop",
      "ShopDailyStat",
      "SyncRun",
      "WebhookDelivery",
      "_prisma_migrations",
    ]);
    const recorded = await db.pool.query(
      `SELECT migration_name, length(checksum) AS n, finished_at FROM "_prisma_migrations"`,
    );
    expect(recorded.rows.map((r) => r.migration_name)).toEqual(first.applied);
    expect(recorded.rows.every((r) => r.n === 64 && r.finished_at)).toBe(true);
  });

  it("a second run applies nothing", async () => {
    const second = await migrate(db.url);
    expect(second.applied).toEqual([]);
  });

  it("refuses to run over a migration that was edited after it was applied", async () => {
    await db.pool.query(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64)`);
    await expect(migrate(db.url)).rejects.toThrow(/was changed after it was applied/);
  });

  it("the committed migrations produce exactly prisma/schema.prisma (no change waits for a migration)", async () => {
    // migration snapshot == schema: `prisma migrate diff` exits 0 with --exit-code only when empty.
    const { stdout } = await run(
      path.join(root, "node_modules", ".bin", "prisma"),
      [
        "migrate",
        "diff",
        "--exit-code",
        "--from-schema-datamodel",
        "prisma/migrations/schema.snapshot.prisma",
        "--to-schema-datamodel",
        "prisma/schema.prisma",
      ],
      { cwd: root, env: { ...process.env, DATABASE_URL: db.url } },
    );
    expect(stdout).toContain("No difference detected");
  });
});
