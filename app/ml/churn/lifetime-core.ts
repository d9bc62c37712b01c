/**
 * Shared machinery of the BG/NBD family of repeat-purchase models (app/ml/churn/bgnbd.ts,
 * mbgnbd.ts): the numerically stable likelihood, its maximum-likelihood fit, P(alive), the
 * conditional forecasts and the time-to-next-purchase search. Internal: callers import the
 * models (or the lifetime.ts dispatcher), not this module.
 *
 * Why one module: both models mix a Poisson purchase rate λ ~ Gamma(r, alpha) with a dropout
 * coin p ~ Beta(a, b) tossed after purchases, and both likelihoods integrate to
 *   ln L = K(x) + logaddexp(-(r+x) ln(α+T), D(x) - (r+x) ln(α+t_x))
 * where the first term is "still active at T", the second "dropped out right after the last
 * purchase", K(x) collects what depends on x only and D(x) is the log odds factor of dropping
 * out (-Infinity when the model forbids it). The models differ only in K and D (a
 * LikelihoodForm) and in which Beta exponent the conditional forecast integrates over; all the
 * numerics below are written once for any form.
 *
 * Numerical form. Powers like (alpha + T)^(r + x) overflow long before x = 5,000 or T = 5,000
 * days, and the gamma ratios, taken as differences of log-gammas with a huge b, cancel badly:
 * that is how a literal implementation "finds" optima like b ~ 1e17 with a positive
 * log-likelihood. So the ratios are log rising factorials (special.logRising), the two terms are
 * combined by log-sum-exp, and the fit works on log-parameters within bounds, on times divided
 * by the customers' mean age (so alpha is O(1) whatever the data's unit).
 */
import { minimize, nelderMead, type MinimizeResult } from "../optimize";
import { hyp2f1Excess, logAddExp, logRising, logisticOfMinus } from "../special";

/** r, alpha: Gamma shape and rate of the purchase rate (alpha in the data's time unit); a, b: Beta dropout. */
export interface LifetimeParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * Per-customer summaries, parallel arrays: x = repeat transactions (whole number >= 0),
 * tx = time of the last purchase after the first (0 when x = 0; ignored then), T = time from the
 * first purchase to the end of the observation window; 0 <= tx <= T. Any time unit.
 */
export interface RfmData {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
}

export interface LifetimeFit {
  params: LifetimeParams;
  /** Σ ln L in the caller's time unit (each repeat purchase's time density is per unit). */
  logLikelihood: number;
  evaluations: number;
  /** The optimiser met its tolerances and no parameter sits on a bound of the search box. */
  converged: boolean;
}

/** What sets one model of the family apart (see the file comment). */
export interface LikelihoodForm {
  /** For messages: "BG/NBD". */
  label: string;
  /** K(x): the part of ln L that depends on x and the parameters only. */
  xConstant(p: LifetimeParams, x: number): number;
  /** D(x): ln of the factor on the dropped-out term, -Infinity when dropout is impossible. */
  dropOffset(p: LifetimeParams, x: number): number;
  /**
   * The active customer's posterior carries (1-p)^(x + bShift) times the Beta(a, b) prior, i.e.
   * the forecast is BG/NBD's with b + bShift (0 for BG/NBD, 1 when dropout can also follow
   * the first purchase).
   */
  bShift: number;
}

