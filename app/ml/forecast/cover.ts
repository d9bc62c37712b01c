/**
 * Days of inventory cover from a product's daily demand forecast: how many days until the
 * units expected to sell exceed the units in stock, and the early date on which that happens
 * if demand runs at the top of its prediction interval every day.
 *
 * The early date sums the daily upper bounds, i.e. it assumes the days' forecast errors move
 * together. For exponential smoothing they largely do (a shift in level persists), and for a
 * stock-out warning erring early is the cheaper mistake; treating the days as independent would
 * shrink the spread of a 14-day total by about sqrt(14) and warn too late.
 */

export interface InventoryCover {
  /** Whole days of cover (0 = already out), or null when stock outlasts the horizon. */
  daysOfCover: number | null;
  /** The same with demand at the upper bound of its interval. */
  earlyDaysOfCover: number | null;
  /** The early date falls within the warning window. */
  stockoutRisk: boolean;
}

/** The first day h (1-based) on which the running total of `daily` exceeds `stock`, or null. */
function firstDayBeyond(stock: number, daily: ArrayLike<number>): number | null {
  let total = 0;
  for (let h = 0; h < daily.length; h++) {
    total += Math.max(0, daily[h]!);
    if (total > stock) return h + 1;
  }
  return null;
}

/**
 * @param stock units on hand (negative stock, an oversold product, counts as none)
 * @param mean daily point forecasts, day 1 first
 * @param upper daily upper bounds of the prediction interval
 * @param warningDays flag the product when the early date is within this many days
 * O(horizon).
 */
export function inventoryCover(
  stock: number,
  mean: ArrayLike<number>,
  upper: ArrayLike<number>,
  warningDays: number,
): InventoryCover {
  if (mean.length !== upper.length) throw new RangeError("mean and upper must cover the same days");
  if (!Number.isFinite(stock)) throw new RangeError(`stock must be a number, got ${stock}`);
  if (stock <= 0) return { daysOfCover: 0, earlyDaysOfCover: 0, stockoutRisk: true };
  const daysOfCover = firstDayBeyond(stock, mean);
  const earlyDaysOfCover = firstDayBeyond(stock, upper);
  return { daysOfCover, earlyDaysOfCover, stockoutRisk: earlyDaysOfCover !== null && earlyDaysOfCover <= warningDays };
}
