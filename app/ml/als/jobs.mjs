// Plain JavaScript on purpose: worker threads load this file directly, with no TypeScript
// loader, so it works the same under tsx, vitest and plain node. The main thread runs the
// same function for its own share of each job.
import { kernelWasmBase64 } from "./kernel-wasm.mjs";

let compiled;

/** Rows per gramRange call; a multiple of the kernel's 512-row float32 block. */
const GRAM_CALL_ROWS = 8192;

/** The compiled kernel module (compiled once per thread that asks; cheap, ~4 KB of wasm). */
export function kernelModule() {
  compiled ??= new WebAssembly.Module(Uint8Array.from(atob(kernelWasmBase64), (ch) => ch.charCodeAt(0)));
  return compiled;
}

/** Instantiates the kernel over a given (shared) memory. */
export function instantiateKernel(module, memory) {
  return new WebAssembly.Instance(module, { env: { memory } }).exports;
}

/**
 * Runs this thread's share of one job.
 * - "gram": static split, thread `index` sums rows [ranges[2i], ranges[2i+1]) of a factor
 *   matrix into its own float64 accumulator; the main thread adds the accumulators in a
 *   fixed order, so a given thread count always gives the same bits.
 * - "solve": dynamic split, threads claim `chunk` rows at a time from a shared counter, so a
 *   thread that drew light rows simply takes more; each row's result does not depend on
 *   which thread solved it or when, so the output is the same for any thread count.
 */
export function runJob(kernel, counter, index, job) {
  if (job.op === "gram") {
    const start = job.ranges[2 * index];
    const end = job.ranges[2 * index + 1];
    // Several calls rather than one: V8 first runs wasm in its baseline tier and can only
    // switch to optimised code between calls, and one call over 1M rows would run entirely
    // in the baseline tier (measured 4x slower: 0.105 s vs 0.025 s for 100k rows).
    for (let from = start; from < end; from += GRAM_CALL_ROWS) {
      kernel.gramRange(job.y, job.n, from, Math.min(from + GRAM_CALL_ROWS, end), job.tmp[index], job.acc[index]);
    }
    return;
  }
  if (job.op === "solve") {
    for (;;) {
      const start = Atomics.add(counter, job.counterIndex, job.chunk);
      if (start >= job.rows) return;
      const end = Math.min(start + job.chunk, job.rows);
      kernel.solveRows(
        job.x,
        job.y,
        job.indptr,
        job.indices,
        job.conf1,
        job.g,
        job.scratch[index],
        job.n,
        job.cgSteps,
        start,
        end,
      );
    }
  }
  throw new Error(`unknown ALS job ${job.op}`);
}
