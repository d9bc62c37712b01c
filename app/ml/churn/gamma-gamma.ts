/**
 * Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma model of
 * monetary value"; Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer
 * base analysis", Journal of Marketing Research 42(4)), and the customer lifetime value that
 * combines it with BG/NBD's expected transactions.
 *
 * The model: a customer's transaction values are Gamma(p, ν) (shape p, rate ν), so their mean
 * spend is p / ν; ν varies across customers as Gamma(q, gamma). Given x transactions with mean
 * m, the expected spend of a future transaction is the credibility-weighted mix
 *   E[M | x, m] = (q - 1) / (p x + q - 1) · p gamma / (q - 1) + p x / (p x + q - 1) · m,
 * population mean p gamma / (q - 1) on one side, the customer's own mean on the other.
 * Like the papers, x and m are about repeat transactions only (the first purchase is often
 * different in kind), and the model assumes spend is independent of purchase frequency.
 *
 * q <= 1: the population mean p gamma / (q - 1) is infinite (ν's prior puts too much weight
 * near 0). The fit therefore searches ln(q - 1), which keeps q > 1, and expectedAverageSpend
 * rejects parameters with q <= 1 rather than returning Infinity into a CLV.
 */
import { minimize } from "../optimize";
import { logGamma } from "../special";
import { expectedTransactions, type BgNbdParams } from "./bgnbd";

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  /** Σ ln density of the customers' mean spends, in the data's money unit. */
  logLikelihood: number;
  /** Customers the fit used: x > 0 and meanSpend > 0. */
  customers: number;
  /** The optimiser met its tolerances and no parameter sits on a bound of the search box. */
  converged: boolean;
}

/** Box for (ln p, ln(q - 1), ln gamma'), gamma' = gamma / mean of the used mean spends. */
const LOWER = Float64Array.from([-11.5, -11.5, -13.8]);
const UPPER = Float64Array.from([11.5, 11.5, 13.8]);
const STARTS = [
  [0, 0, 0],
  [Math.log(6), Math.log(2.7), Math.log(1.5)],
  [Math.log(0.5), Math.log(0.5), Math.log(0.3)],
];

function checkParams(gg: GammaGammaParams): void {
  if (!(gg.p > 0 && gg.p < Infinity)) throw new RangeError(`Gamma-Gamma p must be positive, got ${gg.p}`);
  if (!(gg.gamma > 0 && gg.gamma < Infinity))
    throw new RangeError(`Gamma-Gamma gamma must be positive, got ${gg.gamma}`);
  if (!(gg.q > 1 && gg.q < Infinity)) {
    throw new RangeError(`Gamma-Gamma q must exceed 1 (q <= 1 means an infinite mean spend), got ${gg.q}`);
  }
}

/**
 * ln density of one customer's mean spend m of x >= 1 transactions (the fit's per-customer
 * term, in the caller's money unit):
 *   ln Γ(p x + q) - ln Γ(p x) - ln Γ(q) + q ln gamma + p x ln x + (p x - 1) ln m - (p x + q) ln(gamma + x m).
 * O(1).
 * @throws RangeError for bad parameters, x < 1 or m <= 0 (no density to speak of).
 */
export function gammaGammaCustomerLogLikelihood(gg: GammaGammaParams, x: number, meanSpend: number): number {
  checkParams(gg);
  if (!(x >= 1 && x < Infinity)) throw new RangeError(`x must be >= 1, got ${x}`);
  if (!(meanSpend > 0 && meanSpend < Infinity)) throw new RangeError(`meanSpend must be positive, got ${meanSpend}`);
  const px = gg.p * x;
  return (
    logGamma(px + gg.q) -
    logGamma(px) -
    logGamma(gg.q) +
    gg.q * Math.log(gg.gamma) +
    px * Math.log(x) +
    (px - 1) * Math.log(meanSpend) -
    (px + gg.q) * Math.log(gg.gamma + x * meanSpend)
  );
}

/**
 * Maximum-likelihood fit on the customers with x > 0 and meanSpend > 0 (a zero mean has zero
 * density under a gamma and would pin the fit; such customers are left out and still get an
 * expectedAverageSpend). The density of a customer's mean m of x values is
 *   Γ(p x + q) / (Γ(p x) Γ(q)) · gamma^q x^(p x) m^(p x - 1) / (gamma + x m)^(p x + q).
 * Spends are divided by their mean first (gamma scales with the money unit, p and q do not),
 * then -ln L is minimised over (ln p, ln(q - 1), ln gamma) in a box by Nelder-Mead with restarts.
 * The loop is hand-written over typed arrays: it runs a few thousand times per fit.
 * O(customers * evaluations).
 * @throws RangeError when the arrays differ in length, a value is negative or not finite, or no
 *   customer has x > 0 and meanSpend > 0 (nothing to fit: use a fixed spend instead).
 */
