import { describe, expect, it } from "vitest";

import { loadCdnowSample } from "../../bench/lib/cdnow";
import {
  bgNbdCustomerLogLikelihood,
  bgNbdLogLikelihood,
  expectedTransactions,
  expectedTransactionsNewCustomer,
  fitBgNbd,
  pAlive,
  pNoTransaction,
  timeToNextTransaction,
  type BgNbdParams,
} from "~/ml/churn/bgnbd";
import { betaFrom, gammaFrom, seededRandom } from "~/ml/random";

const cdnow = loadCdnowSample();
/** Fader, Hardie & Lee (2005), Table/fit on the CDNOW sample, weeks. */
const PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const P = ([r, alpha, a, b]: readonly number[]): BgNbdParams => ({ r: r!, alpha: alpha!, a: a!, b: b! });
const rel = (got: number, want: number) => Math.abs(got / want - 1);

// From test/reference/clv_reference.py: numerical integration (mpmath.quad, 30 digits) of the
// individual-level model over Gamma(r, alpha) purchase rates and Beta(a, b) dropout
// probabilities, not the closed forms. Rows: [params, x, tx, T, ln L, P(alive)].
// The second parameter set is the paper's in days (alpha x 7).
const LIKELIHOOD_REFERENCE = [
  [[0.243, 4.414, 0.793, 2.426], 0, 0, 38.86, -0.554713276438158, 1.0],
  [[0.243, 4.414, 0.793, 2.426], 2, 30.43, 38.86, -9.45860630706627, 0.726578570080673],
  [[0.243, 4.414, 0.793, 2.426], 1, 1.71, 38.86, -4.46909327503259, 0.212100985377379],
  [[0.243, 4.414, 0.793, 2.426], 7, 29.43, 38.86, -21.8632762714635, 0.641756345946107],
  [[0.243, 4.414, 0.793, 2.426], 3, 0, 38.86, -7.21556970564572, 0.00338977218222798],
  [[0.243, 30.898, 0.793, 2.426], 0, 0, 5000, -1.23751694354047, 1.0],
  [[0.243, 30.898, 0.793, 2.426], 3, 100, 5000, -17.7386616353803, 4.05040070288522e-5],
  [[0.243, 30.898, 0.793, 2.426], 50, 1800, 1825, -235.542686583547, 0.970421259531585],
  [[0.243, 30.898, 0.793, 2.426], 5000, 4990, 5000, -5039.24959251911, 0.231555764452463],
  [[0.243, 30.898, 0.793, 2.426], 1, 0, 0, -4.84538529253145, 0.753650201926064],
  [[1.5, 20.0, 2.5, 4.0], 10, 200, 365, -45.6154788503683, 0.00826912614907263],
  [[0.5, 10.0, 1.0, 3.0], 4, 60, 100, -18.1452481966687, 0.439750773958412],
] as const;

// Same script: [params, x, tx, T, t, E[transactions in (T, T+t]], P(none in (T, T+t])], both
// integrated over the posterior from the individual-level model (see the script's docstring).
const FORECAST_REFERENCE = [
  [[0.243, 4.414, 0.793, 2.426], 2, 30.43, 38.86, 39, 1.22602817476714, 0.445372862082996],
  [[0.243, 4.414, 0.793, 2.426], 0, 0, 38.86, 39, 0.195098052011263, 0.855449459216682],
  [[0.243, 4.414, 0.793, 2.426], 7, 29.43, 38.86, 10, 1.00272258658639, 0.500611614655396],
  [[0.243, 4.414, 0.793, 2.426], 0, 0, 0, 78, 1.86051905794277, 0.491027725058527],
  [[0.243, 30.898, 0.793, 2.426], 3, 100, 5000, 365, 9.34861936290066e-6, 0.999991769911966],
  [[0.243, 30.898, 0.793, 2.426], 50, 1800, 1825, 365, 8.94114053164421, 0.029696037503294],
  [[0.243, 30.898, 0.793, 2.426], 0, 0, 0, 365, 1.44860126752194, 0.538071929210819],
  [[1.5, 20.0, 2.5, 4.0], 10, 200, 365, 90, 0.018167107675203, 0.992469256522353],
  [[0.5, 10.0, 1.0, 3.0], 4, 60, 100, 50, 0.783544089309539, 0.641707231836073],
  [[0.5, 10.0, 1.0, 3.0], 0, 0, 0, 50, 1.50137267782599, 0.408248290463863],
] as const;

