"""Reference values for test/ml/churn-bgnbd.test.ts, churn-mbgnbd.test.ts, churn-gamma-gamma.test.ts and special.test.ts.

Run: python3 test/reference/clv_reference.py [likelihood|forecast|mbgnbd|gamma|special]  (mpmath 1.3.0;
CI does not run it; no argument runs every block; 'forecast' takes ~15 minutes).

The point is independence from the closed forms in app/ml/churn: nothing below types in the
BG/NBD likelihood (Fader, Hardie & Lee 2005, eq. 6), P(alive) (eq. 11) or the conditional
expectation (eq. 10). Instead each quantity is integrated numerically (mpmath.quad, 20 digits)
from the individual-level model over the mixing distributions:

  individual level, given purchase rate lam and dropout probability p, a customer seen with x
  repeat purchases, the last at tx, observed until T:
    still active: (1-p)^x lam^x exp(-lam T)        (survived x coin flips, no purchase in (tx, T])
    dropped out:  p (1-p)^(x-1) lam^x exp(-lam tx)  (x > 0: died right after the x-th purchase)
  lam ~ Gamma(shape r, rate alpha), p ~ Beta(a, b).

  E[purchases in (T, T+t] | active, lam, p] = (1 - exp(-lam p t)) / p: purchases come at rate lam
  while active, and death comes at rate lam p (each purchase kills with probability p), so the
  expected active time within t is (1 - exp(-lam p t)) / (lam p).
  P(no purchase in (T, T+t] | lam, p, history) = exp(-lam t) if active, 1 if dropped out.

MBG/NBD (Batislam, Denizel & Filiztekin 2007; Hoppe & Wagner 2007), block 'mbgnbd' (~20 s):
the same, except that a customer may also drop out right after the first purchase, at time 0:
    still active: (1-p)^(x+1) lam^x exp(-lam T)    (survived x + 1 coin flips)
    dropped out:  p (1-p)^x lam^x exp(-lam tx)     (died right after purchase x; x = 0: at time 0,
                                                    tx = 0, so this is just p)
  Active customers' futures are as in BG/NBD, so E[purchases in (T, T+t] | lam, p, active] is
  (1 - exp(-lam p t)) / p. For the conditional expectation the lam integral is done with the
  Gamma moment  int lam^x exp(-lam s) Gamma(lam; r, alpha) dlam = (r)_x alpha^r / (alpha + s)^(r+x)
  (checked against quadrature in the block), leaving a 1-D quadrature over p: the step the
  closed form does with 2F1 stays numerical, and the block runs in seconds rather than the
  2-D 'forecast' block's minutes.

Gamma-Gamma (Fader & Hardie 2013): each transaction value ~ Gamma(shape p, rate nu), nu ~
Gamma(shape q, rate gamma); the mean of x values given nu is Gamma(shape p x, rate x nu), and
E[value | nu] = p / nu. Conditional expectations integrate over nu's posterior.

The worked example of the BG/NBD paper (x = 2, t_x = 30.43, T = 38.86, 39 weeks ahead: 1.226)
is also evaluated with eq. 10 literally, with mpmath's own hyp2f1, as a third opinion.
"""
import mpmath as mp

mp.mp.dps = 20  # 20 digits: the tests compare at 1e-9 .. 1e-12; 30 makes the 2-D integrals slow


def gamma_pdf(lam, r, alpha):
    return mp.exp(r * mp.log(alpha) + (r - 1) * mp.log(lam) - alpha * lam - mp.loggamma(r))


def beta_pdf(p, a, b):
    return mp.exp((a - 1) * mp.log(p) + (b - 1) * mp.log1p(-p) - (mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)))


def lam_points(x, r, rate):
    """Break points around the peak of lam^(x+r-1) exp(-rate lam) so quad sees its scale."""
    peak = max(x + r - 1, mp.mpf("0.5")) / rate
    width = mp.sqrt(x + r) / rate
    pts = [0]
    for k in (-8, -3, 0, 3, 8, 30):
        v = peak + k * width
        if v > pts[-1]:
            pts.append(v)
    return pts + [mp.inf]


def p_points(x, b):
    pts = [0]
    for v in (mp.mpf(1) / (x + b + 1), mp.mpf(5) / (x + b + 1), mp.mpf(20) / (x + b + 1)):
        if v < 1 and v > pts[-1]:
            pts.append(v)
    return pts + [1]


