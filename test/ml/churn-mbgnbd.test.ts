import { describe, expect, it } from "vitest";

import { loadCdnowSample } from "../../bench/lib/cdnow";
import * as bg from "~/ml/churn/bgnbd";
import { LIFETIME_MODELS } from "~/ml/churn/lifetime";
import {
  expectedTransactions,
  expectedTransactionsNewCustomer,
  fitMbgNbd,
  mbgNbdCustomerLogLikelihood,
  mbgNbdLogLikelihood,
  pAlive,
  pNoTransaction,
  timeToNextTransaction,
  type MbgNbdParams,
} from "~/ml/churn/mbgnbd";
import { betaFrom, gammaFrom, seededRandom } from "~/ml/random";
import { hyp2f1 } from "~/ml/special";

const cdnow = loadCdnowSample();
/** BG/NBD's CDNOW fit (Fader, Hardie & Lee 2005), weeks: a realistic point to evaluate MBG/NBD at. */
const C2: MbgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const C2_DAYS: MbgNbdParams = { ...C2, alpha: 4.414 * 7 };
const P = ([r, alpha, a, b]: readonly number[]): MbgNbdParams => ({ r: r!, alpha: alpha!, a: a!, b: b! });
const rel = (got: number, want: number) => Math.abs(got / want - 1);

// From test/reference/clv_reference.py, block 'mbgnbd': mpmath quadrature of the individual-level
// MBG/NBD model (dropout coin also tossed at the first purchase) over Gamma(r, alpha) rates and
// Beta(a, b) dropout probabilities, not the closed forms. Rows: [params, x, tx, T, t, ln L,
// P(alive), E[transactions in (T, T+t]], P(none in (T, T+t])].
const REFERENCE = [
  [
    [0.243, 4.414, 0.793, 2.426],
    0,
    0,
    38.86,
    39,
    -0.386952220570853,
    0.637253337964895,
    0.127461382545661,
    0.9078846853812,
  ],
  [[0.243, 4.414, 0.793, 2.426], 0, 0, 0, 78, 0.0, 0.753650201926064, 1.58047345540107, 0.616412942215591],
  [
    [0.243, 4.414, 0.793, 2.426],
    2,
    30.43,
    38.86,
    39,
    -9.68718263624996,
    0.774419242623646,
    1.34049742849121,
    0.408854120158653,
  ],
  [
    [0.243, 4.414, 0.793, 2.426],
    1,
    1.71,
    38.86,
    39,
    -4.9386320735747,
    0.275447369122965,
    0.271021552927513,
    0.848488613134411,
  ],
  [
    [0.243, 4.414, 0.793, 2.426],
    7,
    29.43,
    38.86,
    10,
    -21.9828001414668,
    0.667110483134276,
    1.04839966947615,
    0.480882068212752,
  ],
  [
    [0.243, 4.414, 0.793, 2.426],
    3,
    0,
    38.86,
    39,
    -7.55491700214175,
    0.00415246903225393,
    0.0102093207621836,
    0.996364416103921,
  ],
  [
    [0.243, 4.414 * 7, 0.793, 2.426],
    0,
    0,
    30,
    90,
    -0.121666919584216,
    0.721777990890737,
    0.225807310127876,
    0.857173377489164,
  ],
  [
    [0.243, 4.414 * 7, 0.793, 2.426],
    0,
    0,
    365,
    90,
    -0.427913473538,
    0.622086269698546,
    0.0335016599062749,
    0.969792684367559,
  ],
  [
    [0.243, 4.414 * 7, 0.793, 2.426],
    0,
    0,
    5000,
    365,
    -0.765746935868246,
    0.470200090940982,
    0.00822067164106183,
    0.992064982559815,
  ],
  [
    [0.243, 4.414 * 7, 0.793, 2.426],
    3,
    100,
    5000,
    365,
    -18.0787653645353,
    4.96549324253999e-5,
    1.14908113360692e-5,
    0.999989910517621,
  ],
  [
    [0.243, 4.414 * 7, 0.793, 2.426],
    50,
    1800,
    1825,
    365,
    -235.558263766571,
    0.970969080124876,
    8.95700438590272,
    0.0291482831263299,
  ],
  [
    [0.243, 4.414 * 7, 0.793, 2.426],
    5000,
    4990,
    5000,
    90,
    -5039.24990465575,
    0.231591340197187,
    20.5709093942524,
    0.768408659802813,
  ],
  [
    [0.243, 4.414 * 7, 0.793, 2.426],
    1,
    0,
    0,
    365,
    -5.12821223432626,
    0.812040767954492,
    5.48584420505869,
    0.222060084067994,
  ],
  [
    [1.5, 20.0, 2.5, 4.0],
    10,
    200,
    365,
    90,
    -45.8532539894038,
    0.00889955188998218,
    0.0197622971558309,
    0.991895123965791,
  ],
  [[0.5, 10.0, 1.0, 3.0], 4, 60, 100, 50, -18.362199898677, 0.47800847047637, 0.863735127216082, 0.610536266824215],
  [[0.5, 10.0, 1.0, 3.0], 0, 0, 0, 50, 0, 0.75, 1.21322242477497, 0.556186217847897],
] as const;

