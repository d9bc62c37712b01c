import { describe, expect, it } from "vitest";

import { brierScore, logLoss, meanAbsoluteError, pearson, rocAuc } from "~/ml/metrics/classification";

describe("rocAuc", () => {
  it("equals Mann-Whitney U / (n1 n0) with tied scores (scipy.stats.mannwhitneyu)", () => {
    // test/reference/classify_reference.py: U = 23 for 6 positives vs 6 negatives, AUC = 23/36.
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.1, 0.9, 0.35, 0.6, 0.4, 0.8, 0.2];
    const labels = [0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1];
    expect(rocAuc(scores, labels)).toBeCloseTo(0.6388888888888888, 14);
    expect(rocAuc(Float64Array.from(scores), Uint8Array.from(labels))).toBeCloseTo(23 / 36, 14);
  });

  it("counts pairs by hand: 1 for perfect, 0 for reversed, 1/2 for all tied", () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5], [0, 1, 1])).toBe(0.5);
    // Pairs (pos, neg): (0.3,0.1) win, (0.3,0.5) loss, (0.5,0.1) win, (0.5,0.5) tie -> 2.5 / 4.
    expect(rocAuc([0.1, 0.5, 0.3, 0.5], [0, 0, 1, 1])).toBe(0.625);
  });

  it("depends only on the order of the scores, and handles infinite scores", () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.2];
    const labels = [0, 1, 0, 1, 1];
    const auc = rocAuc(scores, labels);
    expect(
      rocAuc(
        scores.map((s) => Math.log(s) * 3 + 1),
        labels,
      ),
    ).toBeCloseTo(auc, 14);
    expect(rocAuc([-Infinity, Infinity, -Infinity, 0], [0, 1, 1, 0])).toBe(0.625);
  });

  it("is NaN with only one class, and rejects bad input", () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(rocAuc([0.3], [0])).toBeNaN();
    expect(() => rocAuc([0.1, 0.2], [0, 2])).toThrow(RangeError);
    expect(() => rocAuc([0.1], [0, 1])).toThrow(RangeError);
    expect(() => rocAuc([], [])).toThrow(RangeError);
    expect(() => rocAuc([NaN, 0.2], [0, 1])).toThrow(RangeError);
  });
});

describe("Brier score and log loss", () => {
  // test/reference/classify_reference.py: Brier 0.30541666666666667, log loss 6.139032152614291.
  const p = [0.9, 0.2, 0.6, 0.0, 1.0, 0.35];
  const y = [1, 0, 0, 0, 0, 1];

  it("Brier is the mean squared difference", () => {
    // (0.01 + 0.04 + 0.36 + 0 + 1 + 0.4225) / 6 = 1.8325 / 6
    expect(brierScore(p, y)).toBeCloseTo(1.8325 / 6, 14);
    expect(brierScore(p, y)).toBeCloseTo(0.30541666666666667, 14);
    expect(brierScore([0.5, 0.5], [0, 1])).toBe(0.25);
  });

  it("log loss clips at eps: a confident mistake costs -log(1e-15)", () => {
    expect(logLoss(p, y)).toBeCloseTo(6.139032152614291, 10);
    // By hand: p = 0 with y = 0 clips to 1e-15 and costs log1p(-1e-15); p = 1 with y = 0 clips to
    // 1 - 1e-15, which rounds to 1 - 9.992e-16 in binary64, so it costs log(9.992e-16), not log(1e-15).
    const byHand =
      -(
        Math.log(0.9) +
        Math.log(0.8) +
        Math.log(0.4) +
        Math.log1p(-1e-15) +
        Math.log1p(-(1 - 1e-15)) +
        Math.log(0.35)
      ) / 6;
    expect(logLoss(p, y)).toBeCloseTo(byHand, 12);
    expect(logLoss([0.5], [1])).toBeCloseTo(Math.LN2, 14);
    expect(logLoss([0, 1], [1, 0], 1e-3)).toBeCloseTo(-Math.log(1e-3), 12);
  });

  it("rejects probabilities outside [0, 1], bad labels and bad eps", () => {
    expect(() => brierScore([1.2], [1])).toThrow(RangeError);
    expect(() => logLoss([NaN], [1])).toThrow(RangeError);
    expect(() => logLoss([0.5], [3])).toThrow(RangeError);
    expect(() => logLoss([0.5], [1], 0)).toThrow(RangeError);
    expect(() => brierScore([0.5, 0.5], [1])).toThrow(RangeError);
  });
});

describe("Pearson correlation and mean absolute error", () => {
  it("pearson matches a hand computation", () => {
    // a = [1,2,3,4], b = [2,1,4,3]: deviations (-1.5,-0.5,0.5,1.5) and (-0.5,-1.5,1.5,0.5);
    // cross products sum 0.75 + 0.75 + 0.75 + 0.75 = 3, squares sum 5 and 5 -> r = 3 / 5.
    expect(pearson([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 14);
    expect(pearson([1, 2, 3], [6, 4, 2])).toBeCloseTo(-1, 14);
    expect(Math.abs(pearson([1e8 + 1, 1e8 + 2, 1e8 + 3], [3, 5, 7]))).toBeLessThanOrEqual(1);
  });

  it("pearson is NaN for a constant sample and rejects too little data", () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => pearson([1], [2])).toThrow(RangeError);
    expect(() => pearson([1, 2], [2])).toThrow(RangeError);
  });

  it("mean absolute error", () => {
    expect(meanAbsoluteError([1, 2, 3], [2, 2, 1])).toBeCloseTo(1, 14); // (1 + 0 + 2) / 3
    expect(meanAbsoluteError(Float64Array.from([0.5]), [0.25])).toBe(0.25);
    expect(() => meanAbsoluteError([], [])).toThrow(RangeError);
  });
});
