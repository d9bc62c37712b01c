import { describe, expect, it } from "vitest";

import { fitLogistic, logisticObjective, predictLogistic, rawCoefficients } from "~/ml/classify/logistic";
import { normalFrom, seededRandom } from "~/ml/random";

// mtcars (R datasets::mtcars, Henderson & Velleman 1981): 32 cars; am = 1 for a manual gearbox.
// prettier-ignore
const MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
  14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4];
// prettier-ignore
const HP = [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215,
  230, 66, 52, 65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109];
// prettier-ignore
const WT = [2.62, 2.875, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15, 3.44, 3.44, 4.07, 3.73, 3.78, 5.25, 5.424,
  5.345, 2.2, 1.615, 1.835, 2.465, 3.52, 3.435, 3.84, 3.845, 1.935, 2.14, 1.513, 3.17, 2.77, 3.57, 2.78];
// prettier-ignore
const QSEC = [16.46, 17.02, 18.61, 19.44, 17.02, 20.22, 15.84, 20.0, 22.9, 18.3, 18.9, 17.4, 17.6, 18.0,
  17.98, 17.82, 17.42, 19.47, 18.52, 19.9, 20.01, 16.87, 17.3, 15.41, 17.05, 18.9, 16.7, 16.9, 14.5, 15.5,
  14.6, 18.6];
// prettier-ignore
const AM = Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1,
  1, 1, 1, 1]);

/** Row-major matrix from columns. */
function columns(...cols: number[][]): Float64Array {
  const n = cols[0]!.length;
  const X = new Float64Array(n * cols.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols.length; j++) X[i * cols.length + j] = cols[j]![i]!;
  return X;
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) expect(Math.abs(actual[k]! - expected[k]!)).toBeLessThanOrEqual(tolerance);
}

describe("fitLogistic against reference optima (test/reference/classify_reference.py)", () => {
  it("l2 = 0 reproduces R's glm(am ~ wt + hp, binomial, mtcars)", () => {
    // R: (Intercept) 18.86630, wt -8.08348, hp 0.03626 (5 significant figures as R prints);
    // scipy trust-exact on the same likelihood: 18.866298710952194, -8.08347517972974, 0.03625559607077443.
    const model = fitLogistic(columns(WT, HP), AM, 32, 2, { l2: 0 });
    expect(model.converged).toBe(true);
    const raw = rawCoefficients(model);
    expect(raw.intercept).toBeCloseTo(18.8663, 4);
    expect(raw.coefficients[0]).toBeCloseTo(-8.08348, 5);
    expect(raw.coefficients[1]).toBeCloseTo(0.03626, 5);
    // Against scipy, 1e-5 relative on the raw scale and 1e-6 absolute on the standardised one.
    expect(Math.abs(raw.intercept - 18.866298710952194)).toBeLessThan(1e-5 * 18.87);
    expectClose(raw.coefficients, [-8.08347517972974, 0.03625559607077443], 1e-5 * 8.09);
    expectClose(
      [model.intercept, ...model.coefficients],
      [-1.822019062401587, -7.784772190441566, 2.4466389563125266],
      1e-6,
    );
    expect(logisticObjective(model, columns(WT, HP), AM, 32, { l2: 0 })).toBeCloseTo(5.029555236133495, 9);
  });

  it("l2 = 1 matches the penalised optimum", () => {
    const X = columns(WT, HP);
    const model = fitLogistic(X, AM, 32, 2, { l2: 1 });
    expect(model.converged).toBe(true);
    expectClose(
      [model.intercept, ...model.coefficients],
      [-0.6828053116939858, -2.317878560916716, 0.5502442742215216],
      1e-6,
    );
    const raw = rawCoefficients(model);
    expect(raw.intercept).toBeCloseTo(5.864460977726587, 5);
    expect(logisticObjective(model, X, AM, 32, { l2: 1 })).toBeCloseTo(12.236980298910952, 9);
  });

  it("weights (1 + i mod 3, rescaled to sum to n) and four features, l2 = 0.5", () => {
    const X = columns(MPG, HP, WT, QSEC);
    const weights = Float64Array.from({ length: 32 }, (_, i) => 1 + (i % 3));
    const model = fitLogistic(X, AM, 32, 4, { l2: 0.5, weights });
    expect(model.converged).toBe(true);
    expectClose(
      [model.intercept, ...model.coefficients],
      [-0.8768689097015212, 1.525702022189761, 0.015954994260277314, -2.0968824613990833, -1.7427074091948471],
      1e-6,
    );
    expect(logisticObjective(model, X, AM, 32, { l2: 0.5, weights })).toBeCloseTo(7.114132791177262, 9);
  });
});

