import type { CsrMatrix } from "../sparse";

import { instantiateKernel, kernelModule } from "./jobs.mjs";
import type { AlsModel } from "./train";

/**
 * Scores of every item for one user: out[i] = x_u . y_i, accumulated in float64.
 * O(items f).
 * @throws RangeError when `user` is out of range or `out` is shorter than model.items.
 */
export function scoreUser(model: AlsModel, user: number, out: Float32Array | Float64Array): void {
  const { factors: f, items, userFactors, itemFactors } = model;
  if (!(Number.isInteger(user) && user >= 0 && user < model.users)) throw new RangeError(`user ${user} out of range`);
  if (out.length < items) throw new RangeError(`out has ${out.length} slots for ${items} items`);
  const x = userFactors.subarray(user * f, user * f + f);
  for (let i = 0; i < items; i++) {
    let s = 0;
    const base = i * f;
    for (let k = 0; k < f; k++) s += x[k]! * itemFactors[base + k]!;
    out[i] = s;
  }
}

/** Users per kernel call: their factor rows (64 KB at f = 64) stay in L2 with a block of items. */
const BATCH = 256;
/** Candidates per block: 512 x 64 floats = 128 KB of packed item factors, also L2-resident. */
const BLOCK = 512;

/**
 * The k best items for every user, best first: row u of the result (users x k) holds item
 * ids, -1 where fewer than k items qualify. Scores x_u . y_i are float32 dot products computed
 * by a blocked WebAssembly SIMD kernel (4 users x 8 items per inner step) and selected with a
 * bounded min-heap per user; ties go to the lower item id.
 *
 * O(users items f) multiply-adds plus O(users items) comparisons, single-threaded.
 * @param options.excludeSeen drop items the user has in `userItems` (default true).
 * @param options.candidates items.length flags, 1 = may be recommended (default: all).
 * @throws RangeError on mismatched shapes or k < 0.
 */
export function topKForUsers(
  model: AlsModel,
  userItems: CsrMatrix,
  k: number,
  options: { excludeSeen?: boolean; candidates?: Uint8Array } = {},
): Int32Array {
  const { users, items, factors } = model;
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`k must be a non-negative integer, got ${k}`);
  if (userItems.rows !== users || userItems.cols !== items) {
    throw new RangeError(`matrix ${userItems.rows}x${userItems.cols} does not match model ${users}x${items}`);
  }
  if (options.candidates && options.candidates.length !== items) {
    throw new RangeError(`candidates has ${options.candidates.length} flags for ${items} items`);
  }
  const excludeSeen = options.excludeSeen ?? true;
  const result = new Int32Array(users * k).fill(-1);
  if (k === 0 || users === 0) return result;

  // Candidate list (ascending item ids) and the inverse map for translating seen items.
  const candidateOf = new Int32Array(items).fill(-1);
  const itemOf = new Int32Array(items);
  let nCand = 0;
  for (let i = 0; i < items; i++) {
    if (options.candidates && options.candidates[i] !== 1) continue;
    candidateOf[i] = nCand;
    itemOf[nCand++] = i;
  }
  if (nCand === 0) return result;

  const n = Math.ceil(factors / 4) * 4;
  const panels = Math.ceil(nCand / 8);
  let maxSeen = 0;
  if (excludeSeen) {
    for (let u0 = 0; u0 < users; u0 += BATCH) {
      const u1 = Math.min(u0 + BATCH, users);
      maxSeen = Math.max(maxSeen, userItems.indptr[u1]! - userItems.indptr[u0]!);
    }
  }
  let top = 0;
  const alloc = (bytes: number) => {
    const at = top;
    top += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const ypAt = alloc(panels * n * 8 * 4);
  const xAt = alloc(BATCH * n * 4);
  const heapScoreAt = alloc(BATCH * k * 4);
  const heapIndexAt = alloc(BATCH * k * 4);
  const scoresAt = alloc(4 * BLOCK * 4);
  const seenPtrAt = alloc((BATCH + 1) * 4);
  const seenIdxAt = alloc(Math.max(1, maxSeen) * 4);
  const pages = Math.ceil(top / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const kernel = instantiateKernel(kernelModule(), memory);
  const buffer = memory.buffer;

  // Pack candidates in panels of 8: panel p, factor k, lane j at ((p n + k) 8 + j), so the
  // kernel reads two f32x4 per factor and streams each panel front to back.
  const yp = new Float32Array(buffer, ypAt, panels * n * 8);
  for (let c = 0; c < nCand; c++) {
    const base = itemOf[c]! * factors;
    const panel = (c >> 3) * n * 8;
    const lane = c & 7;
    for (let q = 0; q < factors; q++) yp[panel + q * 8 + lane] = model.itemFactors[base + q]!;
  }
  const x = new Float32Array(buffer, xAt, BATCH * n);
  const heapScore = new Float32Array(buffer, heapScoreAt, BATCH * k);
  const heapIndex = new Int32Array(buffer, heapIndexAt, BATCH * k);
  const seenPtr = new Int32Array(buffer, seenPtrAt, BATCH + 1);
  const seenIdx = new Int32Array(buffer, seenIdxAt, Math.max(1, maxSeen));
  const order: number[] = [];

  for (let u0 = 0; u0 < users; u0 += BATCH) {
    const count = Math.min(BATCH, users - u0);
    for (let u = 0; u < count; u++) {
      x.set(model.userFactors.subarray((u0 + u) * factors, (u0 + u + 1) * factors), u * n);
    }
    heapScore.fill(-Infinity);
    heapIndex.fill(-1);
    let seen = 0;
    for (let u = 0; u < count; u++) {
      seenPtr[u] = seen;
      if (!excludeSeen) continue;
      // Ascending item ids map to ascending candidate indices; non-candidates need no mark.
      for (let p = userItems.indptr[u0 + u]!; p < userItems.indptr[u0 + u + 1]!; p++) {
        const c = candidateOf[userItems.indices[p]!]!;
        if (c >= 0) seenIdx[seen++] = c;
      }
    }
    seenPtr[count] = seen;
    kernel.topkBatch(xAt, count, ypAt, nCand, n, k, heapScoreAt, heapIndexAt, scoresAt, BLOCK, seenPtrAt, seenIdxAt);
    for (let u = 0; u < count; u++) {
      order.length = 0;
      for (let j = 0; j < k; j++) if (heapIndex[u * k + j]! >= 0) order.push(u * k + j);
      order.sort((a, b) => heapScore[b]! - heapScore[a]! || heapIndex[a]! - heapIndex[b]!);
      const out = (u0 + u) * k;
      for (let j = 0; j < order.length; j++) result[out + j] = itemOf[heapIndex[order[j]!]!]!;
    }
  }
  return result;
}
