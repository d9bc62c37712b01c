/**
 * The supervised churn model's inputs for each customer as of a cutoff: recency, frequency,
 * monetary value, tenure, the rhythm of their orders, recent activity, product breadth, and
 * what BG/NBD makes of their history. Counts and amounts enter as log(1 + v): they are heavily
 * right-skewed, and a logistic model on raw counts lets a handful of wholesale buyers set the
 * slope for everyone (trees do not care either way). "lifetime" features come from the
 * repeat-purchase model (MBG/NBD in production).
 */
import type { CustomerSnapshot } from "./history";
import type { LifetimeModel, LifetimeParams } from "./lifetime";

export const FEATURE_NAMES = [
  "log recency days",
  "log orders",
  "log repeat transactions",
  "log total value",
  "log mean order value",
  "log tenure days",
  "log mean gap days",
  "log sd gap days",
  "log overdue ratio",
  "log orders last 30 days",
  "log orders last 90 days",
  "log orders last 180 days",
  "log value last 90 days",
  "log distinct products",
  "lifetime p alive",
  "log lifetime expected orders",
  "lifetime p no order",
] as const;

export interface FeatureMatrix {
  /** Row-major rows x FEATURE_NAMES.length. */
  X: Float64Array;
  rows: number;
  columns: number;
  /** Customer index of each row. */
  customer: Int32Array;
}

/**
 * One row per customer with at least one order before the snapshot's cutoff.
 * @param breadth distinct products each customer bought before the cutoff (zeros if unknown)
 * @param lifetime the repeat-purchase model and its parameters (in days)
 * @param windowDays the churn window the lifetime model's outputs look ahead
 */
export function churnFeatures(
  s: CustomerSnapshot,
  breadth: ArrayLike<number>,
  lifetime: { model: LifetimeModel; params: LifetimeParams },
  windowDays: number,
): FeatureMatrix {
  const customers: number[] = [];
  for (let c = 0; c < s.customers; c++) if (s.orders[c]! > 0) customers.push(c);
  const columns = FEATURE_NAMES.length;
  const X = new Float64Array(customers.length * columns);
  customers.forEach((c, row) => {
    const x = s.x[c]!;
    const tx = s.tx[c]!;
    const T = s.T[c]!;
    const o = row * columns;
    X[o] = Math.log1p(s.recency[c]!);
    X[o + 1] = Math.log1p(s.orders[c]!);
    X[o + 2] = Math.log1p(x);
    X[o + 3] = Math.log1p(s.totalValue[c]!);
    X[o + 4] = Math.log1p(s.totalValue[c]! / s.orders[c]!);
    X[o + 5] = Math.log1p(T);
    X[o + 6] = Math.log1p(s.meanGap[c]!);
    X[o + 7] = Math.log1p(s.sdGap[c]!);
    // How late the next order is against the customer's own rhythm (0 for one-order customers).
    X[o + 8] = s.meanGap[c]! > 0 ? Math.log1p(s.recency[c]! / s.meanGap[c]!) : 0;
    X[o + 9] = Math.log1p(s.orders30[c]!);
    X[o + 10] = Math.log1p(s.orders90[c]!);
    X[o + 11] = Math.log1p(s.orders180[c]!);
    X[o + 12] = Math.log1p(s.value90[c]!);
    X[o + 13] = Math.log1p(breadth[c] ?? 0);
    const { model, params } = lifetime;
    X[o + 14] = model.pAlive(params, x, tx, T);
    X[o + 15] = Math.log1p(model.expectedTransactions(params, x, tx, T, windowDays));
    X[o + 16] = model.pNoTransaction(params, x, tx, T, windowDays);
  });
  return { X, rows: customers.length, columns, customer: Int32Array.from(customers) };
}
