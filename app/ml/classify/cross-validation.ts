/**
 * K-fold cross-validation helpers: stratified fold assignment and out-of-fold predictions.
 * Out-of-fold predictions let the churn model be evaluated (AUC, Brier) and calibrated on
 * scores from models that never saw the row, using every row once, which matters for small
 * shops where a single hold-out split would leave too few churners to measure anything.
 *
 * Stratification keeps each class's share the same in every fold (to within one row), so a
 * rare class cannot end up missing from a fold by chance. Randomness is a seed, never
 * Math.random(): the same seed gives the same folds.
 */
import { seededRandom } from "~/ml/random";

/**
 * A fold index in 0..k-1 for each row. Rows of each label value are shuffled (Fisher-Yates
 * with seededRandom(seed)) and dealt round-robin, the deal continuing across classes (in
 * increasing label order) so the fold sizes also differ by at most one. With k > n some folds
 * are empty. O(n log n) for grouping by label.
 * @throws RangeError when k is not an integer >= 2, or a label is not finite.
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Int32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`k must be an integer >= 2, got ${k}`);
  const n = labels.length;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (!Number.isFinite(label)) throw new RangeError(`label ${i} is ${label}`);
    const rows = byClass.get(label);
    if (rows) rows.push(i);
    else byClass.set(label, [i]);
  }
  const random = seededRandom(seed);
  const folds = new Int32Array(n);
  let dealt = 0;
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(label)!;
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const swap = rows[i]!;
      rows[i] = rows[j]!;
      rows[j] = swap;
    }
    for (const row of rows) folds[row] = dealt++ % k;
  }
  return folds;
}

/**
 * Out-of-fold predictions: for each fold f, fitAndPredict(rows not in f, rows in f) fits on the
 * first set and returns one prediction per row of the second, in the same order. Empty folds
 * are skipped. Cost: k calls of fitAndPredict plus O(n k) bookkeeping.
 * @param folds fold index per row, in 0..k-1 (as stratifiedFolds returns)
 * @returns prediction per row, each from the model that did not see it
 * @throws RangeError when folds has the wrong length or an index outside 0..k-1, a non-empty
 * fold leaves no training rows, or fitAndPredict returns the wrong number of predictions.
 */
export function crossValidatedPredictions(
  n: number,
  folds: Int32Array,
  k: number,
  fitAndPredict: (trainRows: Int32Array, testRows: Int32Array) => Float64Array,
): Float64Array {
  if (folds.length !== n) throw new RangeError(`folds has ${folds.length} entries, expected ${n}`);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const f = folds[i]!;
    if (!(f >= 0 && f < k)) throw new RangeError(`row ${i} is in fold ${f}, expected 0..${k - 1}`);
    sizes[f]!++;
  }
  const out = new Float64Array(n);
  for (let f = 0; f < k; f++) {
    if (sizes[f] === 0) continue;
    if (sizes[f] === n) throw new RangeError(`fold ${f} holds every row: nothing to train on`);
    const test = new Int32Array(sizes[f]!);
    const train = new Int32Array(n - sizes[f]!);
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (folds[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    const predictions = fitAndPredict(train, test);
    if (predictions.length !== test.length) {
      throw new RangeError(`fold ${f}: ${predictions.length} predictions for ${test.length} rows`);
    }
    for (let t = 0; t < test.length; t++) out[test[t]!] = predictions[t]!;
  }
  return out;
}