/** The functions each model exports, bound to its LikelihoodForm. */
export interface LifetimeFunctions {
  /**
   * ln L(r, alpha, a, b | x, tx, T) of one customer, in the stable form of the file comment;
   * finite for x in the thousands and T in days. O(min(x, 16)).
   * @throws RangeError on non-positive parameters or an impossible history (tx > T, x < 0, ...).
   */
  customerLogLikelihood(p: LifetimeParams, x: number, tx: number, T: number): number;
  /** Σ over customers of customerLogLikelihood. O(customers). */
  logLikelihood(p: LifetimeParams, data: RfmData): number;
  /**
   * Maximum-likelihood fit: the data are compressed to distinct (x, tx, T) triples, times divided
   * by the mean age, and -ln L per customer minimised over log-parameters in a box by
   * Nelder-Mead from three starting points plus a polish restart (app/ml/optimize). Above
   * 20,000 customers the starting points are run on a stride subsample of 20,000 and only the
   * polish restart sees all the data. `evaluations` counts both.
   *
   * Degenerate data still give bounded, finite output (with no repeat buyer a and b are not
   * identified and parameters run to the box); `converged` is then false.
   * O(customers log customers) to compress, then O(evaluations * distinct triples): 100k
   * simulated customers in whole days take about 1.5-2.5 s, the CDNOW sample 0.1 s.
   * @throws RangeError for no customers, mismatched arrays or an impossible history.
   */
  fit(data: RfmData, options?: { maxEvaluations?: number }): LifetimeFit;
  /** P(the customer is still active at T | x, tx, T), in [0, 1]. O(1). */
  pAlive(p: LifetimeParams, x: number, tx: number, T: number): number;
  /**
   * Conditional expected number of transactions in (T, T + t] given the history (t in the
   * parameters' time unit). O(ln(1e-16) / ln z) series terms, z = t / (alpha + T + t).
   * @throws RangeError for t < 0 or not finite, besides the checks of customerLogLikelihood.
   */
  expectedTransactions(p: LifetimeParams, x: number, tx: number, T: number, t: number): number;
  /**
   * P(no transaction in (T, T + t] | x, tx, T) = L(x, tx, T + t) / L(x, tx, T): the history is
   * the same except that the silence after tx lasts until T + t; t = Infinity gives
   * 1 - P(alive). O(1).
   */
  pNoTransaction(p: LifetimeParams, x: number, tx: number, T: number, t: number): number;
  /**
   * Smallest t with P(at least one transaction in (T, T + t]) >= probability, by bisection to
   * 1e-9 relative. That probability rises with t towards P(alive) (an active customer buys
   * eventually), so when P(alive) < probability, or it is not reached by `horizon`, the answer
   * is null: the customer has likely lapsed. Without a horizon the bracket is found by doubling.
   * O(100) evaluations of pNoTransaction.
   * @throws RangeError for probability outside (0, 1] or a negative horizon.
   */
  timeToNextTransaction(
    p: LifetimeParams,
    x: number,
    tx: number,
    T: number,
    probability?: number,
    horizon?: number,
  ): number | null;
  /** Expected transactions of a new customer in (0, t] after the first purchase (= the conditional one at x = T = 0). */
  expectedTransactionsNewCustomer(p: LifetimeParams, t: number): number;
}

function checkParams(form: LikelihoodForm, p: LifetimeParams): void {
  for (const k of ["r", "alpha", "a", "b"] as const) {
    const v = p[k];
    if (!(v > 0 && v < Infinity))
      throw new RangeError(`${form.label} parameter ${k} must be positive and finite, got ${v}`);
  }
}

function checkCustomer(x: number, tx: number, T: number): void {
  if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`x must be a whole number >= 0, got ${x}`);
  if (!(T >= 0 && T < Infinity)) throw new RangeError(`T must be finite and >= 0, got ${T}`);
  if (!(tx >= 0 && tx <= T)) throw new RangeError(`tx must be in [0, T], got tx = ${tx}, T = ${T}`);
}

function checkData(data: RfmData): number {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n) throw new RangeError("x, tx and T differ in length");
  return n;
}

/**
 * The two exponents of the likelihood's log-sum-exp: ln L = K(x) + logaddexp(first, second).
 * K does not depend on tx or T, so it cancels in ratios such as P(alive). With x = 0 the
 * dropout (if any) happened at the first purchase, time 0, whatever tx says.
 */
function lseTerms(form: LikelihoodForm, p: LifetimeParams, x: number, tx: number, T: number): [number, number] {
  const rx = p.r + x;
  const first = -rx * Math.log(p.alpha + T);
  const offset = form.dropOffset(p, x);
  const second = offset === -Infinity ? -Infinity : offset - rx * Math.log(p.alpha + (x > 0 ? tx : 0));
  return [first, second];
}

/**
 * The data reduced to distinct (x, tx, T) triples with counts, and the distinct x values and
 * distinct times indexed separately: the objective then needs the log-gammas once per distinct
 * x and one logarithm per distinct time, and only additions and one exp/log1p per triple.
 * Store data in whole days have a few thousand distinct times even for 100k customers.
 */
interface Compressed {
  xs: Float64Array;
  times: Float64Array;
  xIndex: Int32Array;
  txIndex: Int32Array;
  tIndex: Int32Array;
  weight: Float64Array;
  customers: number;
  sumX: number;
}

