import { describe, expect, it } from "vitest";

import { intervalCoverage, mase, seasonalNaiveScale, wape } from "~/ml/forecast/metrics";

describe("MASE (Hyndman & Koehler 2006)", () => {
  it("scales by the in-sample naive MAE (period 1), by hand", () => {
    // insample 2 4 3 5 4 6: |4-2| + |3-4| + |5-3| + |4-5| + |6-4| = 2+1+2+1+2 = 8 over 5 -> 1.6
    // holdout errors |5-6| = 1, |7-5| = 2 -> MAE 1.5; MASE = 1.5 / 1.6 = 0.9375
    const insample = [2, 4, 3, 5, 4, 6];
    expect(seasonalNaiveScale(insample)).toBeCloseTo(1.6, 14);
    expect(mase([5, 7], [6, 5], insample)).toBeCloseTo(0.9375, 14);
    expect(mase(Float64Array.from([5, 7]), Float64Array.from([6, 5]), Float64Array.from(insample), 1)).toBeCloseTo(
      0.9375,
      14,
    );
  });

  it("scales by the in-sample seasonal naive MAE with lag = period, by hand", () => {
    // insample 10 20 12 18 14 22, period 2: |12-10| + |18-20| + |14-12| + |22-18| = 2+2+2+4 = 10 over 4 -> 2.5
    // holdout errors |15-14| + |20-22| + |16-14| = 1+2+2 = 5 over 3 -> 5/3; MASE = (5/3) / 2.5 = 2/3
    const insample = [10, 20, 12, 18, 14, 22];
    expect(seasonalNaiveScale(insample, 2)).toBeCloseTo(2.5, 14);
    expect(mase([15, 20, 16], [14, 22, 14], insample, 2)).toBeCloseTo(2 / 3, 14);
  });

  it("is NaN when the scale is 0 (constant, or exactly periodic, in-sample series)", () => {
    expect(mase([3], [4], [3, 3, 3])).toBeNaN();
    expect(mase([3], [3], [3, 3, 3])).toBeNaN(); // even a perfect forecast: 0/0 is undefined
    expect(mase([1, 2], [1, 2], [1, 2, 1, 2], 2)).toBeNaN();
    // At lag 1 the same series has scale (1+1+1)/3 = 1; errors |1-2|, |2-2| -> MAE 0.5 -> MASE 0.5
    expect(mase([1, 2], [2, 2], [1, 2, 1, 2], 1)).toBeCloseTo(0.5, 14);
  });

  it("rejects empty, mismatched or too-short inputs and bad periods", () => {
    expect(() => mase([], [], [1, 2])).toThrow(RangeError);
    expect(() => mase([1], [1, 2], [1, 2])).toThrow(RangeError);
    expect(() => mase([1], [1], [1])).toThrow(RangeError); // needs > period in-sample values
    expect(() => mase([1], [1], [1, 2, 3], 3)).toThrow(RangeError);
    expect(() => mase([1], [1], [1, 2, 3], 0)).toThrow(RangeError);
    expect(() => mase([1], [1], [1, 2, 3], 1.5)).toThrow(RangeError);
  });
});

describe("WAPE", () => {
  it("is sum |error| / sum actual, by hand", () => {
    // errors |4-3| + |0-1| + |6-8| = 1+1+2 = 4; sold 4+0+6 = 10 -> 0.4
    expect(wape([4, 0, 6], [3, 1, 8])).toBeCloseTo(0.4, 14);
    expect(wape(Float64Array.from([2, 2]), Float64Array.from([2, 2]))).toBe(0);
  });

  it("is NaN when nothing sold, and rejects empty or mismatched inputs", () => {
    expect(wape([0, 0, 0], [1, 0, 0])).toBeNaN();
    expect(() => wape([], [])).toThrow(RangeError);
    expect(() => wape([1, 2], [1])).toThrow(RangeError);
  });
});

describe("interval coverage", () => {
  it("counts actuals inside inclusive bounds, by hand", () => {
    // 1 in [0,2] yes; 5 in [0,4] no; 3 in [3,4] yes (inclusive); 0 in [0,0] yes -> 3/4
    expect(intervalCoverage([1, 5, 3, 0], [0, 0, 3, 0], [2, 4, 4, 0])).toBe(0.75);
    expect(intervalCoverage([10], [0], [1])).toBe(0);
  });

  it("rejects empty or mismatched inputs and swapped bounds", () => {
    expect(() => intervalCoverage([], [], [])).toThrow(RangeError);
    expect(() => intervalCoverage([1], [0, 0], [2])).toThrow(RangeError);
    expect(() => intervalCoverage([1], [0], [2, 2])).toThrow(RangeError);
    expect(() => intervalCoverage([1], [2], [0])).toThrow(RangeError);
  });
});