/** |got - want| relative to want, or absolute when want is 0 (ln L of an empty history). */
const close = (got: number, want: number, tolerance: number) =>
  want === 0 ? Math.abs(got) < tolerance : rel(got, want) < tolerance;

/**
 * n customers from the MBG/NBD generative process, ages uniform over `maxAge` whole days,
 * purchase times floored to whole days (as a store's order dates are). Drawn differently from
 * the coin-per-purchase loop of the test below, as a second opinion on the dropout story: the
 * coins tossed at the first purchase and after each repeat one make the number of repeat
 * purchases a lifetime allows Geometric, P(K >= k) = (1-p)^k, so K = floor(ln U / ln(1-p)); the
 * customer then makes min(K, Poisson arrivals before the age) of them.
 */
function simulate(truth: MbgNbdParams, n: number, maxAge: number, seed: number) {
  const random = seededRandom(seed);
  const draw = { rate: gammaFrom(random), dropout: betaFrom(random) };
  const out = { x: new Float64Array(n), tx: new Float64Array(n), T: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const age = Math.floor(random() * maxAge);
    const lambda = draw.rate(truth.r) / truth.alpha;
    const allowed = Math.floor(Math.log(1 - random()) / Math.log1p(-draw.dropout(truth.a, truth.b)));
    let clock = 0;
    let made = 0;
    let lastAt = 0;
    while (made < allowed) {
      clock -= Math.log(1 - random()) / lambda;
      if (clock > age) break;
      made++;
      lastAt = clock;
    }
    out.x[i] = made;
    out.tx[i] = Math.floor(lastAt);
    out.T[i] = age;
  }
  return out;
}

