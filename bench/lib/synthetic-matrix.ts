/**
 * Synthetic user x item interaction matrices for ALS timing, as specified in
 * /work/shared/EVALUATION.md ("Synthetic matrices for ALS timing"):
 * - user degree proportional to exp(1.2 z), z standard normal, scaled to sum exactly to nnz,
 *   clamped to 1 <= degree <= items / 4;
 * - item popularity Zipf(1.0) over a seeded random permutation of the item ids;
 * - each user's items distinct; value = repeat count, geometric with P(1) = 0.75;
 * - rows sorted by user then item.
 * Built straight into CSR typed arrays (12 bytes per nnz plus O(users + items)), so the 20M
 * entry matrix L needs about 250 MB and no per-entry objects.
 */
import { normalFrom, seededRandom, type Random } from "../../app/ml/random";
import type { CsrMatrix } from "../../app/ml/sparse";

export interface MatrixSize {
  users: number;
  items: number;
  nnz: number;
}

export const SIZES: Record<string, MatrixSize> = {
  S: { users: 100_000, items: 20_000, nnz: 2_000_000 },
  L: { users: 1_000_000, items: 100_000, nnz: 20_000_000 },
};

/**
 * Integer degrees with the given exact total: find the scale s with
 * sum clamp(w_u s, 1, cap) = total by bisection, floor, then hand the remaining units to the
 * largest fractional parts (among users below the cap).
 */
function degrees(users: number, items: number, nnz: number, random: Random): Int32Array {
  const cap = Math.max(1, Math.floor(items / 4));
  if (nnz < users || nnz > users * cap) throw new RangeError(`nnz ${nnz} cannot be spread over ${users} users`);
  const normal = normalFrom(random);
  const weight = new Float64Array(users);
  for (let u = 0; u < users; u++) weight[u] = Math.exp(1.2 * normal());
  const clampedSum = (scale: number) => {
    let sum = 0;
    for (let u = 0; u < users; u++) sum += Math.min(cap, Math.max(1, weight[u]! * scale));
    return sum;
  };
  let lo = 0;
  let hi = 1;
  while (clampedSum(hi) < nnz) hi *= 2;
  for (let step = 0; step < 200 && hi - lo > 1e-12 * hi; step++) {
    const mid = (lo + hi) / 2;
    if (clampedSum(mid) < nnz) lo = mid;
    else hi = mid;
  }
  const degree = new Int32Array(users);
  const fraction = new Float64Array(users);
  let total = 0;
  for (let u = 0; u < users; u++) {
    const real = Math.min(cap, Math.max(1, weight[u]! * lo));
    degree[u] = Math.floor(real);
    fraction[u] = degree[u]! < cap ? real - degree[u]! : -1;
    total += degree[u]!;
  }
  // Largest remainders first; ties by user id, so the result is deterministic.
  const order = new Int32Array(users);
  for (let u = 0; u < users; u++) order[u] = u;
  order.sort((a, b) => fraction[b]! - fraction[a]! || a - b);
  for (let k = 0; total < nnz; k = (k + 1) % users) {
    const u = order[k]!;
    if (degree[u]! < cap) {
      degree[u]!++;
      total++;
    }
  }
  return degree;
}

/** A seeded synthetic matrix; same size and seed give the same matrix. O(nnz log items). */
export function syntheticMatrix(size: MatrixSize, seed = 20260101): CsrMatrix {
  const { users, items, nnz } = size;
  const random = seededRandom(seed);
  const degree = degrees(users, items, nnz, random);

  // Zipf(1.0): rank r (1-based) has weight 1/r; ranks map to item ids by a Fisher-Yates
  // permutation, so popular items are scattered over the id range.
  const itemOfRank = new Int32Array(items);
  for (let i = 0; i < items; i++) itemOfRank[i] = i;
  for (let i = items - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = itemOfRank[i]!;
    itemOfRank[i] = itemOfRank[j]!;
    itemOfRank[j] = t;
  }
  const cumulative = new Float64Array(items);
  let mass = 0;
  for (let r = 0; r < items; r++) cumulative[r] = mass += 1 / (r + 1);

  const indptr = new Int32Array(users + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  // lastUser[i] = the last user that drew item i: a duplicate test without clearing a set.
  const lastUser = new Int32Array(items).fill(-1);
  let at = 0;
  for (let u = 0; u < users; u++) {
    const start = at;
    for (let drawn = 0; drawn < degree[u]!;) {
      // Inverse CDF by binary search over the cumulative weights.
      const target = random() * mass;
      let lo = 0;
      let hi = items - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! <= target) lo = mid + 1;
        else hi = mid;
      }
      const item = itemOfRank[lo]!;
      if (lastUser[item] === u) continue;
      lastUser[item] = u;
      indices[at++] = item;
      drawn++;
    }
    indices.subarray(start, at).sort();
    for (let k = start; k < at; k++) {
      let value = 1;
      while (random() < 0.25) value++;
      values[k] = value;
    }
    indptr[u + 1] = at;
  }
  return { rows: users, cols: items, indptr, indices, values };
}
