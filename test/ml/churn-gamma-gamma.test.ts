import { describe, expect, it } from "vitest";

import { loadCdnowSample } from "../../bench/lib/cdnow";
import { expectedTransactions, fitBgNbd, type BgNbdParams } from "~/ml/churn/bgnbd";
import {
  customerLifetimeValue,
  expectedAverageSpend,
  fitGammaGamma,
  gammaGammaCustomerLogLikelihood,
  type GammaGammaParams,
} from "~/ml/churn/gamma-gamma";

const cdnow = loadCdnowSample();
/** Fader & Hardie (2013) on the CDNOW calibration repeat customers. */
const PAPER: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };
const BG_PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const rel = (got: number, want: number) => Math.abs(got / want - 1);

// From test/reference/clv_reference.py (mpmath.quad over the posterior / prior of the
// individual spend rate nu, not the closed forms): [x, mean spend, E[M | x, mean], ln density of the mean].
const GG_REFERENCE = [
  [1, 10.0, 17.686318131257, -3.92135050211197],
  [5, 35.5, 35.4773462783172, -4.06440265484461],
  [50, 20.0, 20.1322801674914, -3.41378020343393],
  [2, 0.5, 6.74212598425197, -26.1884175523349],
] as const;

describe("Gamma-Gamma on the CDNOW sample (protocol C2)", () => {
  it("fits p 6.25, q 3.74, gamma 15.44 within 1% on the calibration repeat customers", () => {
    const fit = fitGammaGamma(cdnow.x, cdnow.meanSpend);
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
    // Fader & Hardie (2013): p 6.25, q 3.74, gamma 15.44; EVALUATION.md's refit 6.2496, 3.7442, 15.4435.
    expect(rel(fit.params.p, 6.25)).toBeLessThan(0.01);
    expect(rel(fit.params.q, 3.74)).toBeLessThan(0.01);
    expect(rel(fit.params.gamma, 15.44)).toBeLessThan(0.01);
    expect(rel(fit.params.p, 6.2496)).toBeLessThan(1e-3);
    expect(rel(fit.params.q, 3.7442)).toBeLessThan(1e-3);
    expect(rel(fit.params.gamma, 15.4435)).toBeLessThan(1e-3);
    // The reported LL is the sum of the per-customer densities in dollars (the fit rescales internally).
    let sum = 0;
    for (let i = 0; i < cdnow.ids.length; i++) {
      if (cdnow.x[i]! > 0) sum += gammaGammaCustomerLogLikelihood(fit.params, cdnow.x[i]!, cdnow.meanSpend[i]!);
    }
    expect(fit.logLikelihood).toBeCloseTo(sum, 6);
  });

  it("customers with zero-spend repeats are left out of the fit, and the money unit does not matter", () => {
    const base = fitGammaGamma(cdnow.x, cdnow.meanSpend);
    const x = Float64Array.from([...cdnow.x, 3, 1, 0]);
    const m = Float64Array.from([...cdnow.meanSpend, 0, 0, 0]);
    const withZeros = fitGammaGamma(x, m);
    expect(withZeros.customers).toBe(946);
    expect(withZeros.params.p).toBeCloseTo(base.params.p, 6);
    // In cents: gamma x 100, p and q unchanged.
    const cents = fitGammaGamma(
      cdnow.x,
      cdnow.meanSpend.map((v) => v * 100),
    );
    expect(rel(cents.params.p, base.params.p)).toBeLessThan(1e-4);
    expect(rel(cents.params.q, base.params.q)).toBeLessThan(1e-4);
    expect(rel(cents.params.gamma, 100 * base.params.gamma)).toBeLessThan(1e-4);
  });
});

