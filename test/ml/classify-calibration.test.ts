import { describe, expect, it } from "vitest";

import { applyCalibrator, fitIsotonic, fitPlatt, type Calibrator } from "~/ml/classify/calibration";
import { crossValidatedPredictions, stratifiedFolds } from "~/ml/classify/cross-validation";
import { brierScore } from "~/ml/metrics/classification";
import { normalFrom, seededRandom } from "~/ml/random";

// The isotonic and Platt datasets of test/reference/classify_reference.py.
const ISO_SCORES = [0.05, 0.1, 0.1, 0.2, 0.3, 0.3, 0.3, 0.45, 0.5, 0.6, 0.6, 0.7, 0.8, 0.9, 0.95];
const ISO_LABELS = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1];
const ISO_WEIGHTS = [1, 2, 1, 1, 0.5, 1, 1, 3, 1, 1, 2, 1, 1, 0.5, 1];
const PLATT_SCORES = [-2.0, -1.5, -1.2, -0.8, -0.5, -0.3, 0.0, 0.2, 0.4, 0.7, 0.9, 1.3, 1.6, 2.2];
const PLATT_LABELS = [0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1];

function isMonotone(values: number[]): boolean {
  return values.every((v, i) => i === 0 || v >= values[i - 1]!);
}

describe("isotonic calibration", () => {
  it("equals scipy.optimize.isotonic_regression on tie-pooled weighted data", () => {
    // Unique scores and scipy's fitted values (classify_reference.py, section 3).
    const unique = [0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
    const fitted = [0, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 0.75, 0.75, 1, 1, 1];
    const c = fitIsotonic(ISO_SCORES, ISO_LABELS, ISO_WEIGHTS);
    unique.forEach((s, k) => expect(applyCalibrator(c, s)).toBeCloseTo(fitted[k]!, 14));
    // Blocks: {0.05} -> 0, [0.1, 0.5] -> 1/3, [0.6, 0.7] -> 3/4, [0.8, 0.95] -> 1.
    expect(c.x).toEqual([0.05, 0.1, 0.5, 0.6, 0.7, 0.8, 0.95]);
    expect(isMonotone(c.y)).toBe(true);
    // Between blocks the map is linear: halfway from 0.5 (1/3) to 0.6 (3/4).
    expect(applyCalibrator(c, 0.55)).toBeCloseTo((1 / 3 + 0.75) / 2, 12);
    // Out of range: the end values.
    expect(applyCalibrator(c, -5)).toBe(0);
    expect(applyCalibrator(c, 7)).toBe(1);
  });

  it("is monotone, in [0, 1], and keeps tied scores together on random data", () => {
    const random = seededRandom(3);
    const scores = Array.from({ length: 500 }, () => Math.round(random() * 50) / 50); // many ties
    const labels = scores.map((s): number => (random() < s ? 1 : 0));
    const c = fitIsotonic(scores, labels);
    expect(isMonotone(c.x)).toBe(true);
    expect(isMonotone(c.y)).toBe(true);
    const mapped = [...scores].sort((a, b) => a - b).map((s) => applyCalibrator(c, s));
    expect(isMonotone(mapped)).toBe(true);
    expect(mapped.every((p) => p >= 0 && p <= 1)).toBe(true);
    // Least squares on the pooled points: fitted values average to the label mean.
    const mean = labels.reduce((a, b) => a + b, 0) / labels.length;
    expect(scores.reduce((a, s) => a + applyCalibrator(c, s), 0) / scores.length).toBeCloseTo(mean, 12);
  });

  it("edge cases: one class, one point, scalar weights, zero weights, JSON round trip", () => {
    const zeros = fitIsotonic([0.2, 0.5, 0.9], [0, 0, 0]);
    expect([0, 0.5, 2].map((s) => applyCalibrator(zeros, s))).toEqual([0, 0, 0]);
    const single = fitIsotonic([0.4], [1]);
    expect(applyCalibrator(single, -1)).toBe(1);
    const plain = fitIsotonic(ISO_SCORES, ISO_LABELS);
    expect(fitIsotonic(ISO_SCORES, ISO_LABELS, new Array(15).fill(2.5))).toEqual(plain);
    // A zero-weight point is ignored, even with a label that would violate monotonicity.
    const withIgnored = fitIsotonic([...ISO_SCORES, 0.99], [...ISO_LABELS, 0], [...new Array(15).fill(1), 0]);
    expect(withIgnored).toEqual(plain);
    const stored = JSON.parse(JSON.stringify(plain)) as Calibrator;
    for (const s of [0, 0.15, 0.33, 0.62, 1]) expect(applyCalibrator(stored, s)).toBe(applyCalibrator(plain, s));
  });

  it("rejects bad input", () => {
    expect(() => fitIsotonic([], [])).toThrow(RangeError);
    expect(() => fitIsotonic([0.1, 0.2], [0])).toThrow(RangeError);
    expect(() => fitIsotonic([NaN], [0])).toThrow(RangeError);
    expect(() => fitIsotonic([0.1], [2])).toThrow(RangeError);
    expect(() => fitIsotonic([0.1], [1], [-1])).toThrow(RangeError);
    expect(() => fitIsotonic([0.1], [1], [0])).toThrow(RangeError);
    expect(() => applyCalibrator(fitIsotonic([0.1], [1]), NaN)).toThrow(RangeError);
  });
});

describe("Platt scaling", () => {
  it("reaches the optimum of Platt's smoothed-target objective (scipy BFGS, gradient ~ 0)", () => {
    const c = fitPlatt(PLATT_SCORES, PLATT_LABELS);
    // classify_reference.py, section 4: a = -1.1794353491648328, b = 0.08455752239175708.
    expect(c.a).toBeCloseTo(-1.1794353491648328, 8);
    expect(c.b).toBeCloseTo(0.08455752239175708, 8);
    // Gradient of sum t f + log(1 + e^-f): sum (t - p) s and sum (t - p), t+ = 8/9, t- = 1/9.
    let ga = 0;
    let gb = 0;
    PLATT_SCORES.forEach((s, i) => {
      const t = PLATT_LABELS[i] === 1 ? 8 / 9 : 1 / 9;
      const r = t - applyCalibrator(c, s);
      ga += r * s;
      gb += r;
    });
    expect(Math.abs(ga)).toBeLessThan(1e-9);
    expect(Math.abs(gb)).toBeLessThan(1e-9);
  });

  it("stays finite on separable scores and with one class; maps to [0, 1]", () => {
    const separable = fitPlatt([-3, -2, -1, 1, 2, 3], [0, 0, 0, 1, 1, 1]);
    expect(Number.isFinite(separable.a) && Number.isFinite(separable.b)).toBe(true);
    expect(separable.a).toBeLessThan(0);
    // Targets t+ = 4/5, t- = 1/5 cap the confidence near the data.
    expect(applyCalibrator(separable, 3)).toBeLessThan(0.99);
    expect(applyCalibrator(separable, Infinity)).toBe(1);
    expect(applyCalibrator(separable, -Infinity)).toBe(0);
    // One class (all 0): every target is 1 / (3 + 2) and a constant p = 1/5 is optimal.
    const oneClass = fitPlatt([0.1, 0.5, 0.9], [0, 0, 0]);
    expect(oneClass.a).toBeCloseTo(0, 8);
    expect(applyCalibrator(oneClass, 0.5)).toBeCloseTo(0.2, 8);
    // Constant scores with both classes: the constant that matches the mean target.
    const flat = fitPlatt([1, 1, 1, 1], [0, 1, 1, 1]);
    expect(applyCalibrator(flat, 1)).toBeCloseTo((1 / 3 + 3 * (4 / 5)) / 4, 6);
  });
});

describe("cross-validation", () => {
  it("stratified folds split each class evenly and depend only on the seed", () => {
    const labels = Uint8Array.from({ length: 103 }, (_, i) => (i % 10 === 0 ? 1 : 0)); // 11 positives
    const folds = stratifiedFolds(labels, 5, 42);
    const positives = new Array(5).fill(0);
    const sizes = new Array(5).fill(0);
    folds.forEach((f, i) => {
      sizes[f]++;
      positives[f] += labels[i]!;
    });
    expect(Math.max(...positives) - Math.min(...positives)).toBeLessThanOrEqual(1);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect([...stratifiedFolds(labels, 5, 42)]).toEqual([...folds]);
    expect([...stratifiedFolds(labels, 5, 43)]).not.toEqual([...folds]);
    expect(() => stratifiedFolds(labels, 1, 0)).toThrow(RangeError);
    expect([...stratifiedFolds([1, 0, 1], 3, 0)].sort()).toEqual([0, 1, 2]); // n = 3, k = 3
  });

  it("out-of-fold predictions come from models that never saw the row", () => {
    const labels = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0];
    const folds = stratifiedFolds(labels, 3, 1);
    const oof = crossValidatedPredictions(10, folds, 3, (train, test) => {
      expect(test.every((row) => folds[row] === folds[test[0]!])).toBe(true);
      expect(train.every((row) => folds[row] !== folds[test[0]!])).toBe(true);
      const rate = train.reduce((s, row) => s + labels[row]!, 0) / train.length;
      return new Float64Array(test.length).fill(rate);
    });
    for (let i = 0; i < 10; i++) {
      let sum = 0;
      let count = 0;
      for (let j = 0; j < 10; j++) {
        if (folds[j] === folds[i]) continue;
        sum += labels[j]!;
        count++;
      }
      expect(oof[i]).toBeCloseTo(sum / count, 14);
    }
    expect(() => crossValidatedPredictions(2, Int32Array.from([0, 3]), 2, () => new Float64Array(1))).toThrow(
      RangeError,
    );
    expect(() => crossValidatedPredictions(2, Int32Array.from([0, 1]), 2, () => new Float64Array(2))).toThrow(
      RangeError,
    );
  });
});

