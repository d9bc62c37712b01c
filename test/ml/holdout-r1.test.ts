/**
 * The training job judges models with temporalHoldout (app/ml/recommend/interactions.ts);
 * bench:recs builds protocol R1 with bench/lib/r1.ts. Both must apply the same rules: on
 * Online Retail, cut at 2011-09-01, they must find EVALUATION.md's 1,875 test users and 3,388
 * candidates, and the very same relevant items for each user.
 */
import { describe, expect, it } from "vitest";

import { temporalHoldout } from "~/ml/recommend/interactions";

import { dayNumber, loadOnlineRetail } from "../../bench/lib/online-retail";
import { r1Test } from "../../bench/lib/r1";

describe("temporalHoldout on Online Retail", () => {
  it("reproduces protocol R1's split exactly", async () => {
    const data = await loadOnlineRetail();
    // One event per (customer, item, invoice), as the job loads them (lines of one invoice count once).
    const seen = new Set<string>();
    const user: number[] = [];
    const item: number[] = [];
    const day: number[] = [];
    for (let r = 0; r < data.rows; r++) {
      const key = `${data.customer[r]}:${data.item[r]}:${data.invoice[r]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      user.push(data.customer[r]!);
      item.push(data.item[r]!);
      day.push(data.localDay[r]!);
    }
    const holdout = temporalHoldout(
      { user: Int32Array.from(user), item: Int32Array.from(item), day: Int32Array.from(day) },
      data.customerIds.length,
      data.stockCodes.length,
      dayNumber("2011-09-01"),
    );
    expect(holdout.testUsers.length).toBe(1875);
    expect(holdout.candidateCount).toBe(3388);

    const r1 = r1Test(data);
    const fromBench = new Map(
      Array.from(r1.testUsers, (row, t) => [
        r1.userIds[row]!,
        [...r1.relevant[t]!].map((col) => r1.itemIds[col]!).sort((a, b) => a - b),
      ]),
    );
    const fromJob = new Map(
      Array.from(holdout.testUsers, (u, t) => [u, [...holdout.relevant[t]!].sort((a, b) => a - b)]),
    );
    expect(fromJob).toEqual(fromBench);
    // Train values agree too: distinct invoices per (customer, item).
    for (let row = 0; row < r1.train.rows; row += 97) {
      const u = r1.userIds[row]!;
      for (let p = r1.train.indptr[row]!; p < r1.train.indptr[row + 1]!; p++) {
        const i = r1.itemIds[r1.train.indices[p]!]!;
        const q = holdout.train.indices.subarray(holdout.train.indptr[u]!, holdout.train.indptr[u + 1]!).indexOf(i);
        expect(holdout.train.values[holdout.train.indptr[u]! + q]).toBe(r1.train.values[p]);
      }
    }
  });
});
