#!/usr/bin/env python3
"""
Reference values for the churn-model building blocks (app/ml/metrics/classification.ts and
app/ml/classify/*). Run: python3 test/reference/classify_reference.py (numpy 2.4.6, scipy
1.17.1 here; no scikit-learn). CI does not run this: it records where the constants embedded
in test/ml/classification-metrics.test.ts and test/ml/classify-*.test.ts came from. The
optimisers used here (scipy.optimize.minimize, scipy.optimize.isotonic_regression) are
independent of the TypeScript algorithms (IRLS, pool-adjacent-violators, Platt's Newton).
"""

import numpy as np
from scipy.integrate import quad
from scipy.optimize import isotonic_regression, minimize
from scipy.special import expit, log_expit
from scipy.stats import mannwhitneyu, norm

np.set_printoptions(precision=15)

# ---------------------------------------------------------------------------------------------
# 1. AUC = Mann-Whitney U / (n1 n0) on a small dataset with tied scores.
auc_scores = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.1, 0.9, 0.35, 0.6, 0.4, 0.8, 0.2])
auc_labels = np.array([0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1])
pos = auc_scores[auc_labels == 1]
neg = auc_scores[auc_labels == 0]
u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
print("AUC  U =", u, " n1 =", len(pos), " n0 =", len(neg), " AUC =", float(u / (len(pos) * len(neg))))

# Brier and log loss on probabilities including exact 0 and 1 (log loss clips at 1e-15).
p = np.array([0.9, 0.2, 0.6, 0.0, 1.0, 0.35])
y = np.array([1, 0, 0, 0, 0, 1])
print("Brier =", float(np.mean((p - y) ** 2)))
pc = np.clip(p, 1e-15, 1 - 1e-15)
print("log loss =", float(-np.mean(y * np.log(pc) + (1 - y) * np.log1p(-pc))))

# ---------------------------------------------------------------------------------------------
# 2. Penalised logistic regression on mtcars (R's datasets::mtcars, Henderson & Velleman 1981).
# Objective, as app/ml/classify/logistic.ts defines it:
#   f(b0, b) = sum_i w_i [log(1 + exp(z_i)) - y_i z_i] + l2 / 2 * |b|^2,
#   z_i = b0 + sum_j b_j (x_ij - m_j) / s_j,
# weights rescaled to sum to n, m_j and s_j the weighted mean and population sd of column j.
mpg = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
       14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4]
hp = [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215,
      230, 66, 52, 65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109]
wt = [2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070, 3.730, 3.780,
      5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520, 3.435, 3.840, 3.845, 1.935, 2.140, 1.513,
      3.170, 2.770, 3.570, 2.780]
qsec = [16.46, 17.02, 18.61, 19.44, 17.02, 20.22, 15.84, 20.00, 22.90, 18.30, 18.90, 17.40, 17.60, 18.00,
        17.98, 17.82, 17.42, 19.47, 18.52, 19.90, 20.01, 16.87, 17.30, 15.41, 17.05, 18.90, 16.70, 16.90,
        14.50, 15.50, 14.60, 18.60]
am = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1])


def fit_logistic(X, y, l2, w=None):
    n, d = X.shape
    w = np.ones(n) if w is None else np.asarray(w, float) * n / np.sum(w)
    m = (w @ X) / w.sum()
    s = np.sqrt((w @ (X - m) ** 2) / w.sum())
    Z = np.hstack([np.ones((n, 1)), (X - m) / s])
    pen = np.r_[0.0, np.full(d, l2)]

    def f(t):
        z = Z @ t
        return np.sum(w * (-log_expit(-z) - y * z)) + 0.5 * np.sum(pen * t * t)

    def g(t):
        return Z.T @ (w * (expit(Z @ t) - y)) + pen * t

    def h(t):
        q = expit(Z @ t)
        return (Z * (w * q * (1 - q))[:, None]).T @ Z + np.diag(pen)

    r = minimize(f, np.zeros(d + 1), jac=g, hess=h, method="trust-exact", options={"gtol": 1e-13})
    t = r.x
    raw = t[1:] / s
    return {
        "standardised": t,
        "raw_intercept": t[0] - np.sum(raw * m),
        "raw": raw,
        "objective": r.fun,
        "grad_max": np.max(np.abs(g(t))),
    }


