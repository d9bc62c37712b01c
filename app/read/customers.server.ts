/**
 * What the customers page shows: the latest scoring run (what predicts churn for this shop and
 * how well it did on the backtest), customers per segment and per risk band with their expected
 * value, and the valuable customers most at risk. Read from the rows the scoring job wrote;
 * every query filters by shopId.
 */
import type pg from "pg";

import { pageRuns } from "./model-runs.server";

export interface ContenderFigures {
  model: string;
  auc: number;
  brier: number;
  calibratedBrier: number;
}

export interface ScoringSummary {
  status: string;
  /** The shop's churn window and lifetime-value horizon when this run scored. */
  windowDays: number;
  lifetimeMonths: number;
  finishedAt: Date | null;
  error: string | null;
  method: string | null;
  served: string | null;
  reason: string | null;
  asOf: string | null;
  asOfNote: string | null;
  backtestCustomers: number | null;
  backtestChurnRate: number | null;
  recencyRuleAuc: number | null;
  contenders: ContenderFigures[];
}

export interface GroupFigures {
  name: string;
  customers: number;
  meanChurn: number;
  /** Sum of 12-month expected value; null where the shop is scored by recency rules. */
  expectedValue: string | null;
}

export interface AtRiskCustomer {
  customerId: number;
  name: string;
  orders: number;
  recencyDays: number;
  totalSpent: string;
  pChurn: number;
  expectedValue: string | null;
  segment: string;
}

export interface CustomersPage {
  /** The run whose scores are shown (the latest that succeeded). */
  scoring: ScoringSummary | null;
  /** The latest run of any outcome, for a failure notice. */
  latest: { status: string; error: string | null } | null;
  segments: GroupFigures[];
  risk: GroupFigures[];
  atRisk: AtRiskCustomer[];
}

interface RunMetrics {
  method?: string;
  served?: string;
  reason?: string;
  asOf?: string;
  asOfNote?: string;
  backtest?: {
    customers: number;
    churnRate: number;
    recencyRuleAuc: number;
    contenders: ContenderFigures[];
  };
}

function summarise(row: {
  status: string;
  finishedAt: Date | null;
  error: string | null;
  metrics: RunMetrics | null;
  parameters: { windowDays?: number; lifetimeMonths?: number } | null;
}): ScoringSummary {
  const m = row.metrics ?? {};
  return {
    status: row.status,
    windowDays: row.parameters?.windowDays ?? 90,
    lifetimeMonths: row.parameters?.lifetimeMonths ?? 12,
    finishedAt: row.finishedAt,
    error: row.error,
    method: m.method ?? null,
    served: m.served ?? null,
    reason: m.reason ?? null,
    asOf: m.asOf ?? null,
    asOfNote: m.asOfNote ?? null,
    backtestCustomers: m.backtest?.customers ?? null,
    backtestChurnRate: m.backtest?.churnRate ?? null,
    recencyRuleAuc: m.backtest?.recencyRuleAuc ?? null,
    contenders: (m.backtest?.contenders ?? []).map(({ model, auc, brier, calibratedBrier }) => ({
      model,
      auc,
      brier,
      calibratedBrier,
    })),
  };
}

const GROUP_FIGURES = `count(*)::int AS customers, avg(s."pChurn")::float8 AS "meanChurn",
  sum(s."predictedLifetimeValue")::text AS "expectedValue"`;

export async function loadCustomersPage(pool: pg.Pool, shopId: number, atRiskRows = 20): Promise<CustomersPage> {
  const [runs, segments, risk, atRisk] = await Promise.all([
    pageRuns<RunMetrics, { windowDays?: number; lifetimeMonths?: number }>(pool, shopId, "CUSTOMER_SCORES"),
    pool.query<GroupFigures>(
      `SELECT s."segment" AS name, ${GROUP_FIGURES}
       FROM "CustomerScore" s WHERE s."shopId" = $1 GROUP BY s."segment"`,
      [shopId],
    ),
    pool.query<GroupFigures>(
      `SELECT s."riskBand"::text AS name, ${GROUP_FIGURES}
       FROM "CustomerScore" s WHERE s."shopId" = $1 GROUP BY s."riskBand" ORDER BY s."riskBand" DESC`,
      [shopId],
    ),
    // High-risk customers worth the most: expected value when the models ran, else past spend.
    pool.query<AtRiskCustomer>(
      `SELECT s."customerId", s."orders", s."recencyDays", s."totalSpent"::text AS "totalSpent", s."pChurn",
              s."predictedLifetimeValue"::text AS "expectedValue", s."segment",
              COALESCE(NULLIF(trim(concat_ws(' ', c."firstName", c."lastName")), ''), c."email",
                       'Customer ' || c."externalId") AS name
       FROM "CustomerScore" s JOIN "Customer" c ON c."id" = s."customerId" AND c."shopId" = s."shopId"
       WHERE s."shopId" = $1 AND s."riskBand" = 'HIGH' AND s."orders" > 1
       ORDER BY COALESCE(s."predictedLifetimeValue", s."totalSpent") DESC, s."customerId"
       LIMIT $2`,
      [shopId, atRiskRows],
    ),
  ]);
  return {
    scoring: runs.shown ? summarise(runs.shown) : null,
    latest: runs.latest,
    segments: segments.rows.sort((a, b) => b.customers - a.customers),
    risk: risk.rows,
    atRisk: atRisk.rows,
  };
}
