import { Worker } from "node:worker_threads";

import { normalFrom, type Random } from "../random";
import type { CsrMatrix } from "../sparse";

import { instantiateKernel, kernelModule, runJob } from "./jobs.mjs";

/** Hyper-parameters of implicit-feedback ALS; names follow the `implicit` library. */
export interface AlsParams {
  /** Latent dimension f. */
  factors: number;
  /** Full iterations (one user half-step, then one item half-step). */
  iterations: number;
  /** L2 weight λ, added as λI to every row's normal equations (not scaled by row counts). */
  regularization: number;
  /** Confidence slope: c_ui = 1 + alpha * value. */
  alpha: number;
  /** Conjugate-gradient steps per row and half-step (default 3). */
  cgSteps?: number;
  /** Threads for training: the calling thread plus threads - 1 worker threads (default 1). */
  threads?: number;
}

/** A trained factorisation: score(u, i) = userFactors[u] . itemFactors[i]. */
export interface AlsModel {
  users: number;
  items: number;
  factors: number;
  /** users x factors, row-major. */
  userFactors: Float32Array;
  /** items x factors, row-major. */
  itemFactors: Float32Array;
}

const PAGE = 65536;
/** Largest memory a wasm32 module can address (65536 pages). */
const MAX_BYTES = 4 * 1024 ** 3;

interface Side {
  rows: number;
  factors: number; // byte address of this side's factor rows
  indptr: number;
  indices: number;
  conf1: number;
}

type Kernel = ReturnType<typeof instantiateKernel>;

/**
 * Validates parameters and fills in defaults.
 * @throws RangeError for non-integer or out-of-range values.
 */
function checkParams(params: AlsParams): Required<AlsParams> {
  const full = { cgSteps: 3, threads: 1, ...params };
  const integer = (name: keyof AlsParams, min: number) => {
    const value = full[name];
    if (!Number.isInteger(value) || value < min)
      throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  };
  integer("factors", 1);
  integer("iterations", 0);
  integer("cgSteps", 1);
  integer("threads", 1);
  if (!(full.regularization >= 0)) throw new RangeError(`regularization must be >= 0, got ${full.regularization}`);
  if (!(full.alpha >= 0)) throw new RangeError(`alpha must be >= 0, got ${full.alpha}`);
  return full;
}

/**
 * The state of one ALS training: factors, both sparse orientations and the normal-equation
 * matrix, all inside one shared WebAssembly memory so that worker threads read and write the
 * very same arrays without copies. Exposed (beyond `trainAls`) so tests can run single
 * half-steps and compare them with exact solves.
 *
 * Memory: 4 f (users + items) + 16 nnz + 8 (users + items) bytes, plus O(threads f^2);
 * for 1M x 100k x 20M nnz with f = 64 that is about 610 MB. The caller's matrix is not kept.
 */
export class AlsSolver {
  readonly users: number;
  readonly items: number;
  readonly factors: number;
  /** Floats per stored factor row: factors rounded up to a multiple of 4 for f32x4. */
  readonly stride: number;
  private readonly params: Required<AlsParams>;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: Kernel;
  private readonly counter: Int32Array;
  private readonly userSide: Side;
  private readonly itemSide: Side;
  private readonly gram: number;
  private readonly acc: number[];
  private readonly tmp: number[];
  private readonly scratch: number[];
  private readonly workers: Worker[] = [];
  private sequence = 0;

  /**
   * @throws RangeError on bad parameters, negative values in the matrix, or a problem too
   *   large for one 4 GB wasm32 memory.
   */
  constructor(userItems: CsrMatrix, params: AlsParams, random: Random) {
    this.params = checkParams(params);
    const { factors, threads } = this.params;
    this.users = userItems.rows;
    this.items = userItems.cols;
    this.factors = factors;
    const n = (this.stride = Math.ceil(factors / 4) * 4);
    const nnz = userItems.indptr[userItems.rows]!;

    // Lay out every array at a 16-byte boundary (f32x4 loads).
    let top = 64; // 0..63: the work counters
    const alloc = (bytes: number) => {
      const at = top;
      top += Math.ceil(bytes / 16) * 16;
      return at;
    };
    const side = (rows: number): Side => ({
      rows,
      factors: alloc(rows * n * 4),
      indptr: alloc((rows + 1) * 4),
      indices: alloc(nnz * 4),
      conf1: alloc(nnz * 4),
    });
    this.userSide = side(this.users);
    this.itemSide = side(this.items);
    this.gram = alloc(n * n * 4);
    this.acc = Array.from({ length: threads }, () => alloc(n * n * 8));
    this.tmp = Array.from({ length: threads }, () => alloc(n * n * 4));
    this.scratch = Array.from({ length: threads }, () => alloc(3 * n * 4));
    if (top > MAX_BYTES) throw new RangeError(`ALS needs ${top} bytes, more than one wasm32 memory (4 GiB) holds`);
    const pages = Math.ceil(top / PAGE);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.kernel = instantiateKernel(kernelModule(), this.memory);
    this.counter = new Int32Array(this.memory.buffer, 0, 16);

    this.loadMatrix(userItems);
    // Small random factors (normal * 0.01), users then items, one draw per real coordinate;
    // padding columns stay zero, and CG keeps them zero. The same seed gives the same bits.
    const normal = normalFrom(random);
    for (const s of [this.userSide, this.itemSide]) {
      const f = this.view(s);
      for (let r = 0; r < s.rows; r++) for (let k = 0; k < factors; k++) f[r * n + k] = normal() * 0.01;
    }
  }

