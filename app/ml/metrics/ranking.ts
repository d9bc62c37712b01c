/**
 * Top-k ranking metrics for recommendations, as EVALUATION.md (protocol R1) defines them.
 *
 * A recommendation list is a sequence of item ids, best first. Ids below 0 are padding (a
 * recommender returns fewer than k items when a user has seen almost every candidate) and are
 * ignored: the list is read as if they were not there (recommenders pad only at the end).
 * An item may appear at most once in a list: a duplicate would be counted as two hits by
 * every metric below, so it is rejected rather than silently inflating the figures.
 *
 * Definitions (hits = relevant items among the first k, binary relevance):
 * - precision@k = hits / k (k, not the list length: a short list is not rewarded);
 * - recall@k = hits / |relevant|;
 * - NDCG@k = DCG / IDCG with DCG = sum over hit ranks i (1-based) of 1 / log2(i + 1) and
 *   IDCG the DCG of min(|relevant|, k) hits at ranks 1.. (Järvelin & Kekäläinen 2002);
 * - AP@k = (sum over hit ranks i of precision@i) / min(|relevant|, k) (the normalisation
 *   used by `implicit` and most recsys toolkits, so a perfect list scores 1);
 * - HR@k = 1 when hits > 0;
 * - catalog coverage@k = distinct items in all top-k lists / number of candidate items.
 * Each per-list metric costs O(k) set lookups; evaluateRanking is O(users * k).
 */

/** Per-user recommendation lists: an array of lists, or one flat array of `k` ids per user. */
export type Recommendations = ReadonlyArray<ArrayLike<number>> | Int32Array;
export type RelevantSets = ReadonlyArray<ReadonlySet<number>>;

/**
 * The first k real entries of a list, checked for duplicates.
 * @throws RangeError when an item appears twice.
 */
function topOf(list: ArrayLike<number>, k: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < list.length && out.length < k; i++) {
    const item = list[i]!;
    if (item < 0) continue;
    if (seen.has(item)) throw new RangeError(`item ${item} recommended twice in one list`);
    seen.add(item);
    out.push(item);
  }
  return out;
}

function checkK(k: number): void {
  if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`k must be a positive integer, got ${k}`);
}

function hitsAt(list: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  for (const item of topOf(list, k)) if (relevant.has(item)) hits++;
  return hits;
}

/** hits / k. @throws RangeError for k < 1 or a duplicate item. */
export function precisionAtK(list: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  return hitsAt(list, relevant, k) / k;
}

/** hits / |relevant|; 0 when nothing is relevant (such users are not test users in R1). */
export function recallAtK(list: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  return relevant.size === 0 ? 0 : hitsAt(list, relevant, k) / relevant.size;
}

/** 1 when any of the first k items is relevant. */
export function hitRateAtK(list: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  return hitsAt(list, relevant, k) > 0 ? 1 : 0;
}

/** Binary-gain NDCG with the ideal over min(|relevant|, k) hits. */
export function ndcgAtK(list: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  const ideal = Math.min(relevant.size, k);
  if (ideal === 0) return 0;
  let dcg = 0;
  topOf(list, k).forEach((item, i) => {
    // Rank i + 1 is discounted by log2(rank + 1) = log2(i + 2).
    if (relevant.has(item)) dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
}

/** Average precision over the first k, normalised by min(|relevant|, k). */
export function averagePrecisionAtK(list: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  checkK(k);
  const ideal = Math.min(relevant.size, k);
  if (ideal === 0) return 0;
  let hits = 0;
  let sum = 0;
  topOf(list, k).forEach((item, i) => {
    if (relevant.has(item)) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return sum / ideal;
}

/**
 * Distinct items in all top-k lists / candidateCount.
 * @throws RangeError when candidateCount < 1.
 */
export function catalogCoverage(lists: ReadonlyArray<ArrayLike<number>>, k: number, candidateCount: number): number {
  checkK(k);
  if (!(candidateCount >= 1)) throw new RangeError("candidateCount must be positive");
  const shown = new Set<number>();
  for (const list of lists) for (const item of topOf(list, k)) shown.add(item);
  return shown.size / candidateCount;
}

/** Splits a flat users x k array into per-user views; other forms pass through. */
function asLists(recommendations: Recommendations, users: number, k: number): ReadonlyArray<ArrayLike<number>> {
  if (!(recommendations instanceof Int32Array)) return recommendations;
  if (recommendations.length !== users * k) {
    throw new RangeError(`a flat recommendation array needs ${users} x ${k} entries, got ${recommendations.length}`);
  }
  return Array.from({ length: users }, (_, u) => recommendations.subarray(u * k, (u + 1) * k));
}

/**
 * Means over users of every metric, keyed exactly as the benchmark output format wants
 * (`precision@10 recall@10 ndcg@10 map@10 hr@10 coverage@10` for k = 10).
 * @param recommendations per-user lists parallel to `relevant` (or a flat users x k Int32Array)
 * @throws RangeError on mismatched lengths, k < 1, duplicates or no users.
 */
export function evaluateRanking(
  recommendations: Recommendations,
  relevant: RelevantSets,
  k: number,
  candidateCount: number,
): Record<string, number> {
  checkK(k);
  const users = relevant.length;
  if (users === 0) throw new RangeError("no users to evaluate");
  const lists = asLists(recommendations, users, k);
  if (lists.length !== users) throw new RangeError(`${lists.length} lists for ${users} users`);
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let ap = 0;
  let hr = 0;
  for (let u = 0; u < users; u++) {
    const list = lists[u]!;
    const rel = relevant[u]!;
    precision += precisionAtK(list, rel, k);
    recall += recallAtK(list, rel, k);
    ndcg += ndcgAtK(list, rel, k);
    ap += averagePrecisionAtK(list, rel, k);
    hr += hitRateAtK(list, rel, k);
  }
  return {
    [`precision@${k}`]: precision / users,
    [`recall@${k}`]: recall / users,
    [`ndcg@${k}`]: ndcg / users,
    [`map@${k}`]: ap / users,
    [`hr@${k}`]: hr / users,
    [`coverage@${k}`]: catalogCoverage(lists, k, candidateCount),
  };
}
