/**
 * `npm run bench:recs [-- --runs N] [--tune] [--threads T]`: protocol R1 of EVALUATION.md on UCI
 * Online Retail. Prints one JSON line per model on stdout (logs on stderr):
 *   popularity, item_knn (baselines), als with `implicit`'s defaults, als with the reference
 *   table's tuned setting (64 factors, reg 0.5, alpha 1), and the configuration Foresight
 *   serves (`final: true`).
 * `seconds` is the median over N runs (default 3) of fit + top-10 for every test user; every
 * run's time is in `runs_seconds`. Metrics do not depend on the run (fixed seeds).
 *
 * Tuning uses the validation split only (train' < 2011-06-01, validation 2011-06-01 ..
 * 2011-08-31). Without --tune the configuration chosen by the last search (SERVED below) is
 * refit on all of train and evaluated on test; --tune reruns the search, prints its table on
 * stderr, and evaluates what it picks instead.
 */
import { seededRandom } from "~/ml/random";
import { evaluateRanking } from "~/ml/metrics/ranking";
import { fitItemKnn, itemKnnScores, recommendItemKnn, type ItemKnnModel } from "~/ml/recommend/item-knn";
import { popularityScores, recommendPopular, recommendTopK } from "~/ml/recommend/popularity";
import { standardizedBlend, type UserScorer } from "~/ml/recommend/for-you";
import { bm25, logScale, timeDecay } from "~/ml/recommend/weighting";
import { transpose, type CsrMatrix } from "~/ml/sparse";
import { RecommendationSettings } from "~/settings";
import { scoreUser, trainAls, type AlsModel } from "~/ml/als";

import { loadOnlineRetail } from "./lib/online-retail";
import { r1Test, r1Validation, type R1Split } from "./lib/r1";
import { machine, median } from "./machine";

const K = 10;

interface Args {
  runs: number;
  tune: boolean;
  threads: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 3, tune: false, threads: 2 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--tune") args.tune = true;
    else if (flag === "--runs") args.runs = Number(argv[++i]);
    else if (flag === "--threads") args.threads = Number(argv[++i]);
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!(Number.isInteger(args.runs) && args.runs >= 1)) throw new Error("--runs must be a positive integer");
  if (!(Number.isInteger(args.threads) && args.threads >= 1)) throw new Error("--threads must be a positive integer");
  return args;
}

/** How interaction values become the matrix ALS sees. */
type Weighting =
  { kind: "raw" } | { kind: "log" } | { kind: "decay"; tauDays: number } | { kind: "bm25"; k1: number; b: number };

/** One ALS variant: its training parameters, its input weighting and an optional blend. */
interface AlsConfig {
  factors: number;
  regularization: number;
  alpha: number;
  iterations: number;
  weighting: Weighting;
  /** Weights of the per-user standardised item-kNN and log-popularity scores added to ALS's. */
  blend?: { itemKnn: number; popularity: number };
}

const SERVED_DEFAULTS = RecommendationSettings.parse({});

/**
 * The configuration Foresight serves, as chosen by `--tune` on the validation split (2026-11-26,
 * mean validation NDCG@10 over seeds 1-3: 0.1557 at coverage@10 0.261, bar 0.248; the best
 * raw-count ALS that met the bar reached 0.1423): 128 factors, purchases decayed with a 30-day
 * time constant, strong regularisation with a large alpha, and half a standard deviation of
 * item-kNN score blended in, which restores the coverage that strong regularisation costs.
 */
const SERVED: AlsConfig = {
  // The shop settings' defaults (app/settings.ts) are this configuration: one source for both.
  factors: SERVED_DEFAULTS.factors,
  regularization: SERVED_DEFAULTS.regularization,
  alpha: SERVED_DEFAULTS.alpha,
  iterations: SERVED_DEFAULTS.iterations,
  weighting: { kind: "decay", tauDays: SERVED_DEFAULTS.decayDays },
  blend: { itemKnn: 0.5, popularity: 0 },
};

/** `implicit` 0.7.3's AlsRecommender defaults, the reference row "ALS, defaults". */
const IMPLICIT_DEFAULTS: AlsConfig = {
  factors: 100,
  regularization: 0.01,
  alpha: 1,
  iterations: 15,
  weighting: { kind: "raw" },
};

