/**
 * BG/NBD ("beta-geometric / negative binomial distribution") model of repeat purchasing, from
 * Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
 * Pareto/NBD model", Marketing Science 24(2):275-284. It answers, per customer, "is this
 * customer still active?" (P(alive)) and "how many orders will they place in the next t?" from
 * three numbers: x = repeat transactions, t_x = time of the last one after the first purchase,
 * T = time since the first purchase (the customer's age). Any time unit works; the fitted alpha
 * carries the unit (alpha scales with it, r, a and b do not).
 *
 * The model: while active a customer buys as a Poisson process with rate λ ~ Gamma(r, alpha)
 * across customers; after each repeat purchase they drop out for good with probability
 * p ~ Beta(a, b). A consequence worth knowing: a customer with no repeat purchase (x = 0) has
 * P(alive) = 1, because in this model dropping out only happens right after a purchase. Use
 * pNoTransaction or expectedTransactions to rank such customers: both fall with tenure.
 *
 * Numerical form. The likelihood (paper eq. 6) is a sum of two products of gamma ratios and
 * powers like (alpha + T)^(r + x), which overflow long before x = 5,000 or T = 5,000 days, and
 * whose direct evaluation with a huge b is a difference of two nearly equal log-gammas: that is
 * how a literal implementation "finds" optima like b ~ 1e17 with a positive log-likelihood. We
 * write it as
 *   ln L = ln[Γ(r+x)/Γ(r)] + r ln α + ln[Γ(b+x)/Γ(b)] - ln[Γ(a+b+x)/Γ(a+b)]
 *          + logaddexp(-(r+x) ln(α+T), [x>0] (ln a - ln(b+x-1) - (r+x) ln(α+t_x)))
 * with the ratios as log rising factorials, and the fit works on log-parameters within bounds,
 * on times divided by the customers' mean age (so alpha is O(1) whatever the data's unit).
 */
import { minimize, nelderMead, type MinimizeResult } from "../optimize";
import { hyp2f1Excess, logAddExp, logRising, logisticOfMinus } from "../special";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * Per-customer summaries, parallel arrays: x = repeat transactions (whole number >= 0),
 * tx = time of the last purchase after the first (0 when x = 0), T = time from the first
 * purchase to the end of the observation window; 0 <= tx <= T. Any time unit.
 */
export interface RfmData {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  evaluations: number;
  /** The optimiser met its tolerances and no parameter sits on a bound of the search box. */
  converged: boolean;
}

function checkParams(p: BgNbdParams): void {
  for (const k of ["r", "alpha", "a", "b"] as const) {
    const v = p[k];
    if (!(v > 0 && v < Infinity)) throw new RangeError(`BG/NBD parameter ${k} must be positive and finite, got ${v}`);
  }
}

function checkCustomer(x: number, tx: number, T: number): void {
  if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`x must be a whole number >= 0, got ${x}`);
  if (!(T >= 0 && T < Infinity)) throw new RangeError(`T must be finite and >= 0, got ${T}`);
  if (!(tx >= 0 && tx <= T)) throw new RangeError(`tx must be in [0, T], got tx = ${tx}, T = ${T}`);
}

/**
 * The two exponents of the likelihood's log-sum-exp: ln L = constant(x) + logaddexp(first, second).
 * The constant does not depend on tx or T, so it cancels in ratios such as P(alive).
 */
function lseTerms(p: BgNbdParams, x: number, tx: number, T: number): [number, number] {
  const rx = p.r + x;
  const first = -rx * Math.log(p.alpha + T);
  const second = x > 0 ? Math.log(p.a) - Math.log(p.b + x - 1) - rx * Math.log(p.alpha + tx) : -Infinity;
  return [first, second];
}

/** The part of ln L that depends on x only (and on the parameters). */
function xConstant(p: BgNbdParams, x: number): number {
  return logRising(p.r, x) + p.r * Math.log(p.alpha) + logRising(p.b, x) - logRising(p.a + p.b, x);
}

/**
 * ln L(r, alpha, a, b | x, tx, T) of one customer (paper eq. 6), in the stable form of the file
 * comment; finite for x in the thousands and T in days. O(min(x, 16)).
 * @throws RangeError on non-positive parameters or an impossible history (tx > T, x < 0, ...).
 */
