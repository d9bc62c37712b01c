/**
 * `npm run bench:als -- [--size S|L] [--file X.bin] [--threads 1,2] [--runs N]
 *   [--factors 64] [--iterations 15] [--cg-steps 3] [--topk | --no-topk] [--write X.bin]`
 *
 * Times implicit ALS training (CG, reg 0.5, alpha 1) on the synthetic matrices S and L of
 * EVALUATION.md, or on any IFTRIP01 file, and "top-10 for every user". Each run is a fresh
 * child process, so `peak_rss_mb` belongs to that run alone and no run inherits another's
 * warmed-up code. Prints one JSON line per run on stdout; logs and medians go to stderr.
 * `--write X.bin` exports the generated matrix so a reference library can train on the very
 * same data. Reference (implicit 0.7.3, 64 factors, 15 iterations): S 17.2 s / 9.5 s,
 * L 220 s / 122 s with 1 / 2 threads; top-10 for S 10.0 s / 8.1 s.
 *
 * Measured here (2-core AMD EPYC VM shared with other jobs, Node 24.21, commit acd938c):
 * S 6.55 s (1 thread, median of 6.66 / 6.38 / 6.55) and 4.52 s (2 threads, median of
 * 4.17 / 4.52 / 4.56), top-10 for all users 4.9 s (single-threaded), peak RSS 186-200 MB;
 * L 109.8 s (1 thread) and 58.1 s (2 threads), one run each, peak RSS 1,070 / 1,081 MB.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { topKForUsers, trainAls } from "~/ml/als";
import { seededRandom } from "~/ml/random";
import type { CsrMatrix } from "~/ml/sparse";

import { readIftrip, writeIftrip } from "./lib/iftrip";
import { SIZES, syntheticMatrix } from "./lib/synthetic-matrix";
import { machine, median } from "./machine";

interface Options {
  size: string;
  file?: string;
  write?: string;
  threads: number[];
  runs: number;
  factors: number;
  iterations: number;
  cgSteps: number;
  topk?: boolean;
  child: boolean;
}

function parse(argv: string[]): Options {
  const options: Options = {
    size: "S",
    threads: [1, 2],
    runs: 1,
    factors: 64,
    iterations: 15,
    cgSteps: 3,
    child: false,
  };
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k]!;
    const value = () => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--size") options.size = value().toUpperCase();
    else if (flag === "--file") options.file = value();
    else if (flag === "--write") options.write = value();
    else if (flag === "--threads") options.threads = value().split(",").map(Number);
    else if (flag === "--runs") options.runs = Number(value());
    else if (flag === "--factors") options.factors = Number(value());
    else if (flag === "--iterations") options.iterations = Number(value());
    else if (flag === "--cg-steps") options.cgSteps = Number(value());
    else if (flag === "--topk") options.topk = true;
    else if (flag === "--no-topk") options.topk = false;
    else if (flag === "--child") options.child = true;
    else throw new Error(`unknown option ${flag}`);
  }
  if (!options.file && !SIZES[options.size]) throw new Error(`--size must be one of ${Object.keys(SIZES).join(", ")}`);
  return options;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

function loadMatrix(options: Options): { name: string; matrix: CsrMatrix } {
  const started = performance.now();
  if (options.file) {
    const matrix = readIftrip(options.file);
    console.error(`read ${options.file}: ${describe(matrix)} in ${seconds(started).toFixed(1)} s`);
    return { name: path.basename(options.file, path.extname(options.file)), matrix };
  }
  const matrix = syntheticMatrix(SIZES[options.size]!);
  console.error(`generated ${options.size}: ${describe(matrix)} in ${seconds(started).toFixed(1)} s`);
  return { name: options.size, matrix };
}

function describe(m: CsrMatrix): string {
  return `${m.rows} users x ${m.cols} items, ${m.indptr[m.rows]} nnz`;
}

/** One timed run in this process (the child side). */
async function runOnce(options: Options): Promise<void> {
  const { name, matrix } = loadMatrix(options);
  const threads = options.threads[0]!;
  const params = {
    factors: options.factors,
    iterations: options.iterations,
    regularization: 0.5,
    alpha: 1,
    cgSteps: options.cgSteps,
    threads,
  };
  let started = performance.now();
  let last = started;
  const model = await trainAls(matrix, params, seededRandom(42), {
    onIteration: (iteration) => {
      console.error(`  iteration ${iteration}: ${seconds(last).toFixed(2)} s`);
      last = performance.now();
    },
  });
  const trainSeconds = seconds(started);
  // Top-10 over every user is users x items x f multiply-adds: minutes for L, so by default
  // it runs only for matrices up to S's size.
  let topkSeconds: number | null = null;
  if (options.topk ?? matrix.rows <= 200_000) {
    started = performance.now();
    topKForUsers(model, matrix, 10);
    topkSeconds = seconds(started);
  }
  const line = {
    bench: "als",
    matrix: name,
    threads,
    factors: options.factors,
    iterations: options.iterations,
    cg_steps: options.cgSteps,
    users: matrix.rows,
    items: matrix.cols,
    nnz: matrix.indptr[matrix.rows],
    seconds: Number(trainSeconds.toFixed(3)),
    topk_seconds: topkSeconds === null ? null : Number(topkSeconds.toFixed(3)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    // 1-minute load average at the end of the run: above ~0.5 + threads, other processes
    // competed for the cores and the times are pessimistic.
    load_average: Number(os.loadavg()[0]!.toFixed(2)),
    machine: machine(),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Runs one configuration in a fresh child process and returns its JSON line. */
function child(argv: string[], threads: number): Promise<string> {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), ...argv, "--child", "--threads", String(threads)];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.on("error", reject);
    proc.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`run exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parse(argv);
  if (options.child) return runOnce(options);
  if (options.write) {
    const { matrix } = loadMatrix(options);
    writeIftrip(options.write, matrix);
    console.error(`wrote ${options.write}`);
  }
  // The children get everything but --threads and --write (each run gets one thread count).
  const passOn: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === "--threads" || argv[k] === "--write") k++;
    else passOn.push(argv[k]!);
  }
  for (const threads of options.threads) {
    const times: number[] = [];
    const topk: number[] = [];
    for (let run = 1; run <= options.runs; run++) {
      // Other processes on the machine skew the figures; the load average shows when they did.
      const load = os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(" ");
      console.error(`run ${run}/${options.runs}, ${threads} thread(s); load average before: ${load}`);
      const line = await child(passOn, threads);
      process.stdout.write(`${line}\n`);
      const figures = JSON.parse(line) as { seconds: number; topk_seconds: number | null; peak_rss_mb: number };
      times.push(figures.seconds);
      if (figures.topk_seconds !== null) topk.push(figures.topk_seconds);
      console.error(
        `  -> ${figures.seconds} s training, top-k ${figures.topk_seconds} s, ${figures.peak_rss_mb} MB peak RSS`,
      );
    }
    const topkMedian = topk.length ? `${median(topk)} s` : "n/a";
    console.error(`${threads} thread(s): median ${median(times)} s training, top-k ${topkMedian}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