/**
 * n customers from the BG/NBD generative process, ages uniform over `maxAge` whole days,
 * purchase times floored to whole days (as a store's order dates are).
 */
function simulate(truth: BgNbdParams, n: number, maxAge: number, seed: number) {
  const random = seededRandom(seed);
  const gamma = gammaFrom(random);
  const beta = betaFrom(random);
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const age = Math.floor(random() * maxAge);
    const lambda = gamma(truth.r) / truth.alpha;
    const p = beta(truth.a, truth.b);
    let t = 0;
    let count = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(1 - random()) / lambda;
      if (t > age) break;
      count++;
      last = t;
      if (random() < p) break; // dropped out right after this purchase
    }
    x[i] = count;
    tx[i] = Math.floor(last);
    T[i] = age;
  }
  return { x, tx, T };
}

describe("BG/NBD on the CDNOW sample (protocol C2)", () => {
  it("the loader reproduces the cohort: 2,357 customers, 2,457 repeat and 1,882 holdout transactions", () => {
    expect(cdnow.ids.length).toBe(2357);
    expect(cdnow.x.reduce((s, v) => s + v, 0)).toBe(2457);
    expect(cdnow.holdoutTransactions.reduce((s, v) => s + v, 0)).toBe(1882);
    // Customer 0001 bought 1997-01-01, 01-18 and 08-02 (and 12-12, in the holdout).
    expect(cdnow.x[0]).toBe(2);
    expect(cdnow.tx[0]).toBeCloseTo(213 / 7, 12); // 30.43
    expect(cdnow.T[0]).toBeCloseTo(272 / 7, 12); // 38.86
    expect(cdnow.holdoutTransactions[0]).toBe(1);
  });

  it("fits the paper's parameters within 0.5% and LL within 0.1 of -9582.4", () => {
    const fit = fitBgNbd(cdnow);
    expect(fit.converged).toBe(true);
    // Paper: r 0.243, alpha 4.414, a 0.793, b 2.426; EVALUATION.md's refit: 0.2426, 4.4136, 0.7929, 2.4259.
    expect(rel(fit.params.r, 0.243)).toBeLessThan(0.005);
    expect(rel(fit.params.alpha, 4.414)).toBeLessThan(0.005);
    expect(rel(fit.params.a, 0.793)).toBeLessThan(0.005);
    expect(rel(fit.params.b, 2.426)).toBeLessThan(0.005);
    expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThan(0.1);
    expect(fit.logLikelihood).toBeCloseTo(-9582.429, 2);
    // The fit's compressed, rescaled objective reports the same LL as the plain sum.
    expect(bgNbdLogLikelihood(fit.params, cdnow)).toBeCloseTo(fit.logLikelihood, 6);
    // Holdout (weeks 40-78): EVALUATION.md, 1,653 predicted vs 1,882 actual.
    let predicted = 0;
    for (let i = 0; i < cdnow.ids.length; i++) {
      predicted += expectedTransactions(fit.params, cdnow.x[i]!, cdnow.tx[i]!, cdnow.T[i]!, 39);
    }
    expect(predicted).toBeGreaterThan(1652.5);
    expect(predicted).toBeLessThan(1654.5);
  });

  it("is robust to the time unit: the same data in days gives the same r, a, b and alpha x 7", () => {
    const weeks = fitBgNbd(cdnow);
    const days = fitBgNbd({ x: cdnow.x, tx: cdnow.tx.map((v) => v * 7), T: cdnow.T.map((v) => v * 7) });
    expect(days.converged).toBe(true);
    expect(rel(days.params.r, weeks.params.r)).toBeLessThan(1e-4);
    expect(rel(days.params.a, weeks.params.a)).toBeLessThan(1e-4);
    expect(rel(days.params.b, weeks.params.b)).toBeLessThan(1e-4);
    expect(rel(days.params.alpha, 7 * weeks.params.alpha)).toBeLessThan(1e-4);
    // Each repeat transaction's time density picks up 1/7: LL(days) = LL(weeks) - 2,457 ln 7.
    expect(days.logLikelihood).toBeCloseTo(weeks.logLikelihood - 2457 * Math.log(7), 4);
    expect(days.logLikelihood).toBeLessThan(0);
  });
});

