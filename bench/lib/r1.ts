/**
 * Protocol R1 (EVALUATION.md): a temporal holdout for recommendations on cleaned Online Retail.
 *
 * - interaction value = number of distinct invoices in which the customer bought the item
 *   (several lines of one item on one invoice count once);
 * - train: InvoiceDate < split day (local); test: from the split day to the end (or to `end`);
 * - candidates = items seen in train;
 * - test users = customers with >= 1 train interaction and >= 1 test item that is a candidate
 *   and not bought in train; their relevant set is exactly those items.
 *
 * The train matrix is built over train users (rows) x candidate items (columns) only, so every
 * column is a candidate and "restricted to candidates" needs no mask; `userIds` / `itemIds` map
 * rows and columns back to the loader's customer and item indices.
 */
import { csrFromTriples, type CsrMatrix } from "~/ml/sparse";

import { dayNumber, type OnlineRetail } from "./online-retail";

export interface R1Split {
  name: string;
  /** Train users x candidate items; value = distinct train invoices with that item. */
  train: CsrMatrix;
  /** Loader customer index per train row. */
  userIds: Int32Array;
  /** Loader item index per train column (the candidates). */
  itemIds: Int32Array;
  /**
   * Local day of every train invoice behind each entry (for time decay): entry k's days are
   * `purchaseDays[purchasePtr[k] .. purchasePtr[k+1])`, k indexing `train.values`.
   */
  purchasePtr: Int32Array;
  purchaseDays: Int32Array;
  /** Split day (first test day): ages for time decay are measured back from it. */
  splitDay: number;
  /** Train rows that are evaluated. */
  testUsers: Int32Array;
  /** Relevant candidate columns per test user, parallel to `testUsers`. */
  relevant: Set<number>[];
  candidateCount: number;
}

/** The test split: train < 2011-09-01, test 2011-09-01 .. end of data. */
export const r1Test = (data: OnlineRetail) => buildR1Split(data, "test", "2011-09-01");
/** The validation split carved out of train: train' < 2011-06-01, validation 2011-06-01 .. 2011-08-31. */
export const r1Validation = (data: OnlineRetail) => buildR1Split(data, "validation", "2011-06-01", "2011-09-01");

/**
 * @param split first local day of the holdout ("YYYY-MM-DD")
 * @param end first local day after the holdout; omitted = to the end of the data
 */
export function buildR1Split(data: OnlineRetail, name: string, split: string, end?: string): R1Split {
  const splitDay = dayNumber(split);
  const endDay = end === undefined ? Infinity : dayNumber(end);
  const customers = data.customerIds.length;
  const items = data.stockCodes.length;

  // Distinct (customer, item, invoice) triples in train: one key per pair collects its invoices.
  // A Map keyed by customer * items + item is small (about 200k pairs) and simple.
  const trainInvoices = new Map<number, Set<number>>();
  const invoiceDay = new Int32Array(data.invoiceNos.length);
  const testPairs = new Set<number>();
  for (let r = 0; r < data.rows; r++) {
    const day = data.localDay[r]!;
    const key = data.customer[r]! * items + data.item[r]!;
    if (day < splitDay) {
      let set = trainInvoices.get(key);
      if (!set) trainInvoices.set(key, (set = new Set()));
      set.add(data.invoice[r]!);
      invoiceDay[data.invoice[r]!] = day;
    } else if (day < endDay) {
      testPairs.add(key);
    }
  }

  // Rows and columns in loader-index order, so the layout is deterministic.
  const userRow = new Int32Array(customers).fill(-1);
  const itemCol = new Int32Array(items).fill(-1);
  for (const key of trainInvoices.keys()) {
    userRow[Math.floor(key / items)] = 0;
    itemCol[key % items] = 0;
  }
  const userIds = compact(userRow);
  const itemIds = compact(itemCol);

  const rowOf: number[] = [];
  const colOf: number[] = [];
  const value: number[] = [];
  for (const [key, invoices] of trainInvoices) {
    rowOf.push(userRow[Math.floor(key / items)]!);
    colOf.push(itemCol[key % items]!);
    value.push(invoices.size);
  }
  const train = csrFromTriples(userIds.length, itemIds.length, rowOf, colOf, value);
  // Purchase days per stored entry, looked up after the CSR sort by (row, col); the value of
  // entry k is exactly its number of days listed (one per distinct invoice).
  const purchasePtr = new Int32Array(train.values.length + 1);
  const purchaseDays = new Int32Array(train.values.reduce((sum, v) => sum + v, 0));
  for (let u = 0; u < train.rows; u++) {
    for (let k = train.indptr[u]!; k < train.indptr[u + 1]!; k++) {
      let at = purchasePtr[k]!;
      for (const invoice of trainInvoices.get(userIds[u]! * items + itemIds[train.indices[k]!]!)!) {
        purchaseDays[at++] = invoiceDay[invoice]!;
      }
      purchasePtr[k + 1] = at;
    }
  }

  // Relevant = test items that are candidates (have a column) and were not bought in train.
  const relevantByRow = new Map<number, Set<number>>();
  for (const key of testPairs) {
    const row = userRow[Math.floor(key / items)]!;
    const col = itemCol[key % items]!;
    if (row < 0 || col < 0 || trainInvoices.has(key)) continue;
    let set = relevantByRow.get(row);
    if (!set) relevantByRow.set(row, (set = new Set()));
    set.add(col);
  }
  const testUsers = Int32Array.from([...relevantByRow.keys()].sort((a, b) => a - b));
  const relevant = Array.from(testUsers, (row) => relevantByRow.get(row)!);
  return {
    name,
    train,
    userIds,
    itemIds,
    purchasePtr,
    purchaseDays,
    splitDay,
    testUsers,
    relevant,
    candidateCount: itemIds.length,
  };
}

/** Turns a 0/-1 presence array into positions (in place) and returns the kept original indices. */
function compact(slots: Int32Array): Int32Array {
  const kept: number[] = [];
  for (let i = 0; i < slots.length; i++) {
    if (slots[i] === 0) {
      slots[i] = kept.length;
      kept.push(i);
    }
  }
  return Int32Array.from(kept);
}