function compress(data: RfmData, scale: number): Compressed {
  const n = data.x.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const { x, T } = data;
  // tx means nothing without a repeat purchase (see lseTerms): read it as 0 then.
  const tx = Float64Array.from({ length: n }, (_, i) => (x[i]! > 0 ? data.tx[i]! : 0));
  order.sort((i, j) => x[i]! - x[j]! || tx[i]! - tx[j]! || T[i]! - T[j]!);

  const distinctTimes = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    distinctTimes[2 * i] = tx[i]!;
    distinctTimes[2 * i + 1] = T[i]!;
  }
  distinctTimes.sort();
  const timeIndex = new Map<number, number>();
  const timeList: number[] = [];
  for (const v of distinctTimes) {
    if (!timeIndex.has(v)) {
      timeIndex.set(v, timeList.length);
      timeList.push(v / scale);
    }
  }

  const xList: number[] = [];
  const xIndex: number[] = [];
  const txIndex: number[] = [];
  const tIndex: number[] = [];
  const weight: number[] = [];
  let sumX = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    sumX += x[i]!;
    const prev = k > 0 ? order[k - 1]! : -1;
    if (prev >= 0 && x[prev] === x[i] && tx[prev] === tx[i] && T[prev] === T[i]) {
      weight[weight.length - 1]!++;
      continue;
    }
    if (xList.length === 0 || xList[xList.length - 1] !== x[i]) xList.push(x[i]!);
    xIndex.push(xList.length - 1);
    txIndex.push(timeIndex.get(tx[i]!)!);
    tIndex.push(timeIndex.get(T[i]!)!);
    weight.push(1);
  }
  return {
    xs: Float64Array.from(xList),
    times: Float64Array.from(timeList),
    xIndex: Int32Array.from(xIndex),
    txIndex: Int32Array.from(txIndex),
    tIndex: Int32Array.from(tIndex),
    weight: Float64Array.from(weight),
    customers: n,
    sumX,
  };
}

/**
 * -ln L per customer of compressed data at log-parameters u = (ln r, ln alpha', ln a, ln b).
 * Hand-written over typed arrays because a fit calls it a thousand times or more: K and D are
 * hoisted out per distinct x, one logarithm per distinct time, and per triple only a few
 * multiplications and one exp/log1p.
 */
function objectiveOn(form: LikelihoodForm, c: Compressed): (u: Float64Array) => number {
  const { xs, times, xIndex, txIndex, tIndex, weight, customers } = c;
  const triples = weight.length;
  const distinctX = xs.length;
  const c1 = new Float64Array(distinctX);
  const c2 = new Float64Array(distinctX);
  const rx = new Float64Array(distinctX);
  const logTime = new Float64Array(times.length);
  return (u: Float64Array): number => {
    const p = { r: Math.exp(u[0]!), alpha: Math.exp(u[1]!), a: Math.exp(u[2]!), b: Math.exp(u[3]!) };
    for (let k = 0; k < distinctX; k++) {
      const x = xs[k]!;
      c1[k] = form.xConstant(p, x);
      c2[k] = form.dropOffset(p, x);
      rx[k] = p.r + x;
    }
    for (let j = 0; j < logTime.length; j++) logTime[j] = Math.log(p.alpha + times[j]!);
    let sum = 0;
    for (let k = 0; k < triples; k++) {
      const xi = xIndex[k]!;
      const first = -rx[xi]! * logTime[tIndex[k]!]!;
      const second = c2[xi]! - rx[xi]! * logTime[txIndex[k]!]!;
      // logaddexp inlined; past a gap of 40 the smaller term is below 1e-17 of the larger, so
      // skip its exp/log1p (this also covers a -Infinity second term).
      const gap = first - second;
      let lse: number;
      if (gap > 40) lse = first;
      else if (gap < -40) lse = second;
      else lse = gap > 0 ? first + Math.log1p(Math.exp(-gap)) : second + Math.log1p(Math.exp(gap));
      sum += weight[k]! * (c1[xi]! + lse);
    }
    return -sum / customers;
  };
}

/** Above this many customers the starting points are tried on a subsample (see fit). */
const SUBSAMPLE = 20_000;

/**
 * Search box for (ln r, ln alpha', ln a, ln b), alpha' = alpha / mean age. Wide enough for any
 * real shop (r, a, b in [1e-5, 1e5]; alpha within a factor 1e6 of the mean age), narrow enough
 * that the log-gamma differences keep ~1e-10 absolute accuracy.
 */
const LOWER = Float64Array.from([-11.5, -13.8, -11.5, -11.5]);
const UPPER = Float64Array.from([11.5, 13.8, 11.5, 11.5]);