describe("Gamma-Gamma expectations", () => {
  it("conditional expected spend and the density match the integrated model to 1e-12", () => {
    for (const [x, mean, expected, logDensity] of GG_REFERENCE) {
      expect(rel(expectedAverageSpend(PAPER, x, mean), expected)).toBeLessThan(1e-12);
      expect(rel(gammaGammaCustomerLogLikelihood(PAPER, x, mean), logDensity)).toBeLessThan(1e-11);
    }
  });

  it("x = 0 gives the population mean p gamma / (q - 1); zero spend shrinks towards 0 but stays finite", () => {
    expect(expectedAverageSpend(PAPER, 0, 0)).toBeCloseTo((6.25 * 15.44) / 2.74, 12); // 35.2190
    expect(expectedAverageSpend(PAPER, 0, 123)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    // Three free repeat orders: p gamma / (3p + q - 1) = 96.5 / 21.49 = 4.4905
    expect(expectedAverageSpend(PAPER, 3, 0)).toBeCloseTo(96.5 / 21.49, 12);
    // Many transactions: the customer's own mean dominates.
    expect(rel(expectedAverageSpend(PAPER, 1000, 50), 50)).toBeLessThan(0.001);
  });

  it("rejects q <= 1 (infinite mean spend), bad spends, and data with nobody to fit", () => {
    expect(() => expectedAverageSpend({ ...PAPER, q: 1 }, 0, 0)).toThrow(RangeError);
    expect(() => expectedAverageSpend({ ...PAPER, q: 0.5 }, 3, 10)).toThrow(RangeError);
    expect(() => expectedAverageSpend(PAPER, 1, -5)).toThrow(RangeError);
    expect(() => fitGammaGamma([0, 0, 2], [0, 0, 0])).toThrow(RangeError);
    expect(() => fitGammaGamma([1, 2], [10])).toThrow(RangeError);
    expect(() => gammaGammaCustomerLogLikelihood(PAPER, 0, 10)).toThrow(RangeError);
  });

  it("a tiny dataset gives bounded, finite parameters with q > 1", () => {
    const fit = fitGammaGamma([1, 2, 4], [20, 25, 22]);
    expect(fit.customers).toBe(3);
    for (const v of Object.values(fit.params)) expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(fit.params.q).toBeGreaterThan(1);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(Number.isFinite(expectedAverageSpend(fit.params, 0, 0))).toBe(true);
  });
});

describe("customer lifetime value", () => {
  const c = { x: 2, tx: 30.43, T: 38.86, meanSpend: 30 };
  const weeksPerMonth = 365.25 / 12 / 7;

  it("without discounting it telescopes to E[X(T, T + months u)] * E[M]", () => {
    const clv = customerLifetimeValue(BG_PAPER, PAPER, c, {
      months: 12,
      unitsPerMonth: weeksPerMonth,
      monthlyDiscountRate: 0,
    });
    const want =
      expectedTransactions(BG_PAPER, 2, 30.43, 38.86, 12 * weeksPerMonth) * expectedAverageSpend(PAPER, 2, 30);
    expect(clv).toBeCloseTo(want, 10);
  });

  it("discounts each month's expected purchases at the month's end", () => {
    const d = 0.01;
    const spend = expectedAverageSpend(PAPER, 2, 30);
    let want = 0;
    for (let m = 1; m <= 3; m++) {
      const inMonth =
        expectedTransactions(BG_PAPER, 2, 30.43, 38.86, m * weeksPerMonth) -
        expectedTransactions(BG_PAPER, 2, 30.43, 38.86, (m - 1) * weeksPerMonth);
      want += (inMonth * spend) / (1 + d) ** m;
    }
    const clv = customerLifetimeValue(BG_PAPER, PAPER, c, {
      months: 3,
      unitsPerMonth: weeksPerMonth,
      monthlyDiscountRate: d,
    });
    expect(clv).toBeCloseTo(want, 10);
    expect(clv).toBeLessThan(
      customerLifetimeValue(BG_PAPER, PAPER, c, { months: 3, unitsPerMonth: weeksPerMonth, monthlyDiscountRate: 0 }),
    );
    expect(
      customerLifetimeValue(BG_PAPER, PAPER, c, { months: 0, unitsPerMonth: weeksPerMonth, monthlyDiscountRate: d }),
    ).toBe(0);
  });

  it("is the same in days as in weeks, and finite for every CDNOW customer", () => {
    const inDays = customerLifetimeValue(
      { ...BG_PAPER, alpha: BG_PAPER.alpha * 7 },
      PAPER,
      { ...c, tx: c.tx * 7, T: c.T * 7 },
      { months: 24, unitsPerMonth: 30.4375, monthlyDiscountRate: 0.01 },
    );
    const inWeeks = customerLifetimeValue(BG_PAPER, PAPER, c, {
      months: 24,
      unitsPerMonth: weeksPerMonth,
      monthlyDiscountRate: 0.01,
    });
    expect(inDays).toBeCloseTo(inWeeks, 9);
    const bg = fitBgNbd(cdnow).params;
    const gg = fitGammaGamma(cdnow.x, cdnow.meanSpend).params;
    for (let i = 0; i < cdnow.ids.length; i++) {
      const v = customerLifetimeValue(
        bg,
        gg,
        { x: cdnow.x[i]!, tx: cdnow.tx[i]!, T: cdnow.T[i]!, meanSpend: cdnow.meanSpend[i]! },
        { months: 12, unitsPerMonth: weeksPerMonth, monthlyDiscountRate: 0.01 },
      );
      expect(Number.isFinite(v) && v >= 0).toBe(true);
    }
    expect(() =>
      customerLifetimeValue(BG_PAPER, PAPER, c, { months: 1.5, unitsPerMonth: 4, monthlyDiscountRate: 0 }),
    ).toThrow(RangeError);
    expect(() =>
      customerLifetimeValue(BG_PAPER, PAPER, c, { months: 1, unitsPerMonth: 0, monthlyDiscountRate: 0 }),
    ).toThrow(RangeError);
  });
});
