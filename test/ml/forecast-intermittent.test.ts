import { describe, expect, it } from "vitest";

import { classifyDemand, croston, negativeBinomialQuantile, sba } from "~/ml/forecast/intermittent";
import { seededRandom } from "~/ml/random";

// Monthly scripts of one PBS drug, 1991 Jul .. 2008 Jun (204 months), as shipped by sktime
// (sktime/datasets/data/PBS_dataset/PBS_dataset.csv, load_PBS_dataset()). sktime's
// sktime/forecasting/tests/test_croston.py records R's forecast::croston(y, h) on this series:
// 0.8688921 (alpha 0.1), 0.6754646 (alpha 0.5), 1.405808 (alpha 0.05).
// prettier-ignore
const PBS = [
  /* 1991 */ 1, 1, 1, 0, 0, 1,
  /* 1992 */ 3, 1, 1, 1, 1, 1, 2, 1, 1, 0, 0, 2,
  /* 1993 */ 0, 0, 1, 2, 0, 1, 0, 0, 1, 1, 1, 1,
  /* 1994 */ 0, 0, 2, 1, 0, 0, 0, 1, 0, 3, 3, 2,
  /* 1995 */ 4, 1, 1, 3, 3, 1, 0, 4, 1, 3, 0, 1,
  /* 1996 */ 2, 5, 14, 2, 0, 0, 3, 6, 2, 2, 2, 5,
  /* 1997 */ 1, 6, 3, 3, 2, 0, 1, 1, 0, 0, 0, 1,
  /* 1998 */ 4, 12, 4, 0, 7, 0, 2, 1, 4, 1, 3, 1,
  /* 1999 */ 0, 6, 9, 3, 1, 3, 1, 7, 1, 3, 3, 3,
  /* 2000 */ 5, 6, 10, 5, 1, 3, 1, 1, 1, 2, 1, 3,
  /* 2001 */ 7, 11, 10, 5, 5, 2, 2, 1, 0, 3, 6, 5,
  /* 2002 */ 8, 9, 1, 1, 0, 0, 0, 1, 2, 2, 0, 0,
  /* 2003 */ 0, 0, 1, 0, 0, 0, 2, 1, 1, 0, 1, 0,
  /* 2004 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 2005 */ 1, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 2006 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 2007 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 2008 */ 0, 0, 0, 0, 0, 0,
];

// The series of robjhyndman/forecast tests/testthat/test-croston.R (no outputs recorded there).
const SHORT = [0, 0, 3, 0, 0, 0, 2, 0, 5, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 3];

describe("Croston's method against R forecast::croston", () => {
  it("reproduces R's forecasts on the PBS series for three alphas (7 printed digits)", () => {
    expect(PBS).toHaveLength(204);
    const cases: Array<[number, number]> = [
      [0.1, 0.8688921],
      [0.5, 0.6754646],
      [0.05, 1.405808],
    ];
    for (const [alpha, r] of cases) {
      const f = croston(PBS, 15, { alpha });
      expect(f.method).toBe("croston");
      expect(f.mean).toHaveLength(15);
      // R printed 7 significant figures: |error| < 5e-7 (5e-6 for 1.405808).
      for (const m of f.mean) expect(Math.abs(m - r)).toBeLessThan(alpha === 0.05 ? 5e-6 : 5e-7);
    }
    // The default alpha is R's 0.1.
    expect(croston(PBS, 1).mean[0]).toBeCloseTo(0.8688921, 6);
    expect(croston(PBS, 1).alpha).toBe(0.1);
  });

  it("follows the recursions step by step on a short series, by hand", () => {
    // SHORT, alpha 0.1. Sales 3, 2, 5, 1, 4, 3 at positions (1-based) 3, 7, 9, 12, 17, 20, so
    // the intervals counted from time 0 are 3, 4, 2, 3, 5, 3. Both smoothers start at their
    // first value (R's ses(initial = "simple")): z = 3, p = 3, rate 1. Then, x ← x + 0.1 (new − x):
    //   sale 2 after 4: z = 2.9,     p = 3.1,     rate 0.935483871
    //   sale 5 after 2: z = 3.11,    p = 2.99,    rate 1.0401337793
    //   sale 1 after 3: z = 2.899,   p = 2.991,   rate 0.9692410565
    //   sale 4 after 5: z = 3.0091,  p = 3.1919,  rate 0.9427300354
    //   sale 3 after 3: z = 3.00819, p = 3.17271, rate 3.00819 / 3.17271 = 0.9481452764356024
    const f = croston(SHORT, 3);
    expect(f.demand).toBeCloseTo(3.00819, 12);
    expect(f.interval).toBeCloseTo(3.17271, 12);
    for (const m of f.mean) expect(m).toBeCloseTo(0.9481452764356024, 12);
    // One-step fitted values: NA first (R), 0 before the first sale, then the rate after each
    // sale, held through the zeros that follow.
    const expected = [
      NaN,
      0,
      0,
      1,
      1,
      1,
      1,
      0.935483871,
      0.935483871,
      1.0401337793,
      1.0401337793,
      1.0401337793,
      0.9692410565,
      0.9692410565,
      0.9692410565,
      0.9692410565,
      0.9692410565,
      0.9427300354,
      0.9427300354,
      0.9427300354,
    ];
    expect(f.fitted).toHaveLength(SHORT.length);
    expect(f.fitted[0]).toBeNaN();
    for (let t = 1; t < SHORT.length; t++) expect(f.fitted[t]).toBeCloseTo(expected[t]!, 9);
  });

  it("ignores zeros after the last sale, as R does", () => {
    const f = croston([...SHORT, 0, 0, 0, 0, 0], 1);
    expect(f.mean[0]).toBeCloseTo(0.9481452764356024, 12);
  });
});

