import { describe, expect, it } from "vitest";

import { inventoryCover } from "~/ml/forecast/cover";

describe("inventory cover", () => {
  const mean = [3, 3, 3, 3, 3, 3, 3];
  // cumulative upper bound of demand after 1..7 days
  const cumulativeUpper = [5, 10, 15, 20, 25, 30, 35];

  it("counts the days until cumulative demand exceeds stock, and the early date at the upper bound", () => {
    // mean: 3, 6, 9, 12 -> exceeds 10 on day 4; upper: 5, 10, 15 -> exceeds 10 on day 3
    expect(inventoryCover(10, mean, cumulativeUpper, 14)).toEqual({
      daysOfCover: 4,
      earlyDaysOfCover: 3,
      stockoutRisk: true,
    });
    expect(inventoryCover(10, mean, cumulativeUpper, 2).stockoutRisk).toBe(false);
  });

  it("never puts the early date after the expected one, whatever bound it is given", () => {
    // A whole-unit bound that rounds to zero (a slow mover) must not hide a stock-out.
    const slow = [0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12];
    expect(inventoryCover(1, slow, new Float64Array(10), 14)).toEqual({
      daysOfCover: 9,
      earlyDaysOfCover: 9,
      stockoutRisk: true,
    });
  });

  it("says null when the stock outlasts the horizon", () => {
    expect(inventoryCover(100, mean, cumulativeUpper, 14)).toEqual({
      daysOfCover: null,
      earlyDaysOfCover: null,
      stockoutRisk: false,
    });
    // stock exactly used up is not yet exceeded
    expect(inventoryCover(21, mean, [3, 6, 9, 12, 15, 18, 21], 14).daysOfCover).toBeNull();
  });

  it("treats zero or negative stock as out already, flagged only when someone would buy", () => {
    expect(inventoryCover(0, mean, cumulativeUpper, 14)).toEqual({
      daysOfCover: 0,
      earlyDaysOfCover: 0,
      stockoutRisk: true,
    });
    expect(inventoryCover(-3, mean, cumulativeUpper, 14).daysOfCover).toBe(0);
    expect(inventoryCover(0, [0, 0], [0, 0], 14).stockoutRisk).toBe(false);
    // negative forecasts count as no demand
    expect(inventoryCover(1, [-2, 0.5, 0.6], [0, 1, 2], 14)).toEqual({
      daysOfCover: 3,
      earlyDaysOfCover: 3,
      stockoutRisk: true,
    });
  });

  it("rejects mismatched forecasts and a stock that is not a number", () => {
    expect(() => inventoryCover(5, [1, 2], [1], 14)).toThrow(RangeError);
    expect(() => inventoryCover(Number.NaN, [1], [1], 14)).toThrow(RangeError);
  });
});