const log = (...parts: unknown[]) => console.error(...parts);
const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const roundMetrics = (m: Record<string, number>) =>
  Object.fromEntries(Object.entries(m).map(([key, value]) => [key, round(value)]));

function weighted(split: R1Split, weighting: Weighting): CsrMatrix {
  switch (weighting.kind) {
    case "raw":
      return split.train;
    case "log":
      return logScale(split.train);
    case "decay": {
      // Ages in days before the first holdout day: yesterday's purchase counts ~1.
      const ages = Int32Array.from(split.purchaseDays, (day) => split.splitDay - day);
      return timeDecay(split.train, split.purchasePtr, ages, weighting.tauDays);
    }
    case "bm25": {
      // As implicit's examples do: items are the documents and users the terms, so weight the
      // item x user matrix and transpose back. Negative idf (a user who bought nearly every
      // item) cannot occur here: the heaviest user bought far fewer than half the items.
      const itemsByUser = transpose(split.train);
      return transpose(bm25(itemsByUser, weighting.k1, weighting.b));
    }
  }
}

/** Dot products of one user's factors with every item's, into `scores`. O(items * factors). */
async function fitAls(matrix: CsrMatrix, config: AlsConfig, seed: number, threads: number): Promise<AlsModel> {
  const { factors, regularization, alpha, iterations } = config;
  return trainAls(matrix, { factors, regularization, alpha, iterations, threads }, seededRandom(seed));
}

/** Top-10 lists of the ALS variant (with its blend, if any) for the split's test users. */
async function recommendAls(split: R1Split, config: AlsConfig, seed: number, threads: number): Promise<Int32Array> {
  const model = await fitAls(weighted(split, config.weighting), config, seed, threads);
  const blend = config.blend;
  if (!blend) return recommendTopK(split.train, { k: K, users: split.testUsers }, (u, s) => scoreUser(model, u, s));
  // Blends rank on standardised scores so the weights do not depend on each model's scale.
  const knn: ItemKnnModel | undefined = blend.itemKnn !== 0 ? fitItemKnn(split.train, 100) : undefined;
  const logPopularity = popularityScores(split.train).map((c) => Math.log1p(c));
  const als: UserScorer = (u, scores) => scoreUser(model, u, scores);
  const parts = [
    // A part with weight 0 is never called: knn exists whenever its weight is not 0.
    { scorer: ((u, scores) => itemKnnScores(knn!, split.train, u, scores)) as UserScorer, weight: blend.itemKnn },
    { scorer: ((_u, scores) => scores.set(logPopularity)) as UserScorer, weight: blend.popularity },
  ];
  return recommendTopK(split.train, { k: K, users: split.testUsers }, standardizedBlend(als, parts, split.train.cols));
}

const evaluate = (split: R1Split, recs: Int32Array) => evaluateRanking(recs, split.relevant, K, split.candidateCount);

/** Times `runs` repetitions of fit + recommend and returns the last lists and every time. */
async function timed(runs: number, fn: () => Promise<Int32Array> | Int32Array) {
  const seconds: number[] = [];
  let recs: Int32Array | undefined;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    recs = await fn();
    seconds.push(round((performance.now() - started) / 1000, 3));
  }
  return { recs: recs!, seconds };
}

function printLine(
  model: string,
  final: boolean,
  metrics: Record<string, number>,
  params: object,
  seconds: number[],
  extra: object = {},
) {
  const line = {
    bench: "R1",
    dataset: "online_retail",
    model,
    final,
    metrics: roundMetrics(metrics),
    params,
    seconds: median(seconds),
    runs_seconds: seconds,
    ...extra,
    machine: machine(),
  };
  console.log(JSON.stringify(line));
}

const describe = (c: AlsConfig) =>
  `f=${c.factors} reg=${c.regularization} alpha=${c.alpha} it=${c.iterations} w=${JSON.stringify(c.weighting)}` +
  (c.blend ? ` blend=${JSON.stringify(c.blend)}` : "");