describe("fitLogistic behaviour", () => {
  it("weights that are all the same constant give the unweighted fit", () => {
    const X = columns(WT, HP);
    const plain = fitLogistic(X, AM, 32, 2, { l2: 0.3 });
    const scaled = fitLogistic(X, AM, 32, 2, { l2: 0.3, weights: new Float64Array(32).fill(7.5) });
    expectClose([scaled.intercept, ...scaled.coefficients], [plain.intercept, ...plain.coefficients], 1e-12);
  });

  it("predictions are the logistic of the linear predictor and lie in (0, 1)", () => {
    const X = columns(WT, HP);
    const model = fitLogistic(X, AM, 32, 2, { l2: 0 });
    const raw = rawCoefficients(model);
    const p = predictLogistic(model, X, 32);
    for (let i = 0; i < 32; i++) {
      const z = raw.intercept + raw.coefficients[0]! * WT[i]! + raw.coefficients[1]! * HP[i]!;
      expect(p[i]).toBeCloseTo(1 / (1 + Math.exp(-z)), 10);
      expect(p[i]).toBeGreaterThan(0);
      expect(p[i]).toBeLessThan(1);
    }
  });

  it("perfectly separable data stays finite with l2 > 0, at a zero of the gradient", () => {
    // x <= 0 are all 0, x > 0 all 1: the unpenalised likelihood has no maximum.
    const xs = [-3, -2, -1.5, -1, -0.2, 0.3, 0.9, 1.4, 2, 3.5];
    const y = Uint8Array.from(xs, (x) => (x > 0 ? 1 : 0));
    const X = Float64Array.from(xs);
    const model = fitLogistic(X, y, 10, 1, { l2: 0.1 });
    expect(model.converged).toBe(true);
    expect(Number.isFinite(model.coefficients[0]!)).toBe(true);
    expect(model.coefficients[0]).toBeGreaterThan(1);
    // Stationarity: sum (p - y) = 0 (intercept) and sum (p - y) xs_i + l2 b = 0.
    const p = predictLogistic(model, X, 10);
    let g0 = 0;
    let g1 = 0.1 * model.coefficients[0]!;
    for (let i = 0; i < 10; i++) {
      g0 += p[i]! - y[i]!;
      g1 += ((p[i]! - y[i]!) * (xs[i]! - model.mean[0]!)) / model.scale[0]!;
    }
    expect(Math.abs(g0)).toBeLessThan(1e-8);
    expect(Math.abs(g1)).toBeLessThan(1e-8);
    // With l2 = 0 it does not converge but stays finite and still separates the classes.
    const free = fitLogistic(X, y, 10, 1, { l2: 0, maxIterations: 50 });
    expect(free.converged).toBe(false);
    expect(Number.isFinite(free.coefficients[0]!)).toBe(true);
    const pf = predictLogistic(free, X, 10);
    for (let i = 0; i < 10; i++) expect(Math.round(pf[i]!)).toBe(y[i]);
  });

  it("constant columns get a zero coefficient and do not disturb the rest", () => {
    const X2 = columns(WT, HP);
    const X3 = columns(WT, new Array(32).fill(0.1), HP);
    const two = fitLogistic(X2, AM, 32, 2, { l2: 0 });
    const three = fitLogistic(X3, AM, 32, 3, { l2: 0 });
    expect(three.coefficients[1]).toBe(0);
    expect(three.scale[1]).toBe(1);
    expect(three.mean[1]).toBe(0.1);
    expectClose([three.coefficients[0]!, three.coefficients[2]!], [...two.coefficients], 1e-9);
    expect([...predictLogistic(three, X3, 32)].every(Number.isFinite)).toBe(true);
  });

  it("one class only: the smoothed rate, zero coefficients, not converged", () => {
    const model = fitLogistic(columns(WT, HP), new Uint8Array(32), 32, 2);
    expect(model.converged).toBe(false);
    expect([...model.coefficients]).toEqual([0, 0]);
    const p = predictLogistic(model, columns(WT, HP), 32);
    for (const v of p) expect(v).toBeCloseTo(0.5 / 33, 12);
  });

  it("n = 3 and d = 0 work", () => {
    const tiny = fitLogistic(Float64Array.from([0, 1, 2]), Uint8Array.from([0, 1, 0]), 3, 1, { l2: 1 });
    expect([...predictLogistic(tiny, Float64Array.from([0, 1, 2]), 3)].every((p) => p > 0 && p < 1)).toBe(true);
    // No features: the intercept is the log-odds of the rate, 1/3.
    const none = fitLogistic(new Float64Array(0), Uint8Array.from([0, 1, 0]), 3, 0);
    expect(predictLogistic(none, new Float64Array(0), 3)[0]).toBeCloseTo(1 / 3, 12);
  });

  it("a larger seeded problem converges in a handful of iterations to the generating coefficients", () => {
    const n = 4000;
    const d = 3;
    const normal = normalFrom(seededRandom(11));
    const uniform = seededRandom(12);
    const X = new Float64Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) X[i * d + j] = normal();
      const z = -0.5 + 1.2 * X[i * d]! - 0.8 * X[i * d + 1]!;
      y[i] = uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const model = fitLogistic(X, y, n, d, { l2: 1e-6 });
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThan(10);
    const raw = rawCoefficients(model);
    // Sampling error of each coefficient is about 0.05 at n = 4000.
    expectClose([raw.intercept, ...raw.coefficients], [-0.5, 1.2, -0.8, 0], 0.2);
  });

  it("rejects bad input", () => {
    const X = Float64Array.from([0, 1]);
    const y = Uint8Array.from([0, 1]);
    expect(() => fitLogistic(X, y, 2, 2)).toThrow(RangeError);
    expect(() => fitLogistic(X, Uint8Array.from([0, 2]), 2, 1)).toThrow(RangeError);
    expect(() => fitLogistic(Float64Array.from([0, NaN]), y, 2, 1)).toThrow(RangeError);
    expect(() => fitLogistic(X, y, 2, 1, { l2: -1 })).toThrow(RangeError);
    expect(() => fitLogistic(X, y, 2, 1, { weights: Float64Array.from([1, -1]) })).toThrow(RangeError);
    expect(() => fitLogistic(X, y, 2, 1, { weights: Float64Array.from([0, 0]) })).toThrow(RangeError);
    expect(() => fitLogistic(X, y, 2, 1, { weights: Float64Array.from([1]) })).toThrow(RangeError);
    const model = fitLogistic(X, y, 2, 1);
    expect(() => predictLogistic(model, Float64Array.from([0, 1, 2]), 2)).toThrow(RangeError);
  });
});