export function bgNbdCustomerLogLikelihood(p: BgNbdParams, x: number, tx: number, T: number): number {
  checkParams(p);
  checkCustomer(x, tx, T);
  const [first, second] = lseTerms(p, x, tx, T);
  return xConstant(p, x) + logAddExp(first, second);
}

function checkData(data: RfmData): number {
  const n = data.x.length;
  if (data.tx.length !== n || data.T.length !== n) throw new RangeError("x, tx and T differ in length");
  return n;
}

/** Σ over customers of bgNbdCustomerLogLikelihood. O(customers). */
export function bgNbdLogLikelihood(p: BgNbdParams, data: RfmData): number {
  const n = checkData(data);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += bgNbdCustomerLogLikelihood(p, data.x[i]!, data.tx[i]!, data.T[i]!);
  return sum;
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
  const { x, tx, T } = data;
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
 * Hand-written over typed arrays because a fit calls it a thousand times or more: the
 * log-gammas are hoisted out per distinct x, one logarithm per distinct time, and per triple
 * only a few multiplications and one exp/log1p.
 */
function objectiveOn(c: Compressed): (u: Float64Array) => number {
  const { xs, times, xIndex, txIndex, tIndex, weight, customers } = c;
  const triples = weight.length;
  const distinctX = xs.length;
  const c1 = new Float64Array(distinctX);
  const c2 = new Float64Array(distinctX);
  const rx = new Float64Array(distinctX);
  const logTime = new Float64Array(times.length);
  return (u: Float64Array): number => {
    const p = { r: Math.exp(u[0]!), alpha: Math.exp(u[1]!), a: Math.exp(u[2]!), b: Math.exp(u[3]!) };
    const logA = Math.log(p.a);
    for (let k = 0; k < distinctX; k++) {
      const x = xs[k]!;
      c1[k] = xConstant(p, x);
      c2[k] = x > 0 ? logA - Math.log(p.b + x - 1) : -Infinity;
      rx[k] = p.r + x;
    }
    for (let j = 0; j < logTime.length; j++) logTime[j] = Math.log(p.alpha + times[j]!);
    let sum = 0;
    for (let k = 0; k < triples; k++) {
      const xi = xIndex[k]!;
      const first = -rx[xi]! * logTime[tIndex[k]!]!;
      const second = c2[xi]! - rx[xi]! * logTime[txIndex[k]!]!;
      // logaddexp inlined; past a gap of 40 the smaller term is below 1e-17 of the larger, so
      // skip its exp/log1p (this also covers x = 0, where second is -Infinity).
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

/** Above this many customers the starting points are tried on a subsample (see fitBgNbd). */
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

/**
 * Maximum-likelihood fit of BG/NBD. The data are compressed (see Compressed), times divided
 * by the mean age, and -ln L per customer (objectiveOn) minimised over log-parameters in a box
 * by Nelder-Mead from three starting points plus a polish restart (app/ml/optimize). Above
 * 20,000 customers the starting points are run on a stride subsample of 20,000 and only the
 * polish restart sees all the data. `evaluations` counts both.
 *
 * Degenerate data still give bounded, finite output: with no repeat buyer at all, a and b are
 * not identified and r / alpha runs to the box; `converged` is then false.
 * O(customers log customers) to compress, then O(evaluations * distinct triples); 100k
 * simulated customers in whole days (63k distinct triples) take about 1.5-2.5 s, the CDNOW
 * sample 0.1 s.
 * @throws RangeError for no customers, mismatched arrays or an impossible history.
 */
export function fitBgNbd(data: RfmData, options: { maxEvaluations?: number } = {}): BgNbdFit {
  const n = checkData(data);
  if (n === 0) throw new RangeError("fitBgNbd needs at least one customer");
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
    const coarse = minimize(objectiveOn(sub), STARTS, { lower: LOWER, upper: UPPER, maxEvaluations: budget / 2 });
    const fine = nelderMead(objectiveOn(c), coarse.x, { lower: LOWER, upper: UPPER, maxEvaluations: budget / 2 });
    result = { ...fine, evaluations: coarse.evaluations + fine.evaluations };
  } else {
    result = minimize(objectiveOn(c), STARTS, { lower: LOWER, upper: UPPER, maxEvaluations: budget });
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

/**
 * P(the customer is still active at T | x, tx, T) (paper eq. 11):
 * 1 / (1 + [x>0] a / (b + x - 1) ((alpha + T) / (alpha + tx))^(r + x)); 1 when x = 0 (see the
 * file comment). O(1).
 */
export function pAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  checkParams(p);
  checkCustomer(x, tx, T);
  if (x === 0) return 1;
  // ln of the odds of having dropped out; log1p keeps (alpha+T)/(alpha+tx) exact when T ~ tx.
  const logOdds = Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * Math.log1p((T - tx) / (p.alpha + tx));
  return logisticOfMinus(logOdds);
}

/**
 * Conditional expected number of transactions in (T, T + t] given the history (paper eq. 10):
 *   E = P(alive) (a+b+x-1)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
 *   z = t / (α+T+t).
 * Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) turns the bracket
 * into 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): the series' numerator parameters no
 * longer grow with x (the original's terms first grow like x^2n / n!), and writing
 * 2F1 = 1 + (a-1) S (special.hyp2f1Excess) lets the 1/(a-1) cancel exactly, so a = 1 is no
 * 0/0. Cost O(ln(1e-16) / ln z) series terms: z < 0.99 unless t is far beyond alpha + T.
 */
export function expectedTransactions(p: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  checkParams(p);
  checkCustomer(x, tx, T);
  if (!(t >= 0 && t < Infinity)) throw new RangeError(`t must be finite and >= 0, got ${t}`);
  if (t === 0) return 0;
  const z = t / (p.alpha + T + t);
  const logOneMinusZ = -Math.log1p(t / (p.alpha + T));
  const am1 = p.a - 1;
  let c = p.a + p.b + x - 1;
  // c = 0 only when x = 0 and a + b = 1 exactly; c * S is continuous there, so step off it.
  if (Math.abs(c) < 1e-10) c = 1e-10;
  const s = hyp2f1Excess(p.a + p.b - 1 - p.r, am1, c, z);
  const head = am1 !== 0 ? -Math.expm1(am1 * logOneMinusZ) / am1 : -logOneMinusZ;
  const bracket = head - Math.exp(am1 * logOneMinusZ) * s;
  return Math.max(c * bracket, 0) * pAlive(p, x, tx, T);
}

/**
 * P(no transaction in (T, T + t] | x, tx, T) = L(x, tx, T + t) / L(x, tx, T): the customer is
 * seen to have bought nothing between tx and T + t instead of T. Computed as exp of the
 * difference of the two log-sum-exps (the x-only constant cancels). O(1).
 */
export function pNoTransaction(p: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  checkParams(p);
  checkCustomer(x, tx, T);
  if (!(t >= 0)) throw new RangeError(`t must be >= 0, got ${t}`);
  const [first, second] = lseTerms(p, x, tx, T);
  const later = t === Infinity ? -Infinity : -(p.r + x) * Math.log(p.alpha + T + t);
  const ratio = Math.exp(logAddExp(later, second) - logAddExp(first, second));
  return Math.min(Math.max(ratio, 0), 1);
}

/**
 * Smallest t with P(at least one transaction in (T, T + t]) >= probability, by bisection to
 * 1e-9 relative. That probability rises with t towards P(alive) (an active customer buys
 * eventually), so when P(alive) < probability, or it is not reached by `horizon`, the answer
 * is null: the customer has likely lapsed. Without a horizon the bracket is found by doubling.
 * O(100) evaluations of pNoTransaction.
 * @throws RangeError for probability outside (0, 1] or a negative horizon.
 */
export function timeToNextTransaction(
  p: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  probability = 0.5,
  horizon?: number,
): number | null {
  if (!(probability > 0 && probability <= 1)) throw new RangeError(`probability must be in (0, 1], got ${probability}`);
  if (horizon !== undefined && !(horizon >= 0)) throw new RangeError(`horizon must be >= 0, got ${horizon}`);
  const reached = (t: number) => 1 - pNoTransaction(p, x, tx, T, t) >= probability;
  let hi: number;
  if (horizon !== undefined) {
    if (!reached(horizon)) return null;
    hi = horizon;
  } else {
    if (pAlive(p, x, tx, T) < probability) return null;
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

/** Expected transactions of a customer in (0, t] after their first purchase (paper eq. 7, = eq. 10 at x = T = 0). */
export function expectedTransactionsNewCustomer(p: BgNbdParams, t: number): number {
  return expectedTransactions(p, 0, 0, 0, t);
}
