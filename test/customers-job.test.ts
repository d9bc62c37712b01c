/**
 * The per-shop customer scoring job end to end on a real Postgres and Redis: a synthetic shop
 * drawn from the BG/NBD and Gamma-Gamma processes (bench/lib/synthetic-customers.ts), plus a
 * few hand-made customers whose orders must not count, scored by the real processor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ingestOrders, ingestRefunds } from "~/ingest/index.server";
import { SEGMENTS } from "~/ml/churn/segments";
import { createRedis } from "~/queues/connection.server";
import { exportCustomerData, redactCustomer } from "~/services/privacy/customer-data.server";
import { ChurnSettings } from "~/settings";

import { loadSyntheticCustomerShop } from "../bench/lib/synthetic-customers";
import { ShopBusyError } from "../workers/model-run";
import { processCustomersJob } from "../workers/processors/score-customers";

import { createTestDatabase, type TestDatabase } from "./helpers/database";
import { createShop, orderRecord } from "./helpers/factories";
import { testRedisUrl } from "./helpers/urls";

let db: TestDatabase;
let redis: ReturnType<typeof createRedis>;
let shopId: number;
const CUSTOMERS = 3_000;
const defaults = ChurnSettings.parse({});

interface ScoreRow {
  externalId: string;
  orders: number;
  totalSpent: string;
  recencyDays: number;
  pChurn: number;
  riskBand: string;
  pAlive: number | null;
  expectedOrders: number | null;
  expectedNextOrderOn: string | null;
  expectedOrderValue: string | null;
  predictedLifetimeValue: string | null;
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  segment: string;
  modelRunId: number;
}

async function scores(shop: number): Promise<ScoreRow[]> {
  const { rows } = await db.pool.query<ScoreRow>(
    `SELECT c."externalId", s."orders", s."totalSpent"::text, s."recencyDays", s."pChurn", s."riskBand", s."pAlive", s."expectedOrders",
            to_char(s."expectedNextOrderOn", 'YYYY-MM-DD') AS "expectedNextOrderOn", s."expectedOrderValue"::text,
            s."predictedLifetimeValue"::text, s."recencyScore", s."frequencyScore", s."monetaryScore", s."segment",
            s."modelRunId"
     FROM "CustomerScore" s JOIN "Customer" c ON c."id" = s."customerId"
     WHERE s."shopId" = $1`,
    [shop],
  );
  return rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(testRedisUrl(), "worker");
  shopId = (await createShop(db.prisma, { timezone: "Europe/London" })).id;
  const synthetic = await loadSyntheticCustomerShop(db.pool, shopId, {
    customers: CUSTOMERS,
    orders: 25_000,
    products: 500,
    days: 730,
    seed: 7,
  });
  const lastDay = new Date(synthetic.lastDay * 86_400_000).toISOString().slice(0, 10);
  await ingestOrders(db.pool, shopId, [
    // only a cancelled order, only a test order, and a guest: none of them is a customer to score
    orderRecord("X1", { customer: "CANCELLED", at: `${lastDay}T10:00:00Z` }),
    orderRecord("X2", { customer: "TESTER", at: `${lastDay}T10:00:00Z` }),
    orderRecord("X3", { customer: null, at: `${lastDay}T10:00:00Z` }),
    // one real order and one test order: one order counts
    orderRecord("X4", { customer: "MIXED", at: `${lastDay}T09:00:00Z` }),
    orderRecord("X5", { customer: "MIXED", at: `${lastDay}T11:00:00Z` }),
  ]);
  await db.pool.query(`UPDATE "Order" SET "cancelledAt" = now() WHERE "shopId" = $1 AND "externalId" = 'X1'`, [shopId]);
  await db.pool.query(`UPDATE "Order" SET "test" = true WHERE "shopId" = $1 AND "externalId" IN ('X2', 'X5')`, [
    shopId,
  ]);
  // MIXED's real order is partly refunded: 4.00 of its 10.00.
  await ingestRefunds(db.pool, shopId, [
    {
      externalId: "R1",
      orderExternalId: "X4",
      processedAt: `${lastDay}T15:00:00Z`,
      currency: "USD",
      totalAmount: "4.00",
      lines: [],
      updatedAt: `${lastDay}T15:00:00Z`,
    },
  ]);
  await processCustomersJob("score-customers", { shopId }, { database: db, redis });
});

afterAll(async () => {
  await redis?.quit();
  await db?.drop();
});

describe("score-customers", () => {
  it("scores every customer with a real order, and only them", async () => {
    const rows = await scores(shopId);
    const ids = new Set(rows.map((row) => row.externalId));
    expect(rows).toHaveLength(CUSTOMERS + 1);
    expect(ids.has("MIXED")).toBe(true);
    expect(ids.has("CANCELLED") || ids.has("TESTER")).toBe(false);
    const mixed = rows.find((row) => row.externalId === "MIXED")!;
    expect(mixed.orders).toBe(1);
    expect(mixed).toMatchObject({ totalSpent: "6.0000" }); // 10.00 less the 4.00 refunded
  });

  it("records the fit, the backtest and what it served on the run", async () => {
    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId, kind: "CUSTOMER_SCORES" } });
    expect(run.status).toBe("SUCCEEDED");
    const metrics = run.metrics as {
      method: string;
      served: string;
      asOfNote: string;
      lifetime: { model: string; converged: boolean };
      backtest: { contenders: { model: string; auc: number }[] };
    };
    expect(metrics.method).toBe("models");
    expect(["lifetime", "logistic", "boosting"]).toContain(metrics.served);
    expect(metrics.asOfNote).toMatch(/last order day/); // the synthetic history ended years ago
    expect(metrics.lifetime).toMatchObject({ model: "mbgnbd", converged: true });
    expect(metrics.backtest.contenders).toHaveLength(3);
    // The synthetic customers follow BG/NBD: every contender ranks churners well above chance.
    for (const contender of metrics.backtest.contenders) expect(contender.auc).toBeGreaterThan(0.7);
    const served = metrics.backtest.contenders.find((c) => c.model === metrics.served)!;
    const best = Math.max(...metrics.backtest.contenders.map((c) => c.auc));
    expect(served.auc).toBeGreaterThan(best - 0.0021);
    expect(Object.keys(run.timings as object).sort()).toEqual(["fitMs", "loadMs", "writeMs"]);
  });

  it("writes probabilities in [0, 1], consistent bands, known segments and no NaN", async () => {
    const rows = await scores(shopId);
    for (const row of rows) {
      expect(row.pChurn).toBeGreaterThanOrEqual(0);
      expect(row.pChurn).toBeLessThanOrEqual(1);
      expect(row.pAlive).not.toBeNull();
      expect(row.pAlive!).toBeGreaterThanOrEqual(0);
      expect(row.pAlive!).toBeLessThanOrEqual(1);
      expect(row.expectedOrders!).toBeGreaterThanOrEqual(0);
      expect(Number(row.predictedLifetimeValue)).toBeGreaterThanOrEqual(0);
      expect(Number(row.expectedOrderValue)).toBeGreaterThan(0);
      const band = row.pChurn >= defaults.highRisk ? "HIGH" : row.pChurn >= defaults.mediumRisk ? "MEDIUM" : "LOW";
      expect(row.riskBand).toBe(band);
      expect(SEGMENTS).toContain(row.segment);
      for (const score of [row.recencyScore, row.frequencyScore, row.monetaryScore]) {
        expect(score).toBeGreaterThanOrEqual(1);
        expect(score).toBeLessThanOrEqual(5);
      }
    }
    const bands = new Set(rows.map((row) => row.riskBand));
    expect(bands).toEqual(new Set(["LOW", "MEDIUM", "HIGH"]));
  });

  it("rates a frequent recent buyer above a one-time buyer who left long ago", async () => {
    const rows = await scores(shopId);
    const gone = rows.filter((row) => row.orders === 1).sort((a, b) => b.recencyDays - a.recencyDays)[0]!;
    const loyal = rows
      .filter((row) => row.orders >= 10 && row.recencyDays <= 14)
      .sort((a, b) => b.orders - a.orders)[0]!;
    expect(gone.recencyDays).toBeGreaterThan(500);
    expect(loyal.pAlive!).toBeGreaterThan(gone.pAlive!);
    expect(loyal.pChurn).toBeLessThan(gone.pChurn);
    expect(loyal.expectedOrders!).toBeGreaterThan(gone.expectedOrders!);
    expect(Number(loyal.predictedLifetimeValue)).toBeGreaterThan(Number(gone.predictedLifetimeValue));
    // A loyal customer's next order is expected soon; for a long-gone one it is not expected at all.
    expect(loyal.expectedNextOrderOn).not.toBeNull();
    expect(gone.expectedNextOrderOn).toBeNull();
    expect(loyal.segment).toMatch(/champions|promising/);
    expect(gone.segment).toMatch(/lost|hibernating/);
  });

  it("a customer's data export carries their scores, and redaction erases them", async () => {
    const [victim] = await scores(shopId);
    const exported = await exportCustomerData(db, shopId, victim!.externalId, "gdpr-1");
    expect(exported).toMatchObject({ customer: { scores: [{ segment: victim!.segment, orders: victim!.orders }] } });
    expect(await redactCustomer(db, shopId, victim!.externalId)).toBe(true);
    const left = await scores(shopId);
    expect(left).toHaveLength(CUSTOMERS);
    expect(left.some((row) => row.externalId === victim!.externalId)).toBe(false);
  });

  it("replaces the whole set on a rerun: every row belongs to the newest run", async () => {
    await processCustomersJob("score-customers", { shopId }, { database: db, redis });
    const latest = await db.prisma.modelRun.findFirstOrThrow({
      where: { shopId, kind: "CUSTOMER_SCORES" },
      orderBy: { id: "desc" },
    });
    const rows = await scores(shopId);
    expect(rows).toHaveLength(CUSTOMERS); // the redacted customer is gone for good
    expect(new Set(rows.map((row) => row.modelRunId))).toEqual(new Set([latest.id]));
  });

  it("waits (ShopBusyError) while the same shop is already being scored", async () => {
    const shop = await db.prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    const lock = `foresight:lock:score-customers:${shop.platform}:${shop.domain}`;
    await redis.set(lock, "someone-else", "PX", 60_000);
    try {
      await expect(processCustomersJob("score-customers", { shopId }, { database: db, redis })).rejects.toThrow(
        new ShopBusyError("this shop is already being scored"),
      );
    } finally {
      await redis.del(lock);
    }
  });

  it("falls back to the recency rule for a shop with three customers, and says why", async () => {
    const tiny = (await createShop(db.prisma)).id;
    await ingestOrders(db.pool, tiny, [
      orderRecord("T1", { customer: "A", at: "2026-01-05T10:00:00Z" }),
      orderRecord("T2", { customer: "A", at: "2026-01-05T18:00:00Z" }), // a second order on the same day counts
      orderRecord("T3", { customer: "B", at: "2025-03-01T10:00:00Z", lines: [["P1", 1, "0.00"]] }), // zero spend
      orderRecord("T4", { customer: "C", at: "2026-02-20T10:00:00Z" }),
    ]);
    await processCustomersJob("score-customers", { shopId: tiny }, { database: db, redis });
    const run = await db.prisma.modelRun.findFirstOrThrow({ where: { shopId: tiny, kind: "CUSTOMER_SCORES" } });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.metrics).toMatchObject({ method: "recency-rule", reason: expect.stringMatching(/repeat customers/) });
    const rows = await scores(tiny);
    expect(rows).toHaveLength(3);
    const byId = new Map(rows.map((row) => [row.externalId, row]));
    // Scored as of 2026-02-20 (the last order day): B last ordered 356 days before -> 0.8.
    expect(byId.get("B")!.pChurn).toBeCloseTo(0.8, 6);
    expect(byId.get("C")!.pChurn).toBeCloseTo(0.1, 6);
    expect(byId.get("A")!.orders).toBe(2);
    for (const row of rows) {
      expect(row.pAlive).toBeNull();
      expect(row.predictedLifetimeValue).toBeNull();
      expect(Number.isFinite(row.pChurn)).toBe(true);
    }
  });

  it("skips an uninstalled shop", async () => {
    const gone = (await createShop(db.prisma)).id;
    await db.prisma.shop.update({ where: { id: gone }, data: { installState: "UNINSTALLED" } });
    expect(await processCustomersJob("score-customers", { shopId: gone }, { database: db, redis })).toEqual({
      skipped: "shop is uninstalled",
    });
  });
});
