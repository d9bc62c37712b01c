/**
 * L2-penalised logistic regression, the churn model's interpretable baseline (and the yardstick
 * the boosted trees must beat). Fitted by Newton's method, i.e. iteratively reweighted least
 * squares (McCullagh & Nelder 1989, ch. 4), with step halving so every accepted step lowers
 * the objective; the small (d + 1) x (d + 1) linear solves go through ml-matrix's Cholesky.
 *
 * Objective, for weights w rescaled to sum to n (so only their ratios matter: weights that are
 * all equal to any constant give exactly the unweighted fit):
 *   f(b0, b) = sum_i w_i [log(1 + exp(z_i)) - y_i z_i] + (l2 / 2) |b|^2,
 *   z_i = b0 + sum_j b_j (x_ij - mean_j) / scale_j,
 * with mean_j and scale_j the weighted mean and population standard deviation of column j.
 * The penalty acts on the standardised coefficients, so it does not depend on the units of the
 * features (a spend in cents and a spend in dollars get the same fit), and the intercept is not
 * penalised. This is scikit-learn's LogisticRegression(C = 1 / l2) on standardised features.
 * An l2 > 0 keeps the optimum finite on perfectly separable data, where the unpenalised
 * maximum-likelihood estimate does not exist.
 *
 * Constant columns carry no information and would make the Hessian singular when l2 = 0: they
 * get scale 1 and a coefficient of exactly 0 and take no part in the solve.
 * Only one class in the (positively weighted) labels: the intercept's optimum is at infinity;
 * the model then predicts the add-half smoothed rate (sum w y + 1/2) / (sum w + 1) for every
 * row, with zero coefficients, iterations = 0 and converged = false.
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";

export interface LogisticModel {
  /** Intercept on the standardised scale: the log-odds at the (weighted) mean feature vector. */
  intercept: number;
  /** Coefficients per standardised feature (log-odds per standard deviation); 0 for constant columns. */
  coefficients: Float64Array;
  /** Weighted column means subtracted before scaling. */
  mean: Float64Array;
  /** Weighted population standard deviations (1 for constant columns). */
  scale: Float64Array;
  /** Newton iterations taken. */
  iterations: number;
  /** True when the last Newton step moved no parameter by more than `tolerance`. */
  converged: boolean;
}

export interface LogisticOptions {
  /** Ridge penalty on the standardised coefficients; default 1. */
  l2?: number;
  /** Non-negative sample weights (relative: rescaled to sum to n); default all 1. */
  weights?: Float64Array;
  /** Newton iteration cap; default 100 (well-posed problems converge in under 10). */
  maxIterations?: number;
  /** Stop when a full Newton step moves every standardised parameter by at most this; default 1e-9. */
  tolerance?: number;
}

/** log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + exp(-z)) without overflow. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Checks the common arguments of fitLogistic and returns weights rescaled to sum to n.
 * @throws RangeError on inconsistent sizes, non-finite features, labels other than 0/1, or
 * negative / non-finite / all-zero weights.
 */
function checkedWeights(X: Float64Array, y: Uint8Array, n: number, d: number, weights?: Float64Array): Float64Array {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`n must be a positive integer, got ${n}`);
  if (!(Number.isInteger(d) && d >= 0)) throw new RangeError(`d must be a non-negative integer, got ${d}`);
  if (X.length !== n * d) throw new RangeError(`X has ${X.length} values, expected n * d = ${n * d}`);
  if (y.length !== n) throw new RangeError(`y has ${y.length} labels, expected ${n}`);
  for (let k = 0; k < X.length; k++) if (!Number.isFinite(X[k]!)) throw new RangeError(`X[${k}] is ${X[k]}`);
  for (let i = 0; i < n; i++) if (y[i]! > 1) throw new RangeError(`label ${i} is ${y[i]}, expected 0 or 1`);
  if (weights && weights.length !== n) throw new RangeError(`weights has ${weights.length} entries, expected ${n}`);
  const w = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights ? weights[i]! : 1;
    if (!(wi >= 0 && Number.isFinite(wi))) throw new RangeError(`weight ${i} is ${wi}`);
    w[i] = wi;
    total += wi;
  }
  if (!(total > 0)) throw new RangeError("the weights sum to 0");
  for (let i = 0; i < n; i++) w[i]! *= n / total;
  return w;
}

/**
 * Fits the penalised logistic regression described in the header.
 * @param X row-major n x d features (not modified)
 * @param y n labels, 0 or 1
 * Cost O(iterations * n * d^2) for the Hessians plus O(d^3) per solve; memory O(n d) for a
 * standardised copy of X.
 * @throws RangeError on bad sizes, labels, weights or options (see checkedWeights).
 */