  private view(s: Side): Float32Array {
    return new Float32Array(this.memory.buffer, s.factors, s.rows * this.stride);
  }

  /**
   * Copies the matrix in as conf1 = alpha * value, and builds the item-major (CSC) copy by a
   * counting sort written straight into wasm memory: `transpose` from sparse.ts would build
   * the same arrays in the JS heap first, a transient extra 8 bytes per nnz that matters for
   * the 20M-nnz target. Zero values are dropped (p = 0 and c = 1, exactly like an absent
   * entry), so the kernel can take p = 1 for every stored entry.
   * @throws RangeError on negative or non-finite values.
   */
  private loadMatrix(m: CsrMatrix): void {
    const buffer = this.memory.buffer;
    const alpha = this.params.alpha;
    const u = this.userSide;
    const it = this.itemSide;
    const nnz = m.indptr[m.rows]!;
    const uIndptr = new Int32Array(buffer, u.indptr, u.rows + 1);
    const uIndices = new Int32Array(buffer, u.indices, nnz);
    const uConf = new Float32Array(buffer, u.conf1, nnz);
    const iIndptr = new Int32Array(buffer, it.indptr, it.rows + 1);
    let kept = 0;
    for (let r = 0; r < m.rows; r++) {
      for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
        const value = m.values[k]!;
        if (!(value >= 0 && value < Infinity))
          throw new RangeError(`value ${value} at (${r}, ${m.indices[k]}) is not >= 0`);
        if (value === 0) continue;
        uIndices[kept] = m.indices[k]!;
        uConf[kept] = alpha * value;
        iIndptr[m.indices[k]! + 1]!++;
        kept++;
      }
      uIndptr[r + 1] = kept;
    }
    for (let c = 0; c < it.rows; c++) iIndptr[c + 1]! += iIndptr[c]!;
    const next = iIndptr.slice(0, it.rows);
    const iIndices = new Int32Array(buffer, it.indices, nnz);
    const iConf = new Float32Array(buffer, it.conf1, nnz);
    // Users ascend in the outer loop, so each item's user list comes out sorted.
    for (let r = 0; r < u.rows; r++) {
      for (let k = uIndptr[r]!; k < uIndptr[r + 1]!; k++) {
        const slot = next[uIndices[k]!]!++;
        iIndices[slot] = r;
        iConf[slot] = uConf[k]!;
      }
    }
  }

  /** Starts the worker threads (once); each instantiates the kernel over the shared memory. */
  private async startWorkers(): Promise<void> {
    const wanted = this.params.threads - 1;
    if (this.workers.length === wanted) return;
    const module = kernelModule();
    for (let index = 1; index <= wanted; index++) {
      // execArgv: [] - the worker is plain JavaScript, so it must not inherit a TypeScript
      // loader (tsx, vitest) it does not need and that may not be loadable from a worker.
      const worker = new Worker(new URL("./worker.mjs", import.meta.url), {
        workerData: { module, memory: this.memory, index },
        execArgv: [],
      });
      worker.unref();
      this.workers.push(worker);
    }
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once("message", () => {
              worker.off("error", reject);
              resolve();
            });
            worker.once("error", reject);
          }),
      ),
    );
  }

  /** Runs a job on every thread: posts it to the workers, does the main share, then waits. */
  private async run(job: Record<string, unknown>): Promise<void> {
    const sequence = ++this.sequence;
    const message = { ...job, sequence };
    const done = this.workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const onMessage = (answer: number) => {
            if (answer !== sequence) return;
            worker.off("error", onError);
            worker.off("message", onMessage);
            resolve();
          };
          const onError = (error: Error) => {
            worker.off("message", onMessage);
            reject(error);
          };
          worker.on("message", onMessage);
          worker.once("error", onError);
          worker.postMessage(message);
        }),
    );
    runJob(this.kernel, this.counter, 0, message);
    await Promise.all(done);
  }

  /**
   * G = (other side)^T (other side) + reg I, in float32 at this.gram. Each thread sums a
   * contiguous slice of rows into a float64 accumulator; O(rows f^2 / threads).
   */
  private async computeGram(other: Side): Promise<void> {
    const n = this.stride;
    const threads = this.params.threads;
    const buffer = this.memory.buffer;
    const ranges: number[] = [];
    for (let t = 0; t < threads; t++) {
      ranges.push(Math.floor((other.rows * t) / threads), Math.floor((other.rows * (t + 1)) / threads));
      new Float64Array(buffer, this.acc[t]!, n * n).fill(0);
    }
    await this.run({ op: "gram", y: other.factors, n, ranges, tmp: this.tmp, acc: this.acc });
    const gram = new Float32Array(buffer, this.gram, n * n);
    const total = new Float64Array(buffer, this.acc[0]!, n * n);
    for (let t = 1; t < threads; t++) {
      const part = new Float64Array(buffer, this.acc[t]!, n * n);
      for (let q = 0; q < n * n; q++) total[q]! += part[q]!;
    }
    // The kernel fills the upper triangle; G is symmetric.
    for (let a = 0; a < n; a++) {
      for (let b = a; b < n; b++) gram[a * n + b] = gram[b * n + a] = total[a * n + b]!;
    }
    // Regularise only the real coordinates; padding rows and columns of G stay zero.
    for (let k = 0; k < this.factors; k++) gram[k * n + k]! += this.params.regularization;
  }

  private async halfStep(solve: Side, other: Side): Promise<void> {
    // A macrotask turn between half-steps lets the caller's timers (a job lock's renewal, a
    // health check) run even when training on the calling thread alone.
    await new Promise((resolve) => setImmediate(resolve));
    await this.startWorkers();
    await this.computeGram(other);
    const threads = this.params.threads;
    // Chunks small enough to balance skewed rows (a popular item can hold 10% of all
    // entries), large enough that the shared counter is touched rarely.
    const chunk = Math.max(8, Math.min(512, Math.ceil(solve.rows / (threads * 256))));
    Atomics.store(this.counter, 0, 0);
    await this.run({
      op: "solve",
      x: solve.factors,
      y: other.factors,
      indptr: solve.indptr,
      indices: solve.indices,
      conf1: solve.conf1,
      g: this.gram,
      scratch: this.scratch,
      n: this.stride,
      cgSteps: this.params.cgSteps,
      rows: solve.rows,
      counterIndex: 0,
      chunk,
    });
  }

  /** One user half-step: every x_u from the current item factors. */
  stepUsers(): Promise<void> {
    return this.halfStep(this.userSide, this.itemSide);
  }

  /** One item half-step: every y_i from the current user factors. */
  stepItems(): Promise<void> {
    return this.halfStep(this.itemSide, this.userSide);
  }

  /** A copy of the current factors without padding (the wasm memory is freed with the solver). */
  model(): AlsModel {
    const unpad = (s: Side) => {
      const padded = this.view(s);
      if (this.stride === this.factors) return padded.slice();
      const out = new Float32Array(s.rows * this.factors);
      for (let r = 0; r < s.rows; r++) {
        out.set(padded.subarray(r * this.stride, r * this.stride + this.factors), r * this.factors);
      }
      return out;
    };
    return {
      users: this.users,
      items: this.items,
      factors: this.factors,
      userFactors: unpad(this.userSide),
      itemFactors: unpad(this.itemSide),
    };
  }

  /** Stops the worker threads. The solver must not be used afterwards. */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.terminate()));
  }
}

