/**
 * MBG/NBD, the "modified" BG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical
 * validation and comparison of models for customer base analysis", International Journal of
 * Research in Marketing 24(3):201-209 (the same model is Hoppe & Wagner's 2007 "central variant"
 * CBG/NBD). Same inputs, outputs and function names as bgnbd.ts; only the dropout story differs.
 *
 * Why: in BG/NBD a customer can drop out only right after a repeat purchase, so everybody with
 * no repeat purchase has P(alive) = 1 exactly, and a one-time buyer from two years ago is
 * "certainly alive". Merchants read P(alive) literally. Here the dropout coin is also tossed
 * right after the first purchase, so P(alive | x = 0) = 1 / (1 + a/b (1 + T/α)^r) < 1, falling
 * with tenure; for customers with many purchases the two models nearly agree.
 *
 * Individual level (derived here, and checked against mpmath quadrature of exactly these
 * expressions in test/reference/clv_reference.py, block 'mbgnbd'): purchase rate λ, dropout
 * probability p; a customer seen with x repeat purchases, the last at t_x, until T is
 *   still active: (1-p)^(x+1) λ^x e^(-λT)      (survived x + 1 coin flips, silent on (t_x, T])
 *   dropped out:  p (1-p)^x λ^x e^(-λ t_x)     (x = 0: dropped at the first purchase, t_x = 0).
 * Integrating λ ~ Gamma(r, α) and p ~ Beta(a, b):
 *   L = C(x) [(b+x)/(a+b+x) (α+T)^-(r+x) + a/(a+b+x) (α+t_x)^-(r+x)],
 *   C(x) = Γ(r+x)/Γ(r) α^r Γ(b+x)/Γ(b) Γ(a+b)/Γ(a+b+x)           (BG/NBD's constant),
 * since E[(1-p)^(x+1)] and E[p (1-p)^x] under Beta(a, b) are the BG/NBD ratio times (b+x)/(a+b+x)
 * and a/(a+b+x). Hence
 *   P(alive) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)),
 *   P(no transaction in (T, T+t]) = L(x, t_x, T+t) / L(x, t_x, T): the "dropped" term does not
 *     involve T, and "active and silent until T+t" is the active term at T+t, so the identity
 *     of BG/NBD holds unchanged.
 * An active customer's future is BG/NBD's (a purchase at rate λ, each followed by dropout with
 * probability p: E[purchases in t] = (1 - e^(-λpt)) / p), but their posterior carries
 * (1-p)^(x+1) p^(a-1) (1-p)^(b-1) = (1-p)^x p^(a-1) (1-p)^((b+1)-1): the conditional expectation
 * is BG/NBD's bracket with b + 1, times this model's P(alive):
 *   E = P(alive) (a+b+x)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))],
 * which is Batislam et al.'s published expression; at x = T = 0 it is b/(a-1) [1 - (α/(α+t))^r
 * 2F1(r, b+1; a+b; t/(α+t))], their E[X(t)].
 */
import {
  gammaBetaConstant,
  lifetimeFunctions,
  type LifetimeFit,
  type LifetimeFunctions,
  type LifetimeParams,
} from "./lifetime-core";

export type { RfmData } from "./lifetime-core";
export type MbgNbdParams = LifetimeParams;
export type MbgNbdFit = LifetimeFit;

/**
 * Every MBG/NBD function bound together (what lifetime.ts dispatches to); the named exports
 * below are its members. See LifetimeFunctions for each one's contract and cost.
 */
export const mbgNbdModel: LifetimeFunctions = lifetimeFunctions({
  label: "MBG/NBD",
  // C(x) + ln((b+x)/(a+b+x)); log1p keeps the ratio accurate when b is large.
  xConstant: (p, x) => gammaBetaConstant(p, x) - Math.log1p(p.a / (p.b + x)),
  // The dropped term over the active one: a / (b + x), also for x = 0.
  dropOffset: (p, x) => Math.log(p.a) - Math.log(p.b + x),
  bShift: 1,
});

export const {
  /** ln L of one customer (see the file comment). */
  customerLogLikelihood: mbgNbdCustomerLogLikelihood,
  /** Σ over customers of mbgNbdCustomerLogLikelihood. */
  logLikelihood: mbgNbdLogLikelihood,
  /** Maximum-likelihood fit (same scaffold as fitBgNbd). */
  fit: fitMbgNbd,
  /** P(alive); below 1 also for x = 0, falling with T. */
  pAlive,
  /** Conditional expected transactions in (T, T + t]. */
  expectedTransactions,
  /** P(no transaction in (T, T + t]) = L(x, tx, T + t) / L(x, tx, T). */
  pNoTransaction,
  /** Smallest t with P(a transaction in (T, T + t]) >= probability, or null. */
  timeToNextTransaction,
  /** Expected transactions in (0, t] after the first purchase (Batislam et al.'s E[X(t)]). */
  expectedTransactionsNewCustomer,
} = mbgNbdModel;