describe("BG/NBD closed forms against independent values", () => {
  it("reproduces the paper's worked example: x = 2, t_x = 30.43, T = 38.86 -> 1.226 in the next 39 weeks", () => {
    // Fader, Hardie & Lee (2005), section 5; clv_reference.py gives 1.22602817476714 both from
    // eq. 10 with mpmath.hyp2f1 and by integrating the individual-level model.
    expect(expectedTransactions(PAPER, 2, 30.43, 38.86, 39)).toBeCloseTo(1.22602817476714, 12);
  });

  it("log-likelihood and P(alive) match the integrated individual-level model to 1e-11", () => {
    for (const [params, x, tx, T, logL, alive] of LIKELIHOOD_REFERENCE) {
      expect(rel(bgNbdCustomerLogLikelihood(P(params), x, tx, T), logL)).toBeLessThan(1e-11);
      expect(rel(pAlive(P(params), x, tx, T), alive)).toBeLessThan(1e-11);
    }
  });

  it("expected transactions and P(no transaction) match the integrated model to 1e-9", () => {
    for (const [params, x, tx, T, t, expected, none] of FORECAST_REFERENCE) {
      expect(rel(expectedTransactions(P(params), x, tx, T, t), expected)).toBeLessThan(1e-9);
      // P(none) = exp(LL(T+t) - LL(T)) (EVALUATION.md's identity) against the posterior integral.
      expect(rel(pNoTransaction(P(params), x, tx, T, t), none)).toBeLessThan(1e-9);
      const viaLikelihood = Math.exp(
        bgNbdCustomerLogLikelihood(P(params), x, tx, T + t) - bgNbdCustomerLogLikelihood(P(params), x, tx, T),
      );
      expect(rel(viaLikelihood, none)).toBeLessThan(1e-9);
    }
    // New customers: eq. 7 is eq. 10 at x = T = 0.
    expect(expectedTransactionsNewCustomer(PAPER, 78)).toBe(expectedTransactions(PAPER, 0, 0, 0, 78));
  });

  it("P(none in (T, T+t]) agrees with a simulation of the posterior predictive", () => {
    // Customer x = 2, t_x = 30.43, T = 38.86 under the paper's parameters: draw (lambda, p) from
    // the priors, keep draws in proportion to the likelihood of the history by simulating it
    // (importance weights from the individual-level model), then ask whether a purchase falls in
    // the next 10 weeks. 400k draws: standard error ~0.002.
    const random = seededRandom(7);
    const gamma = gammaFrom(random);
    const beta = betaFrom(random);
    let weightSum = 0;
    let noneWeight = 0;
    for (let k = 0; k < 400_000; k++) {
      const lambda = gamma(PAPER.r) / PAPER.alpha;
      const p = beta(PAPER.a, PAPER.b);
      // Likelihood pieces of the history: active (survived 2 purchases, none in (30.43, 38.86])
      // or dropped after the 2nd purchase; lambda^2 e^(-lambda 30.43) is common to both.
      const common = lambda * lambda * Math.exp(-lambda * 30.43);
      const active = (1 - p) ** 2 * Math.exp(-lambda * (38.86 - 30.43)) * common;
      const dropped = p * (1 - p) * common;
      weightSum += active + dropped;
      const activeNow = random() * (active + dropped) < active;
      const noPurchase = !activeNow || -Math.log(1 - random()) / lambda > 10;
      if (noPurchase) noneWeight += active + dropped;
    }
    expect(Math.abs(noneWeight / weightSum - pNoTransaction(PAPER, 2, 30.43, 38.86, 10))).toBeLessThan(0.01);
  });
});

