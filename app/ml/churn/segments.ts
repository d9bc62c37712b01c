/**
 * RFM scores and named segments, the vocabulary merchants already know (Shopify's own customer
 * segments use RFM buckets), next to the model's churn probability, which is what we add.
 *
 * Scores are quintiles within the shop, 5 = best: R from days since the last order (fewer is
 * better), F from the number of orders, M from total spend. Ties share a score: each customer
 * gets the mid-rank percentile of their value (the share of customers below it plus half the
 * share equal to it), so the many one-order customers all get the same F instead of being
 * spread over two quintiles by an arbitrary order.
 *
 * Segments, from R and FM = round((F + M) / 2), first rule that matches:
 * | segment          | rule                          | meaning                                    |
 * | ---------------- | ----------------------------- | ------------------------------------------ |
 * | champions        | R >= 4 and FM >= 4            | bought recently, often, and spend the most |
 * | new              | R >= 4 and exactly one order  | first order was recent                     |
 * | promising        | R >= 4                        | recent repeat buyers, not big spenders yet |
 * | loyal            | R = 3 and FM >= 4             | valuable, not ordered very recently        |
 * | needs attention  | R = 3 and FM = 3              | middling on everything                     |
 * | about to sleep   | R = 3                         | low value, going quiet                     |
 * | at risk          | R <= 2 and FM >= 3            | used to buy well, gone quiet               |
 * | hibernating      | R = 2                         | low value, long gone quiet                 |
 * | lost             | otherwise (R = 1, FM <= 2)    | low value, the longest gone                |
 */

export const SEGMENTS = [
  "champions",
  "new",
  "promising",
  "loyal",
  "needs attention",
  "about to sleep",
  "at risk",
  "hibernating",
  "lost",
] as const;
export type Segment = (typeof SEGMENTS)[number];

export type RiskBand = "LOW" | "MEDIUM" | "HIGH";

/**
 * Quintile score 1..5 per entry of `values` among the entries with `include[i]` = 1 (others get
 * 0). `higherIsBetter` = false reverses the direction (recency). O(n log n).
 */
export function quintileScores(
  values: ArrayLike<number>,
  include: ArrayLike<number>,
  higherIsBetter = true,
): Uint8Array {
  const n = values.length;
  const members: number[] = [];
  for (let i = 0; i < n; i++) if (include[i]) members.push(i);
  members.sort((a, b) => values[a]! - values[b]!);
  const scores = new Uint8Array(n);
  const m = members.length;
  for (let lo = 0; lo < m;) {
    let hi = lo;
    while (hi < m && values[members[hi]!] === values[members[lo]!]) hi++;
    const percentile = (lo + (hi - lo) / 2) / m;
    const ascending = Math.min(5, 1 + Math.floor(5 * percentile));
    const score = higherIsBetter ? ascending : 6 - ascending;
    for (let k = lo; k < hi; k++) scores[members[k]!] = score;
    lo = hi;
  }
  return scores;
}

/** The segment of a customer with scores r, f, m (each 1..5) and `orders` orders. */
export function segmentOf(r: number, f: number, m: number, orders: number): Segment {
  const fm = Math.round((f + m) / 2);
  if (r >= 4) {
    if (fm >= 4) return "champions";
    return orders <= 1 ? "new" : "promising";
  }
  if (r === 3) {
    if (fm >= 4) return "loyal";
    return fm === 3 ? "needs attention" : "about to sleep";
  }
  if (fm >= 3) return "at risk";
  return r === 2 ? "hibernating" : "lost";
}

/** Low / medium / high churn risk from a calibrated P(churn) and the shop's two thresholds. */
export function riskBand(pChurn: number, thresholds: { medium: number; high: number }): RiskBand {
  if (pChurn >= thresholds.high) return "HIGH";
  return pChurn >= thresholds.medium ? "MEDIUM" : "LOW";
}

/**
 * The rule-of-thumb churn score merchants use without a model, and our fallback for shops with
 * too little history to fit one (EVALUATION.md's "seed rule"): by days since the last order,
 * > 180: 0.8, > 90: 0.5, > 30: 0.2, else 0.1; times 0.7 for customers with more than 10 orders.
 */
export function recencyRule(recencyDays: number, orders: number): number {
  const base = recencyDays > 180 ? 0.8 : recencyDays > 90 ? 0.5 : recencyDays > 30 ? 0.2 : 0.1;
  return orders > 10 ? base * 0.7 : base;
}
