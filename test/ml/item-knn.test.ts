import { describe, expect, it } from "vitest";

import { fitItemKnn, itemKnnScores, recommendItemKnn } from "~/ml/recommend/item-knn";
import { seededRandom } from "~/ml/random";
import { csrFromTriples } from "~/ml/sparse";

// 4 users x 4 items. u0 {0,1}, u1 {0,1,2}, u2 {1,2}, u3 {3}. Values are ignored (binary).
// Users per item: n0 = 2, n1 = 3, n2 = 2, n3 = 1. Co-occurrences: (0,1) = 2 (u0,u1),
// (0,2) = 1 (u1), (1,2) = 2 (u1,u2); item 3 co-occurs with nothing.
// Cosine: sim(0,1) = 2/sqrt(2*3) = 0.8164965809, sim(0,2) = 1/sqrt(2*2) = 0.5,
// sim(1,2) = 2/sqrt(3*2) = 0.8164965809.
const m = csrFromTriples(4, 4, [0, 0, 1, 1, 1, 2, 2, 3], [0, 1, 0, 1, 2, 1, 2, 3], [1, 4, 1, 1, 1, 1, 7, 1]);
const S = 2 / Math.sqrt(6);

describe("item-kNN", () => {
  it("keeps K - 1 other neighbours per item with their cosine", () => {
    const { neighbours } = fitItemKnn(m, 3);
    expect([...neighbours.indptr]).toEqual([0, 2, 4, 6, 6]);
    expect([...neighbours.indices]).toEqual([1, 2, 0, 2, 0, 1]);
    const expected = [S, 0.5, S, S, 0.5, S];
    [...neighbours.values].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it("K = 2 keeps one neighbour, ties to the lower index", () => {
    const { neighbours } = fitItemKnn(m, 2);
    // item 0 -> 1 (S); item 1: 0 and 2 tie at S -> 0; item 2 -> 1 (S); item 3 -> none.
    expect([...neighbours.indptr]).toEqual([0, 1, 2, 3, 3]);
    expect([...neighbours.indices]).toEqual([1, 0, 1]);
  });

  it("scores a user by summing the similarities of their items' neighbours", () => {
    const model = fitItemKnn(m, 3);
    const scores = new Float64Array(4);
    itemKnnScores(model, m, 0, scores);
    // u0 has {0,1}: item 0 <- sim(1,0) = S; item 1 <- sim(0,1) = S; item 2 <- 0.5 + S = 1.3164965809.
    expect(scores[0]).toBeCloseTo(S, 6);
    expect(scores[1]).toBeCloseTo(S, 6);
    expect(scores[2]).toBeCloseTo(0.5 + S, 6);
    expect(scores[3]).toBe(0);
  });

  it("recommends unseen candidates best first", () => {
    const model = fitItemKnn(m, 3);
    // u0 -> 2 (1.3165), 3 (0); u2 {1,2} -> 0 (S + 0.5), 3 (0); u3 {3} -> all 0: 0, 1 by index.
    expect([...recommendItemKnn(model, m, { k: 2, users: [0, 2, 3] })]).toEqual([2, 3, 0, 3, 0, 1]);
    // Without item 3 as a candidate, u0 gets only item 2.
    const candidates = Uint8Array.from([1, 1, 1, 0]);
    expect([...recommendItemKnn(model, m, { k: 2, users: [0], candidates })]).toEqual([2, -1]);
  });

  it("matches brute-force cosine on a random matrix", () => {
    const random = seededRandom(42);
    const users = 60;
    const items = 25;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < users; u++) {
      for (let i = 0; i < items; i++) {
        if (random() < 0.15) {
          rows.push(u);
          cols.push(i);
        }
      }
    }
    const x = csrFromTriples(
      users,
      items,
      rows,
      cols,
      rows.map(() => 1 + Math.floor(random() * 3)),
    );
    const k = 6;
    const { neighbours } = fitItemKnn(x, k);
    const has = (u: number, i: number) => rows.some((r, n) => r === u && cols[n] === i);
    const count = (i: number) => rows.filter((_, n) => cols[n] === i).length;
    for (let i = 0; i < items; i++) {
      const sims: [number, number][] = [];
      for (let j = 0; j < items; j++) {
        if (j === i) continue;
        let co = 0;
        for (let u = 0; u < users; u++) if (has(u, i) && has(u, j)) co++;
        if (co > 0) sims.push([j, co / Math.sqrt(count(i) * count(j))]);
      }
      const expected = sims
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, k - 1)
        .sort((a, b) => a[0] - b[0]);
      const start = neighbours.indptr[i]!;
      const end = neighbours.indptr[i + 1]!;
      expect([...neighbours.indices.subarray(start, end)]).toEqual(expected.map(([j]) => j));
      expected.forEach(([, s], n) => expect(neighbours.values[start + n]).toBeCloseTo(s, 6));
    }
  });

  it("rejects a bad K", () => {
    expect(() => fitItemKnn(m, 0)).toThrow(RangeError);
  });
});
