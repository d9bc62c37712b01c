// AssemblyScript source (f32, v128, load/store and @inline are asc builtins). The file is
// named .as rather than .ts so that tsc, ESLint and Prettier, which cannot parse AssemblyScript,
// leave it alone; ./build.mjs hands it to asc as "kernel.ts" and writes ../kernel-wasm.mjs.
/**
 * WebAssembly SIMD (f32x4) kernels for implicit-feedback ALS.
 *
 * Why WebAssembly: the work is dense float32 multiply-adds over short vectors (64 factors).
 * Scalar JavaScript on Float32Arrays computes one lane per instruction and converts every
 * element to float64; f32x4 does four lanes per instruction and stays in float32, which is
 * what the reference C++ library (implicit) does with BLAS. Measured on S (100k x 20k, 2M nnz,
 * 64 factors, 3 CG steps), one user half-step on one thread: plain scalar JavaScript over
 * Float32Arrays 1.72 s of CPU, this kernel 0.17 s (10x). Trying f32x4.relaxed_madd (fused
 * multiply-add) instead of mul + add gave no measurable gain, so the kernel keeps the
 * deterministic mul + add, whose results do not depend on the CPU.
 *
 * Memory model: the JavaScript side owns one (shared) linear memory and lays out every array
 * itself; these functions only receive byte addresses. Nothing here allocates, so the module
 * needs no runtime. Vectors have `n` floats where n is a multiple of 4 (factors padded with
 * zeros), every array starts on a 16-byte boundary.
 *
 * References: Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback Datasets",
 * ICDM 2008 (the objective and the YtY + Yt(Cu - I)Y decomposition); Takács, Pilászy & Tikk,
 * "Applications of the conjugate gradient method for implicit feedback collaborative
 * filtering", RecSys 2011 (a few CG steps per row, warm-started from the previous iterate).
 */

// ---------------------------------------------------------------------------------------------
// Vector primitives. `@inline` because V8's wasm tier does not inline calls, and these sit in
// the innermost loops.

@inline function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** a . b over n floats. Four independent accumulators hide the add latency when n >= 16. */
@inline function dot(a: usize, b: usize, n: i32): f32 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let k = 0;
  for (; k + 16 <= n; k += 16) {
    const o = <usize>k << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
    s1 = madd(v128.load(a + o, 16), v128.load(b + o, 16), s1);
    s2 = madd(v128.load(a + o, 32), v128.load(b + o, 32), s2);
    s3 = madd(v128.load(a + o, 48), v128.load(b + o, 48), s3);
  }
  for (; k < n; k += 4) {
    const o = <usize>k << 2;
    s0 = madd(v128.load(a + o), v128.load(b + o), s0);
  }
  return hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
}

/** dst += a * src over n floats. */
@inline function axpy(dst: usize, src: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  let k = 0;
  for (; k + 16 <= n; k += 16) {
    const o = <usize>k << 2;
    v128.store(dst + o, madd(av, v128.load(src + o), v128.load(dst + o)));
    v128.store(dst + o, madd(av, v128.load(src + o, 16), v128.load(dst + o, 16)), 16);
    v128.store(dst + o, madd(av, v128.load(src + o, 32), v128.load(dst + o, 32)), 32);
    v128.store(dst + o, madd(av, v128.load(src + o, 48), v128.load(dst + o, 48)), 48);
  }
  for (; k < n; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, madd(av, v128.load(src + o), v128.load(dst + o)));
  }
}

/** dst = src + b * dst over n floats (the CG direction update p = r + beta p). */
@inline function xpby(dst: usize, src: usize, b: f32, n: i32): void {
  const bv = f32x4.splat(b);
  for (let k = 0; k < n; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, madd(bv, v128.load(dst + o), v128.load(src + o)));
  }
}

/**
 * out = G v for a symmetric n x n row-major G. Symmetry lets us sum rows scaled by v[b]
 * (column form) instead of taking n horizontal dot products: the 16-float slice of `out`
 * stays in four registers while b runs over all rows.
 */
