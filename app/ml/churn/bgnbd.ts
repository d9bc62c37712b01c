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
 * pNoTransaction or expectedTransactions to rank such customers (both fall with tenure), or
 * MBG/NBD (mbgnbd.ts), where dropout can also follow the first purchase.
 *
 * Likelihood (paper eq. 6), in the form lifetime-core.ts evaluates stably:
 *   ln L = ln[Γ(r+x)/Γ(r)] + r ln α + ln[Γ(b+x)/Γ(b)] - ln[Γ(a+b+x)/Γ(a+b)]
 *          + logaddexp(-(r+x) ln(α+T), [x>0] (ln a - ln(b+x-1) - (r+x) ln(α+t_x)))
 * P(alive) is paper eq. 11, the conditional expectation eq. 10 (with Euler's transformation,
 * see lifetime-core), and P(no transaction in (T, T+t]) = L(x, tx, T+t) / L(x, tx, T).
 * The numerics (stable log-sum-exp form, compressed and rescaled fit, bisection) live in
 * lifetime-core.ts, shared with MBG/NBD.
 */
import {
  gammaBetaConstant,
  lifetimeFunctions,
  type LifetimeFit,
  type LifetimeFunctions,
  type LifetimeParams,
} from "./lifetime-core";

export type { RfmData } from "./lifetime-core";
export type BgNbdParams = LifetimeParams;
export type BgNbdFit = LifetimeFit;

/**
 * Every BG/NBD function bound together (what lifetime.ts dispatches to); the named exports
 * below are its members. See LifetimeFunctions for each one's contract and cost.
 */
export const bgNbdModel: LifetimeFunctions = lifetimeFunctions({
  label: "BG/NBD",
  xConstant: gammaBetaConstant,
  // Dropped out right after the x-th repeat purchase: E[p (1-p)^(x-1)] / E[(1-p)^x] under
  // Beta(a, b) is a / (b + x - 1); impossible without a repeat purchase.
  dropOffset: (p, x) => (x > 0 ? Math.log(p.a) - Math.log(p.b + x - 1) : -Infinity),
  bShift: 0,
});

export const {
  /** ln L of one customer (paper eq. 6). */
  customerLogLikelihood: bgNbdCustomerLogLikelihood,
  /** Σ over customers of bgNbdCustomerLogLikelihood. */
  logLikelihood: bgNbdLogLikelihood,
  /** Maximum-likelihood fit; reproduces the paper's CDNOW values (r 0.2426, alpha 4.4136, a 0.7929, b 2.4259, LL -9582.43). */
  fit: fitBgNbd,
  /** P(alive) (paper eq. 11); exactly 1 when x = 0. */
  pAlive,
  /** Conditional expected transactions in (T, T + t] (paper eq. 10). */
  expectedTransactions,
  /** P(no transaction in (T, T + t]) = L(x, tx, T + t) / L(x, tx, T). */
  pNoTransaction,
  /** Smallest t with P(a transaction in (T, T + t]) >= probability, or null. */
  timeToNextTransaction,
  /** Expected transactions in (0, t] after the first purchase (paper eq. 7). */
  expectedTransactionsNewCustomer,
} = bgNbdModel;
