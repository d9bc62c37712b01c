import { describe, expect, it } from "vitest";

import {
  hyp2f1,
  hyp2f1Excess,
  logAddExp,
  logBeta,
  logGamma,
  logRising,
  logSumExp,
  logisticOfMinus,
} from "~/ml/special";

// ln Γ(x) from mpmath 1.3.0 at 30 digits (test/reference/clv_reference.py, "log-gamma" block).
const LOG_GAMMA: [number, number][] = [
  [1e-8, 18.42068073818021],
  [0.243, 1.3180435846996699],
  [1, 0],
  [2, 0],
  [2.426, 0.23400811688731613],
  [15.44, 26.37454049232738],
  [5000.7, 37588.58832991962],
  [1e5, 1051287.7089736569],
  [1e17, 3.8143946580898775e18],
];

// 2F1(a, b; c; z) from mpmath.hyp2f1 (same script, "2F1" block).
const HYP2F1: [number, number, number, number, number][] = [
  [1, 1, 2, 0.5, 1.3862943611198906], // = -ln(1 - z) / z = 2 ln 2
  [2.243, 4.426, 4.219, 0.4, 3.3455001100530906],
  [0.4, -0.207, 3.2, 0.99, 0.9693837552536061],
  [-1.3, 0.5, 0.7, 0.9, 0.2983497840223729],
  [2.5, 1.5, 1.2, -0.6, 0.2145023897591381],
];

describe("log-gamma", () => {
  it("matches mpmath to 1e-14 relative (1e-15 absolute near the zeros at 1 and 2)", () => {
    for (const [x, want] of LOG_GAMMA) {
      expect(Math.abs(logGamma(x) - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want)));
    }
  });

  it("keeps the recurrence ln Γ(x + 1) = ln Γ(x) + ln x below and above the 0.5 switch", () => {
    for (const x of [1e-12, 1e-5, 0.3, 0.49999, 0.5, 0.7, 3.3, 40.5]) {
      expect(logGamma(x + 1)).toBeCloseTo(logGamma(x) + Math.log(x), 12);
    }
  });

  it("rejects x <= 0", () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => logGamma(-1.5)).toThrow(RangeError);
    expect(() => logGamma(NaN)).toThrow(RangeError);
  });

  it("log-beta and log rising factorials agree with their definitions", () => {
    // B(2, 3) = 1! 2! / 4! = 1/12
    expect(logBeta(2, 3)).toBeCloseTo(-Math.log(12), 14);
    // (3)_4 = 3 * 4 * 5 * 6 = 360; non-integer n goes through log-gamma.
    expect(logRising(3, 4)).toBeCloseTo(Math.log(360), 13);
    expect(logRising(2.5, 0)).toBe(0);
    expect(logRising(0.7, 30.5)).toBeCloseTo(logGamma(31.2) - logGamma(0.7), 11);
    // Large a, small n: the direct sum keeps the digits a log-gamma difference would lose.
    expect(logRising(1e5, 1)).toBeCloseTo(Math.log(1e5), 14);
  });
});

describe("log-sum-exp", () => {
  it("adds in log space without overflow", () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(-Infinity, -Infinity)).toBe(-Infinity);
    expect(logSumExp([1000, 1000, 1000])).toBeCloseTo(1000 + Math.log(3), 12);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, 0])).toBe(0);
  });

  it("logistic of -u stays in [0, 1] at extreme u", () => {
    expect(logisticOfMinus(0)).toBe(0.5);
    expect(logisticOfMinus(800)).toBeGreaterThanOrEqual(0);
    expect(logisticOfMinus(800)).toBeLessThan(1e-300);
    expect(logisticOfMinus(-800)).toBe(1);
    expect(logisticOfMinus(Math.log(3))).toBeCloseTo(0.25, 15);
  });
});

describe("Gauss hypergeometric 2F1", () => {
  it("matches mpmath to 1e-13 relative, including z = 0.99 and negative z", () => {
    for (const [a, b, c, z, want] of HYP2F1) {
      expect(Math.abs(hyp2f1(a, b, c, z) - want)).toBeLessThanOrEqual(1e-13 * Math.abs(want));
    }
  });

  it("the excess form is (2F1 - 1) / b and has the right limit at b = 0", () => {
    expect(hyp2f1Excess(2.243, 4.426, 4.219, 0.4)).toBeCloseTo((3.3455001100530906 - 1) / 4.426, 13);
    // At b = 0: Σ (a)_n (n-1)! / ((c)_n n!) z^n; for a = 1, c = 2 that is Σ z^n / (n (n+1)),
    // = 1 + (1 - z) ln(1 - z) / z, which at z = 0.5 is 1 - ln 2.
    expect(hyp2f1Excess(1, 0, 2, 0.5)).toBeCloseTo(1 - Math.LN2, 14);
    // Continuity in b: tiny b gives the same.
    expect(hyp2f1Excess(1, 1e-9, 2, 0.5)).toBeCloseTo(1 - Math.LN2, 8);
  });

  it("rejects |z| >= 1 and c a non-positive integer", () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, -1.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(RangeError);
    expect(hyp2f1(1, 1, 2, 0)).toBe(1);
  });
});