function symv(g: usize, v: usize, out: usize, n: i32): void {
  const rowBytes = <usize>n << 2;
  let c = 0;
  for (; c + 16 <= n; c += 16) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let gp = g + (<usize>c << 2);
    for (let b = 0; b < n; b++) {
      const s = v128.load32_splat(v + (<usize>b << 2));
      a0 = madd(s, v128.load(gp), a0);
      a1 = madd(s, v128.load(gp, 16), a1);
      a2 = madd(s, v128.load(gp, 32), a2);
      a3 = madd(s, v128.load(gp, 48), a3);
      gp += rowBytes;
    }
    const o = out + (<usize>c << 2);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; c < n; c += 4) {
    let a0 = f32x4.splat(0);
    let gp = g + (<usize>c << 2);
    for (let b = 0; b < n; b++) {
      a0 = madd(v128.load32_splat(v + (<usize>b << 2)), v128.load(gp), a0);
      gp += rowBytes;
    }
    v128.store(out + (<usize>c << 2), a0);
  }
}

// ---------------------------------------------------------------------------------------------
// ALS half-step.

/**
 * Updates rows [start, end) of X (rows x n, row-major) by `cgSteps` conjugate-gradient steps
 * on (G + Yt (Cu - I) Y) x_u = Yt Cu p_u, where G = YtY + reg I is precomputed, the row's
 * stored entries give p = 1 and conf1[j] = c - 1 = alpha * value, and every other item has
 * c = 1, p = 0 (Hu et al. 2008, eq. 4). CG starts from the current x_u (Takács et al. 2011,
 * algorithm 2), so 3 steps per ALS iteration are enough once the factors settle.
 *
 * Cost per row: (cgSteps + 1) * (n^2 + 4 n nnz_u) multiply-adds.
 * `scratch` holds 3 n floats (r, p, Ap) private to the calling thread.
 */
export function solveRows(
  x: usize,
  y: usize,
  indptr: usize,
  indices: usize,
  conf1: usize,
  g: usize,
  scratch: usize,
  n: i32,
  cgSteps: i32,
  start: i32,
  end: i32,
): void {
  const rowBytes = <usize>n << 2;
  const r = scratch;
  const p = scratch + rowBytes;
  const ap = p + rowBytes;
  for (let u = start; u < end; u++) {
    const xu = x + <usize>u * rowBytes;
    const lo = load<i32>(indptr + (<usize>u << 2));
    const hi = load<i32>(indptr + (<usize>u << 2), 4);
    // r = b - A x = Yt Cu p - G x - Yt (Cu - I) Y x; the sparse sum folds both row terms.
    symv(g, xu, r, n);
    for (let k = 0; k < n; k += 4) {
      const o = <usize>k << 2;
      v128.store(r + o, f32x4.neg(v128.load(r + o)));
    }
    for (let j = lo; j < hi; j++) {
      const yi = y + <usize>load<i32>(indices + (<usize>j << 2)) * rowBytes;
      const c1 = load<f32>(conf1 + (<usize>j << 2));
      axpy(r, yi, 1 + c1 - c1 * dot(yi, xu, n), n);
    }
    memory.copy(p, r, rowBytes);
    let rs = dot(r, r, n);
    // Already exact (e.g. an empty row whose x is 0): another step would divide 0 by 0.
    if (rs < 1e-20) continue;
    for (let step = 0; step < cgSteps; step++) {
      symv(g, p, ap, n);
      for (let j = lo; j < hi; j++) {
        const yi = y + <usize>load<i32>(indices + (<usize>j << 2)) * rowBytes;
        const c1 = load<f32>(conf1 + (<usize>j << 2));
        axpy(ap, yi, c1 * dot(yi, p, n), n);
      }
      const alpha = rs / dot(p, ap, n);
      axpy(xu, p, alpha, n);
      axpy(r, ap, -alpha, n);
      const rsNew = dot(r, r, n);
      if (rsNew < 1e-20) break;
      xpby(p, r, rsNew / rs, n);
      rs = rsNew;
    }
  }
}

