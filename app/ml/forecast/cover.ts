/**
 * Days of inventory cover from a product's daily demand forecast: how many days until the
 * units expected to sell exceed the units in stock, and the early date on which the upper end
 * of the cumulative demand's prediction interval exceeds it.
 *
 * The caller supplies that cumulative upper bound, because how daily uncertainty adds up
 * depends on the method: for exponential smoothing the days' errors largely move together (a
 * shift in level persists), so the daily upper bounds are summed, the cautious choice for a
 * stock-out warning; for Croston-type rates the days are independent draws and the bound is a
 * quantile of the summed count (cumulativeUpperBounds in units.ts).
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
 * @param cumulativeUpper upper bound of total demand over days 1..h, for each h
 * @param warningDays flag the product when the early date is within this many days
 * O(horizon).
 */
export function inventoryCover(
  stock: number,
  mean: ArrayLike<number>,
  cumulativeUpper: ArrayLike<number>,
  warningDays: number,
): InventoryCover {
  if (mean.length !== cumulativeUpper.length) throw new RangeError("mean and cumulativeUpper must cover the same days");
  if (!Number.isFinite(stock)) throw new RangeError(`stock must be a number, got ${stock}`);
  let expected = 0;
  for (let h = 0; h < mean.length; h++) expected += Math.max(0, mean[h]!);
  // Out of stock with nothing expected to sell is not a warning, it is a product nobody buys.
  if (stock <= 0) return { daysOfCover: 0, earlyDaysOfCover: 0, stockoutRisk: expected > 0 };
  const daysOfCover = firstDayBeyond(stock, mean);
  let earlyDaysOfCover: number | null = null;
  let total = 0;
  for (let h = 0; h < mean.length; h++) {
    total += Math.max(0, mean[h]!);
    // The early date is never later than the expected one, whatever the bound says.
    if (Math.max(cumulativeUpper[h]!, total) > stock) {
      earlyDaysOfCover = h + 1;
      break;
    }
  }
  return { daysOfCover, earlyDaysOfCover, stockoutRisk: earlyDaysOfCover !== null && earlyDaysOfCover <= warningDays };
}
