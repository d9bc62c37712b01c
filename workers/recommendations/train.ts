/**
 * Trains one shop's recommenders and decides what the shop is served.
 *
 * 1. Holdout: the last 20% of the shop's sales history is hidden; ALS, item-kNN, popularity
 *    and ALS+popularity blends are trained on the rest and judged on it with protocol R1's
 *    rules and metrics. The best NDCG@10 decides "for you" (on sparse stores popularity often
 *    wins, and then that is what the shop gets).
 * 2. Final fit on all history; lists for every customer and product with history, lift-based
 *    bought-together lists, cold-start lists for products without history, and the shop's
 *    best sellers of the last weeks for guests.
 */
import { scoreUser, trainAls, type AlsModel } from "~/ml/als";
import { evaluateRanking } from "~/ml/metrics/ranking";
import { boughtTogether, type RankedLists } from "~/ml/recommend/bought-together";
import { attributeNeighbours } from "~/ml/recommend/cold-start";
import { gramian, UserExplainer } from "~/ml/recommend/explain";
import {
  rankForUsers,
  standardizedBlend,
  repeatPurchaseItems,
  type UserLists,
  type UserScorer,
} from "~/ml/recommend/for-you";
import { interactionMatrix, temporalHoldout } from "~/ml/recommend/interactions";
import { fitItemKnn, itemKnnScores, type ItemKnnModel } from "~/ml/recommend/item-knn";
import { popularityScores } from "~/ml/recommend/popularity";
import { similarItems } from "~/ml/recommend/similar";
import { TopK } from "~/ml/recommend/top-k";
import { seededRandom } from "~/ml/random";
import { csrFromTriples, type CsrMatrix } from "~/ml/sparse";
import type { RecommendationSettings } from "~/settings";

import type { Catalogue, ShopPurchases } from "./load";

export type ServedModel = "als" | "item_knn" | "popularity" | "als+popularity" | "als+item_knn";

export interface Choice {
  model: ServedModel;
  /** The second model's weight in a blend (ALS has weight 1). */
  blendWeight?: number;
  reason: string;
}

export interface HoldoutReport {
  splitDay: number;
  testUsers: number;
  candidates: number;
  /** Metrics per model, R1 keys (ndcg@10, ...). */
  metrics: Record<string, Record<string, number>>;
}

export interface ShopRecommendations {
  choice: Choice;
  holdout: HoldoutReport | null;
  /** Per user (ShopPurchases.customerIds order): k items, scores, and 2 reasons per item. */
  forYou: UserLists & { because: Int32Array };
  similar: RankedLists;
  boughtTogether: RankedLists;
  popular: { items: Int32Array; scores: Float32Array };
}

export interface TrainOptions {
  seed?: number;
  threads?: number;
  progress?: (fraction: number, stage: string) => Promise<void> | void;
}

const HOLDOUT_SHARE = 0.2;
/** Below this many judged customers a holdout says more about noise than about models. */
const MIN_TEST_USERS = 30;
const BLEND_WEIGHTS = [0.25, 0.5, 1];
const MIN_GAIN = 0.01;
const ITEM_KNN_NEIGHBOURS = 100;

function alsParams(settings: RecommendationSettings, threads: number) {
  return {
    factors: settings.factors,
    iterations: settings.iterations,
    regularization: settings.regularization,
    alpha: settings.alpha,
    threads,
  };
}

function knnScorer(model: ItemKnnModel, userItems: CsrMatrix): UserScorer {
  return (user, out) => itemKnnScores(model, userItems, user, out);
}

function alsScorer(model: AlsModel): UserScorer {
  return (user, out) => scoreUser(model, user, out);
}

/** log(1 + distinct customers) per item: the popularity signal the R1 blend was tuned with. */
function logPopularity(userItems: CsrMatrix): Float64Array {
  return popularityScores(userItems).map((count) => Math.log1p(count));
}

const contenderName = (choice: Omit<Choice, "reason">) =>
  choice.blendWeight === undefined ? choice.model : `${choice.model}@${choice.blendWeight}`;

/** The scorer a choice stands for, from the fitted models it needs. */
function servedScorer(
  choice: Omit<Choice, "reason">,
  scorers: { als?: UserScorer; knn?: UserScorer; popularity: UserScorer },
  items: number,
): UserScorer {
  const weight = choice.blendWeight ?? 0.5;
  switch (choice.model) {
    case "popularity":
      return scorers.popularity;
    case "item_knn":
      return scorers.knn!;
    case "als":
      return scorers.als!;
    case "als+popularity":
      return standardizedBlend(scorers.als!, [{ scorer: scorers.popularity, weight }], items);
    case "als+item_knn":
      return standardizedBlend(scorers.als!, [{ scorer: scorers.knn!, weight }], items);
  }
}

function constantScorer(values: Float64Array): UserScorer {
  return (_user, out) => out.set(values);
}

const NO_REPEATS = (items: number) => new Uint8Array(items);

