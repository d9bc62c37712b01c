import { describe, expect, it } from "vitest";

import { inventoryCover } from "~/ml/forecast/cover";

describe("inventory cover", () => {
  const mean = [3, 3, 3, 3, 3, 3, 3];
  const upper = [5, 5, 5, 5, 5, 5, 5];

  it("counts the days until cumulative demand exceeds stock, and the early date at the upper bound", () => {
    // mean: 3, 6, 9, 12 -> exceeds 10 on day 4; upper: 5, 10, 15 -> exceeds 10 on day 3
    expect(inventoryCover(10, mean, upper, 14)).toEqual({ daysOfCover: 4, earlyDaysOfCover: 3, stockoutRisk: true });
    expect(inventoryCover(10, mean, upper, 2).stockoutRisk).toBe(false);
  });

  it("says null when the stock outlasts the horizon", () => {
    expect(inventoryCover(100, mean, upper, 14)).toEqual({
      daysOfCover: null,
      earlyDaysOfCover: null,
      stockoutRisk: false,
    });
    // stock exactly used up is not yet exceeded
    expect(inventoryCover(21, mean, upper, 14).daysOfCover).toBeNull();
  });

  it("treats zero or negative stock as out already, and negative forecasts as no demand", () => {
    expect(inventoryCover(0, mean, upper, 14)).toEqual({ daysOfCover: 0, earlyDaysOfCover: 0, stockoutRisk: true });
    expect(inventoryCover(-3, mean, upper, 14).daysOfCover).toBe(0);
    expect(inventoryCover(1, [-2, 0.5, 0.6], [-1, 1, 1], 14)).toEqual({
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