/** The reference "tuned" row's setting; its validation coverage is the coverage bar (see tune). */
const REFERENCE_TUNED: AlsConfig = {
  factors: 64,
  regularization: 0.5,
  alpha: 1,
  iterations: 15,
  weighting: { kind: "raw" },
};

interface Scored {
  config: AlsConfig;
  ndcg: number;
  coverage: number;
}

/**
 * Validation search. The goal has two parts (EVALUATION.md): NDCG@10 above the reference and
 * catalog coverage@10 no lower than the reference tuned model's 0.266. Coverage on the
 * validation split is not comparable with test coverage (fewer users, other candidates), so the
 * bar is translated: a variant qualifies when its validation coverage is at least that of the
 * reference setting (64 factors, reg 0.5, alpha 1) on the same validation split. Among
 * qualifying variants the highest validation NDCG@10 wins. Every variant is scored as the mean
 * over seeds 1 and 2 (one ALS seed moves NDCG by about +-0.002); the five best qualifying ones
 * are re-scored over seeds 1..3 before the pick. Stages keep the search small:
 * 1. raw counts: factors x regularization x alpha (15 iterations throughout);
 * 2. at the best factors, reweighted inputs (log, time decay, BM25), each with its own
 *    regularization x alpha grid, since reweighting changes the value scale;
 * 3. blends of the best qualifying ALS, and of the three best ALS regardless of coverage, with
 *    item-kNN and popularity.
 */
