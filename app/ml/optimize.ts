/**
 * Derivative-free minimisation for the small maximum-likelihood fits of app/ml/churn (4
 * parameters for BG/NBD, 3 for Gamma-Gamma): Nelder-Mead with the dimension-adaptive
 * coefficients of Gao & Han (2012, "Implementing the Nelder-Mead simplex algorithm with
 * adaptive parameters", Computational Optimization and Applications 51), simple box bounds,
 * several starting points and a final polishing restart.
 *
 * Why hand-written: npm has no maintained, bounded optimiser that fits. `fmin` (0.0.4) and
 * `optimization-js` (1.5.0) are small 0.x/1.x packages without box bounds or restarts,
 * `ml-levenberg-marquardt` fits curves to (x, y) points rather than minimising an arbitrary
 * function, and ml-matrix and simple-statistics have no minimiser. Nelder-Mead is ~150 lines,
 * needs no gradients (the likelihoods' derivatives involve digamma sums we would otherwise have
 * to write and test as well), and at 3-4 dimensions converges in a few hundred evaluations.
 *
 * Why restarts: Nelder-Mead can stall on a collapsed simplex away from the optimum (McKinnon
 * 1998). Starting from several points and re-running from the best point with a fresh,
 * full-size simplex is the standard cure; the restart also serves as a convergence check.
 */

/** Objective: maps a point to a value to minimise. NaN is treated as +Infinity. */
export type Objective = (x: Float64Array) => number;

export interface MinimizeOptions {
  /** Lower bounds per coordinate; trial points are clamped into [lower, upper]. */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** Budget of objective evaluations over all starts and the polish. Default 400 * dims + 1000. */
  maxEvaluations?: number;
  /** Edge of the initial simplex along each axis (in x's units). Default 0.5. */
  initialStep?: number;
  /** Stop when every vertex is within this of the best, per coordinate. Default 1e-7. */
  xTolerance?: number;
  /** ... and the values differ by at most this times max(1, |best|). Default 1e-11. */
  fTolerance?: number;
}

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  evaluations: number;
  /** The final (polish) run met both tolerances within the budget. */
  converged: boolean;
}

function clampInto(x: Float64Array, lower?: ArrayLike<number>, upper?: ArrayLike<number>): Float64Array {
  for (let i = 0; i < x.length; i++) {
    if (lower && x[i]! < lower[i]!) x[i] = lower[i]!;
    if (upper && x[i]! > upper[i]!) x[i] = upper[i]!;
  }
  return x;
}

/**
 * One Nelder-Mead run from x0 with an axis-aligned initial simplex (x0 and x0 + step e_i; the
 * step flips sign when it would leave the box). O(evaluations * dims) besides the objective.
 * @throws RangeError when x0 is empty or has a non-finite coordinate.
 */