describe("MBG/NBD closed forms against independent values", () => {
  it("log-likelihood and P(alive) match the integrated individual-level model to 1e-11", () => {
    for (const [params, x, tx, T, , logL, alive] of REFERENCE) {
      expect(close(mbgNbdCustomerLogLikelihood(P(params), x, tx, T), logL, 1e-11)).toBe(true);
      expect(rel(pAlive(P(params), x, tx, T), alive)).toBeLessThan(1e-11);
    }
  });

  it("expected transactions and P(no transaction) match the integrated model to 1e-9", () => {
    for (const [params, x, tx, T, t, , , expected, none] of REFERENCE) {
      expect(rel(expectedTransactions(P(params), x, tx, T, t), expected)).toBeLessThan(1e-9);
      expect(rel(pNoTransaction(P(params), x, tx, T, t), none)).toBeLessThan(1e-9);
      // The identity P(none) = exp(LL(T+t) - LL(T)) holds for this model too (the dropped-out
      // term does not involve T; see mbgnbd.ts), checked here against the posterior integral.
      const viaLikelihood = Math.exp(
        mbgNbdCustomerLogLikelihood(P(params), x, tx, T + t) - mbgNbdCustomerLogLikelihood(P(params), x, tx, T),
      );
      expect(rel(viaLikelihood, none)).toBeLessThan(1e-9);
    }
  });

  it("new customers: Batislam et al.'s E[X(t)] = b/(a-1) [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))]", () => {
    for (const [p, t] of [
      [C2, 78],
      [C2_DAYS, 365],
      [{ r: 1.5, alpha: 20, a: 2.5, b: 4 }, 90],
    ] as const) {
      const literal =
        (p.b / (p.a - 1)) * (1 - (p.alpha / (p.alpha + t)) ** p.r * hyp2f1(p.r, p.b + 1, p.a + p.b, t / (p.alpha + t)));
      expect(rel(expectedTransactionsNewCustomer(p, t), literal)).toBeLessThan(1e-10);
    }
    expect(rel(expectedTransactionsNewCustomer(C2, 78), 1.58047345540107)).toBeLessThan(1e-9);
  });

  it("expected transactions of a one-time buyer agree with a simulation of the generative process", () => {
    // x = 0 at T = 38.86 weeks under C2: simulate whole customers from their first purchase
    // (coin at time 0 included), keep those silent on (0, T], count purchases in (T, T + 39].
    // About 64% are kept; 300k draws give a standard error of ~0.002 on 0.127.
    const random = seededRandom(11);
    const gamma = gammaFrom(random);
    const beta = betaFrom(random);
    const T = 38.86;
    let kept = 0;
    let purchases = 0;
    for (let k = 0; k < 300_000; k++) {
      const lambda = gamma(C2.r) / C2.alpha;
      const p = beta(C2.a, C2.b);
      let active = random() >= p;
      let t = 0;
      let count = 0;
      let silent = true;
      while (active) {
        t += -Math.log(1 - random()) / lambda;
        if (t > T + 39) break;
        if (t <= T) {
          silent = false; // a repeat purchase in (0, T]: not this customer's history
          break;
        }
        count++;
        active = random() >= p;
      }
      if (!silent) continue;
      kept++;
      purchases += count;
    }
    expect(Math.abs(purchases / kept - expectedTransactions(C2, 0, 0, T, 39))).toBeLessThan(0.01);
    expect(Math.abs(kept / 300_000 - Math.exp(mbgNbdCustomerLogLikelihood(C2, 0, 0, T)))).toBeLessThan(0.005);
  });
});

