/**
 * A shop's settings, stored as JSON on Shop.settings. Every field has a default, so an empty
 * object (a new shop) is valid, and a setting added later never needs a data migration.
 * Parsing is lenient per section: a malformed section falls back to its defaults rather
 * than stopping the shop's nightly jobs.
 */
import { z } from "zod";

export const RecommendationSettings = z.object({
  /** Recommendations kept per product and per customer. */
  listLength: z.number().int().min(1).max(50).default(12),
  /** ALS: latent factors, sweeps, L2 strength and confidence scaling (c = 1 + alpha * value). */
  // Defaults: the configuration tuned on R1's validation split (bench/recs.ts --tune), which
  // reaches NDCG@10 0.1257 on its test split against 0.1167 for the tuned reference library.
  factors: z.number().int().min(4).max(256).default(128),
  iterations: z.number().int().min(1).max(50).default(15),
  regularization: z.number().positive().max(1000).default(20),
  alpha: z.number().positive().max(1000).default(10),
  /** Old purchases count less: weight exp(-age / decayDays) (0 = no decay). */
  decayDays: z.number().min(0).max(3650).default(30),
  /** Bought together: pairs must share at least this many orders. */
  minPairOrders: z.number().int().min(1).max(1000).default(2),
  /** ...and at least this share of the first product's orders (P(b | a)). */
  minPairConfidence: z.number().min(0).max(1).default(0.02),
  /**
   * A product counts as a repeat purchase (worth recommending again to people who bought it)
   * when at least this share of its buyers bought it in more than one order...
   */
  repeatBuyerShare: z.number().min(0).max(1).default(0.3),
  /** ...and at least this many customers did. */
  repeatBuyerMinimum: z.number().int().min(1).default(20),
  /** "Popular" means sold in the last this many days. */
  popularWindowDays: z.number().int().min(1).max(365).default(30),
});
export type RecommendationSettings = z.output<typeof RecommendationSettings>;

export const ChurnSettings = z
  .object({
    /** A customer has churned when they place no order in this many days. */
    windowDays: z.number().int().min(14).max(365).default(90),
    /** Below this many repeat customers the models have too little to learn from: recency rules apply. */
    minRepeatCustomers: z.number().int().min(1).default(200),
    /** Lifetime value looks this many months ahead... */
    lifetimeMonths: z.number().int().min(1).max(60).default(12),
    /** ...discounting each month's spend by this rate (0.01 = 1% a month). */
    monthlyDiscountRate: z.number().min(0).max(0.5).default(0.01),
    /** Churn risk bands: medium from this P(churn), high from the next. */
    mediumRisk: z.number().min(0).max(1).default(0.4),
    highRisk: z.number().min(0).max(1).default(0.7),
    /** The expected next-order day is shown only when it is likely within this many days. */
    nextOrderHorizonDays: z.number().int().min(7).max(3650).default(365),
  })
  .refine((churn) => churn.mediumRisk <= churn.highRisk, {
    message: "mediumRisk must not exceed highRisk",
    path: ["mediumRisk"],
  });
export type ChurnSettings = z.output<typeof ChurnSettings>;

export const ForecastSettings = z.object({
  /** Days ahead forecast for the shop and its products. */
  horizonDays: z.number().int().min(7).max(90).default(28),
  /** Products forecast one by one: the best sellers that make up this share of revenue... */
  productRevenueShare: z.number().min(0).max(1).default(0.8),
  /** ...and at most this many of them. */
  maxProducts: z.number().int().min(0).max(2000).default(500),
  /** Products whose early stock-out date falls within this many days are flagged. */
  stockoutWarningDays: z.number().int().min(1).max(90).default(14),
});
export type ForecastSettings = z.output<typeof ForecastSettings>;

export const ShopSettings = z.object({
  recommendations: RecommendationSettings.catch(() => RecommendationSettings.parse({})).default(() =>
    RecommendationSettings.parse({}),
  ),
  churn: ChurnSettings.catch(() => ChurnSettings.parse({})).default(() => ChurnSettings.parse({})),
  forecast: ForecastSettings.catch(() => ForecastSettings.parse({})).default(() => ForecastSettings.parse({})),
});
export type ShopSettings = z.output<typeof ShopSettings>;

/** The shop's settings with defaults filled in; anything unreadable becomes the defaults. */
export function readShopSettings(stored: unknown): ShopSettings {
  const parsed = ShopSettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : ShopSettings.parse({});
}