describe("SBA (Syntetos & Boylan 2005)", () => {
  it("is Croston × (1 − α/2)", () => {
    // PBS, alpha 0.1: 0.8688921 × 0.95 = 0.825447495 (R's Croston value times the published factor)
    expect(sba(PBS, 1).mean[0]).toBeCloseTo(0.8688921 * 0.95, 6);
    expect(sba(PBS, 1).method).toBe("sba");
    // SHORT, alpha 0.1: 0.9481452764356024 × 0.95 = 0.9007380126138222
    expect(sba(SHORT, 2).mean[1]).toBeCloseTo(0.9007380126138222, 12);
    // alpha 0.5 → factor 0.75, fitted values scaled too
    const c = croston(SHORT, 1, { alpha: 0.5 });
    const s = sba(SHORT, 1, { alpha: 0.5 });
    expect(s.mean[0]).toBeCloseTo(0.75 * c.mean[0]!, 12);
    expect(s.fitted[5]).toBeCloseTo(0.75 * c.fitted[5]!, 12);
  });
});

describe("edge cases", () => {
  it("forecasts zero with a [0, 0] interval for an all-zero series", () => {
    for (const f of [croston([0, 0, 0, 0], 3), sba(new Float64Array(6), 2)]) {
      expect([...f.mean]).toEqual(new Array(f.mean.length).fill(0));
      expect([...f.lower]).toEqual(new Array(f.mean.length).fill(0));
      expect([...f.upper]).toEqual(new Array(f.mean.length).fill(0));
      expect(f.demand).toBe(0);
      expect(f.interval).toBeNaN();
      expect(f.fitted[0]).toBeNaN();
      for (let t = 1; t < f.fitted.length; t++) expect(f.fitted[t]).toBe(0);
    }
  });

  it("handles a single sale: rate = size / position, as R's croston", () => {
    // 0 0 3 0 0: z = 3, p = 3 (third period) -> 1 per period; fitted NaN 0 0 1 1.
    const f = croston([0, 0, 3, 0, 0], 2);
    expect([...f.mean]).toEqual([1, 1]);
    expect(f.fitted[0]).toBeNaN();
    expect([...f.fitted.subarray(1)]).toEqual([0, 0, 1, 1]);
    // Dispersion: mean 0.6, sample variance 1.8 -> φ = 3; NB(size 1/(3−1) = 0.5, prob 1/3) around
    // mean 1: scipy.stats.nbinom.ppf(0.1, 0.5, 1/3) = 0, nbinom.ppf(0.9, 0.5, 1/3) = 3.
    expect(f.dispersion).toBeCloseTo(3, 12);
    expect([...f.lower]).toEqual([0, 0]);
    expect([...f.upper]).toEqual([3, 3]);
    // A one-value series: rate 5 / 1 = 5, no variance to measure -> Poisson(5):
    // scipy.stats.poisson.ppf(0.1, 5) = 2, poisson.ppf(0.9, 5) = 8.
    const one = croston([5], 1);
    expect(one.mean[0]).toBe(5);
    expect(one.dispersion).toBe(1);
    expect([one.lower[0], one.upper[0]]).toEqual([2, 8]);
  });

  it("rejects empty series, negative or NaN values and bad options", () => {
    expect(() => croston([], 1)).toThrow(RangeError);
    expect(() => croston([1, -1, 0], 1)).toThrow(RangeError);
    expect(() => croston([1, NaN], 1)).toThrow(RangeError);
    expect(() => croston([1, 0], 0)).toThrow(RangeError);
    expect(() => croston([1, 0], 2.5)).toThrow(RangeError);
    expect(() => croston([1, 0], 1, { alpha: 0 })).toThrow(RangeError);
    expect(() => croston([1, 0], 1, { alpha: 1.5 })).toThrow(RangeError);
    expect(() => sba([1, 0], 1, { level: 100 })).toThrow(RangeError);
  });
});

