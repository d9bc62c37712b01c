import { describe, expect, it } from "vitest";

import { csrFromTriples } from "~/ml/sparse";
import { addBlended, bm25, decayedCounts, logScale, standardize, timeDecay } from "~/ml/recommend/weighting";

describe("time decay", () => {
  it("sums exp(-age / tau) per entry", () => {
    // entry 0: ages 0 and 10 -> 1 + e^-1 = 1.3678794412; entry 1: age 20 -> e^-2 = 0.1353352832
    const out = decayedCounts(Int32Array.from([0, 2, 3]), [0, 10, 20], 10);
    expect(out[0]).toBeCloseTo(1.3678794412, 6);
    expect(out[1]).toBeCloseTo(0.1353352832, 6);
  });

  it("tau = Infinity gives plain counts, and the matrix keeps its pattern", () => {
    const m = csrFromTriples(2, 2, [0, 1], [1, 0], [2, 1]);
    const decayed = timeDecay(m, Int32Array.from([0, 2, 3]), [5, 50, 500], Infinity);
    expect([...decayed.values]).toEqual([2, 1]);
    expect(decayed.indices).toBe(m.indices);
    expect([...m.values]).toEqual([2, 1]); // input untouched
  });

  it("rejects bad tau and mismatched events", () => {
    expect(() => decayedCounts(Int32Array.from([0, 1]), [0], 0)).toThrow(RangeError);
    expect(() => decayedCounts(Int32Array.from([0, 2]), [0], 1)).toThrow(RangeError);
    const m = csrFromTriples(1, 1, [0], [0], [1]);
    expect(() => timeDecay(m, Int32Array.from([0, 1, 2]), [0, 0], 1)).toThrow(RangeError);
  });
});

describe("log scaling", () => {
  it("maps v to log(1 + v / epsilon)", () => {
    const m = csrFromTriples(1, 2, [0, 0], [0, 1], [1, 3]);
    const out = logScale(m);
    expect(out.values[0]).toBeCloseTo(Math.LN2, 6); // log 2 = 0.6931471806
    expect(out.values[1]).toBeCloseTo(Math.log(4), 6); // log 4 = 1.3862943611
    expect(logScale(m, 2).values[1]).toBeCloseTo(Math.log(2.5), 6); // log(1 + 3/2)
    expect(() => logScale(m, 0)).toThrow(RangeError);
  });
});

describe("BM25", () => {
  it("matches a hand computation", () => {
    // 3 rows: r0 {c0: 1, c1: 3}, r1 {c1: 1}, r2 {c2: 2}; k1 = 1, b = 0.5.
    // idf: c0 = log 3 - log 2 = 0.4054651081, c1 = log 3 - log 3 = 0, c2 = 0.4054651081.
    // Row sums 4, 1, 2, mean 7/3; norm r0 = 0.5 + 0.5 * 4 / (7/3) = 1.3571428571,
    // norm r2 = 0.5 + 0.5 * 2 / (7/3) = 0.9285714286.
    // w(r0,c0) = 1 * 2 / (1.3571428571 + 1) * 0.4054651081 = 0.3440310008
    // w(r2,c2) = 2 * 2 / (0.9285714286 + 2) * 0.4054651081 = 0.5538060013
    const m = csrFromTriples(3, 3, [0, 0, 1, 2], [0, 1, 1, 2], [1, 3, 1, 2]);
    const out = bm25(m, 1, 0.5);
    expect(out.values[0]).toBeCloseTo(0.3440310008, 6);
    expect(out.values[1]).toBe(0);
    expect(out.values[2]).toBe(0);
    expect(out.values[3]).toBeCloseTo(0.5538060013, 6);
  });

  it("rejects bad parameters", () => {
    const m = csrFromTriples(1, 1, [0], [0], [1]);
    expect(() => bm25(m, -1)).toThrow(RangeError);
    expect(() => bm25(m, 1, 2)).toThrow(RangeError);
  });
});

describe("blending", () => {
  it("standardises to mean 0 and sd 1 over eligible entries", () => {
    // [1,2,3]: mean 2, population sd sqrt(2/3) = 0.8164965809 -> [-1.2247448714, 0, 1.2247448714]
    const s = standardize(Float64Array.from([1, 2, 3]));
    expect(s[0]).toBeCloseTo(-1.2247448714, 9);
    expect(s[1]).toBeCloseTo(0, 12);
    expect(s[2]).toBeCloseTo(1.2247448714, 9);
    // Eligible [1,3] out of [1,3,100]: mean 2, sd 1 -> [-1, 1, 0]
    expect([...standardize(Float64Array.from([1, 3, 100]), Uint8Array.from([1, 1, 0]))]).toEqual([-1, 1, 0]);
    // A constant vector carries no ranking information: zeros.
    expect([...standardize(Float64Array.from([5, 5]))]).toEqual([0, 0]);
  });

  it("adds a weighted standardised vector", () => {
    const target = Float64Array.from([1, 0, 0]);
    addBlended(target, Float64Array.from([0, 2, 4]), 0.5); // standardised: [-1.2247, 0, 1.2247]
    expect(target[0]).toBeCloseTo(1 - 0.6123724357, 9);
    expect(target[1]).toBeCloseTo(0, 12);
    expect(target[2]).toBeCloseTo(0.6123724357, 9);
    expect(() => addBlended(target, new Float64Array(2), 1)).toThrow(RangeError);
  });
});