/** Starting points (same coordinates): neutral, near typical retail fits, and a spread one. */
const STARTS = [
  [0, 0, 0, 0],
  [Math.log(0.25), Math.log(0.15), Math.log(0.8), Math.log(2.5)],
  [Math.log(2), Math.log(2), Math.log(0.3), Math.log(5)],
];

function fit(form: LikelihoodForm, data: RfmData, options: { maxEvaluations?: number } = {}): LifetimeFit {
  const n = checkData(data);
  if (n === 0) throw new RangeError(`fitting ${form.label} needs at least one customer`);
  let sumT = 0;
  for (let i = 0; i < n; i++) {
    checkCustomer(data.x[i]!, data.tx[i]!, data.T[i]!);
    sumT += data.T[i]!;
  }
  const scale = sumT > 0 ? sumT / n : 1;
  const c = compress(data, scale);
  const budget = options.maxEvaluations ?? 6000;
  let result: MinimizeResult;
  if (n > SUBSAMPLE) {
    // Large data: the starting points only have to find the right basin, which a stride
    // subsample of SUBSAMPLE customers does at a fraction of the cost; then one Nelder-Mead run
    // on all the data from that point, with a fresh full-size simplex, is the polish restart.
    const stride = Math.ceil(n / SUBSAMPLE);
    const pick = (a: ArrayLike<number>) =>
      Float64Array.from({ length: Math.ceil(n / stride) }, (_, i) => a[i * stride]!);
    const sub = compress({ x: pick(data.x), tx: pick(data.tx), T: pick(data.T) }, scale);
    const bounds = { lower: LOWER, upper: UPPER, maxEvaluations: budget / 2 };
    const coarse = minimize(objectiveOn(form, sub), STARTS, bounds);
    const fine = nelderMead(objectiveOn(form, c), coarse.x, bounds);
    result = { ...fine, evaluations: coarse.evaluations + fine.evaluations };
  } else {
    result = minimize(objectiveOn(form, c), STARTS, { lower: LOWER, upper: UPPER, maxEvaluations: budget });
  }
  const u = result.x;
  const params = { r: Math.exp(u[0]!), alpha: Math.exp(u[1]!) * scale, a: Math.exp(u[2]!), b: Math.exp(u[3]!) };
  // Back to the caller's time unit: each customer's likelihood has x time densities, so
  // ln L(unit) = ln L(scaled) - x ln(scale).
  const logLikelihood = -result.value * c.customers - c.sumX * Math.log(scale);
  let atBound = false;
  for (let i = 0; i < 4; i++) if (u[i]! - LOWER[i]! < 1e-6 || UPPER[i]! - u[i]! < 1e-6) atBound = true;
  return { params, logLikelihood, evaluations: result.evaluations, converged: result.converged && !atBound };
}

function pAlive(form: LikelihoodForm, p: LifetimeParams, x: number, tx: number, T: number): number {
  checkParams(form, p);
  checkCustomer(x, tx, T);
  const offset = form.dropOffset(p, x);
  if (offset === -Infinity) return 1;
  const last = x > 0 ? tx : 0;
  // ln of the odds of having dropped out, second - first of lseTerms; log1p keeps
  // (alpha+T)/(alpha+tx) exact when T ~ tx.
  const logOdds = offset + (p.r + x) * Math.log1p((T - last) / (p.alpha + last));
  return logisticOfMinus(logOdds);
}

/**
 * The conditional expectation (Fader, Hardie & Lee 2005, eq. 10, with b' = b + bShift):
 *   E = P(alive) (a+b'+x-1)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b'+x; a+b'+x-1; z)],
 *   z = t / (α+T+t).
 * Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) turns the bracket
 * into 1 - (1-z)^(a-1) 2F1(a+b'-1-r, a-1; a+b'+x-1; z): the series' numerator parameters no
 * longer grow with x (the original's terms first grow like x^2n / n!), and writing
 * 2F1 = 1 + (a-1) S (special.hyp2f1Excess) lets the 1/(a-1) cancel exactly, so a = 1 is no
 * 0/0. Cost O(ln(1e-16) / ln z) series terms: z < 0.99 unless t is far beyond alpha + T.
 */