describe("prediction intervals (negative binomial around the rate)", () => {
  it("quantiles match scipy.stats.nbinom.ppf / poisson.ppf", () => {
    // [mean, dispersion, prob, scipy value]; dispersion 1 is poisson.ppf(prob, mean), otherwise
    // nbinom.ppf(prob, mean / (dispersion − 1), 1 / dispersion).
    const reference: Array<[number, number, number, number]> = [
      [0.5, 1, 0.9, 1],
      [3, 1, 0.5, 3],
      [3, 1, 0.975, 7],
      [800, 1, 0.1, 764], // P(X = 0) = e^-800 underflows a double: the CDF is summed in logs
      [800, 1, 0.9, 836],
      [2, 8, 0.1, 0],
      [2, 8, 0.9, 6],
      [2, 8, 0.99, 19],
      [0.3, 3, 0.95, 2],
      [50, 2.5, 0.05, 33],
      [50, 2.5, 0.95, 69],
      [1000, 4, 0.975, 1127],
    ];
    for (const [mean, dispersion, prob, q] of reference) {
      expect(negativeBinomialQuantile(mean, dispersion, prob)).toBe(q);
    }
    expect(negativeBinomialQuantile(0, 5, 0.99)).toBe(0);
    expect(() => negativeBinomialQuantile(-1, 1, 0.5)).toThrow(RangeError);
    expect(() => negativeBinomialQuantile(1, 0.5, 0.5)).toThrow(RangeError);
    expect(() => negativeBinomialQuantile(1, 1, 1)).toThrow(RangeError);
  });

  it("uses the in-sample dispersion on the PBS and short series", () => {
    // PBS: dispersion (sample variance / mean) 3.7159079070736527; rate 0.8688921082506832.
    // nbinom.ppf(0.1 | 0.9 | 0.025 | 0.975, rate / (φ − 1), 1 / φ) = 0, 3, 0, 6.
    const f80 = croston(PBS, 4);
    expect(f80.dispersion).toBeCloseTo(3.7159079070736527, 12);
    expect([...f80.lower]).toEqual([0, 0, 0, 0]);
    expect([...f80.upper]).toEqual([3, 3, 3, 3]);
    const f95 = croston(PBS, 1, { level: 95 });
    expect([f95.lower[0], f95.upper[0]]).toEqual([0, 6]);
    // SHORT: φ = 2.7953216374269014, rate 0.9481452764356024 -> 80%: 0 .. 3, 95%: 0 .. 6.
    const s = croston(SHORT, 1);
    expect(s.dispersion).toBeCloseTo(2.7953216374269014, 12);
    expect([s.lower[0], s.upper[0]]).toEqual([0, 3]);
    expect([croston(SHORT, 1, { level: 95 }).upper[0]]).toEqual([6]);
  });

  it("never goes negative, on seeded random sparse series", () => {
    const random = seededRandom(20240611);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 60);
      const pSale = random();
      const y = new Float64Array(n);
      for (let t = 0; t < n; t++) if (random() < pSale) y[t] = 1 + Math.floor(random() * 20);
      for (const f of [croston(y, 3), sba(y, 3, { alpha: 0.3, level: 95 })]) {
        for (let h = 0; h < 3; h++) {
          expect(f.mean[h]).toBeGreaterThanOrEqual(0);
          expect(f.lower[h]).toBeGreaterThanOrEqual(0);
          expect(f.upper[h]).toBeGreaterThanOrEqual(f.lower[h]!);
        }
        for (let t = 1; t < n; t++) expect(f.fitted[t]).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe("demand classification (Syntetos, Boylan & Croston 2005)", () => {
  it("puts textbook series in the four quadrants, by hand", () => {
    // Sales every period, sizes 4..6: ADI 1; sizes 4 5 6 5 4 6 5 5, mean 5, Σ(z−5)² = 4 over 7,
    // CV² = (4/7)/25 = 0.0228571 -> smooth, Croston.
    const smooth = classifyDemand([4, 5, 6, 5, 4, 6, 5, 5]);
    expect(smooth.adi).toBe(1);
    expect(smooth.cv2).toBeCloseTo(4 / 7 / 25, 12);
    expect(smooth).toMatchObject({ category: "smooth", sparse: false, recommended: "croston", demands: 8 });
    // Sales every period, sizes 1 20 2 15 1 30 3 25: mean 12.125, Σ(z − mean)² = 988.875 over 7
    // = 141.267857; CV² = 141.267857 / 147.015625 = 0.960904 -> erratic, SBA.
    const erratic = classifyDemand([1, 20, 2, 15, 1, 30, 3, 25]);
    expect(erratic.cv2).toBeCloseTo(988.875 / 7 / (12.125 * 12.125), 12);
    expect(erratic).toMatchObject({ adi: 1, category: "erratic", sparse: false, recommended: "sba" });
    // A sale every third period, sizes 3 4 3 4: ADI 12/4 = 3; mean 3.5, Σ = 1 over 3, CV² = (1/3)/12.25 = 0.0272109.
    const intermittent = classifyDemand([0, 0, 3, 0, 0, 4, 0, 0, 3, 0, 0, 4]);
    expect(intermittent.adi).toBe(3);
    expect(intermittent.cv2).toBeCloseTo(1 / 3 / 12.25, 12);
    expect(intermittent).toMatchObject({ category: "intermittent", sparse: true, recommended: "sba" });
    // A sale every third period, sizes 1 20 2 30: mean 13.25, Σ = 602.75 over 3 = 200.916667,
    // CV² = 200.916667 / 175.5625 = 1.144417 -> lumpy.
    const lumpy = classifyDemand([0, 0, 1, 0, 0, 20, 0, 0, 2, 0, 0, 30]);
    expect(lumpy.adi).toBe(3);
    expect(lumpy.cv2).toBeCloseTo(602.75 / 3 / 175.5625, 12);
    expect(lumpy).toMatchObject({ category: "lumpy", sparse: true, recommended: "sba" });
  });

  it("classifies the forecast package's test series and the PBS series", () => {
    // SHORT: intervals 3 4 2 3 5 3 -> ADI 20/6; sizes 3 2 5 1 4 3, mean 3, Σ = 10 over 5 = 2,
    // CV² = 2/9 -> intermittent.
    const s = classifyDemand(SHORT);
    expect(s.adi).toBeCloseTo(20 / 6, 12);
    expect(s.cv2).toBeCloseTo(2 / 9, 12);
    expect(s.category).toBe("intermittent");
    // PBS: 114 sales, the last in month 166 -> ADI 166/114 = 1.456140350877193; CV² of the sizes
    // 0.8397150235860846 (numpy, ddof = 1) -> lumpy. Zeros after month 166 do not count.
    const p = classifyDemand(PBS);
    expect(p.demands).toBe(114);
    expect(p.adi).toBeCloseTo(1.456140350877193, 12);
    expect(p.cv2).toBeCloseTo(0.8397150235860846, 12);
    expect(p.category).toBe("lumpy");
  });

  it("handles no sales, one sale, and bad input", () => {
    expect(classifyDemand([0, 0, 0])).toMatchObject({
      adi: Infinity,
      cv2: 0,
      demands: 0,
      category: "no-demand",
      sparse: true,
    });
    // One sale in period 4: ADI 4, CV² 0 (no size variation measurable) -> intermittent.
    expect(classifyDemand([0, 0, 0, 7, 0])).toMatchObject({ adi: 4, cv2: 0, demands: 1, category: "intermittent" });
    expect(() => classifyDemand([])).toThrow(RangeError);
    expect(() => classifyDemand([1, -2])).toThrow(RangeError);
  });
});