describe("MBG/NBD behaviour", () => {
  it("P(alive | x = 0) is below 1 and falls with tenure: 1 / (1 + a/b (1 + T/alpha)^r)", () => {
    let previous = 1;
    for (const T of [0, 1, 7, 30, 90, 365, 730, 1825, 5000]) {
      const alive = pAlive(C2_DAYS, 0, 0, T);
      expect(alive).toBeLessThan(previous);
      expect(rel(alive, 1 / (1 + (C2.a / C2.b) * (1 + T / C2_DAYS.alpha) ** C2.r))).toBeLessThan(1e-12);
      previous = alive;
    }
    // At T = 0 only the first coin has been tossed: E[1 - p] = b / (a + b).
    expect(pAlive(C2, 0, 0, 0)).toBeCloseTo(C2.b / (C2.a + C2.b), 14);
    // x = 0 means tx carries no information: it is ignored.
    expect(pAlive(C2, 0, 5, 10)).toBe(pAlive(C2, 0, 0, 10));
    expect(mbgNbdCustomerLogLikelihood(C2, 0, 5, 10)).toBe(mbgNbdCustomerLogLikelihood(C2, 0, 0, 10));
  });

  it("ranks a one-time buyer with long tenure below a frequent recent buyer (paper params and a CDNOW fit in days)", () => {
    const days = fitMbgNbd({ x: cdnow.x, tx: cdnow.tx.map((v) => v * 7), T: cdnow.T.map((v) => v * 7) }).params;
    for (const [params, unit] of [
      [C2, 1],
      [days, 7],
    ] as const) {
      const frequentRecent = { x: 10, tx: 38 * unit, T: 38.86 * unit };
      const oneTimeLongAgo = { x: 0, tx: 0, T: 104 * unit }; // two years
      const oneTimeRecent = { x: 0, tx: 0, T: 1 * unit };
      const alive = (c: typeof frequentRecent) => pAlive(params, c.x, c.tx, c.T);
      expect(alive(oneTimeLongAgo)).toBeLessThan(alive(frequentRecent));
      expect(alive(oneTimeLongAgo)).toBeLessThan(alive(oneTimeRecent));
      expect(alive(oneTimeLongAgo)).toBeLessThan(0.7);
      expect(alive(frequentRecent)).toBeGreaterThan(0.9);
      // BG/NBD calls the same one-time buyer certainly alive: the reason for this model.
      expect(bg.pAlive(params, oneTimeLongAgo.x, oneTimeLongAgo.tx, oneTimeLongAgo.T)).toBe(1);
      const next = (c: typeof frequentRecent) => expectedTransactions(params, c.x, c.tx, c.T, 39 * unit);
      expect(next(oneTimeLongAgo)).toBeLessThan(next(frequentRecent) / 10);
    }
  });

  it("keeps probabilities in [0, 1] and expectations finite over extreme histories", () => {
    // Every (x, tx, T) with x up to 5,000 and T up to 5,000 days, tx at 0, T/2 and T (x = 0: tx 0).
    const histories = [0, 0.5, 7, 90, 730, 5000].flatMap((T) =>
      [0, 1, 3, 50, 500, 5000].flatMap((x) => (x === 0 ? [[x, 0, T]] : [0, T / 2, T].map((tx) => [x, tx, T]))),
    );
    const extremes: MbgNbdParams[] = [
      C2_DAYS,
      C2,
      { r: 8, alpha: 0.02, a: 0.04, b: 60 },
      { r: 0.005, alpha: 2e4, a: 30, b: 0.05 },
      { r: 0.5, alpha: 10, a: 1, b: 1e5 },
    ];
    for (const params of extremes) {
      for (const [x, tx, T] of histories as [number, number, number][]) {
        expect(Number.isFinite(mbgNbdCustomerLogLikelihood(params, x, tx, T))).toBe(true);
        const alive = pAlive(params, x, tx, T);
        expect(alive >= 0 && alive <= 1).toBe(true);
        if (x === 0 && T > 0) expect(alive).toBeLessThan(1);
        // Forecasts over a day, a quarter and a year; t = Infinity leaves only the dead.
        const forecasts = [1, 90, 365].map((t) => [
          pNoTransaction(params, x, tx, T, t),
          expectedTransactions(params, x, tx, T, t),
        ]);
        expect(forecasts.every(([none, e]) => none! >= 0 && none! <= 1 && Number.isFinite(e) && e! >= 0)).toBe(true);
        expect(pNoTransaction(params, x, tx, T, Infinity)).toBeCloseTo(1 - alive, 10);
        const next = timeToNextTransaction(params, x, tx, T, 0.5, 5000);
        expect(next === null || (next > 0 && next <= 5000)).toBe(true);
      }
    }
  });

  it("time to next transaction inverts P(at least one), and gives null once P(alive) < probability", () => {
    const t = timeToNextTransaction(C2, 10, 38, 38.86)!;
    expect(1 - pNoTransaction(C2, 10, 38, 38.86, t)).toBeCloseTo(0.5, 8);
    // A one-time buyer two years on: P(alive) ~ 0.6, so 0.5 is reached (late) and 0.8 never.
    expect(timeToNextTransaction(C2, 0, 0, 104)).toBeGreaterThan(t);
    expect(timeToNextTransaction(C2, 0, 0, 104, 0.8)).toBeNull();
  });

  it("rejects impossible inputs", () => {
    expect(() => pAlive(C2, 1, 5, 4)).toThrow(RangeError);
    expect(() => pAlive(C2, 1.5, 1, 4)).toThrow(RangeError);
    expect(() => pAlive({ ...C2, b: -1 }, 1, 1, 4)).toThrow(RangeError);
    expect(() => expectedTransactions(C2, 1, 1, 4, Infinity)).toThrow(RangeError);
    expect(() => fitMbgNbd({ x: [], tx: [], T: [] })).toThrow(RangeError);
  });

  it("the dispatcher hands out each model's own functions", () => {
    expect(LIFETIME_MODELS.mbgnbd.name).toBe("mbgnbd");
    expect(LIFETIME_MODELS.bgnbd.name).toBe("bgnbd");
    expect(LIFETIME_MODELS.mbgnbd.pAlive(C2, 0, 0, 38.86)).toBe(pAlive(C2, 0, 0, 38.86));
    expect(LIFETIME_MODELS.bgnbd.pAlive(C2, 0, 0, 38.86)).toBe(1);
    expect(LIFETIME_MODELS.bgnbd.expectedTransactions(C2, 2, 30.43, 38.86, 39)).toBe(
      bg.expectedTransactions(C2, 2, 30.43, 38.86, 39),
    );
  });
});