export function fitLogistic(
  X: Float64Array,
  y: Uint8Array,
  n: number,
  d: number,
  options: LogisticOptions = {},
): LogisticModel {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  if (!(l2 >= 0 && Number.isFinite(l2))) throw new RangeError(`l2 must be >= 0, got ${l2}`);
  if (!(Number.isInteger(maxIterations) && maxIterations >= 0)) throw new RangeError("maxIterations must be >= 0");
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be positive, got ${tolerance}`);
  const w = checkedWeights(X, y, n, d, options.weights);

  // Weighted standardisation; constant columns (over the rows that carry weight) drop out.
  const mean = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  const active: number[] = [];
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = X[i * d + j]!;
      sum += w[i]! * x;
      if (w[i]! > 0) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    // Sum of w is n after rescaling. A constant column takes its exact value as mean: the
    // rounded weighted mean could differ from it by an ulp and leave noise to standardise.
    if (lo === hi) {
      mean[j] = lo;
      continue;
    }
    mean[j] = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const r = X[i * d + j]! - mean[j]!;
      squares += w[i]! * r * r;
    }
    scale[j] = Math.sqrt(squares / n);
    active.push(j);
  }

  let positive = 0;
  for (let i = 0; i < n; i++) positive += w[i]! * y[i]!;
  const coefficients = new Float64Array(d);
  // Positive weight on both classes? (Compare with a margin: the rescaled weights sum to n up to rounding.)
  let negative = 0;
  for (let i = 0; i < n; i++) negative += w[i]! * (1 - y[i]!);
  if (positive <= 0 || negative <= 0) {
    const rate = (positive + 0.5) / (n + 1);
    return { intercept: Math.log(rate / (1 - rate)), coefficients, mean, scale, iterations: 0, converged: false };
  }

  // Design matrix with a leading column of ones: row i is [1, standardised active features].
  const m = 1 + active.length;
  const Z = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    Z[i * m] = 1;
    for (let a = 0; a < active.length; a++) {
      const j = active[a]!;
      Z[i * m + 1 + a] = (X[i * d + j]! - mean[j]!) / scale[j]!;
    }
  }

  const objective = (theta: Float64Array): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let a = 0; a < m; a++) z += Z[i * m + a]! * theta[a]!;
      f += w[i]! * (softplus(z) - y[i]! * z);
    }
    for (let a = 1; a < m; a++) f += 0.5 * l2 * theta[a]! * theta[a]!;
    return f;
  };

  // Start from the intercept-only optimum (the log-odds of the weighted rate), coefficients 0.
  let theta = new Float64Array(m);
  theta[0] = Math.log(positive / negative);
  let f = objective(theta);
  const gradient = new Float64Array(m);
  const hessian = new Float64Array(m * m);
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations) {
    iterations++;
    const previous = f;
    gradient.fill(0);
    hessian.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let z = 0;
      for (let a = 0; a < m; a++) z += Z[row + a]! * theta[a]!;
      const p = sigmoid(z);
      const residual = w[i]! * (p - y[i]!);
      const curvature = w[i]! * p * (1 - p);
      for (let a = 0; a < m; a++) {
        const za = Z[row + a]!;
        gradient[a]! += residual * za;
        const zc = curvature * za;
        for (let b = a; b < m; b++) hessian[a * m + b]! += zc * Z[row + b]!;
      }
    }
    for (let a = 1; a < m; a++) {
      gradient[a]! += l2 * theta[a]!;
      hessian[a * m + a]! += l2;
    }
    const step = newtonStep(hessian, gradient, m);

    let largest = 0;
    for (let a = 0; a < m; a++) largest = Math.max(largest, Math.abs(step[a]!));
    // Halve the step until the objective does not increase. Near the optimum the change is
    // below rounding, so a step within tolerance is taken when it does no harm and ends the fit.
    let t = 1;
    let accepted = false;
    while (t >= 1e-10) {
      const candidate = theta.map((v, a) => v - t * step[a]!);
      const fc = objective(candidate);
      if (fc <= f) {
        theta = candidate;
        f = fc;
        accepted = true;
        break;
      }
      if (largest <= tolerance) break;
      t /= 2;
    }
    if (largest <= tolerance) {
      converged = true;
      break;
    }
    // No decrease along a descent direction: the objective is flat to rounding here.
    if (!accepted) break;
    // R's glm criterion (|dev - dev_old| / (|dev| + 0.1) < 1e-8, dev = 2 f). On a large,
    // ill-conditioned problem the Newton step stalls at a size set by rounding in the gradient
    // sum (2e-9 on 80,000 customers' churn features with l2 = 1), above `tolerance`, while the
    // objective no longer changes at all: without this test that fit ran all 100 iterations
    // (27 s instead of 0.6 s). Only with a penalty: then the optimum is finite, whereas without
    // one a flat objective can mean separable data running off to infinity.
    if (l2 > 0 && Math.abs(previous - f) / (Math.abs(f) + 0.05) < 5e-9) {
      converged = true;
      break;
    }
  }

  for (let a = 0; a < active.length; a++) coefficients[active[a]!] = theta[a + 1]!;
  return { intercept: theta[0]!, coefficients, mean, scale, iterations, converged };
}

/**
 * Solves H s = g for the Newton step s (H symmetric, upper triangle given) by Cholesky. When H
 * is not numerically positive definite (l2 = 0 with p(1 - p) underflowing on separable data) a
 * growing multiple of the identity is added: a Levenberg-style damping that keeps s a descent
 * direction. O(m^3).
 */
function newtonStep(upper: Float64Array, g: Float64Array, m: number): Float64Array {
  const h = new Matrix(m, m);
  let maxDiagonal = 0;
  for (let a = 0; a < m; a++) {
    maxDiagonal = Math.max(maxDiagonal, upper[a * m + a]!);
    for (let b = a; b < m; b++) {
      h.set(a, b, upper[a * m + b]!);
      h.set(b, a, upper[a * m + b]!);
    }
  }
  const rhs = Matrix.columnVector(Array.from(g));
  for (let jitter = 0; ; jitter = jitter === 0 ? 1e-12 * (1 + maxDiagonal) : jitter * 100) {
    const damped = h.clone();
    for (let a = 0; a < m; a++) damped.set(a, a, damped.get(a, a) + jitter);
    const cholesky = new CholeskyDecomposition(damped);
    if (cholesky.isPositiveDefinite()) return Float64Array.from(cholesky.solve(rhs).getColumn(0));
    // The Hessian is a sum of non-negative terms plus l2 I, so modest damping always succeeds;
    // this guard only stops a pathological loop (NaN in the data is rejected earlier).
    if (jitter > 1e12 * (1 + maxDiagonal)) throw new RangeError("Newton system could not be solved");
  }
}

/**
 * Probabilities of y = 1 for the n rows of a row-major n x d matrix (d = model.coefficients.length).
 * O(n d).
 * @throws RangeError when X has the wrong length or a non-finite value.
 */
export function predictLogistic(model: LogisticModel, X: Float64Array, n: number): Float64Array {
  const d = model.coefficients.length;
  if (X.length !== n * d) throw new RangeError(`X has ${X.length} values, expected n * d = ${n * d}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = model.intercept;
    for (let j = 0; j < d; j++) {
      const x = X[i * d + j]!;
      if (!Number.isFinite(x)) throw new RangeError(`X[${i * d + j}] is ${x}`);
      const c = model.coefficients[j]!;
      if (c !== 0) z += (c * (x - model.mean[j]!)) / model.scale[j]!;
    }
    out[i] = sigmoid(z);
  }
  return out;
}