describe("calibration out of sample", () => {
  it("lowers the held-out Brier score of mis-calibrated scores", () => {
    // p_true = sigmoid(3 s) but the model reports sigmoid(s): right ranking, too timid.
    const n = 4000;
    const normal = normalFrom(seededRandom(21));
    const uniform = seededRandom(22);
    const raw = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const s = normal();
      raw[i] = 1 / (1 + Math.exp(-s));
      labels[i] = uniform() < 1 / (1 + Math.exp(-3 * s)) ? 1 : 0;
    }
    const folds = stratifiedFolds(labels, 2, 5);
    const calibrated = (fit: (s: Float64Array, y: Uint8Array) => Calibrator) =>
      crossValidatedPredictions(n, folds, 2, (train, test) => {
        const c = fit(
          Float64Array.from(train, (row) => raw[row]!),
          Uint8Array.from(train, (row) => labels[row]!),
        );
        return Float64Array.from(test, (row) => applyCalibrator(c, raw[row]!));
      });
    const before = brierScore(raw, labels);
    const isotonic = brierScore(calibrated(fitIsotonic), labels);
    const platt = brierScore(calibrated(fitPlatt), labels);
    // Population values (classify_reference.py, section 5): 0.1448 before, 0.1148 for the true
    // probabilities. This sample: 0.146 before, 0.117 isotonic, 0.116 Platt.
    expect(isotonic).toBeLessThan(before - 0.02);
    expect(platt).toBeLessThan(before - 0.02);
    expect(isotonic).toBeGreaterThan(0.1148 - 0.01); // cannot beat the truth by more than noise
  });
});