/**
 * Trains implicit-feedback ALS (Hu, Koren & Volinsky, "Collaborative Filtering for Implicit
 * Feedback Datasets", ICDM 2008) with the conjugate-gradient row solver of Takács, Pilászy &
 * Tikk, "Applications of the conjugate gradient method for implicit feedback collaborative
 * filtering", RecSys 2011. Minimises
 *   sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + reg (sum |x_u|^2 + sum |y_i|^2),
 * c_ui = 1 + alpha * value, p_ui = [value > 0], over all user-item pairs, stored or not.
 *
 * Per iteration O(cgSteps (nnz f + (users + items) f^2)) time; the dense f x f products run in
 * WebAssembly SIMD, spread over `threads` threads (the caller's plus worker threads).
 * Factors start as normal * 0.01 draws from `random`: with threads = 1 the same seed gives
 * bit-identical factors; other thread counts differ only by the summation order of YtY.
 *
 * @param hooks.onIteration called after each full iteration with its 1-based number and a
 *   function that copies out the current factors (for monitoring the loss; costs a copy).
 * @throws RangeError on bad parameters or negative matrix values.
 */
export async function trainAls(
  userItems: CsrMatrix,
  params: AlsParams,
  random: Random,
  hooks?: { onIteration?: (iteration: number, snapshot: () => AlsModel) => void },
): Promise<AlsModel> {
  const solver = new AlsSolver(userItems, params, random);
  try {
    for (let iteration = 1; iteration <= params.iterations; iteration++) {
      await solver.stepUsers();
      await solver.stepItems();
      hooks?.onIteration?.(iteration, () => solver.model());
    }
    return solver.model();
  } finally {
    await solver.close();
  }
}
