import { describe, expect, it } from "vitest";

import { churnFeatures } from "~/ml/churn/features";
import { orderHistory, snapshot } from "~/ml/churn/history";
import { LIFETIME_MODELS } from "~/ml/churn/lifetime";
import { scoreShopCustomers, type ChurnOptions } from "~/ml/churn/score-shop";
import { fitLogistic } from "~/ml/classify/logistic";

import { simulateCustomerOrders } from "../../bench/lib/synthetic-customers";

const OPTIONS: ChurnOptions = {
  windowDays: 90,
  minRepeatCustomers: 200,
  lifetimeMonths: 12,
  monthlyDiscountRate: 0.01,
  riskThresholds: { medium: 0.4, high: 0.7 },
  nextOrderHorizonDays: 365,
};

/** A simulated shop plus hand-made customers at the end of the index range. */
function shopWithEdgeCases() {
  const simulated = simulateCustomerOrders({ customers: 1_500, orders: 15_000, products: 1, days: 730, seed: 3 });
  let lastDay = 0;
  for (const day of simulated.day) lastDay = Math.max(lastDay, day);
  const base = 1_500;
  const edge = {
    single: base, // one order, long ago
    sameDay: base + 1, // three orders, all on one day
    zeroSpend: base + 2, // repeat orders worth nothing
    yesterday: base + 3, // first order on the last day
  };
  const customer = [...simulated.customer];
  const day = [...simulated.day];
  const value = [...simulated.value];
  const add = (c: number, d: number, v: number) => {
    customer.push(c);
    day.push(d);
    value.push(v);
  };
  add(edge.single, lastDay - 600, 25);
  for (let k = 0; k < 3; k++) add(edge.sameDay, lastDay - 40, 10);
  for (let k = 0; k < 4; k++) add(edge.zeroSpend, lastDay - 300 + 50 * k, 0);
  add(edge.yesterday, lastDay, 40);
  return { history: orderHistory(base + 4, customer, day, value), asOf: lastDay + 1, edge };
}

describe("scoreShopCustomers", () => {
  const { history, asOf, edge } = shopWithEdgeCases();
  const zeros = new Float64Array(history.customers);
  const scores = scoreShopCustomers(history, asOf, { backtest: zeros, now: zeros }, OPTIONS);
  const row = (c: number) => scores.customer.indexOf(c);

  it("fits the models and gives every customer finite figures in range", () => {
    expect(scores.method).toBe("models");
    expect(scores.customer).toHaveLength(history.customers);
    for (let i = 0; i < scores.customer.length; i++) {
      for (const p of [scores.pChurn[i]!, scores.pAlive![i]!]) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
      for (const v of [scores.expectedOrders![i]!, scores.expectedOrderValue![i]!, scores.lifetimeValue![i]!]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
      // the next-order day is either empty (NaN) or within the horizon
      const next = scores.daysToNextOrder![i]!;
      if (!Number.isNaN(next)) expect(next).toBeLessThanOrEqual(OPTIONS.nextOrderHorizonDays);
    }
  });

  it("handles single-order, same-day, zero-spend and brand-new customers", () => {
    const single = row(edge.single);
    const sameDay = row(edge.sameDay);
    const zero = row(edge.zeroSpend);
    const fresh = row(edge.yesterday);
    // A one-time buyer from 600 days ago: less likely alive than anyone ordering regularly.
    expect(scores.pAlive![single]!).toBeLessThan(1);
    expect(scores.pChurn[single]!).toBeGreaterThan(0.7);
    expect(Number.isNaN(scores.daysToNextOrder![single]!)).toBe(true);
    // Three orders on one day are three orders, bought at one moment (t_x = 0).
    expect(scores.orders[sameDay]).toBe(3);
    // Zero-spend repeat orders: expected spend falls back towards the shop's mean, not to NaN.
    expect(scores.expectedOrderValue![zero]!).toBeGreaterThan(0);
    expect(scores.lifetimeValue![zero]!).toBeGreaterThan(0);
    // First order yesterday: a customer with T = 1 day is scored like any other.
    expect(scores.recencyDays[fresh]).toBe(1);
    expect(scores.segment[fresh]).toBe("new");
  });

  it("records a backtest in which every contender beats chance and the served one is the best", () => {
    const backtest = scores.metrics.backtest!;
    expect(backtest.contenders.map((c) => c.model)).toEqual(["lifetime", "logistic", "boosting"]);
    for (const c of backtest.contenders) expect(c.auc).toBeGreaterThan(0.7);
    const best = Math.max(...backtest.contenders.map((c) => c.auc));
    const served = backtest.contenders.find((c) => c.model === scores.metrics.served)!;
    expect(served.auc).toBeGreaterThan(best - 0.0021);
    expect(scores.metrics.lifetime?.model).toBe("mbgnbd");
  });

  it("falls back to the recency rule below the repeat-customer threshold", () => {
    const few = scoreShopCustomers(
      history,
      asOf,
      { backtest: zeros, now: zeros },
      { ...OPTIONS, minRepeatCustomers: 1e9 },
    );
    expect(few.method).toBe("recency-rule");
    expect(few.pAlive).toBeNull();
    expect(few.reason).toMatch(/repeat customers/);
    expect(few.pChurn[row(edge.single)]).toBe(0.8);
  });
});

describe("logistic regression on a large shop's churn features", () => {
  it("converges in a handful of Newton steps", () => {
    // 100,000 simulated customers: with l2 = 1 the Newton step stalled at 2e-9 (rounding in
    // the gradient sums) above the step tolerance, and the fit ran its 100-iteration cap.
    const simulated = simulateCustomerOrders({
      customers: 100_000,
      orders: 1_000_000,
      products: 1,
      days: 730,
      seed: 20261127,
    });
    const history = orderHistory(100_000, simulated.customer, simulated.day, simulated.value);
    let lastDay = 0;
    for (const day of simulated.day) lastDay = Math.max(lastDay, day);
    const then = snapshot(history, lastDay + 1 - 90);
    const after = snapshot(history, lastDay + 1);
    const features = churnFeatures(
      then,
      new Float64Array(100_000),
      { model: LIFETIME_MODELS.bgnbd, params: { r: 0.9, alpha: 18, a: 0.6, b: 8 } },
      90,
    );
    const labels = Uint8Array.from(features.customer, (c) => (after.orders[c] === then.orders[c] ? 1 : 0));
    const model = fitLogistic(features.X, labels, features.rows, features.columns, { l2: 1 });
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThan(20);
  });
});