export function fitGammaGamma(x: ArrayLike<number>, meanSpend: ArrayLike<number>): GammaGammaFit {
  if (x.length !== meanSpend.length) throw new RangeError("x and meanSpend differ in length");
  const used: number[] = [];
  let spendSum = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const mi = meanSpend[i]!;
    if (!(xi >= 0 && xi < Infinity)) throw new RangeError(`x[${i}] must be finite and >= 0, got ${xi}`);
    if (!(mi >= 0 && mi < Infinity)) throw new RangeError(`meanSpend[${i}] must be finite and >= 0, got ${mi}`);
    if (xi > 0 && mi > 0) {
      used.push(i);
      spendSum += mi;
    }
  }
  const n = used.length;
  if (n === 0) throw new RangeError("no customer with repeat transactions and positive spend to fit on");
  const scale = spendSum / n;
  const xs = Float64Array.from(used, (i) => x[i]!);
  const ms = Float64Array.from(used, (i) => meanSpend[i]! / scale);
  // Only (p x + q) ln(gamma + x m) needs a logarithm per customer and evaluation: the
  // log-gammas depend on x alone (computed once per distinct x, weighted by its count), and
  // the terms linear in p are sums precomputed here.
  const xCount = new Map<number, number>();
  let sumXLogX = 0;
  let sumXLogM = 0;
  let sumLogM = 0;
  for (let i = 0; i < n; i++) {
    xCount.set(xs[i]!, (xCount.get(xs[i]!) ?? 0) + 1);
    const logM = Math.log(ms[i]!);
    sumXLogX += xs[i]! * Math.log(xs[i]!);
    sumXLogM += xs[i]! * logM;
    sumLogM += logM;
  }
  const distinctX = Float64Array.from(xCount.keys());
  const distinctCount = Float64Array.from(xCount.values());

  const logLikelihoodScaled = (p: number, q: number, g: number): number => {
    let sum = n * (q * Math.log(g) - logGamma(q)) + p * (sumXLogX + sumXLogM) - sumLogM;
    for (let k = 0; k < distinctX.length; k++) {
      const px = p * distinctX[k]!;
      sum += distinctCount[k]! * (logGamma(px + q) - logGamma(px));
    }
    for (let i = 0; i < n; i++) sum -= (p * xs[i]! + q) * Math.log(g + xs[i]! * ms[i]!);
    return sum;
  };
  const objective = (u: Float64Array) =>
    -logLikelihoodScaled(Math.exp(u[0]!), 1 + Math.exp(u[1]!), Math.exp(u[2]!)) / n;

  const result = minimize(objective, STARTS, { lower: LOWER, upper: UPPER, maxEvaluations: 4000 });
  const u = result.x;
  const params = { p: Math.exp(u[0]!), q: 1 + Math.exp(u[1]!), gamma: Math.exp(u[2]!) * scale };
  // Back to the caller's money unit: each density of m picks up 1 / scale.
  const logLikelihood = -result.value * n - n * Math.log(scale);
  let atBound = false;
  for (let i = 0; i < 3; i++) if (u[i]! - LOWER[i]! < 1e-6 || UPPER[i]! - u[i]! < 1e-6) atBound = true;
  return { params, logLikelihood, customers: n, converged: result.converged && !atBound };
}

/**
 * E[spend per future transaction | x repeat transactions with mean meanSpend]; x = 0 gives the
 * population mean p gamma / (q - 1). A customer whose repeats were all free (meanSpend 0) gets
 * p gamma / (p x + q - 1): shrunk towards 0 by how much evidence there is. O(1).
 * @throws RangeError for q <= 1 (infinite mean), other non-positive parameters, or negative x or spend.
 */
export function expectedAverageSpend(gg: GammaGammaParams, x: number, meanSpend: number): number {
  checkParams(gg);
  if (!(x >= 0 && x < Infinity)) throw new RangeError(`x must be finite and >= 0, got ${x}`);
  if (!(meanSpend >= 0 && meanSpend < Infinity))
    throw new RangeError(`meanSpend must be finite and >= 0, got ${meanSpend}`);
  const px = gg.p * x;
  return (gg.p * gg.gamma + px * meanSpend) / (px + gg.q - 1);
}

/**
 * Discounted expected spend over the next `months` months:
 *   Σ_{m=1..months} (E[X(T, T + m u)] - E[X(T, T + (m-1) u)]) · E[M] / (1 + d)^m,
 * u = unitsPerMonth in BG/NBD's time unit (30.4375 for days, 365.25 / 12 / 7 for weeks),
 * d = monthlyDiscountRate. Each month's transactions are discounted at the month's end, as in
 * Fader, Hardie & Lee's discrete approximation. O(months) BG/NBD expectations.
 * @throws RangeError for a non-whole or negative months, unitsPerMonth <= 0, d <= -1, or any
 *   error of the two models' functions.
 */
export function customerLifetimeValue(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  c: { x: number; tx: number; T: number; meanSpend: number },
  options: {
    months: number;
    unitsPerMonth: number;
    monthlyDiscountRate: number;
    /** The repeat-purchase model's conditional forecast; BG/NBD's unless another is given. */
    forecast?: (p: BgNbdParams, x: number, tx: number, T: number, t: number) => number;
  },
): number {
  const { months, unitsPerMonth, monthlyDiscountRate, forecast = expectedTransactions } = options;
  if (!(Number.isInteger(months) && months >= 0))
    throw new RangeError(`months must be a whole number >= 0, got ${months}`);
  if (!(unitsPerMonth > 0 && unitsPerMonth < Infinity))
    throw new RangeError(`unitsPerMonth must be positive, got ${unitsPerMonth}`);
  if (!(monthlyDiscountRate > -1)) throw new RangeError(`monthlyDiscountRate must be > -1, got ${monthlyDiscountRate}`);
  const spend = expectedAverageSpend(gg, c.x, c.meanSpend);
  let value = 0;
  let before = 0;
  for (let m = 1; m <= months; m++) {
    const upTo = forecast(bg, c.x, c.tx, c.T, m * unitsPerMonth);
    value += ((upTo - before) * spend) / Math.pow(1 + monthlyDiscountRate, m);
    before = upTo;
  }
  return value;
}
