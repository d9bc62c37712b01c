/**
 * Why a product was recommended: the purchased products that contributed most to its score.
 *
 * For implicit ALS the user factor solves (YᵀC_uY + λI) x_u = YᵀC_u p_u, so the score of item j
 * is a sum over the user's history (Hu, Koren & Volinsky 2008, section 5):
 *   s_uj = y_jᵀ x_u = Σ_{i ∈ N(u)} c_ui · (y_jᵀ W_u y_i),  W_u = (YᵀC_uY + λI)⁻¹.
 * We factor A_u = YᵀY + Σ_i (c_ui − 1) y_i y_iᵀ + λI once per user (Cholesky), solve A_u z = y_j
 * for each recommended j, and rank history items by c_ui · zᵀy_i.
 *
 * Cost per user: O(|N(u)| f² + f³/3 + k (f² + |N(u)| f)). Dense f x f work is done by hand in
 * Float64Array: at f = 64, 40 purchases and 12 items per user it took 67 ms per 300 users
 * against 550 ms with ml-matrix (Matrix + CholeskyDecomposition), measured 2026-11-27.
 */
import { gramUpper } from "../dense";
import type { CsrMatrix } from "../sparse";

export interface ExplainModel {
  factors: number;
  itemFactors: Float32Array;
}

/** YᵀY, f x f, row-major, upper triangle filled: shared by every user's system. */
export function gramian(itemFactors: Float32Array, factors: number): Float64Array {
  return gramUpper(itemFactors, itemFactors.length / factors, factors);
}

/** In-place lower Cholesky factor of a symmetric positive definite matrix. @throws if not SPD. */
function cholesky(matrix: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let diagonal = matrix[j * n + j]!;
    for (let k = 0; k < j; k++) diagonal -= matrix[j * n + k]! ** 2;
    if (!(diagonal > 0)) throw new Error("matrix is not positive definite");
    const root = Math.sqrt(diagonal);
    matrix[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let sum = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= matrix[i * n + k]! * matrix[j * n + k]!;
      matrix[i * n + j] = sum / root;
    }
  }
}

/** Solves L Lᵀ z = rhs in place, L from cholesky(). */
function choleskySolve(lower: Float64Array, n: number, rhs: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = rhs[i]!;
    for (let k = 0; k < i; k++) sum -= lower[i * n + k]! * rhs[k]!;
    rhs[i] = sum / lower[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = rhs[i]!;
    for (let k = i + 1; k < n; k++) sum -= lower[k * n + i]! * rhs[k]!;
    rhs[i] = sum / lower[i * n + i]!;
  }
}

/** One user's factored system, ready to split any item's score over the user's history. */
export class UserExplainer {
  private readonly lower: Float64Array | null;
  private readonly start: number;
  private readonly end: number;
  private readonly z: Float64Array;

  constructor(
    private readonly model: ExplainModel,
    gram: Float64Array,
    private readonly userItems: CsrMatrix,
    user: number,
    private readonly params: { alpha: number; regularization: number },
  ) {
    const f = model.factors;
    const y = model.itemFactors;
    this.start = userItems.indptr[user]!;
    this.end = userItems.indptr[user + 1]!;
    this.z = new Float64Array(f);
    if (this.end === this.start) {
      this.lower = null;
      return;
    }
    // The Cholesky below reads the lower triangle: mirror YᵀY's upper one into it.
    const system = new Float64Array(f * f);
    for (let a = 0; a < f; a++) {
      for (let b = 0; b <= a; b++) system[a * f + b] = gram[b * f + a]!;
      system[a * f + a]! += params.regularization;
    }
    for (let p = this.start; p < this.end; p++) {
      const weight = params.alpha * userItems.values[p]!; // c_ui - 1
      const base = userItems.indices[p]! * f;
      for (let a = 0; a < f; a++) {
        const wa = weight * y[base + a]!;
        for (let b = 0; b <= a; b++) system[a * f + b]! += wa * y[base + b]!;
      }
    }
    cholesky(system, f);
    this.lower = system;
  }

  /** c_ui · y_jᵀ W_u y_i for each stored entry of the user's row, in row order; they sum to y_jᵀ x_u. */
  contributions(item: number): Float64Array {
    const out = new Float64Array(this.end - this.start);
    if (!this.lower) return out;
    const f = this.model.factors;
    const y = this.model.itemFactors;
    for (let a = 0; a < f; a++) this.z[a] = y[item * f + a]!;
    choleskySolve(this.lower, f, this.z);
    for (let p = this.start; p < this.end; p++) {
      const base = this.userItems.indices[p]! * f;
      let dot = 0;
      for (let a = 0; a < f; a++) dot += this.z[a]! * y[base + a]!;
      out[p - this.start] = (1 + this.params.alpha * this.userItems.values[p]!) * dot;
    }
    return out;
  }

  /** For each recommended item, the `top` history items with the largest positive shares; -1 pads. */
  explain(recommended: ArrayLike<number>, top = 2): Int32Array {
    const out = new Int32Array(recommended.length * top).fill(-1);
    if (!this.lower) return out;
    for (let r = 0; r < recommended.length; r++) {
      const item = recommended[r]!;
      if (item < 0) continue;
      const shares = this.contributions(item);
      const ranked = Array.from(shares.keys())
        .filter((p) => shares[p]! > 0)
        .sort((m, n) => shares[n]! - shares[m]! || m - n);
      for (let t = 0; t < Math.min(top, ranked.length); t++) {
        out[r * top + t] = this.userItems.indices[this.start + ranked[t]!]!;
      }
    }
    return out;
  }
}
