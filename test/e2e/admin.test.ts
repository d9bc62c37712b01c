/**
 * The admin UI end to end: a real HTTP server over the Remix build, a real database, the
 * standalone (demo) mode, and /healthz.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ingestOrders, ingestRefunds } from "~/ingest/index.server";
import { upsertShop } from "~/ingest/shops.server";
import { loadDashboard } from "~/read/dashboard.server";

import { buildIfStale, startWebServer, type WebServer } from "../../scripts/serve";
import { rebuildDailyStats } from "../../workers/analytics/daily-stats";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { orderRecord } from "../helpers/factories";
import { testRedisUrl } from "../helpers/urls";

const SHOP_DOMAIN = "e2e-boutique";
let db: TestDatabase;
let server: WebServer;
let shopId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  // The server-side app reads its configuration from the environment on first use.
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    FORESIGHT_STANDALONE: "1",
    FORESIGHT_STANDALONE_SHOP: SHOP_DOMAIN,
    FORESIGHT_INLINE_JOBS: "0",
  });
  const shop = await upsertShop(db.prisma, {
    platform: "WOOCOMMERCE",
    domain: SHOP_DOMAIN,
    name: "E2E Boutique",
    timezone: "Europe/Paris",
    currency: "EUR",
  });
  shopId = shop.id;
  await ingestOrders(
    db.pool,
    shop.id,
    [
      orderRecord("1", { customer: "A", at: "2026-01-10T10:00:00Z", lines: [["P1", 2, "1500.25"]] }),
      orderRecord("2", { customer: "B", at: "2026-02-03T10:00:00Z", lines: [["P2", 1, "20.00"]] }),
      orderRecord("3", { customer: null, at: "2026-02-04T10:00:00Z", lines: [["P1", 1, "1500.25"]] }),
    ].map((order) => ({ ...order, currency: "EUR" })),
  );
  await ingestRefunds(db.pool, shop.id, [
    {
      externalId: "R1",
      orderExternalId: "2",
      processedAt: "2026-02-05T10:00:00Z",
      currency: "EUR",
      totalAmount: "20.00",
      lines: [{ orderLineExternalId: "2-L1", productExternalId: "P2", quantity: 1, amount: "20.00" }],
      updatedAt: "2026-02-05T10:00:00Z",
    },
  ]);
  await rebuildDailyStats(db.pool, shop.id);
  await db.prisma.modelRun.create({
    data: { shopId: shop.id, kind: "DAILY_AGGREGATES", status: "SUCCEEDED", finishedAt: new Date() },
  });
  await buildIfStale();
  server = await startWebServer({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await server?.close();
  await db.drop();
});

describe("the overview page in standalone mode", () => {
  it("shows the shop's real figures from Postgres, rendered with Polaris", async () => {
    const response = await fetch(`${server.url}/app`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("E2E Boutique");
    expect(html).toContain("Polaris-Page"); // Polaris markup, server-rendered
    expect(html).toMatch(/Orders<\/h3><p[^>]*>3</);
    expect(html).toMatch(/Customers with orders<\/h3><p[^>]*>2</);
    expect(html).toContain("€4,520.75 gross, before cancellations");
    expect(html).toContain("€20.00 returned");
    // The monthly table: January 3,000.50 and February 1,520.25.
    expect(html).toContain("€3,000.50");
    expect(html).toContain("€1,520.25");
    expect(html).not.toContain("being prepared");
  });

  it("shows how far the import of the store's history has got, why it stopped, and nothing once done", async () => {
    const page = async () => (await fetch(`${server.url}/app`)).text();
    const run = await db.prisma.syncRun.create({
      data: {
        shopId,
        kind: "BACKFILL",
        status: "RUNNING",
        phase: "orders",
        progress: 0.8,
        counts: { products: 3914, customers: 4371, orders: 12000, rejected: 0 },
      },
    });
    try {
      let html = await page();
      expect(html).toContain("Importing your store");
      expect(html).toContain("Orders: 12,000 loaded so far.");
      expect(html).toContain("80% done");
      await db.prisma.syncRun.update({
        where: { id: run.id },
        data: {
          status: "FAILED",
          error:
            "ACCESS_DENIED: Shopify denied bulk operations to this app: enable them in the Partner Dashboard (they lapse after 31 days unused)",
        },
      });
      html = await page();
      expect(html).toMatch(/Importing your store(&#x27;|')s history stopped/);
      expect(html).toContain("enable them in the Partner Dashboard");
      await db.prisma.syncRun.update({ where: { id: run.id }, data: { status: "SUCCEEDED", phase: "done" } });
      expect(await page()).not.toContain("Importing your store");
    } finally {
      await db.prisma.syncRun.delete({ where: { id: run.id } });
    }
  });

  it("redirects / to /app, keeping Shopify's query string", async () => {
    const response = await fetch(`${server.url}/?shop=x.myshopify.com&host=abc`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/app?shop=x.myshopify.com&host=abc");
  });

  it("refuses a request that does not come from this machine", async () => {
    const { loader } = await import("~/routes/app._index");
    const request = new Request("http://foresight.example.com/app");
    const response = await loader({ request, params: {}, context: { remoteAddress: "203.0.113.7" } }).catch(
      (thrown: unknown) => thrown,
    );
    expect(response).toBeInstanceOf(Response);
    expect((response as Response).status).toBe(401);
    expect(await (response as Response).text()).toMatch(/opens inside the Shopify admin/);
  });
});

describe("the recommendations page", () => {
  it("shows what is served and why, each model's holdout figures and the best sellers' lists", async () => {
    const products = await db.prisma.product.findMany({ where: { shopId }, orderBy: { externalId: "asc" } });
    const [p1, p2] = products as [(typeof products)[0], (typeof products)[0]];
    const run = await db.prisma.modelRun.create({
      data: {
        shopId,
        kind: "RECOMMENDATIONS",
        status: "SUCCEEDED",
        finishedAt: new Date("2026-02-06T08:00:00Z"),
        timings: { loadMs: 400, trainMs: 1100, writeMs: 500 },
        metrics: {
          served: "als",
          reason: "best NDCG@10 on the shop's last 20% of history (0.1234, 45 customers)",
          holdout: {
            testUsers: 45,
            metrics: {
              als: { "ndcg@10": 0.1234, "hr@10": 0.5, "precision@10": 0.1, "coverage@10": 0.3 },
              popularity: { "ndcg@10": 0.05, "hr@10": 0.3, "precision@10": 0.04, "coverage@10": 0.02 },
            },
          },
          written: { forYou: 20, similar: 2, boughtTogether: 2, popular: 2 },
        },
      },
    });
    await db.prisma.popularProduct.create({
      data: { shopId, rank: 1, productId: p1.id, score: 2, modelRunId: run.id },
    });
    await db.prisma.productRecommendation.createMany({
      data: (["SIMILAR", "BOUGHT_TOGETHER"] as const).map((kind) => ({
        shopId,
        productId: p1.id,
        kind,
        rank: 1,
        recommendedProductId: p2.id,
        score: 1,
        modelRunId: run.id,
      })),
    });
    const response = await fetch(`${server.url}/app/recommendations`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Serving: Personalised (ALS)");
    expect(html).toContain("in 2.0 s");
    expect(html).toMatch(/Personalised \(ALS\)<\/th>.*?0\.123/s); // models ranked, best first
    expect(html.indexOf("0.123")).toBeLessThan(html.indexOf("0.050"));
    expect(html).toContain(`${p1.title}</th>`);
    expect(html).toContain(p2.title);
  });

  it("answers an unknown address with a Polaris 404 page, not a stack trace", async () => {
    const response = await fetch(`${server.url}/no-such-page`);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain("Page not found");
    expect(html).toContain("Polaris-Banner");
    // Remix's developer message may ride along in the hydration data, never in the page itself.
    const rendered = html.slice(0, html.indexOf("<script"));
    expect(rendered).toContain("Page not found");
    expect(rendered).not.toContain("No route matches");
  });
});

describe("the customers page", () => {
  it("shows which model predicts churn and how it did, risk bands, segments and who to win back", async () => {
    const customers = await db.prisma.customer.findMany({ where: { shopId }, orderBy: { externalId: "asc" } });
    const [a, b] = customers as [(typeof customers)[0], (typeof customers)[0]];
    await db.prisma.customer.update({ where: { id: a.id }, data: { firstName: "Ada", lastName: "Lovelace" } });
    const run = await db.prisma.modelRun.create({
      data: {
        shopId,
        kind: "CUSTOMER_SCORES",
        status: "SUCCEEDED",
        finishedAt: new Date("2026-02-06T08:00:00Z"),
        metrics: {
          method: "models",
          served: "logistic",
          reason: "logistic has the best backtest ROC AUC (0.757), calibrated by Platt scaling on the backtest",
          asOf: "2026-02-05",
          asOfNote: "end of the shop's yesterday",
          backtest: {
            customers: 1864,
            churnRate: 0.44,
            recencyRuleAuc: 0.66,
            contenders: [
              { model: "lifetime", auc: 0.697, brier: 0.219, calibratedBrier: 0.214 },
              { model: "logistic", auc: 0.757, brier: 0.2, calibratedBrier: 0.199 },
            ],
          },
        },
      },
    });
    const score = (customerId: number, pChurn: number, band: "LOW" | "HIGH", segment: string, value: string) => ({
      shopId,
      customerId,
      orders: 3,
      totalSpent: "3000.50",
      recencyDays: band === "HIGH" ? 200 : 3,
      pChurn,
      riskBand: band,
      pAlive: 1 - pChurn,
      expectedOrders: 0.5,
      expectedOrderValue: "1000.00",
      predictedLifetimeValue: value,
      recencyScore: band === "HIGH" ? 1 : 5,
      frequencyScore: 4,
      monetaryScore: 5,
      segment,
      modelRunId: run.id,
    });
    await db.prisma.customerScore.createMany({
      data: [score(a.id, 0.82, "HIGH", "at risk", "1234.56"), score(b.id, 0.1, "LOW", "champions", "99.00")],
    });
    const response = await fetch(`${server.url}/app/customers`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Churn risk from: Logistic regression on order history");
    expect(html).toMatch(/Logistic regression on order history<\/th>.*?0\.757/s);
    expect(html).toContain("1,864");
    // the risk table: one high-risk customer worth €1,234.56 over the next year
    expect(html).toMatch(/High<\/th>.*?>1<.*?82%.*?€1,234\.56/s);
    expect(html).toContain("At risk</th>");
    // the win-back list names the customer
    expect(html).toMatch(/Ada Lovelace<\/th>.*?200.*?€3,000\.50.*?82%/s);
    // A later run that failed adds its notice; the figures stay those of the run behind the rows.
    await db.prisma.modelRun.create({
      data: { shopId, kind: "CUSTOMER_SCORES", status: "FAILED", error: "the database went away" },
    });
    const after = await (await fetch(`${server.url}/app/customers`)).text();
    expect(after).toContain("The last scoring run failed");
    expect(after).toContain("the database went away");
    expect(after).toContain("Churn risk from: Logistic regression on order history");
  });
});

describe("the forecasts page", () => {
  it("shows the revenue model and its backtest, products likely to run out and the next days", async () => {
    const [p1] = await db.prisma.product.findMany({ where: { shopId }, orderBy: { externalId: "asc" } });
    const run = await db.prisma.modelRun.create({
      data: {
        shopId,
        kind: "FORECAST",
        status: "SUCCEEDED",
        finishedAt: new Date("2026-02-06T08:00:00Z"),
        metrics: {
          asOf: "2026-02-05",
          asOfNote: "from the shop's last complete day",
          models: { revenue: "ETS(A,N,A) on 6 trading days a week" },
          backtest: {
            origins: ["2025-10-16", "2025-11-13", "2025-12-11", "2026-01-08"],
            forecast: { mase: 0.91, wape: 0.27, coverage80: 0.81 },
            seasonalNaive: { mase: 1.3, wape: 0.41, coverage80: 0.86 },
          },
        },
      },
    });
    await db.prisma.forecastPoint.createMany({
      data: [
        {
          shopId,
          series: "revenue",
          day: new Date("2026-02-06"),
          mean: 1234.4,
          lower80: 900,
          upper80: 1600,
          modelRunId: run.id,
        },
        {
          shopId,
          series: "orders",
          day: new Date("2026-02-06"),
          mean: 12.34,
          lower80: 9,
          upper80: 16,
          modelRunId: run.id,
        },
      ],
    });
    await db.prisma.inventoryCover.create({
      data: {
        shopId,
        productId: p1!.id,
        stock: 7,
        daysOfCover: 5,
        earlyDaysOfCover: 3,
        stockoutRisk: true,
        modelRunId: run.id,
      },
    });
    const response = await fetch(`${server.url}/app/forecasts`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Revenue forecast: ETS(A,N,A) on 6 trading days a week");
    expect(html).toMatch(/This forecast<\/th>.*?0\.91.*?27%.*?81%/s);
    // 5 days of cover from 2026-02-05: runs out on Tue 10 Feb; early, on Sun 8 Feb
    expect(html).toMatch(new RegExp(`${p1!.title}</th>.*?>7<.*?Tue 10 Feb.*?Sun 8 Feb`, "s"));
    expect(html).toMatch(/Fri 6 Feb<\/th>.*?€1,234\.00.*?€900\.00 – €1,600\.00.*?12\.3/s);
  });
});

describe("/healthz", () => {
  it("reports Postgres and Redis as answering", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ok",
      postgres: { ok: true },
      redis: { ok: true },
    });
  });
});

describe("the read layer", () => {
  it("never counts another shop's rows", async () => {
    const other = await upsertShop(db.prisma, {
      platform: "SHOPIFY",
      domain: "other.myshopify.com",
      name: "Other",
      timezone: "UTC",
      currency: "USD",
    });
    await ingestOrders(db.pool, other.id, [orderRecord("1", { customer: "A", lines: [["P1", 100, "999.00"]] })]);
    await rebuildDailyStats(db.pool, other.id);
    const mine = await loadDashboard(db.pool, shopId);
    expect(mine).toMatchObject({ orders: 3, customersWithOrders: 2, grossRevenue: "4520.7500", products: 2 });
    expect(mine.months.map((m) => [m.month, m.orders, m.revenue])).toEqual([
      ["2026-01", 1, "3000.5000"],
      ["2026-02", 2, "1520.2500"],
    ]);
    const theirs = await loadDashboard(db.pool, other.id);
    expect(theirs).toMatchObject({ orders: 1, grossRevenue: "99900.0000" });
  });
});
