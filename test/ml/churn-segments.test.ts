import { describe, expect, it } from "vitest";

import { quintileScores, recencyRule, riskBand, segmentOf, SEGMENTS } from "~/ml/churn/segments";

describe("RFM quintile scores", () => {
  it("splits distinct values into fifths, best = 5", () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    const all = new Uint8Array(10).fill(1);
    expect([...quintileScores(values, all)]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // recency: fewer days is better
    expect([...quintileScores(values, all, false)]).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it("gives tied values one score (mid-rank), and leaves excluded entries at 0", () => {
    // six one-order customers out of ten: mid-rank percentile 0.3 -> score 2 for all six
    const orders = [1, 1, 1, 1, 1, 1, 2, 3, 5, 9, 100];
    const include = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
    expect([...quintileScores(orders, include)]).toEqual([2, 2, 2, 2, 2, 2, 4, 4, 5, 5, 0]);
  });
});

describe("segments", () => {
  it("covers every R x F x M cell with a documented segment", () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++)
        for (let m = 1; m <= 5; m++) for (const orders of [1, 5]) seen.add(segmentOf(r, f, m, orders));
    expect([...seen].sort()).toEqual([...SEGMENTS].sort());
  });

  it("names the obvious cases", () => {
    expect(segmentOf(5, 5, 5, 30)).toBe("champions");
    expect(segmentOf(5, 1, 2, 1)).toBe("new");
    expect(segmentOf(4, 2, 3, 2)).toBe("promising");
    expect(segmentOf(3, 5, 4, 12)).toBe("loyal");
    expect(segmentOf(1, 5, 5, 20)).toBe("at risk");
    expect(segmentOf(2, 1, 1, 1)).toBe("hibernating");
    expect(segmentOf(1, 1, 2, 1)).toBe("lost");
  });
});

describe("risk bands and the recency rule", () => {
  it("bands a probability by the shop's thresholds", () => {
    const thresholds = { medium: 0.4, high: 0.7 };
    expect([0.1, 0.4, 0.69, 0.7, 1].map((p) => riskBand(p, thresholds))).toEqual([
      "LOW",
      "MEDIUM",
      "MEDIUM",
      "HIGH",
      "HIGH",
    ]);
  });

  it("follows EVALUATION.md's seed rule", () => {
    expect([recencyRule(10, 1), recencyRule(31, 1), recencyRule(91, 1), recencyRule(181, 1)]).toEqual([
      0.1, 0.2, 0.5, 0.8,
    ]);
    expect(recencyRule(181, 11)).toBeCloseTo(0.56, 12);
    expect(recencyRule(181, 10)).toBe(0.8);
  });
});