describe("BG/NBD behaviour", () => {
  const paperInDays: BgNbdParams = { ...PAPER, alpha: PAPER.alpha * 7 };

  it("keeps probabilities in [0, 1] and expectations finite over extreme histories", () => {
    for (const params of [
      paperInDays,
      PAPER,
      { r: 5, alpha: 0.01, a: 0.05, b: 40 },
      { r: 0.01, alpha: 1e4, a: 20, b: 0.1 },
    ]) {
      for (const T of [0, 1, 30, 365, 1000, 5000]) {
        for (const x of [0, 1, 2, 10, 100, 1000, 5000]) {
          for (const tx of x === 0 ? [0] : [0, T / 2, T]) {
            const ll = bgNbdCustomerLogLikelihood(params, x, tx, T);
            expect(Number.isFinite(ll)).toBe(true);
            const alive = pAlive(params, x, tx, T);
            expect(alive).toBeGreaterThanOrEqual(0);
            expect(alive).toBeLessThanOrEqual(1);
            for (const t of [1, 30, 365]) {
              const none = pNoTransaction(params, x, tx, T, t);
              expect(none).toBeGreaterThanOrEqual(0);
              expect(none).toBeLessThanOrEqual(1);
              const e = expectedTransactions(params, x, tx, T, t);
              expect(Number.isFinite(e) && e >= 0).toBe(true);
            }
            const next = timeToNextTransaction(params, x, tx, T, 0.5, 5000);
            expect(next === null || (next > 0 && next <= 5000)).toBe(true);
          }
        }
      }
    }
  });

  it("ranks a long-silent customer below a frequent recent one (weeks and a fit in days)", () => {
    const days = fitBgNbd({ x: cdnow.x, tx: cdnow.tx.map((v) => v * 7), T: cdnow.T.map((v) => v * 7) }).params;
    for (const [params, unit] of [
      [PAPER, 1],
      [days, 7],
    ] as const) {
      const frequentRecent = { x: 10, tx: 38 * unit, T: 38.86 * unit };
      const silentSinceOne = { x: 1, tx: 1 * unit, T: 38.86 * unit };
      const neverBack = { x: 0, tx: 0, T: 38.86 * unit };
      const alive = (c: typeof neverBack) => pAlive(params, c.x, c.tx, c.T);
      const next = (c: typeof neverBack) => expectedTransactions(params, c.x, c.tx, c.T, 39 * unit);
      const none = (c: typeof neverBack) => pNoTransaction(params, c.x, c.tx, c.T, 39 * unit);
      expect(alive(silentSinceOne)).toBeLessThan(alive(frequentRecent));
      expect(alive(silentSinceOne)).toBeLessThan(0.3);
      expect(alive(frequentRecent)).toBeGreaterThan(0.9);
      // No repeat purchase: P(alive) is 1 by the model's construction (dropout happens only
      // after a purchase), so rank such customers by expected purchases or P(no purchase).
      expect(alive(neverBack)).toBe(1);
      expect(next(neverBack)).toBeLessThan(next(frequentRecent) / 10);
      expect(none(neverBack)).toBeGreaterThan(none(frequentRecent));
      // Tenure lowers a non-returner's expectations too.
      expect(next({ x: 0, tx: 0, T: 100 * unit })).toBeLessThan(next({ x: 0, tx: 0, T: 1 * unit }));
    }
  });

  it("time to next transaction: the bisection inverts P(at least one), and lapsed customers get null", () => {
    const t = timeToNextTransaction(PAPER, 10, 38, 38.86)!;
    expect(t).toBeGreaterThan(0);
    expect(1 - pNoTransaction(PAPER, 10, 38, 38.86, t)).toBeCloseTo(0.5, 8);
    expect(1 - pNoTransaction(PAPER, 10, 38, 38.86, t * 0.99)).toBeLessThan(0.5);
    const p80 = timeToNextTransaction(PAPER, 10, 38, 38.86, 0.8)!;
    expect(p80).toBeGreaterThan(t);
    // P(alive) 0.0034 < 0.5: never reaches it.
    expect(timeToNextTransaction(PAPER, 3, 0, 38.86)).toBeNull();
    // Within a horizon too short for the target: null; long enough: the same answer.
    expect(timeToNextTransaction(PAPER, 10, 38, 38.86, 0.5, t / 2)).toBeNull();
    expect(timeToNextTransaction(PAPER, 10, 38, 38.86, 0.5, 1000)).toBeCloseTo(t, 6);
    // x = 0 customers are alive with probability 1, so they reach any probability eventually.
    expect(timeToNextTransaction(PAPER, 0, 0, 38.86)).toBeGreaterThan(39);
    expect(() => timeToNextTransaction(PAPER, 1, 1, 2, 0)).toThrow(RangeError);
  });

  it("rejects impossible inputs", () => {
    expect(() => pAlive(PAPER, 1, 5, 4)).toThrow(RangeError); // tx > T
    expect(() => pAlive(PAPER, -1, 0, 4)).toThrow(RangeError);
    expect(() => pAlive(PAPER, 1.5, 1, 4)).toThrow(RangeError);
    expect(() => pAlive({ ...PAPER, a: 0 }, 1, 1, 4)).toThrow(RangeError);
    expect(() => expectedTransactions(PAPER, 1, 1, 4, -1)).toThrow(RangeError);
    expect(() => fitBgNbd({ x: [], tx: [], T: [] })).toThrow(RangeError);
    expect(() => fitBgNbd({ x: [1], tx: [1, 2], T: [3] })).toThrow(RangeError);
  });
});

