/**
 * Implicit ALS (Hu, Koren & Volinsky 2008) with CG row solves (Takács, Pilászy & Tikk 2011).
 * Reference values come from exact dense solves with ml-matrix's Cholesky decomposition of
 * the per-row normal equations (YtY + Yt (Cu - I) Y + reg I) x_u = Yt Cu p_u (paper eq. 4).
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";

import { AlsSolver, alsLoss, scoreUser, topKForUsers, trainAls, type AlsModel } from "~/ml/als";
import { kernelWasmBase64 } from "~/ml/als/kernel-wasm.mjs";
import { seededRandom, type Random } from "~/ml/random";
import { csrFromTriples, transpose, type CsrMatrix } from "~/ml/sparse";

/** A users x items matrix with about `density` of the cells stored, values 1..4. */
function randomMatrix(users: number, items: number, density: number, random: Random): CsrMatrix {
  const rows: number[] = [];
  const cols: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (random() < density) {
        rows.push(u);
        cols.push(i);
        values.push(1 + Math.floor(random() * 4));
      }
    }
  }
  return csrFromTriples(users, items, rows, cols, values);
}

/**
 * Exact solution of one row's normal equations:
 * (Ot O + sum_j (c_j - 1) o_j o_j^T + reg I) x = sum_j c_j o_j over the row's stored entries.
 */
function exactRow(
  m: CsrMatrix,
  row: number,
  other: Float32Array,
  otherRows: number,
  f: number,
  reg: number,
  alpha: number,
): number[] {
  const o = new Matrix(otherRows, f);
  for (let r = 0; r < otherRows; r++) for (let k = 0; k < f; k++) o.set(r, k, other[r * f + k]!);
  const a = o.transpose().mmul(o);
  const b = Matrix.zeros(f, 1);
  for (let p = m.indptr[row]!; p < m.indptr[row + 1]!; p++) {
    const j = m.indices[p]!;
    const c = 1 + alpha * m.values[p]!;
    for (let s = 0; s < f; s++) {
      b.set(s, 0, b.get(s, 0) + c * other[j * f + s]!);
      for (let t = 0; t < f; t++) a.set(s, t, a.get(s, t) + (c - 1) * other[j * f + s]! * other[j * f + t]!);
    }
  }
  for (let s = 0; s < f; s++) a.set(s, s, a.get(s, s) + reg);
  return new CholeskyDecomposition(a).solve(b).getColumn(0);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
  return worst;
}

