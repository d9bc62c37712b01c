import { describe, expect, it } from "vitest";

import { fitBoosting, predictBoosting, type BoostingOptions } from "~/ml/classify/gbt";
import { fitLogistic, predictLogistic } from "~/ml/classify/logistic";
import { logLoss, rocAuc } from "~/ml/metrics/classification";
import { seededRandom } from "~/ml/random";

/**
 * XOR-like data: y = 1 when x0 and x1 have the same sign, plus `noise` uniform columns; a
 * linear logit sees no signal in any direction (AUC about 0.5), a depth-2 tree sees it all.
 */
function xorData(n: number, noise: number, seed: number): { X: Float64Array; y: Uint8Array; d: number } {
  const random = seededRandom(seed);
  const d = 2 + noise;
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = random() * 2 - 1;
    y[i] = X[i * d]! * X[i * d + 1]! > 0 ? 1 : 0;
  }
  return { X, y, d };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe("fitBoosting, known answers", () => {
  it("one stump on four points: leaf values -G / (H + l2) and the midpoint threshold", () => {
    // x = 0..3, y = 0,0,1,1: base log-odds 0, p = 1/2, g = p - y = (1/2, 1/2, -1/2, -1/2),
    // h = 1/4. Best cut x <= 1.5: left G = 1, H = 1/2; right G = -1, H = 1/2.
    const X = Float64Array.from([0, 1, 2, 3]);
    const y = Uint8Array.from([0, 0, 1, 1]);
    const stump: BoostingOptions = { trees: 1, depth: 1, learningRate: 1, l2: 0, minChildWeight: 0 };
    const model = fitBoosting(X, y, 4, 1, stump);
    expect(model.baseScore).toBe(0);
    expect([...model.feature]).toEqual([0]);
    expect(model.threshold[0]).toBe(1.5);
    expect([...model.leaf]).toEqual([-2, 2]); // -(1) / (1/2) and -(-1) / (1/2)
    const p = predictBoosting(model, X, 4);
    expect(p[0]).toBeCloseTo(sigmoid(-2), 14);
    expect(p[3]).toBeCloseTo(sigmoid(2), 14);
    // Losses: log 2 at the start, log(1 + e^-2) = 0.1269280110429725 after the stump.
    expect(model.trainingLoss[0]).toBeCloseTo(Math.LN2, 14);
    expect(model.trainingLoss[1]).toBeCloseTo(0.1269280110429725, 14);

    // With l2 = 1 and learning rate 0.5: leaves -0.5 * 1 / (1/2 + 1) = -1/3 and +1/3.
    const shrunk = fitBoosting(X, y, 4, 1, { ...stump, l2: 1, learningRate: 0.5 });
    expect(shrunk.leaf[0]).toBeCloseTo(-1 / 3, 14);
    expect(shrunk.leaf[1]).toBeCloseTo(1 / 3, 14);
  });

  it("with a bin per distinct value, the root split is the exhaustive search's best", () => {
    // 200 rows, 3 features on a 0.1 grid (at most 200 distinct values per feature < 256 bins).
    const random = seededRandom(5);
    const n = 200;
    const d = 3;
    const X = new Float64Array(n * d).map(() => Math.round(random() * 1000) / 10);
    const y = Uint8Array.from({ length: n }, (_, i) => (random() < (X[i * d + 1]! > 40 ? 0.7 : 0.3) ? 1 : 0));
    const model = fitBoosting(X, y, n, d, { trees: 1, depth: 1, learningRate: 1, bins: 256, minChildWeight: 0 });
    // Every cut halfway between consecutive distinct values, scored by the XGBoost gain (l2 = 1).
    const positives = y.reduce((a, b) => a + b, 0);
    const p = positives / n; // the base rate: first-tree predictions
    const G = n * p - positives;
    const H = n * p * (1 - p);
    let best = { gain: -Infinity, feature: -1, threshold: NaN };
    for (let f = 0; f < d; f++) {
      const values = [...new Set(Array.from({ length: n }, (_, i) => X[i * d + f]!))].sort((a, b) => a - b);
      for (let k = 0; k + 1 < values.length; k++) {
        const threshold = (values[k]! + values[k + 1]!) / 2;
        let GL = 0;
        let HL = 0;
        for (let i = 0; i < n; i++) {
          if (X[i * d + f]! > threshold) continue;
          GL += p - y[i]!;
          HL += p * (1 - p);
        }
        const gain = (GL * GL) / (HL + 1) + (G - GL) ** 2 / (H - HL + 1) - (G * G) / (H + 1);
        if (gain > best.gain + 1e-12) best = { gain, feature: f, threshold };
      }
    }
    expect(model.feature[0]).toBe(best.feature);
    expect(model.threshold[0]).toBeCloseTo(best.threshold, 12);
  });

  it("minChildWeight blocks splits whose children carry too little curvature", () => {
    // Each child would have H = 1/2 < 1: no split, a single leaf with G = 0 -> value 0.
    const model = fitBoosting(Float64Array.from([0, 1, 2, 3]), Uint8Array.from([0, 0, 1, 1]), 4, 1, {
      trees: 1,
      depth: 2,
      learningRate: 1,
      minChildWeight: 1,
    });
    expect([...model.feature]).toEqual([-1, -1, -1]);
    expect([...model.leaf]).toEqual([0, 0, 0, 0]);
  });
});

