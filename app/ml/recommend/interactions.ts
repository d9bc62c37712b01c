/**
 * From purchase events to the matrices the recommenders train and are judged on.
 *
 * An event is one product in one order (several lines of it in that order count once), with
 * the customer and the shop-local day. A customer-product value is the number of distinct
 * orders with that product, optionally decayed so that old purchases count less.
 */
import { csrFromTriples, type CsrMatrix } from "../sparse";

export interface PurchaseEvents {
  /** Dense customer index per event. */
  user: Int32Array;
  /** Dense product index per event. */
  item: Int32Array;
  /** Shop-local day number (days since 1970-01-01) per event. */
  day: Int32Array;
}

export interface InteractionOptions {
  /** Only events before this day count (a training cut); default all. */
  beforeDay?: number;
  /** Each purchase weighs exp(-age / decayDays), age in days before `referenceDay`; 0 = no decay. */
  decayDays?: number;
  /** The day ages are measured from; default the last day with an event. */
  referenceDay?: number;
}

/** users x items, value = (decayed) count of distinct orders. */
export function interactionMatrix(
  events: PurchaseEvents,
  users: number,
  items: number,
  options: InteractionOptions = {},
): CsrMatrix {
  const before = options.beforeDay ?? Infinity;
  const decayDays = options.decayDays ?? 0;
  let reference = options.referenceDay ?? -Infinity;
  if (options.referenceDay === undefined) {
    for (let e = 0; e < events.day.length; e++) {
      if (events.day[e]! < before && events.day[e]! > reference) reference = events.day[e]!;
    }
  }
  // Typed arrays sized for every event, trimmed after: millions of purchases would otherwise
  // become boxed JavaScript arrays three times over.
  const rows = new Int32Array(events.user.length);
  const cols = new Int32Array(events.user.length);
  const values = new Float32Array(events.user.length);
  let kept = 0;
  for (let e = 0; e < events.user.length; e++) {
    const day = events.day[e]!;
    if (day >= before || events.user[e]! < 0) continue; // guests have no row
    rows[kept] = events.user[e]!;
    cols[kept] = events.item[e]!;
    values[kept++] = decayDays > 0 ? Math.exp(-Math.max(reference - day, 0) / decayDays) : 1;
  }
  // Duplicates (repeat orders of one product) are summed.
  return csrFromTriples(users, items, rows.subarray(0, kept), cols.subarray(0, kept), values.subarray(0, kept));
}

export interface Holdout {
  /** All users x all items, events before the split only. */
  train: CsrMatrix;
  /** Items seen in train: the only ones the evaluation may recommend. */
  candidates: Uint8Array;
  candidateCount: number;
  /** Users judged: >= 1 train purchase and >= 1 new candidate bought from the split on. */
  testUsers: Int32Array;
  /** Per test user, the candidate items they bought from the split on but not before. */
  relevant: Set<number>[];
}

/**
 * A temporal holdout with the rules of protocol R1 (EVALUATION.md): train before `splitDay`,
 * test from it; candidates are train items; test users need a train history and a new
 * candidate item in the test period.
 */
export function temporalHoldout(
  events: PurchaseEvents,
  users: number,
  items: number,
  splitDay: number,
  options: Omit<InteractionOptions, "beforeDay"> = {},
): Holdout {
  const train = interactionMatrix(events, users, items, { ...options, beforeDay: splitDay });
  const candidates = new Uint8Array(items);
  const hasHistory = new Uint8Array(users);
  for (let u = 0; u < users; u++) {
    if (train.indptr[u + 1]! > train.indptr[u]!) hasHistory[u] = 1;
    for (let p = train.indptr[u]!; p < train.indptr[u + 1]!; p++) candidates[train.indices[p]!] = 1;
  }
  const boughtBefore = (user: number, item: number) => {
    // Rows are sorted by column: binary search.
    let low = train.indptr[user]!;
    let high = train.indptr[user + 1]! - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const col = train.indices[mid]!;
      if (col === item) return true;
      if (col < item) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  };
  const relevantByUser = new Map<number, Set<number>>();
  for (let e = 0; e < events.user.length; e++) {
    if (events.day[e]! < splitDay) continue;
    const user = events.user[e]!;
    const item = events.item[e]!;
    if (user < 0 || !hasHistory[user] || candidates[item] !== 1 || boughtBefore(user, item)) continue;
    let set = relevantByUser.get(user);
    if (!set) relevantByUser.set(user, (set = new Set()));
    set.add(item);
  }
  const testUsers = Int32Array.from([...relevantByUser.keys()].sort((a, b) => a - b));
  return {
    train,
    candidates,
    candidateCount: candidates.reduce((sum, flag) => sum + flag, 0),
    testUsers,
    relevant: Array.from(testUsers, (user) => relevantByUser.get(user)!),
  };
}