def scaled_quad(f, pts):
    """mp.quad with the integrand scaled to O(1) first: quad's stopping rule compares an
    absolute error estimate with 10^-dps, so an integrand of size 1e-40 would 'converge' at once
    with few correct digits. The scale is the largest |f| at the inner break points."""
    assert pts[0] == 0 and len(pts) >= 3
    inner = [v for v in pts[1:-1]] or [(pts[0] + pts[-1]) / 2]
    s = max(abs(f(v)) for v in inner)
    if s == 0:
        s = mp.mpf(1)
    # The first segment starts at 0, where the integrand may have an integrable singularity
    # (lam^(r-1) with r < 1, p^(a-1) with a < 1). v = h u^10 turns v^(c-1) into
    # u^(10c-1) * 10 h, smooth enough for tanh-sinh to reach full precision.
    h = pts[1]
    head = mp.quad(lambda u: f(h * u**10) / s * 10 * h * u**9, [0, 1])
    return s * (head + mp.quad(lambda v: f(v) / s, pts[1:]))


def lam_integral(f, x, r, rate):
    return scaled_quad(f, lam_points(x, r, rate))


def p_integral(f, x, b):
    return scaled_quad(f, p_points(x, b))


def bgnbd_pieces(params, x, tx, T):
    """(integral of 'active' term, integral of 'dropped' term) over the priors."""
    r, alpha, a, b = [mp.mpf(v) for v in params]
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    p_alive = p_integral(lambda p: (1 - p) ** x * beta_pdf(p, a, b), x, b)
    l_alive = lam_integral(lambda lam: lam**x * mp.exp(-lam * T) * gamma_pdf(lam, r, alpha), x, r, alpha + T)
    alive = p_alive * l_alive
    if x == 0:
        return alive, mp.mpf(0)
    p_dead = p_integral(lambda p: p * (1 - p) ** (x - 1) * beta_pdf(p, a, b), x, b)
    l_dead = lam_integral(lambda lam: lam**x * mp.exp(-lam * tx) * gamma_pdf(lam, r, alpha), x, r, alpha + tx)
    return alive, p_dead * l_dead


def bgnbd_loglik(params, x, tx, T):
    alive, dead = bgnbd_pieces(params, x, tx, T)
    return mp.log(alive + dead)


def bgnbd_palive(params, x, tx, T):
    alive, dead = bgnbd_pieces(params, x, tx, T)
    return alive / (alive + dead)


def bgnbd_p_none(params, x, tx, T, t):
    alive, dead = bgnbd_pieces(params, x, tx, T)
    r, alpha, a, b = [mp.mpf(v) for v in params]
    xm, T_, t_ = mp.mpf(x), mp.mpf(T), mp.mpf(t)
    p_alive = p_integral(lambda p: (1 - p) ** xm * beta_pdf(p, a, b), xm, b)
    l_alive_later = lam_integral(
        lambda lam: lam**xm * mp.exp(-lam * (T_ + t_)) * gamma_pdf(lam, r, alpha), xm, r, alpha + T_ + t_
    )
    return (p_alive * l_alive_later + dead) / (alive + dead)


def bgnbd_expected(params, x, tx, T, t):
    alive, dead = bgnbd_pieces(params, x, tx, T)
    r, alpha, a, b = [mp.mpf(v) for v in params]
    xm, T_, t_ = mp.mpf(x), mp.mpf(T), mp.mpf(t)

    def over_p(p):
        inner = lam_integral(
            lambda lam: lam**xm * mp.exp(-lam * T_) * gamma_pdf(lam, r, alpha) * (-mp.expm1(-lam * p * t_)),
            xm,
            r,
            alpha + T_,
        )
        return (1 - p) ** xm * beta_pdf(p, a, b) * inner / p

    return p_integral(over_p, xm, b) / (alive + dead)


def bgnbd_eq10_literal(params, x, tx, T, t):
    """Eq. 10 as printed, with mpmath's hyp2f1: only for the worked example."""
    r, alpha, a, b = [mp.mpf(v) for v in params]
    x, tx, T, t = [mp.mpf(v) for v in (x, tx, T, t)]
    z = t / (alpha + T + t)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * mp.hyp2f1(r + x, b + x, a + b + x - 1, z))
    den = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return num / den


def mbgnbd_pieces(params, x, tx, T):
    """MBG/NBD: (integral of 'active' term, integral of 'dropped' term) over the priors."""
    r, alpha, a, b = [mp.mpf(v) for v in params]
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    p_alive = p_integral(lambda p: (1 - p) ** (x + 1) * beta_pdf(p, a, b), x + 1, b)
    l_alive = lam_integral(lambda lam: lam**x * mp.exp(-lam * T) * gamma_pdf(lam, r, alpha), x, r, alpha + T)
    p_dead = p_integral(lambda p: p * (1 - p) ** x * beta_pdf(p, a, b), x + 1, b)
    l_dead = lam_integral(lambda lam: lam**x * mp.exp(-lam * tx) * gamma_pdf(lam, r, alpha), x, r, alpha + tx)
    return p_alive * l_alive, p_dead * l_dead