describe("fitBoosting behaviour", () => {
  const options: BoostingOptions = { trees: 60, depth: 3, learningRate: 0.3, subsample: 0.8, seed: 7 };

  it("learns an XOR interaction a logistic regression cannot", () => {
    const train = xorData(2000, 3, 1);
    const test = xorData(2000, 3, 2);
    const boosted = predictBoosting(fitBoosting(train.X, train.y, 2000, train.d, options), test.X, 2000);
    const linear = predictLogistic(fitLogistic(train.X, train.y, 2000, train.d), test.X, 2000);
    expect(rocAuc(boosted, test.y)).toBeGreaterThan(0.97);
    expect(Math.abs(rocAuc(linear, test.y) - 0.5)).toBeLessThan(0.06);
  });

  it("training loss falls with every tree, and matches the loss of its own predictions", () => {
    const { X, y, d } = xorData(1500, 2, 3);
    const model = fitBoosting(X, y, 1500, d, { ...options, trees: 80, learningRate: 0.1 });
    expect(model.trainingLoss.length).toBe(81);
    expect(model.trainingLoss[0]).toBeCloseTo(logLoss(new Float64Array(1500).fill(sigmoid(model.baseScore)), y), 12);
    for (let t = 1; t <= 80; t++) expect(model.trainingLoss[t]).toBeLessThan(model.trainingLoss[t - 1]!);
    // Predictions route on raw thresholds, training routed on bins: the same rows either way.
    expect(logLoss(predictBoosting(model, X, 1500), y)).toBeCloseTo(model.trainingLoss[80]!, 10);
  });

  it("is reproducible for a seed and probabilities lie strictly inside (0, 1)", () => {
    const { X, y, d } = xorData(800, 2, 4);
    const a = predictBoosting(fitBoosting(X, y, 800, d, options), X, 800);
    const b = predictBoosting(fitBoosting(X, y, 800, d, options), X, 800);
    const other = predictBoosting(fitBoosting(X, y, 800, d, { ...options, seed: 8 }), X, 800);
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...other]);
    for (const p of a) {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });

  it("weights all equal to a constant give the unweighted model; zero weights mute rows", () => {
    const { X, y, d } = xorData(600, 1, 5);
    const plain = fitBoosting(X, y, 600, d, options);
    const scaled = fitBoosting(X, y, 600, d, options, new Float64Array(600).fill(3.7));
    expect([...predictBoosting(scaled, X, 600)]).toEqual([...predictBoosting(plain, X, 600)]);
    // Flipping the labels of zero-weight rows changes nothing.
    const weights = Float64Array.from({ length: 600 }, (_, i) => (i % 4 === 0 ? 0 : 2));
    const flipped = Uint8Array.from(y, (v, i) => (i % 4 === 0 ? 1 - v : v));
    const p1 = predictBoosting(fitBoosting(X, y, 600, d, options, weights), X, 600);
    const p2 = predictBoosting(fitBoosting(X, flipped, 600, d, options, weights), X, 600);
    for (let i = 0; i < 600; i++) expect(p1[i]).toBeCloseTo(p2[i]!, 12);
  });

  it("never splits on a constant feature, and handles n = 3, d = 0 and one class", () => {
    const random = seededRandom(9);
    const n = 300;
    const X = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      X[i * 2] = 4.2; // constant
      X[i * 2 + 1] = random();
      y[i] = random() < X[i * 2 + 1]! ? 1 : 0;
    }
    const model = fitBoosting(X, y, n, 2, { trees: 20, depth: 2, learningRate: 0.2 });
    expect([...model.feature].every((f) => f !== 0)).toBe(true);

    const tiny = fitBoosting(Float64Array.from([1, 2, 3]), Uint8Array.from([0, 1, 0]), 3, 1, options);
    expect([...predictBoosting(tiny, Float64Array.from([0, 2, 9]), 3)].every((p) => p > 0 && p < 1)).toBe(true);

    // No features: every tree is one leaf with G = 0 at the base rate, so the rate stays 2/3.
    const none = fitBoosting(new Float64Array(0), Uint8Array.from([1, 1, 0]), 3, 0, { ...options, subsample: 1 });
    expect(predictBoosting(none, new Float64Array(0), 1)[0]).toBeCloseTo(2 / 3, 12);

    // One class: no trees, the add-half rate 0.5 / (n + 1).
    const single = fitBoosting(X, new Uint8Array(n), n, 2, options);
    expect(single.trees).toBe(0);
    for (const p of predictBoosting(single, X.subarray(0, 10), 5)) expect(p).toBeCloseTo(0.5 / 301, 14);
  });

  it("handles infinite feature values and many ties", () => {
    const X = Float64Array.from([-Infinity, 0, 0, 0, 0, 1, Infinity, Infinity]);
    const y = Uint8Array.from([0, 0, 0, 1, 0, 1, 1, 1]);
    const model = fitBoosting(X, y, 8, 1, { trees: 5, depth: 2, learningRate: 0.5, minChildWeight: 0 });
    const p = predictBoosting(model, X, 8);
    expect([...p].every((v) => v > 0 && v < 1)).toBe(true);
    expect(logLoss(p, y)).toBeCloseTo(model.trainingLoss[5]!, 12);
  });

  it("rejects bad input", () => {
    const X = Float64Array.from([0, 1]);
    const y = Uint8Array.from([0, 1]);
    const ok: BoostingOptions = { trees: 1, depth: 1, learningRate: 0.1 };
    expect(() => fitBoosting(X, y, 2, 2, ok)).toThrow(RangeError);
    expect(() => fitBoosting(Float64Array.from([0, NaN]), y, 2, 1, ok)).toThrow(RangeError);
    expect(() => fitBoosting(X, Uint8Array.from([0, 3]), 2, 1, ok)).toThrow(RangeError);
    expect(() => fitBoosting(X, y, 2, 1, { ...ok, depth: 0 })).toThrow(RangeError);
    expect(() => fitBoosting(X, y, 2, 1, { ...ok, learningRate: 0 })).toThrow(RangeError);
    expect(() => fitBoosting(X, y, 2, 1, { ...ok, bins: 300 })).toThrow(RangeError);
    expect(() => fitBoosting(X, y, 2, 1, { ...ok, subsample: 0 })).toThrow(RangeError);
    expect(() => fitBoosting(X, y, 2, 1, ok, Float64Array.from([1, -1]))).toThrow(RangeError);
    const model = fitBoosting(X, y, 2, 1, ok);
    expect(() => predictBoosting(model, Float64Array.from([NaN]), 1)).toThrow(RangeError);
    expect(() => predictBoosting(model, X, 3)).toThrow(RangeError);
  });
});