/** Judges every model family on the shop's own holdout and picks what it is served. */
async function chooseModel(
  purchases: ShopPurchases,
  items: number,
  settings: RecommendationSettings,
  options: Required<Omit<TrainOptions, "progress">> & Pick<TrainOptions, "progress">,
): Promise<{ choice: Choice; holdout: HoldoutReport | null }> {
  const users = purchases.customerIds.length;
  if (purchases.firstDay === null || purchases.lastDay === null) {
    return { choice: { model: "popularity", reason: "no sales yet" }, holdout: null };
  }
  const span = purchases.lastDay - purchases.firstDay;
  const splitDay = purchases.lastDay - Math.floor(span * HOLDOUT_SHARE);
  const holdout = temporalHoldout(purchases, users, items, splitDay, {
    decayDays: settings.decayDays,
    referenceDay: splitDay,
  });
  if (holdout.testUsers.length < MIN_TEST_USERS) {
    return {
      choice: {
        model: "popularity",
        reason: `only ${holdout.testUsers.length} customers to judge models on (need ${MIN_TEST_USERS}): best sellers are the safe choice`,
      },
      holdout: null,
    };
  }
  const judge = (scorer: UserScorer) => {
    const lists = rankForUsers(holdout.train, scorer, {
      k: 10,
      candidates: holdout.candidates,
      repeatable: NO_REPEATS(items),
      users: holdout.testUsers,
    });
    return evaluateRanking(lists.items, holdout.relevant, 10, holdout.candidateCount);
  };
  await options.progress?.(0.1, "holdout: item-kNN");
  const knn = knnScorer(fitItemKnn(holdout.train, ITEM_KNN_NEIGHBOURS), holdout.train);
  await options.progress?.(0.15, "holdout: ALS");
  const model = await trainAls(holdout.train, alsParams(settings, options.threads), seededRandom(options.seed));
  const scorers = { als: alsScorer(model), knn, popularity: constantScorer(logPopularity(holdout.train)) };
  const contenders: Omit<Choice, "reason">[] = [
    { model: "popularity" },
    { model: "item_knn" },
    { model: "als" },
    ...BLEND_WEIGHTS.flatMap((blendWeight) => [
      { model: "als+popularity" as const, blendWeight },
      { model: "als+item_knn" as const, blendWeight },
    ]),
  ];
  const metrics: Record<string, Record<string, number>> = {};
  for (const contender of contenders) {
    metrics[contenderName(contender)] = judge(servedScorer(contender, scorers, items));
  }
  // Contenders are listed simplest first; a later one must beat the best so far by more than
  // MIN_GAIN (relative NDCG@10). A blend's weight is tuned on this very holdout, so a hair's
  // breadth ahead is noise, and the simpler model serves more of the catalogue.
  let best = contenders[0]!;
  for (const contender of contenders) {
    const gain = metrics[contenderName(contender)]!["ndcg@10"]! / metrics[contenderName(best)]!["ndcg@10"]! - 1;
    if (gain > MIN_GAIN) best = contender;
  }
  const winner = metrics[contenderName(best)]!;
  const choice: Choice = { ...best, reason: "" };
  choice.reason = `best NDCG@10 on the shop's last ${Math.round(HOLDOUT_SHARE * 100)}% of history (${winner["ndcg@10"]!.toFixed(4)}, ${holdout.testUsers.length} customers)`;
  return {
    choice,
    holdout: { splitDay, testUsers: holdout.testUsers.length, candidates: holdout.candidateCount, metrics },
  };
}

/** Orders x products for bought-together: every order counts, guests' too. */
function orderItemMatrix(purchases: ShopPurchases, items: number): CsrMatrix {
  return csrFromTriples(
    purchases.orders,
    items,
    purchases.order,
    purchases.item,
    new Float32Array(purchases.order.length).fill(1),
  );
}

/** Customers in the last `windowDays` up to the shop's latest sale, per product (guests count per order). */
function recentPopularity(purchases: ShopPurchases, items: number, windowDays: number): Float64Array {
  const popularity = new Float64Array(items);
  if (purchases.lastDay === null) return popularity;
  const since = purchases.lastDay - windowDays;
  const seen = new Set<number>();
  for (let e = 0; e < purchases.item.length; e++) {
    if (purchases.day[e]! <= since) continue;
    const user = purchases.user[e]!;
    // A customer counts once per product; a guest order counts as its own buyer.
    const buyer = user >= 0 ? user : -1 - purchases.order[e]!;
    const key = buyer * items + purchases.item[e]!;
    if (seen.has(key)) continue;
    seen.add(key);
    popularity[purchases.item[e]!]!++;
  }
  return popularity;
}

function topPopular(popularity: Float64Array, available: Uint8Array, k: number) {
  const heap = new TopK(k);
  for (let i = 0; i < popularity.length; i++)
    if (available[i] === 1 && popularity[i]! > 0) heap.push(i, popularity[i]!);
  const ranked = heap.sorted();
  return { items: Int32Array.from(ranked, (r) => r.index), scores: Float32Array.from(ranked, (r) => r.score) };
}