describe("BG/NBD fitting edge cases and scale", () => {
  it("no repeat buyers at all: finite, bounded output flagged as not converged", () => {
    const fit = fitBgNbd({ x: [0, 0, 0, 0], tx: [0, 0, 0, 0], T: [10, 20, 30, 0] });
    for (const v of Object.values(fit.params)) expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(fit.logLikelihood).toBeLessThanOrEqual(1e-6); // likelihoods of discrete events: ln L <= 0
    expect(fit.converged).toBe(false);
    expect(pAlive(fit.params, 0, 0, 30)).toBe(1);
    expect(Number.isFinite(expectedTransactions(fit.params, 0, 0, 30, 30))).toBe(true);
  });

  it("a 3-customer dataset, and histories with tx = T and T = 0, give finite output", () => {
    const fit = fitBgNbd({ x: [0, 2, 5], tx: [0, 40, 90], T: [0, 40, 100] });
    for (const v of Object.values(fit.params)) expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(fit.logLikelihood).toBeCloseTo(
      bgNbdLogLikelihood(fit.params, { x: [0, 2, 5], tx: [0, 40, 90], T: [0, 40, 100] }),
      6,
    );
    const alive = pAlive(fit.params, 2, 40, 40);
    expect(alive).toBeGreaterThan(0);
    expect(alive).toBeLessThanOrEqual(1);
  });

  // Its speed is measured by bench:churn (the scoring job fits this size twice), not here.
  it("recovers known parameters from 100,000 simulated customers (days) within 3%", () => {
    const truth: BgNbdParams = { r: 0.6, alpha: 50, a: 0.9, b: 3 };
    const data = simulate(truth, 100_000, 730, 1);
    const fit = fitBgNbd(data);
    expect(fit.converged).toBe(true);
    for (const k of ["r", "alpha", "a", "b"] as const) expect(rel(fit.params[k], truth[k])).toBeLessThan(0.03);
  });
});