describe("ALS conjugate-gradient half-steps", () => {
  // f = 6 also exercises the zero padding of factor rows to a multiple of 4.
  it.each([8, 6])("match exact Cholesky solves of each row to 1e-4 (f = %i)", async (factors) => {
    const m = randomMatrix(40, 25, 0.2, seededRandom(11));
    // CG is exact after f steps in exact arithmetic; in float32 a few more absorb the rounding.
    const params = { factors, iterations: 1, regularization: 0.3, alpha: 2, cgSteps: 2 * factors };
    const solver = new AlsSolver(m, params, seededRandom(5));
    try {
      // One full iteration first, so the factors are no longer the tiny random start.
      await solver.stepUsers();
      await solver.stepItems();
      const before = solver.model();
      await solver.stepUsers();
      const afterUsers = solver.model();
      for (let u = 0; u < m.rows; u++) {
        const exact = exactRow(m, u, before.itemFactors, m.cols, factors, 0.3, 2);
        const got = afterUsers.userFactors.subarray(u * factors, (u + 1) * factors);
        expect(maxAbsDiff(got, exact)).toBeLessThan(1e-4);
      }
      await solver.stepItems();
      const afterItems = solver.model();
      const mt = transpose(m);
      for (let i = 0; i < m.cols; i++) {
        const exact = exactRow(mt, i, afterUsers.userFactors, m.rows, factors, 0.3, 2);
        const got = afterItems.itemFactors.subarray(i * factors, (i + 1) * factors);
        expect(maxAbsDiff(got, exact)).toBeLessThan(1e-4);
      }
    } finally {
      await solver.close();
    }
  });

  it("never raises the weighted loss (3 CG steps, as in training)", async () => {
    const m = randomMatrix(300, 120, 0.05, seededRandom(21));
    const params = { factors: 16, iterations: 12, regularization: 0.5, alpha: 3 };
    const losses: number[] = [];
    const solver = new AlsSolver(m, params, seededRandom(3));
    losses.push(alsLoss(m, solver.model(), params));
    await solver.close();
    await trainAls(m, params, seededRandom(3), {
      onIteration: (_iteration, snapshot) => losses.push(alsLoss(m, snapshot(), params)),
    });
    expect(losses).toHaveLength(13);
    for (let t = 1; t < losses.length; t++) expect(losses[t]!).toBeLessThanOrEqual(losses[t - 1]! * (1 + 1e-7));
    expect(losses[12]!).toBeLessThan(0.9 * losses[0]!);
  });

  it("alsLoss equals the brute-force sum over every user-item pair", async () => {
    const m = randomMatrix(30, 20, 0.2, seededRandom(8));
    const params = { factors: 5, iterations: 2, regularization: 0.7, alpha: 1.5 };
    const model = await trainAls(m, params, seededRandom(9));
    let brute = 0;
    const dense = new Float64Array(30 * 20);
    for (let u = 0; u < 30; u++) {
      for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) dense[u * 20 + m.indices[p]!] = m.values[p]!;
    }
    const scores = new Float32Array(20);
    for (let u = 0; u < 30; u++) {
      scoreUser(model, u, scores);
      for (let i = 0; i < 20; i++) {
        const value = dense[u * 20 + i]!;
        const c = 1 + params.alpha * value;
        const pref = value > 0 ? 1 : 0;
        brute += c * (pref - scores[i]!) ** 2;
      }
    }
    for (const v of model.userFactors) brute += params.regularization * v * v;
    for (const v of model.itemFactors) brute += params.regularization * v * v;
    expect(alsLoss(m, model, params)).toBeCloseTo(brute, 4);
  });
});

describe("ALS input checks", () => {
  const m = randomMatrix(5, 4, 0.5, seededRandom(1));
  const params = { factors: 2, iterations: 1, regularization: 0.1, alpha: 1 };

  it("rejects bad parameters and negative values with RangeError", async () => {
    await expect(trainAls(m, { ...params, factors: 0 }, seededRandom(1))).rejects.toThrow(RangeError);
    await expect(trainAls(m, { ...params, threads: 1.5 }, seededRandom(1))).rejects.toThrow(RangeError);
    await expect(trainAls(m, { ...params, regularization: -1 }, seededRandom(1))).rejects.toThrow(RangeError);
    const negative = { ...m, values: m.values.map((v, k) => (k === 0 ? -v : v)) };
    await expect(trainAls(negative, params, seededRandom(1))).rejects.toThrow(RangeError);
  });
});

describe("ALS reproducibility and threads", () => {
  const m = randomMatrix(3000, 400, 0.02, seededRandom(31));
  const params = { factors: 32, iterations: 5, regularization: 0.5, alpha: 1 };

  it("gives bit-identical factors for the same seed with one thread", async () => {
    const a = await trainAls(m, params, seededRandom(77));
    const b = await trainAls(m, params, seededRandom(77));
    expect(Buffer.from(a.userFactors.buffer).equals(Buffer.from(b.userFactors.buffer))).toBe(true);
    expect(Buffer.from(a.itemFactors.buffer).equals(Buffer.from(b.itemFactors.buffer))).toBe(true);
    const c = await trainAls(m, params, seededRandom(78));
    expect(maxAbsDiff(a.userFactors, c.userFactors)).toBeGreaterThan(0);
  });

  it("gives the same factors and loss with two threads, up to float rounding", async () => {
    const one = await trainAls(m, params, seededRandom(77));
    const two = await trainAls(m, { ...params, threads: 2 }, seededRandom(77));
    // Only the summation order of YtY differs between thread counts.
    expect(maxAbsDiff(one.userFactors, two.userFactors)).toBeLessThan(1e-4);
    expect(maxAbsDiff(one.itemFactors, two.itemFactors)).toBeLessThan(1e-4);
    const lossOne = alsLoss(m, one, params);
    const lossTwo = alsLoss(m, two, params);
    expect(Math.abs(lossOne - lossTwo) / lossOne).toBeLessThan(1e-6);
  });
});