def mbgnbd_p_none(params, x, tx, T, t):
    """P(no purchase in (T, T+t] | history): active at T and no purchase for t, or dropped."""
    alive, dead = mbgnbd_pieces(params, x, tx, T)
    r, alpha, a, b = [mp.mpf(v) for v in params]
    xm, s = mp.mpf(x), mp.mpf(T) + mp.mpf(t)
    p_alive = p_integral(lambda p: (1 - p) ** (xm + 1) * beta_pdf(p, a, b), xm + 1, b)
    l_later = lam_integral(lambda lam: lam**xm * mp.exp(-lam * s) * gamma_pdf(lam, r, alpha), xm, r, alpha + s)
    return (p_alive * l_later + dead) / (alive + dead)


def gamma_moment(r, alpha, x, s):
    """int lam^x exp(-lam s) Gamma(lam; r, alpha) dlam = (r)_x alpha^r (alpha + s)^-(r+x)."""
    return mp.exp(mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha) - (r + x) * mp.log(alpha + s))


def mbgnbd_expected(params, x, tx, T, t):
    alive, dead = mbgnbd_pieces(params, x, tx, T)
    r, alpha, a, b = [mp.mpf(v) for v in params]
    xm, T_, t_ = mp.mpf(x), mp.mpf(T), mp.mpf(t)
    base = gamma_moment(r, alpha, xm, T_)

    def over_p(p):
        # int lam^x e^(-lam T) (1 - e^(-lam p t)) Gamma(lam) dlam = M(T) - M(T + p t), written
        # without the cancellation M(T) - M(T + pt) would suffer at tiny p.
        inner = base * -mp.expm1(-(r + xm) * mp.log1p(p * t_ / (alpha + T_)))
        return (1 - p) ** (xm + 1) * beta_pdf(p, a, b) * inner / p

    return p_integral(over_p, xm + 1, b) / (alive + dead)


def gg_expected(params, x, m):
    p, q, g = [mp.mpf(v) for v in params]
    x, m = mp.mpf(x), mp.mpf(m)
    # posterior of nu: prior nu^(q-1) exp(-g nu) times likelihood nu^(p x) exp(-nu x m)
    post = lambda nu: mp.exp((q - 1 + p * x) * mp.log(nu) - nu * (g + x * m))
    pts = lam_points(p * x + q, 1, g + x * m)
    return scaled_quad(lambda nu: post(nu) * p / nu, pts) / scaled_quad(post, pts)


def gg_loglik(params, x, m):
    """ln density of the mean of x values, integrated over nu's prior."""
    p, q, g = [mp.mpf(v) for v in params]
    x, m = mp.mpf(x), mp.mpf(m)

    def f(nu):
        # mean of x Gamma(p, nu) values ~ Gamma(shape p x, rate x nu)
        dens = mp.exp(p * x * mp.log(x * nu) + (p * x - 1) * mp.log(m) - x * nu * m - mp.loggamma(p * x))
        return dens * mp.exp(q * mp.log(g) + (q - 1) * mp.log(nu) - g * nu - mp.loggamma(q))

    return mp.log(scaled_quad(f, lam_points(p * x + q, 1, g + x * m)))


def fmt(v, digits=15):
    return mp.nstr(v, digits)


C2 = (0.243, 4.414, 0.793, 2.426)  # paper, weeks
C2_DAYS = (0.243, 4.414 * 7, 0.793, 2.426)  # the same model in days
A_ABOVE_1 = (1.5, 20.0, 2.5, 4.0)  # days, a > 1
A_IS_1 = (0.5, 10.0, 1.0, 3.0)  # a = 1 exactly: eq. 10's 0/0 case

