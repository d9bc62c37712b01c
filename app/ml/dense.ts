/** Small dense helpers shared by the ALS objective and the recommendation explanations. */

/** Upper triangle of M^T M (f x f, float64) for a rows x f row-major M. O(rows f^2 / 2). */
export function gramUpper(m: Float32Array, rows: number, f: number): Float64Array {
  const g = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const base = r * f;
    for (let a = 0; a < f; a++) {
      const va = m[base + a]!;
      if (va === 0) continue;
      for (let b = a; b < f; b++) g[a * f + b]! += va * m[base + b]!;
    }
  }
  return g;
}
