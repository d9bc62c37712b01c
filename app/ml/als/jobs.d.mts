// Types for jobs.mjs (plain JavaScript so worker threads can load it without a TypeScript loader).

/** The wasm exports of assembly/kernel.ts; every pointer is a byte address in the memory. */
export interface Kernel {
  solveRows(
    x: number,
    y: number,
    indptr: number,
    indices: number,
    conf1: number,
    g: number,
    scratch: number,
    n: number,
    cgSteps: number,
    start: number,
    end: number,
  ): void;
  gramRange(y: number, n: number, start: number, end: number, tmp: number, acc: number): void;
  topkBatch(
    x: number,
    users: number,
    yp: number,
    nCand: number,
    n: number,
    k: number,
    heapScore: number,
    heapIndex: number,
    scores: number,
    block: number,
    seenPtr: number,
    seenIdx: number,
  ): void;
}

export function kernelModule(): WebAssembly.Module;
export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernel;
export function runJob(kernel: Kernel, counter: Int32Array, index: number, job: Record<string, unknown>): void;