function expectedTransactions(
  form: LikelihoodForm,
  p: LifetimeParams,
  x: number,
  tx: number,
  T: number,
  t: number,
): number {
  checkParams(form, p);
  checkCustomer(x, tx, T);
  if (!(t >= 0 && t < Infinity)) throw new RangeError(`t must be finite and >= 0, got ${t}`);
  if (t === 0) return 0;
  const b = p.b + form.bShift;
  const z = t / (p.alpha + T + t);
  const logOneMinusZ = -Math.log1p(t / (p.alpha + T));
  const am1 = p.a - 1;
  let c = p.a + b + x - 1;
  // c = 0 only when x = 0 and a + b' = 1 exactly; c * S is continuous there, so step off it.
  if (Math.abs(c) < 1e-10) c = 1e-10;
  const s = hyp2f1Excess(p.a + b - 1 - p.r, am1, c, z);
  const head = am1 !== 0 ? -Math.expm1(am1 * logOneMinusZ) / am1 : -logOneMinusZ;
  const bracket = head - Math.exp(am1 * logOneMinusZ) * s;
  return Math.max(c * bracket, 0) * pAlive(form, p, x, tx, T);
}

function pNoTransaction(form: LikelihoodForm, p: LifetimeParams, x: number, tx: number, T: number, t: number): number {
  checkParams(form, p);
  checkCustomer(x, tx, T);
  if (!(t >= 0)) throw new RangeError(`t must be >= 0, got ${t}`);
  const [first, second] = lseTerms(form, p, x, tx, T);
  const later = t === Infinity ? -Infinity : -(p.r + x) * Math.log(p.alpha + T + t);
  const ratio = Math.exp(logAddExp(later, second) - logAddExp(first, second));
  return Math.min(Math.max(ratio, 0), 1);
}

function timeToNextTransaction(
  form: LikelihoodForm,
  p: LifetimeParams,
  x: number,
  tx: number,
  T: number,
  probability = 0.5,
  horizon?: number,
): number | null {
  if (!(probability > 0 && probability <= 1)) throw new RangeError(`probability must be in (0, 1], got ${probability}`);
  if (horizon !== undefined && !(horizon >= 0)) throw new RangeError(`horizon must be >= 0, got ${horizon}`);
  const reached = (t: number) => 1 - pNoTransaction(form, p, x, tx, T, t) >= probability;
  let hi: number;
  if (horizon !== undefined) {
    if (!reached(horizon)) return null;
    hi = horizon;
  } else {
    if (pAlive(form, p, x, tx, T) < probability) return null;
    hi = p.alpha + T;
    let doublings = 0;
    while (!reached(hi)) {
      if (++doublings > 200) return null; // the limit equals the target: reached only at infinity
      hi *= 2;
    }
  }
  let lo = 0;
  for (let i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** ln[Γ(r+x)/Γ(r)] + r ln α + ln[Γ(b+x)/Γ(b)] - ln[Γ(a+b+x)/Γ(a+b)]: the x-only part both models share. */
export function gammaBetaConstant(p: LifetimeParams, x: number): number {
  return logRising(p.r, x) + p.r * Math.log(p.alpha) + logRising(p.b, x) - logRising(p.a + p.b, x);
}

/** Binds the family's functions to one model's likelihood form. */
export function lifetimeFunctions(form: LikelihoodForm): LifetimeFunctions {
  const customerLogLikelihood = (p: LifetimeParams, x: number, tx: number, T: number): number => {
    checkParams(form, p);
    checkCustomer(x, tx, T);
    const [first, second] = lseTerms(form, p, x, tx, T);
    return form.xConstant(p, x) + logAddExp(first, second);
  };
  const expected = (p: LifetimeParams, x: number, tx: number, T: number, t: number) =>
    expectedTransactions(form, p, x, tx, T, t);
  return {
    customerLogLikelihood,
    logLikelihood: (p, data) => {
      const n = checkData(data);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += customerLogLikelihood(p, data.x[i]!, data.tx[i]!, data.T[i]!);
      return sum;
    },
    fit: (data, options) => fit(form, data, options),
    pAlive: (p, x, tx, T) => pAlive(form, p, x, tx, T),
    expectedTransactions: expected,
    pNoTransaction: (p, x, tx, T, t) => pNoTransaction(form, p, x, tx, T, t),
    timeToNextTransaction: (p, x, tx, T, probability, horizon) =>
      timeToNextTransaction(form, p, x, tx, T, probability, horizon),
    expectedTransactionsNewCustomer: (p, t) => expected(p, 0, 0, 0, t),
  };
}
