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

export const ShopSettings = z.object({
  recommendations: RecommendationSettings.catch(() => RecommendationSettings.parse({})).default(() =>
    RecommendationSettings.parse({}),
  ),
});
export type ShopSettings = z.output<typeof ShopSettings>;

/** The shop's settings with defaults filled in; anything unreadable becomes the defaults. */
export function readShopSettings(stored: unknown): ShopSettings {
  const parsed = ShopSettings.safeParse(stored ?? {});
  return parsed.success ? parsed.data : ShopSettings.parse({});
}