LIKELIHOOD_CASES = [
    (C2, 0, 0, 38.86),
    (C2, 2, 30.43, 38.86),
    (C2, 1, 1.71, 38.86),
    (C2, 7, 29.43, 38.86),
    (C2, 3, 0, 38.86),
    (C2_DAYS, 0, 0, 5000),
    (C2_DAYS, 3, 100, 5000),
    (C2_DAYS, 50, 1800, 1825),
    (C2_DAYS, 5000, 4990, 5000),
    (C2_DAYS, 1, 0, 0),
    (A_ABOVE_1, 10, 200, 365),
    (A_IS_1, 4, 60, 100),
]
FORECAST_CASES = [
    (C2, 2, 30.43, 38.86, 39),
    (C2, 0, 0, 38.86, 39),
    (C2, 7, 29.43, 38.86, 10),
    (C2, 0, 0, 0, 78),
    (C2_DAYS, 3, 100, 5000, 365),
    (C2_DAYS, 50, 1800, 1825, 365),
    (C2_DAYS, 0, 0, 0, 365),
    (A_ABOVE_1, 10, 200, 365, 90),
    (A_IS_1, 4, 60, 100, 50),
    (A_IS_1, 0, 0, 0, 50),
]
MBG_CASES = [  # (params, x, tx, T, t): likelihood and P(alive) at T, forecasts over (T, T+t]
    (C2, 0, 0, 38.86, 39),
    (C2, 0, 0, 0, 78),
    (C2, 2, 30.43, 38.86, 39),
    (C2, 1, 1.71, 38.86, 39),
    (C2, 7, 29.43, 38.86, 10),
    (C2, 3, 0, 38.86, 39),
    (C2_DAYS, 0, 0, 30, 90),
    (C2_DAYS, 0, 0, 365, 90),
    (C2_DAYS, 0, 0, 5000, 365),
    (C2_DAYS, 3, 100, 5000, 365),
    (C2_DAYS, 50, 1800, 1825, 365),
    (C2_DAYS, 5000, 4990, 5000, 90),
    (C2_DAYS, 1, 0, 0, 365),
    (A_ABOVE_1, 10, 200, 365, 90),
    (A_IS_1, 4, 60, 100, 50),
    (A_IS_1, 0, 0, 0, 50),
]
GG = (6.25, 3.74, 15.44)


def main(blocks):
    if "likelihood" in blocks:
        print("# worked example, eq. 10 literally:", fmt(bgnbd_eq10_literal(C2, 2, 30.43, 38.86, 39)))
        print("# [params, x, tx, T, ln L, P(alive)]")
        for params, x, tx, T in LIKELIHOOD_CASES:
            ll, pa = bgnbd_loglik(params, x, tx, T), bgnbd_palive(params, x, tx, T)
            print(f"[{list(params)}, {x}, {tx}, {T}, {fmt(ll)}, {fmt(pa)}],")
    if "forecast" in blocks:
        print("# [params, x, tx, T, t, E[Y(t)], P(none in (T, T+t])]")
        for params, x, tx, T, t in FORECAST_CASES:
            e, none = bgnbd_expected(params, x, tx, T, t), bgnbd_p_none(params, x, tx, T, t)
            print(f"[{list(params)}, {x}, {tx}, {T}, {t}, {fmt(e)}, {fmt(none)}],", flush=True)
    if "mbgnbd" in blocks:
        r, alpha = mp.mpf("0.243"), mp.mpf("30.898")
        for x, s in [(0, 365), (7, 100)]:
            quad = lam_integral(lambda lam: lam**x * mp.exp(-lam * s) * gamma_pdf(lam, r, alpha), x, r, alpha + s)
            assert abs(quad / gamma_moment(r, alpha, x, s) - 1) < mp.mpf("1e-15"), (x, s)
        print("# MBG/NBD [params, x, tx, T, t, ln L, P(alive), E[Y(t)], P(none in (T, T+t])]")
        for params, x, tx, T, t in MBG_CASES:
            alive, dead = mbgnbd_pieces(params, x, tx, T)
            e, none = mbgnbd_expected(params, x, tx, T, t), mbgnbd_p_none(params, x, tx, T, t)
            vals = [mp.log(alive + dead), alive / (alive + dead), e, none]
            print(f"[{list(params)}, {x}, {tx}, {T}, {t}, {', '.join(fmt(v) for v in vals)}],", flush=True)
    if "gamma" in blocks:
        print("# Gamma-Gamma [x, mean, E[M | x, mean], ln f(mean | x)]")
        for x, m in [(1, 10.0), (5, 35.5), (50, 20.0), (2, 0.5)]:
            print(f"[{x}, {m}, {fmt(gg_expected(GG, x, m))}, {fmt(gg_loglik(GG, x, m))}],")
    if "special" in blocks:
        print("# log-gamma [x, ln Gamma(x)], nearest double")
        for v in ["1e-8", "0.243", "1", "2", "2.426", "15.44", "5000.7", "1e5", "1e17"]:
            print(f"[{v}, {float(mp.loggamma(mp.mpf(v)))!r}],")
        print("# 2F1 [a, b, c, z, value], nearest double")
        for a, b, c, z in [
            (1, 1, 2, "0.5"),
            (0.243 + 2, 2.426 + 2, 0.793 + 2.426 + 1, "0.4"),
            (0.4, -0.207, 3.2, "0.99"),
            (-1.3, 0.5, 0.7, "0.9"),
            (2.5, 1.5, 1.2, "-0.6"),
        ]:
            print(f"[{a}, {b}, {c}, {z}, {float(mp.hyp2f1(a, b, c, mp.mpf(z)))!r}],")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:] or ["likelihood", "forecast", "mbgnbd", "gamma", "special"])
