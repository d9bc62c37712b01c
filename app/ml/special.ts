/**
 * Special functions for the customer-lifetime models (app/ml/churn): log-gamma, log-beta, log
 * rising factorials, the Gauss hypergeometric series 2F1 and log-sum-exp. The likelihoods of
 * BG/NBD and Gamma-Gamma are products of gamma-function ratios and powers that overflow a double
 * long before the data get large (Γ(171) is already Infinity, and (α+T)^(r+x) with T = 5,000 days
 * and x = 5,000 is 10^18500), so everything here works in log space.
 *
 * log-gamma is simple-statistics' `gammaln` (a Lanczos approximation, g = 607/128, 15 terms):
 * checked against mpmath to ~4e-16 relative for x >= 0.5 and up to 1e17 (test/ml/special.test.ts).
 * Below 0.5 its internal x - 1 loses the low digits of tiny arguments (2.7e-10 relative at
 * x = 1e-8), so we move such arguments up by one with Γ(x) = Γ(x + 1) / x first.
 */
import { gammaln } from "simple-statistics";

/**
 * ln Γ(x) for x > 0, to about 1e-15 relative (1e-16 absolute near the zeros at 1 and 2). O(1).
 * @throws RangeError for x <= 0 or NaN (the models never need the negative axis).
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x === Infinity) return Infinity;
  return x < 0.5 ? gammaln(x + 1) - Math.log(x) : gammaln(x);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), for a, b > 0. O(1). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ln of the rising factorial (a)_n = Γ(a + n) / Γ(a), for a > 0 and n >= 0.
 * For whole n up to 16 it sums ln(a + k) directly: the difference of two log-gammas would cancel
 * badly when a is large (ln Γ(1e5) ~ 1e6, so a 1e-16 relative error is 1e-10 absolute, while
 * the answer for n = 1 is ln(1e5) ~ 11.5). O(min(n, 16)).
 */
export function logRising(a: number, n: number): number {
  if (n === 0) return 0;
  if (n <= 16 && Number.isInteger(n)) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.log(a + k);
    return s;
  }
  return logGamma(a + n) - logGamma(a);
}

/** ln(e^u + e^v) without overflow; -Infinity terms are allowed (ln 0). O(1). */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** ln Σ exp(values[i]) without overflow; -Infinity for an empty list. O(n). */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity || max === Infinity) return max;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i]! - max);
  return max + Math.log(s);
}

/** 1 / (1 + e^u), the logistic of -u, without overflow for large |u|. */
export function logisticOfMinus(u: number): number {
  if (u > 0) {
    const e = Math.exp(-u);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(u));
}

/** Series terms beyond this are a bug or a z so close to 1 that the caller should transform. */
const MAX_SERIES_TERMS = 10_000_000;

/**
 * (2F1(a, b; c; z) - 1) / b, the Gauss hypergeometric series without its leading 1 and with
 * the factor b taken out:
 *   Σ_{n>=1} (a)_n (b + 1)_{n-1} / ((c)_n n!) z^n,
 * which stays exact as b -> 0 (where 2F1 -> 1 and (2F1 - 1) / b would be 0 / 0). BG/NBD needs
 * exactly this form: its conditional expectation is (1 - (1 - z)^(a-1) 2F1(..., a - 1; ...)) /
 * (a - 1), and the model's a is often near 1.
 *
 * Valid for 0 <= z < 1 (and -1 < z < 0, where the series alternates). Terms shrink by a factor
 * -> z, so the cost is about ln(1e-16) / ln(z) terms: 50 at z = 0.5, 3,700 at z = 0.99,
 * 370,000 at z = 0.9999. The sum stops when the next term, and a geometric bound on the rest,
 * fall below 1e-16 of the sum.
 * @throws RangeError when |z| >= 1, c is 0 or a negative integer, or the series has not
 *   converged after 1e7 terms.
 */
export function hyp2f1Excess(a: number, b: number, c: number, z: number): number {
  if (!(Math.abs(z) < 1)) throw new RangeError(`the 2F1 series needs |z| < 1, got ${z}`);
  if (c <= 0 && Number.isInteger(c)) throw new RangeError(`2F1 is undefined for c = ${c}`);
  if (z === 0) return 0;
  let term = (a * z) / c; // n = 1
  let sum = term;
  const zAbs = Math.abs(z);
  for (let n = 1; n < MAX_SERIES_TERMS; n++) {
    const ratio = ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    term *= ratio;
    sum += term;
    const r = Math.max(Math.abs(ratio), zAbs);
    // Past the hump (|ratio| < 1) the rest is at most |term| r / (1 - r) when the ratios keep
    // below r; they tend to z, and we bound by max(ratio, z), so this is a sound stop.
    if (r < 1 && Math.abs(term) * (r / (1 - r)) <= 1e-16 * Math.abs(sum)) return sum;
    if (term === 0) return sum;
  }
  throw new RangeError(`2F1(${a}, ${b}; ${c}; ${z}) did not converge in ${MAX_SERIES_TERMS} terms`);
}

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) by its power series, for |z| < 1 (see
 * hyp2f1Excess for cost and limits). Callers with z near 1 should apply a transformation that
 * makes the series' parameters favourable first, as app/ml/churn/bgnbd does (Euler's).
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  return 1 + b * hyp2f1Excess(a, b, c, z);
}