/**
 * acc (n x n float64) += sum over rows [start, end) of y_r y_r^T, upper triangle only (entry
 * (a, b) is valid for b >= a; the caller mirrors it). Rows are summed in float32 blocks of
 * 512 into `tmp` (n x n float32, thread-private) and each block is added to the float64
 * total, so rounding error grows with the block size, not with millions of rows. Two rows
 * per pass halve the loads and stores of `tmp`; skipping the lower triangle (from the
 * 4-aligned column at or below the diagonal) halves the work. O(n^2 (end - start) / 2).
 */
export function gramRange(y: usize, n: i32, start: i32, end: i32, tmp: usize, acc: usize): void {
  const rowBytes = <usize>n << 2;
  const nn = n * n;
  for (let b0 = start; b0 < end; b0 += 512) {
    const b1 = min(b0 + 512, end);
    memory.fill(tmp, 0, <usize>nn << 2);
    let row = b0;
    for (; row + 2 <= b1; row += 2) {
      const y0 = y + <usize>row * rowBytes;
      const y1 = y0 + rowBytes;
      let t = tmp;
      for (let a = 0; a < n; a++) {
        const s0 = v128.load32_splat(y0 + (<usize>a << 2));
        const s1 = v128.load32_splat(y1 + (<usize>a << 2));
        for (let k = a & ~3; k < n; k += 4) {
          const o = <usize>k << 2;
          v128.store(t + o, madd(s1, v128.load(y1 + o), madd(s0, v128.load(y0 + o), v128.load(t + o))));
        }
        t += rowBytes;
      }
    }
    if (row < b1) {
      const y0 = y + <usize>row * rowBytes;
      let t = tmp;
      for (let a = 0; a < n; a++) {
        const from = <usize>(a & ~3) << 2;
        axpy(t + from, y0 + from, load<f32>(y0 + (<usize>a << 2)), n - (a & ~3));
        t += rowBytes;
      }
    }
    for (let q = 0; q < nn; q++) {
      const d = acc + (<usize>q << 3);
      store<f64>(d, load<f64>(d) + <f64>load<f32>(tmp + (<usize>q << 2)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Top-k recommendation: blocked score products plus bounded min-heaps.

/** Restores the min-heap property below slot 0 after heap[0] was replaced. O(log k). */
@inline function siftDown(hs: usize, hi: usize, k: i32): void {
  let at = 0;
  const s = load<f32>(hs);
  const id = load<i32>(hi);
  for (;;) {
    let child = 2 * at + 1;
    if (child >= k) break;
    let cs = load<f32>(hs + (<usize>child << 2));
    if (child + 1 < k) {
      const rs = load<f32>(hs + (<usize>(child + 1) << 2));
      if (rs < cs) {
        child++;
        cs = rs;
      }
    }
    if (cs >= s) break;
    store<f32>(hs + (<usize>at << 2), cs);
    store<i32>(hi + (<usize>at << 2), load<i32>(hi + (<usize>child << 2)));
    at = child;
  }
  store<f32>(hs + (<usize>at << 2), s);
  store<i32>(hi + (<usize>at << 2), id);
}

/**
 * Offers scores[0 .. count) (candidate indices base + j) to one user's min-heap of size k.
 * Four scores are compared with the heap minimum at once; the scalar path runs only for
 * lanes that beat it, which after the first few hundred candidates is rare.
 */
@inline function offer(scores: usize, count: i32, base: i32, hs: usize, hi: usize, k: i32): void {
  let threshold = load<f32>(hs);
  for (let j = 0; j < count; j += 4) {
    const v = v128.load(scores + (<usize>j << 2));
    if (!v128.any_true(f32x4.gt(v, f32x4.splat(threshold)))) continue;
    const last = min(j + 4, count);
    for (let q = j; q < last; q++) {
      const s = load<f32>(scores + (<usize>q << 2));
      if (s > threshold) {
        store<f32>(hs, s);
        store<i32>(hi, base + q);
        siftDown(hs, hi, k);
        threshold = load<f32>(hs);
      }
    }
  }
}

/**
 * Top-k candidates for `users` users (factor rows at x, n floats each) against candidates
 * packed in panels of 8: panel p holds candidates 8p .. 8p+7 as [n][8] floats (zero-padded
 * past nCand). Heaps (heapScore/heapIndex, users x k, pre-filled with -inf / -1) persist
 * across calls, so a caller can feed candidates in several passes. Seen candidates (seenPtr:
 * users + 1 offsets into seenIdx, ascending candidate indices) are skipped.
 * `scores` holds 4 x block floats. O(users nCand n) multiply-adds.
 */
export function topkBatch(
  x: usize,
  users: i32,
  yp: usize,
  nCand: i32,
  n: i32,
  k: i32,
  heapScore: usize,
  heapIndex: usize,
  scores: usize,
  block: i32,
  seenPtr: usize,
  seenIdx: usize,
): void {
  const rowBytes = <usize>n << 2;
  const panelBytes = <usize>n << 5;
  const blockBytes = <usize>block << 2;
  const minusInf: f32 = <f32>-Infinity;
  for (let b0 = 0; b0 < nCand; b0 += block) {
    const b1 = min(b0 + block, nCand);
    const count = b1 - b0;
    for (let u0 = 0; u0 < users; u0 += 4) {
      const group = min(4, users - u0);
      // Rows past the last user alias the last real user: harmless, their scores are unused.
      const x0 = x + <usize>u0 * rowBytes;
      const x1 = x + <usize>min(u0 + 1, users - 1) * rowBytes;
      const x2 = x + <usize>min(u0 + 2, users - 1) * rowBytes;
      const x3 = x + <usize>min(u0 + 3, users - 1) * rowBytes;
      for (let c = b0; c < b1; c += 8) {
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
        let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
        let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
        let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
        let py = yp + <usize>(c >> 3) * panelBytes;
        for (let kk = 0; kk < n; kk++) {
          const y0 = v128.load(py);
          const y1 = v128.load(py, 16);
          const o = <usize>kk << 2;
          const s0 = v128.load32_splat(x0 + o);
          a00 = madd(s0, y0, a00);
          a01 = madd(s0, y1, a01);
          const s1 = v128.load32_splat(x1 + o);
          a10 = madd(s1, y0, a10);
          a11 = madd(s1, y1, a11);
          const s2 = v128.load32_splat(x2 + o);
          a20 = madd(s2, y0, a20);
          a21 = madd(s2, y1, a21);
          const s3 = v128.load32_splat(x3 + o);
          a30 = madd(s3, y0, a30);
          a31 = madd(s3, y1, a31);
          py += 32;
        }
        const out = scores + (<usize>(c - b0) << 2);
        v128.store(out, a00);
        v128.store(out, a01, 16);
        v128.store(out + blockBytes, a10);
        v128.store(out + blockBytes, a11, 16);
        v128.store(out + 2 * blockBytes, a20);
        v128.store(out + 2 * blockBytes, a21, 16);
        v128.store(out + 3 * blockBytes, a30);
        v128.store(out + 3 * blockBytes, a31, 16);
      }
      for (let g = 0; g < group; g++) {
        const u = u0 + g;
        const row = scores + <usize>g * blockBytes;
        // Past nCand (padding of the last panel) and seen candidates never qualify.
        for (let q = count; q < ((count + 3) & ~3); q++) store<f32>(row + (<usize>q << 2), minusInf);
        const s0 = load<i32>(seenPtr + (<usize>u << 2));
        const s1 = load<i32>(seenPtr + (<usize>u << 2), 4);
        for (let s = s0; s < s1; s++) {
          const idx = load<i32>(seenIdx + (<usize>s << 2));
          if (idx >= b0 && idx < b1) store<f32>(row + (<usize>(idx - b0) << 2), minusInf);
        }
        const hs = heapScore + <usize>u * (<usize>k << 2);
        const hi = heapIndex + <usize>u * (<usize>k << 2);
        offer(row, count, b0, hs, hi, k);
      }
    }
  }
}