export function nelderMead(f: Objective, x0: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  const n = x0.length;
  if (n === 0) throw new RangeError("nelderMead needs at least one coordinate");
  for (let i = 0; i < n; i++) if (!Number.isFinite(x0[i]!)) throw new RangeError(`x0[${i}] is not finite`);
  const { lower, upper } = options;
  const maxEvaluations = options.maxEvaluations ?? 400 * n + 1000;
  const step = options.initialStep ?? 0.5;
  const xTol = options.xTolerance ?? 1e-7;
  const fTol = options.fTolerance ?? 1e-11;
  // Gao & Han's coefficients; at n = 1 they degenerate (shrink factor 0), so use n >= 2.
  const m = Math.max(n, 2);
  const reflect = 1;
  const expand = 1 + 2 / m;
  const contract = 0.75 - 1 / (2 * m);
  const shrink = 1 - 1 / m;

  let evaluations = 0;
  const evaluate = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };

  const simplex: Float64Array[] = [];
  const values = new Float64Array(n + 1);
  simplex.push(clampInto(Float64Array.from(x0), lower, upper));
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(simplex[0]!);
    v[i] = v[i]! + step;
    if (upper && v[i]! > upper[i]!) v[i] = simplex[0]![i]! - step;
    simplex.push(clampInto(v, lower, upper));
  }
  for (let i = 0; i <= n; i++) values[i] = evaluate(simplex[i]!);

  const order = Int32Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const trial = (from: Float64Array, towards: Float64Array, coef: number): Float64Array => {
    // from + coef * (from - towards): reflection/expansion use the centroid as `from`.
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = from[j]! + coef * (from[j]! - towards[j]!);
    return clampInto(out, lower, upper);
  };

  let converged = false;
  while (evaluations < maxEvaluations) {
    order.sort((i, j) => values[i]! - values[j]!);
    const best = order[0]!;
    const worst = order[n]!;
    const secondWorst = order[n - 1]!;

    let spread = 0;
    for (let i = 0; i <= n; i++) {
      for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(simplex[i]![j]! - simplex[best]![j]!));
    }
    const fBest = values[best]!;
    if (spread <= xTol && values[worst]! - fBest <= fTol * Math.max(1, Math.abs(fBest))) {
      converged = true;
      break;
    }

    centroid.fill(0);
    for (let i = 0; i <= n; i++) {
      if (i === worst) continue;
      for (let j = 0; j < n; j++) centroid[j]! += simplex[i]![j]! / n;
    }
    const xr = trial(centroid, simplex[worst]!, reflect);
    const fr = evaluate(xr);
    if (fr < fBest) {
      const xe = trial(centroid, simplex[worst]!, reflect * expand);
      const fe = evaluate(xe);
      if (fe < fr) {
        simplex[worst] = xe;
        values[worst] = fe;
      } else {
        simplex[worst] = xr;
        values[worst] = fr;
      }
      continue;
    }
    if (fr < values[secondWorst]!) {
      simplex[worst] = xr;
      values[worst] = fr;
      continue;
    }
    // Contraction: outside (towards the reflected point) when it improved on the worst, else inside.
    const outside = fr < values[worst]!;
    const xc = outside
      ? trial(centroid, simplex[worst]!, reflect * contract)
      : trial(centroid, simplex[worst]!, -contract);
    const fc = evaluate(xc);
    if (fc <= (outside ? fr : values[worst]!)) {
      simplex[worst] = xc;
      values[worst] = fc;
      continue;
    }
    // Shrink every vertex towards the best one.
    const xb = simplex[best]!;
    for (let i = 0; i <= n; i++) {
      if (i === best) continue;
      const v = simplex[i]!;
      for (let j = 0; j < n; j++) v[j] = xb[j]! + shrink * (v[j]! - xb[j]!);
      clampInto(v, lower, upper);
      values[i] = evaluate(v);
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[best]!) best = i;
  return { x: simplex[best]!, value: values[best]!, evaluations, converged };
}

/**
 * Nelder-Mead from each starting point (each with the budget left after the earlier ones, split
 * evenly, and with 1000 times looser tolerances), then a polishing run from the best point
 * found with a fresh simplex and the requested tolerances. `converged` is the polish run's. O(total evaluations * dims) besides the objective.
 * @throws RangeError when there is no starting point or the starts differ in dimension.
 */
export function minimize(f: Objective, starts: ArrayLike<number>[], options: MinimizeOptions = {}): MinimizeResult {
  if (starts.length === 0) throw new RangeError("minimize needs at least one starting point");
  const n = starts[0]!.length;
  if (starts.some((s) => s.length !== n)) throw new RangeError("starting points differ in dimension");
  const budget = options.maxEvaluations ?? (400 * n + 1000) * (starts.length + 1);
  let used = 0;
  let best: MinimizeResult | null = null;
  for (let k = 0; k < starts.length; k++) {
    // Keep a share for the later starts and for the polish.
    const share = Math.floor((budget - used) / (starts.length - k + 1));
    // The starts only have to find the best basin: a 1000 times looser tolerance roughly halves
    // their cost, and the polish run below converges to the requested tolerance.
    const run = nelderMead(f, starts[k]!, {
      ...options,
      maxEvaluations: share,
      xTolerance: 1000 * (options.xTolerance ?? 1e-7),
      fTolerance: 1000 * (options.fTolerance ?? 1e-11),
    });
    used += run.evaluations;
    if (best === null || run.value < best.value) best = run;
  }
  const polish = nelderMead(f, best!.x, { ...options, maxEvaluations: Math.max(budget - used, 1) });
  used += polish.evaluations;
  const final = polish.value <= best!.value ? polish : { ...best!, converged: false };
  return { x: final.x, value: final.value, evaluations: used, converged: polish.converged };
}