describe("topKForUsers", () => {
  const m = randomMatrix(150, 60, 0.1, seededRandom(41));
  let model: AlsModel;
  const k = 7;

  it("returns the best unseen candidates, best first", async () => {
    model = await trainAls(m, { factors: 12, iterations: 4, regularization: 0.2, alpha: 2 }, seededRandom(2));
    const candidates = new Uint8Array(60);
    for (let i = 0; i < 60; i++) candidates[i] = i % 3 === 0 ? 0 : 1;
    const top = topKForUsers(model, m, k, { candidates });
    const scores = new Float32Array(60);
    for (let u = 0; u < 150; u++) {
      scoreUser(model, u, scores);
      const seen = new Set(Array.from(m.indices.subarray(m.indptr[u]!, m.indptr[u + 1]!)));
      const allowed = Array.from({ length: 60 }, (_, i) => i).filter((i) => candidates[i] === 1 && !seen.has(i));
      const expected = allowed.sort((a, b) => scores[b]! - scores[a]!).slice(0, k);
      const got = Array.from(top.subarray(u * k, (u + 1) * k));
      expect(got).toHaveLength(k);
      for (const item of got) {
        expect(item).toBeGreaterThanOrEqual(0);
        expect(seen.has(item)).toBe(false);
        expect(candidates[item]).toBe(1);
      }
      expect(new Set(got).size).toBe(k);
      // float32 kernel scores vs float64 reference: compare scores, not ids, to allow near-ties.
      for (let j = 0; j < k; j++) expect(scores[got[j]!]!).toBeCloseTo(scores[expected[j]!]!, 5);
    }
  });

  it("keeps seen items when asked and pads with -1 when too few items qualify", () => {
    const candidates = new Uint8Array(60);
    candidates[4] = candidates[9] = candidates[50] = 1;
    const withSeen = topKForUsers(model, m, 5, { candidates, excludeSeen: false });
    const unseen = topKForUsers(model, m, 5, { candidates });
    for (let u = 0; u < 150; u++) {
      const row = Array.from(withSeen.subarray(u * 5, (u + 1) * 5));
      expect(row.slice(3)).toEqual([-1, -1]);
      expect(new Set(row.slice(0, 3))).toEqual(new Set([4, 9, 50]));
      const seen = new Set(Array.from(m.indices.subarray(m.indptr[u]!, m.indptr[u + 1]!)));
      const kept = [4, 9, 50].filter((i) => !seen.has(i));
      const got = Array.from(unseen.subarray(u * 5, (u + 1) * 5));
      expect(new Set(got.filter((i) => i >= 0))).toEqual(new Set(kept));
      expect(got.filter((i) => i < 0)).toHaveLength(5 - kept.length);
    }
  });

  it("recommends within the group for two groups with disjoint items", async () => {
    // Users 0-9 buy from items 0-9, users 10-19 from items 10-19: user u buys the 5 items
    // u, u+1, ..., u+4 (mod 10) of its group, so every item has 5 buyers in its group and
    // none outside it.
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < 20; u++) {
      const group = u < 10 ? 0 : 10;
      for (let t = 0; t < 5; t++) {
        rows.push(u);
        cols.push(group + ((u + t) % 10));
      }
    }
    const tiny = csrFromTriples(20, 20, rows, cols, new Array(rows.length).fill(1));
    const trained = await trainAls(
      tiny,
      { factors: 4, iterations: 15, regularization: 0.1, alpha: 10 },
      seededRandom(4),
    );
    const top = topKForUsers(trained, tiny, 3);
    for (let u = 0; u < 20; u++) {
      for (const item of top.subarray(u * 3, (u + 1) * 3)) {
        expect(item).toBeGreaterThanOrEqual(u < 10 ? 0 : 10);
        expect(item).toBeLessThan(u < 10 ? 10 : 20);
      }
    }
  });
});

describe("the committed WebAssembly kernel", () => {
  it("is what the AssemblyScript source compiles to", async () => {
    const { compileKernel } = await import("~/ml/als/assembly/build.mjs");
    const bytes = await compileKernel();
    expect(Buffer.from(bytes).toString("base64")).toBe(kernelWasmBase64);
  }, 60_000);
});
