import { describe, expect, it } from "vitest";

import { popularityScores, recommendPopular } from "~/ml/recommend/popularity";
import { TopK } from "~/ml/recommend/top-k";
import { csrFromTriples } from "~/ml/sparse";

// 4 users x 4 items. u0 {0,1}, u1 {0,1,2}, u2 {1,2}, u3 {3}; u1's item 0 has value 5 to show that
// popularity counts customers, not purchases.
const m = csrFromTriples(4, 4, [0, 0, 1, 1, 1, 2, 2, 3], [0, 1, 0, 1, 2, 1, 2, 3], [1, 1, 5, 1, 1, 1, 1, 1]);

describe("popularity", () => {
  it("scores distinct customers per item", () => {
    // item 0: u0,u1 = 2; item 1: u0,u1,u2 = 3; item 2: u1,u2 = 2; item 3: u3 = 1
    expect([...popularityScores(m)]).toEqual([2, 3, 2, 1]);
  });

  it("recommends the most popular unseen items, ties to the lower index, padded with -1", () => {
    // u0 sees 0,1 -> 2 (2), 3 (1); u1 sees 0,1,2 -> only 3; u2 sees 1,2 -> 0 (2), 3 (1);
    // u3 sees 3 -> 1 (3), then 0 and 2 tie at 2 -> 0.
    expect([...recommendPopular(m, { k: 2 })]).toEqual([2, 3, 3, -1, 0, 3, 1, 0]);
  });

  it("recommends only candidates, for the users asked", () => {
    const candidates = Uint8Array.from([0, 1, 1, 1]);
    // u3: 1 (3), 2 (2); u2: item 0 is not a candidate -> 3 only.
    expect([...recommendPopular(m, { k: 2, users: [3, 2], candidates })]).toEqual([1, 2, 3, -1]);
  });

  it("rejects bad inputs", () => {
    expect(() => recommendPopular(m, { k: 0 })).toThrow(RangeError);
    expect(() => recommendPopular(m, { k: 1, users: [4] })).toThrow(RangeError);
    expect(() => recommendPopular(m, { k: 1, candidates: new Uint8Array(3) })).toThrow(RangeError);
  });
});

describe("TopK", () => {
  it("keeps the k best, best first, ties to the lower index", () => {
    const top = new TopK(3);
    const scores = [0.5, 2, 2, -1, 3, 0.5, 2];
    scores.forEach((s, i) => top.push(i, s));
    const out = new Int32Array(3);
    const kept = new Float64Array(3);
    expect(top.drain(out, 0, kept)).toBe(3);
    // 4 (3), then the three 2s at 1, 2, 6 -> 1 and 2.
    expect([...out]).toEqual([4, 1, 2]);
    expect([...kept]).toEqual([3, 2, 2]);
  });

  it("matches a full sort on random input", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const scores = Array.from({ length: 500 }, () => Math.round(next() * 50));
    const top = new TopK(20);
    scores.forEach((s, i) => top.push(i, s));
    const out = new Int32Array(20);
    top.drain(out, 0);
    const expected = scores
      .map((s, i) => [s, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, 20)
      .map(([, i]) => i);
    expect([...out]).toEqual(expected);
  });
});