for name, X, l2, w in [
    ("am ~ wt + hp, l2 = 0 (R glm: 18.86630, -8.08348, 0.03626)", np.c_[wt, hp], 0.0, None),
    ("am ~ wt + hp, l2 = 1", np.c_[wt, hp], 1.0, None),
    (
        "am ~ mpg + hp + wt + qsec, l2 = 0.5, weights 1 + (i mod 3)",
        np.c_[mpg, hp, wt, qsec],
        0.5,
        1 + np.arange(32) % 3,
    ),
]:
    r = fit_logistic(np.asarray(X, float), am, l2, w)
    print(f"logistic {name}:")
    print("  standardised [b0, b...] =", r["standardised"].tolist())
    print("  raw intercept =", float(r["raw_intercept"]), " raw coefficients =", r["raw"].tolist())
    print("  objective =", float(r["objective"]), " max |gradient| =", r["grad_max"])

# ---------------------------------------------------------------------------------------------
# 3. Isotonic regression: tied scores pooled into one weighted point (weighted mean label,
# summed weight), then scipy's pool-adjacent-violators on the pooled sequence.
iso_scores = np.array([0.05, 0.1, 0.1, 0.2, 0.3, 0.3, 0.3, 0.45, 0.5, 0.6, 0.6, 0.7, 0.8, 0.9, 0.95])
iso_labels = np.array([0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1], float)
iso_weights = np.array([1, 2, 1, 1, 0.5, 1, 1, 3, 1, 1, 2, 1, 1, 0.5, 1], float)
ux = np.unique(iso_scores)
wy = np.array([np.sum((iso_weights * iso_labels)[iso_scores == v]) for v in ux])
ww = np.array([np.sum(iso_weights[iso_scores == v]) for v in ux])
fit = isotonic_regression(wy / ww, weights=ww, increasing=True).x
print("isotonic unique scores =", ux.tolist())
print("isotonic fitted        =", fit.tolist())

# ---------------------------------------------------------------------------------------------
# 4. Platt scaling (Platt 1999): p = 1 / (1 + exp(a s + b)) fitted to smoothed targets
# t+ = (N+ + 1) / (N+ + 2), t- = 1 / (N- + 2) by minimising the cross-entropy.
platt_scores = np.array([-2.0, -1.5, -1.2, -0.8, -0.5, -0.3, 0.0, 0.2, 0.4, 0.7, 0.9, 1.3, 1.6, 2.2])
platt_labels = np.array([0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1])
n_pos = platt_labels.sum()
n_neg = len(platt_labels) - n_pos
t = np.where(platt_labels == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))


def platt_objective(ab):
    f = ab[0] * platt_scores + ab[1]
    # -t log(1 / (1 + e^f)) - (1 - t) log(e^f / (1 + e^f)) = t f + log(1 + e^-f)
    return np.sum(t * f - log_expit(f))


def platt_gradient(ab):
    q = expit(-(ab[0] * platt_scores + ab[1]))  # p = 1 / (1 + e^f)
    return np.array([np.sum((t - q) * platt_scores), np.sum(t - q)])


r = minimize(platt_objective, np.zeros(2), jac=platt_gradient, method="BFGS", options={"gtol": 1e-12})
print("Platt a, b =", r.x.tolist(), " objective =", float(r.fun), " |gradient| =", np.abs(platt_gradient(r.x)).max())

# ---------------------------------------------------------------------------------------------
# 5. The mis-calibrated synthetic problem of the calibration test: s ~ N(0, 1), y ~ Bernoulli(
# sigmoid(3 s)), reported probability sigmoid(s). Population Brier scores by quadrature:
# E[(sigmoid(s) - y)^2] = E[sigmoid(s)^2 - 2 sigmoid(s) sigmoid(3 s) + sigmoid(3 s)] for the raw
# scores, E[sigmoid(3 s) (1 - sigmoid(3 s))] for the true probabilities (the best possible).
raw_brier = quad(lambda s: norm.pdf(s) * (expit(s) ** 2 - 2 * expit(s) * expit(3 * s) + expit(3 * s)), -12, 12)[0]
true_brier = quad(lambda s: norm.pdf(s) * expit(3 * s) * (1 - expit(3 * s)), -12, 12)[0]
print("Brier of sigmoid(s) =", raw_brier, " of the true sigmoid(3 s) =", true_brier)
