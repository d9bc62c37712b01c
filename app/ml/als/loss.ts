import { gramUpper } from "../dense";
import type { CsrMatrix } from "../sparse";

import type { AlsModel, AlsParams } from "./train";

/**
 * The implicit-ALS objective (Hu, Koren & Volinsky 2008, eq. 3):
 *   sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 + reg (sum |x_u|^2 + sum |y_i|^2),
 * c_ui = 1 + alpha * value, p_ui = [value > 0]. The users x items sum is never formed: with
 * s = x_u . y_i, sum_i s^2 over all items is x_u^T (YtY) x_u, and summing that over users is
 * <XtX, YtY> (a Frobenius product); stored entries then replace their s^2 by c (1 - s)^2.
 * Everything accumulates in float64. O(nnz f + (users + items) f^2).
 * @throws RangeError when the matrix shape does not match the model.
 */
export function alsLoss(userItems: CsrMatrix, model: AlsModel, params: AlsParams): number {
  const { users, items, factors: f, userFactors: xs, itemFactors: ys } = model;
  if (userItems.rows !== users || userItems.cols !== items) {
    throw new RangeError(`matrix ${userItems.rows}x${userItems.cols} does not match model ${users}x${items}`);
  }
  const xtx = gramUpper(xs, users, f);
  const yty = gramUpper(ys, items, f);
  let loss = 0;
  for (let a = 0; a < f; a++) {
    loss += xtx[a * f + a]! * yty[a * f + a]!;
    for (let b = a + 1; b < f; b++) loss += 2 * xtx[a * f + b]! * yty[a * f + b]!;
  }
  for (let u = 0; u < users; u++) {
    for (let p = userItems.indptr[u]!; p < userItems.indptr[u + 1]!; p++) {
      const value = userItems.values[p]!;
      if (!(value > 0)) continue; // p = 0, c = 1: already counted in the dense term
      const i = userItems.indices[p]!;
      let s = 0;
      for (let k = 0; k < f; k++) s += xs[u * f + k]! * ys[i * f + k]!;
      const c = 1 + params.alpha * value;
      loss += c * (1 - s) * (1 - s) - s * s;
    }
  }
  let norms = 0;
  for (let q = 0; q < xs.length; q++) norms += xs[q]! * xs[q]!;
  for (let q = 0; q < ys.length; q++) norms += ys[q]! * ys[q]!;
  return loss + params.regularization * norms;
}