/** Per recommended item, the two history items with the highest item-kNN similarity to it. */
function explainKnn(model: ItemKnnModel, userItems: CsrMatrix, user: number, recommended: Int32Array): Int32Array {
  const out = new Int32Array(recommended.length * 2).fill(-1);
  recommended.forEach((item, r) => {
    if (item < 0) return;
    const shares: { item: number; value: number }[] = [];
    for (let p = userItems.indptr[user]!; p < userItems.indptr[user + 1]!; p++) {
      const source = userItems.indices[p]!;
      const { indptr, indices, values } = model.neighbours;
      for (let q = indptr[source]!; q < indptr[source + 1]!; q++) {
        if (indices[q] === item) shares.push({ item: source, value: values[q]! });
      }
    }
    shares.sort((a, b) => b.value - a.value || a.item - b.item);
    shares.slice(0, 2).forEach((share, t) => (out[r * 2 + t] = share.item));
  });
  return out;
}

export async function trainShopRecommendations(
  purchases: ShopPurchases,
  catalogue: Catalogue,
  settings: RecommendationSettings,
  options: TrainOptions = {},
): Promise<ShopRecommendations> {
  const resolved = { seed: options.seed ?? 20261126, threads: options.threads ?? 1, progress: options.progress };
  const items = catalogue.productIds.length;
  const users = purchases.customerIds.length;
  const k = settings.listLength;
  const { choice, holdout } = await chooseModel(purchases, items, settings, resolved);
  await resolved.progress?.(0.4, "final fit");

  const matrix = interactionMatrix(purchases, users, items, { decayDays: settings.decayDays });
  const orderCounts = settings.decayDays > 0 ? interactionMatrix(purchases, users, items) : matrix;
  const repeatable = repeatPurchaseItems(orderCounts, settings.repeatBuyerShare, settings.repeatBuyerMinimum);
  const withHistory = new Uint8Array(items);
  for (let p = 0; p < matrix.indices.length; p++) withHistory[matrix.indices[p]!] = 1;

  // ALS also drives "similar", so it is fitted whenever there is anything to learn from.
  let model: AlsModel | null = null;
  if (users >= 2 && matrix.indices.length > 0) {
    model = await trainAls(matrix, alsParams(settings, resolved.threads), seededRandom(resolved.seed));
  }
  await resolved.progress?.(0.7, "lists");
  const knn =
    choice.model === "item_knn" || choice.model === "als+item_knn" ? fitItemKnn(matrix, ITEM_KNN_NEIGHBOURS) : null;
  const popularity = constantScorer(logPopularity(matrix));
  // Without a model (too little data) every ALS-based choice degrades to best sellers.
  const scorer =
    model || !choice.model.startsWith("als")
      ? servedScorer(
          choice,
          { als: model ? alsScorer(model) : undefined, knn: knn ? knnScorer(knn, matrix) : undefined, popularity },
          items,
        )
      : popularity;
  const lists = rankForUsers(matrix, scorer, { k, candidates: catalogue.available, repeatable });
  const because = new Int32Array(users * k * 2).fill(-1);
  if (model && choice.model.startsWith("als")) {
    const gram = gramian(model.itemFactors, model.factors);
    for (let u = 0; u < users; u++) {
      const explainer = new UserExplainer(model, gram, matrix, u, settings);
      because.set(explainer.explain(lists.items.subarray(u * k, (u + 1) * k), 2), u * k * 2);
    }
  } else if (knn && choice.model === "item_knn") {
    for (let u = 0; u < users; u++) {
      because.set(explainKnn(knn, matrix, u, lists.items.subarray(u * k, (u + 1) * k)), u * k * 2);
    }
  }
  await resolved.progress?.(0.85, "product lists");

  const recent = recentPopularity(purchases, items, settings.popularWindowDays);
  const similar = model
    ? similarItems(model.itemFactors, model.factors, { k, candidates: catalogue.available, sources: withHistory })
    : { items: Array.from({ length: items }, () => new Int32Array(0)), scores: [] };
  // Products with no history (or no neighbour in factor space) fall back to type/vendor/popularity.
  const cold = Uint8Array.from({ length: items }, (_, i) => (similar.items[i]!.length === 0 ? 1 : 0));
  const fallback = attributeNeighbours(
    { productType: catalogue.productType, vendor: catalogue.vendor, popularity: recent },
    { k, candidates: catalogue.available, sources: cold },
  );
  for (let i = 0; i < items; i++) {
    if (cold[i] === 1) {
      similar.items[i] = fallback.items[i]!;
      similar.scores[i] = fallback.scores[i]!;
    }
  }
  return {
    choice,
    holdout,
    forYou: { ...lists, because },
    similar,
    boughtTogether: boughtTogether(orderItemMatrix(purchases, items), {
      k,
      minPairOrders: settings.minPairOrders,
      minConfidence: settings.minPairConfidence,
      candidates: catalogue.available,
    }),
    popular: topPopular(recent, catalogue.available, Math.max(k, 24)),
  };
}