async function tune(validation: R1Split, threads: number): Promise<AlsConfig> {
  const results: Scored[] = [];
  const score = async (config: AlsConfig, seeds = [1, 2]): Promise<Scored> => {
    let ndcg = 0;
    let coverage = 0;
    for (const seed of seeds) {
      const m = evaluate(validation, await recommendAls(validation, config, seed, threads));
      ndcg += m["ndcg@10"]! / seeds.length;
      coverage += m["coverage@10"]! / seeds.length;
    }
    const scored = { config, ndcg, coverage };
    log(`validation ndcg@10 ${ndcg.toFixed(4)} coverage@10 ${coverage.toFixed(3)}  ${describe(config)}`);
    return scored;
  };
  const bar = (await score(REFERENCE_TUNED, [1, 2, 3])).coverage;
  log(`coverage bar (reference setting on validation): ${bar.toFixed(3)}`);
  const record = async (config: AlsConfig) => {
    const scored = await score(config);
    results.push(scored);
    return scored;
  };
  const best = () => results.filter((r) => r.coverage >= bar).reduce((a, b) => (b.ndcg > a.ndcg ? b : a));

  // Stage 1.
  for (const factors of [32, 64, 128]) {
    for (const regularization of [0.5, 2, 5, 10, 20, 50, 100]) {
      for (const alpha of [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]) {
        await record({ factors, regularization, alpha, iterations: 15, weighting: { kind: "raw" } });
      }
    }
  }
  const raw = best().config;
  log(`stage 1 best: ${describe(raw)}`);
  // Stage 2. A first search (2026-11-26) found time decay the one reweighting that helps, best at
  // its shortest tau (60 days) and largest alpha; this grid extends both edges.
  const stage2: { weighting: Weighting; regs: number[]; alphas: number[] }[] = [
    { weighting: { kind: "log" }, regs: [5, 10, 20], alphas: [0.02, 0.1, 0.5, 1, 2] },
    { weighting: { kind: "bm25", k1: 100, b: 0.8 }, regs: [5, 10, 20], alphas: [0.02, 0.1, 0.5, 1, 2] },
    ...[30, 60, 120, 240].map((tauDays) => ({
      weighting: { kind: "decay", tauDays } as Weighting,
      regs: [5, 10, 20, 50],
      alphas: [0.2, 0.5, 1, 2, 5, 10],
    })),
  ];
  for (const { weighting, regs, alphas } of stage2) {
    for (const regularization of regs) {
      for (const alpha of alphas) {
        await record({ ...raw, weighting, regularization, alpha });
      }
    }
  }
  log(`stage 2 best: ${describe(best().config)}`);
  // Stage 3: blends. Item-kNN has high coverage, so blending it in can lift a variant that
  // ranks better but covers too little over the bar: the bases are the best qualifying single
  // ALS and the three best singles regardless of coverage.
  const singles = [...results].sort((a, b) => b.ndcg - a.ndcg);
  const bases = [best().config, ...singles.slice(0, 3).map((r) => r.config)];
  for (const base of new Set(bases)) {
    for (const itemKnn of [0, 0.1, 0.2, 0.35, 0.5, 0.75]) {
      for (const popularity of [0, 0.05, 0.1, 0.2]) {
        if (itemKnn === 0 && popularity === 0) continue;
        await record({ ...base, blend: { itemKnn, popularity } });
      }
    }
  }
  const finalists = results
    .filter((r) => r.coverage >= bar)
    .sort((a, b) => b.ndcg - a.ndcg)
    .slice(0, 5);
  log("finalists over seeds 1, 2, 3:");
  const rescored: Scored[] = [];
  for (const { config } of finalists) rescored.push(await score(config, [1, 2, 3]));
  const qualified = rescored.filter((r) => r.coverage >= bar);
  return (qualified.length > 0 ? qualified : rescored).reduce((a, b) => (b.ndcg > a.ndcg ? b : a)).config;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const data = await loadOnlineRetail();
  const test = r1Test(data);
  const validation = r1Validation(data);
  log(
    `loaded in ${((performance.now() - started) / 1000).toFixed(1)} s: ${data.rows} cleaned rows; ` +
      `test: ${test.testUsers.length} users, ${test.candidateCount} candidates; ` +
      `validation: ${validation.testUsers.length} users, ${validation.candidateCount} candidates`,
  );
  if (test.testUsers.length !== 1875 || test.candidateCount !== 3388) {
    throw new Error("R1 split differs from EVALUATION.md (1,875 test users, 3,388 candidates): check the cleaning");
  }
  const split = { test_users: test.testUsers.length, candidates: test.candidateCount };

  const pop = await timed(args.runs, () => recommendPopular(test.train, { k: K, users: test.testUsers }));
  printLine("popularity", false, evaluate(test, pop.recs), {}, pop.seconds, split);

  const knn = await timed(args.runs, () =>
    recommendItemKnn(fitItemKnn(test.train, 100), test.train, { k: K, users: test.testUsers }),
  );
  printLine(
    "item_knn",
    false,
    evaluate(test, knn.recs),
    { k: 100, similarity: "cosine", binary: true },
    knn.seconds,
    split,
  );

  const threads = args.threads;
  const defaults = await timed(args.runs, () => recommendAls(test, IMPLICIT_DEFAULTS, 1, threads));
  printLine("als", false, evaluate(test, defaults.recs), { ...IMPLICIT_DEFAULTS, threads, seed: 1 }, defaults.seconds, {
    ...split,
    variant: "implicit defaults",
  });

  const reference = await timed(args.runs, () => recommendAls(test, REFERENCE_TUNED, 1, threads));
  printLine("als", false, evaluate(test, reference.recs), { ...REFERENCE_TUNED, threads, seed: 1 }, reference.seconds, {
    ...split,
    variant: "reference tuned setting",
  });

  const chosen = args.tune ? await tune(validation, threads) : SERVED;
  log(`served configuration: ${describe(chosen)}`);
  const seeds = [1, 2, 3];
  const validationNdcg: number[] = [];
  for (const seed of seeds) {
    validationNdcg.push(evaluate(validation, await recommendAls(validation, chosen, seed, threads))["ndcg@10"]!);
  }
  const served = await timed(args.runs, () => recommendAls(test, chosen, 1, threads));
  // Seed spread on test, for honesty about noise (not used for any choice).
  const seedNdcg: number[] = [evaluate(test, served.recs)["ndcg@10"]!];
  for (const seed of seeds.slice(1)) {
    seedNdcg.push(evaluate(test, await recommendAls(test, chosen, seed, threads))["ndcg@10"]!);
  }
  printLine("als", true, evaluate(test, served.recs), { ...chosen, threads, seed: 1 }, served.seconds, {
    ...split,
    variant: args.tune ? "tuned now on validation" : "served (tuned on validation)",
    validation_ndcg_seeds: validationNdcg.map((x) => round(x)),
    test_ndcg_seeds: seedNdcg.map((x) => round(x)),
  });
}

await main();