describe("MBG/NBD fitting", () => {
  it("CDNOW sample: matches lifetimes' / BTYDplus's values (r 0.525, alpha 6.183, a 0.891, b 1.614); LL next to BG/NBD's", () => {
    const fit = fitMbgNbd(cdnow);
    const bgFit = bg.fitBgNbd(cdnow);
    expect(fit.converged).toBe(true);
    // CamDavidsonPilon/lifetimes, tests/test_estimation.py, test_params_out_is_close_to_BTYDplus
    // (which says the values agree with mplatzer/BTYDplus): 3 decimals. No published LL found.
    expect(rel(fit.params.r, 0.525)).toBeLessThan(0.002);
    expect(rel(fit.params.alpha, 6.183)).toBeLessThan(0.002);
    expect(rel(fit.params.a, 0.891)).toBeLessThan(0.002);
    expect(rel(fit.params.b, 1.614)).toBeLessThan(0.002);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(Math.abs(fit.logLikelihood - bgFit.logLikelihood)).toBeLessThan(3);
    expect(mbgNbdLogLikelihood(fit.params, cdnow)).toBeCloseTo(fit.logLikelihood, 6);
  });

  it("recovers known parameters from 200,000 simulated customers (days): r, alpha within 3%, a, b within 5%", () => {
    // a and b are identified less well than in BG/NBD (one more coin toss, which the data never
    // show, per customer): over six seeds at this size their fits scattered by ~1.5% (up to 2.6%),
    // against 3-8% with 100,000 customers over two years. Seed 1 is the first one tried.
    const truth: MbgNbdParams = { r: 0.6, alpha: 50, a: 0.9, b: 3 };
    const fit = fitMbgNbd(simulate(truth, 200_000, 1460, 1));
    expect(fit.converged).toBe(true);
    expect(rel(fit.params.r, truth.r)).toBeLessThan(0.03);
    expect(rel(fit.params.alpha, truth.alpha)).toBeLessThan(0.03);
    expect(rel(fit.params.a, truth.a)).toBeLessThan(0.05);
    expect(rel(fit.params.b, truth.b)).toBeLessThan(0.05);
  });

  it("no repeat buyers, tiny data, tx = T and T = 0: finite, bounded output", () => {
    const none = fitMbgNbd({ x: [0, 0, 0, 0], tx: [0, 0, 0, 0], T: [10, 20, 30, 0] });
    for (const v of Object.values(none.params)) expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(none.logLikelihood).toBeLessThanOrEqual(1e-6);
    const data = { x: [0, 2, 5], tx: [0, 40, 90], T: [0, 40, 100] };
    const small = fitMbgNbd(data);
    expect(small.logLikelihood).toBeCloseTo(mbgNbdLogLikelihood(small.params, data), 6);
  });
});