/**
 * The model on the features' own scale: log-odds = intercept + sum_j coefficients[j] x_j
 * (what R's glm or statsmodels report). O(d).
 */
export function rawCoefficients(model: LogisticModel): { intercept: number; coefficients: Float64Array } {
  const d = model.coefficients.length;
  const coefficients = new Float64Array(d);
  let intercept = model.intercept;
  for (let j = 0; j < d; j++) {
    coefficients[j] = model.coefficients[j]! / model.scale[j]!;
    intercept -= coefficients[j]! * model.mean[j]!;
  }
  return { intercept, coefficients };
}

/**
 * The penalised objective f of the header at a model's parameters, for checking optimality
 * (tests compare it with an independent optimiser's minimum). O(n d).
 */
export function logisticObjective(
  model: LogisticModel,
  X: Float64Array,
  y: Uint8Array,
  n: number,
  options: Pick<LogisticOptions, "l2" | "weights"> = {},
): number {
  const d = model.coefficients.length;
  const w = checkedWeights(X, y, n, d, options.weights);
  const l2 = options.l2 ?? 1;
  let f = 0;
  for (let i = 0; i < n; i++) {
    let z = model.intercept;
    for (let j = 0; j < d; j++) z += (model.coefficients[j]! * (X[i * d + j]! - model.mean[j]!)) / model.scale[j]!;
    f += w[i]! * (softplus(z) - y[i]! * z);
  }
  for (let j = 0; j < d; j++) f += 0.5 * l2 * model.coefficients[j]! ** 2;
  return f;
}
