import { Matrix, solve } from "ml-matrix";
import { describe, expect, it } from "vitest";

import { seededRandom } from "~/ml/random";
import { boughtTogether } from "~/ml/recommend/bought-together";
import { attributeNeighbours } from "~/ml/recommend/cold-start";
import { gramian, UserExplainer } from "~/ml/recommend/explain";
import { rankForUsers, repeatPurchaseItems } from "~/ml/recommend/for-you";
import { similarItems } from "~/ml/recommend/similar";
import { TopK } from "~/ml/recommend/top-k";
import { csrFromTriples } from "~/ml/sparse";

const all = (n: number) => new Uint8Array(n).fill(1);

describe("TopK", () => {
  it("keeps the k largest of many offers, best first", () => {
    const random = seededRandom(7);
    const values = Array.from({ length: 1000 }, () => random());
    const heap = new TopK(10);
    values.forEach((value, index) => heap.push(index, value));
    const expected = values
      .map((score, index) => ({ index, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
    expect(heap.sorted()).toEqual(expected);
  });
});

describe("boughtTogether", () => {
  // 6 orders over items 0..3:
  //   {0,1} x3, {0,2}, {2,3} x2.  n0 = 4, n1 = 3, n2 = 3, n3 = 2, N = 6.
  const orders = [
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 2],
    [2, 3],
    [2, 3],
  ];
  const matrix = csrFromTriples(
    orders.length,
    4,
    orders.flatMap((items, order) => items.map(() => order)),
    orders.flat(),
    orders.flat().map(() => 1),
  );

  it("scores pairs by lift and drops pairs below the minimum support", () => {
    const result = boughtTogether(matrix, { k: 5, minPairOrders: 2, candidates: all(4) });
    // lift(0,1) = 3 * 6 / (4 * 3) = 1.5; (0,2) shares one order only: dropped.
    expect([...result.items[0]!]).toEqual([1]);
    expect(result.scores[0]![0]).toBeCloseTo(1.5, 5);
    // lift(2,3) = 2 * 6 / (3 * 2) = 2.
    expect([...result.items[3]!]).toEqual([2]);
    expect(result.scores[3]![0]).toBeCloseTo(2, 5);
  });

  it("with support 1, ranks by lift: item 2's partners are 3 (lift 2) then 0 (lift 0.5)", () => {
    const result = boughtTogether(matrix, { k: 5, minPairOrders: 1, candidates: all(4) });
    expect([...result.items[2]!]).toEqual([3, 0]);
    expect(result.scores[2]![1]).toBeCloseTo((1 * 6) / (3 * 4), 5);
  });

  it("with a confidence floor, drops partners that share too small a share of the product's orders", () => {
    // P(0 | 2) = 1/3 < 0.4: dropped; P(3 | 2) = 2/3 kept. P(2 | 3) = 1.
    const result = boughtTogether(matrix, { k: 5, minPairOrders: 1, minConfidence: 0.4, candidates: all(4) });
    expect([...result.items[2]!]).toEqual([3]);
    expect([...result.items[3]!]).toEqual([2]);
  });

  it("never recommends a product that is not a candidate, nor the product itself", () => {
    const candidates = all(4);
    candidates[1] = 0;
    const result = boughtTogether(matrix, { k: 5, minPairOrders: 1, candidates });
    expect([...result.items[0]!]).toEqual([2]);
    for (let a = 0; a < 4; a++) expect([...result.items[a]!]).not.toContain(a);
  });
});

describe("similarItems", () => {
  it("ranks by cosine in factor space and skips items without factors", () => {
    // Items: 0 and 1 point the same way (cosine 1), 2 is orthogonal, 3 is all zeros.
    const factors = new Float32Array([1, 0, 2, 0, 0, 1, 0, 0]);
    const result = similarItems(factors, 2, { k: 3, candidates: all(4) });
    expect([...result.items[0]!]).toEqual([1, 2]);
    expect(result.scores[0]![0]).toBeCloseTo(1, 6);
    expect(result.scores[0]![1]).toBeCloseTo(0, 6);
    expect([...result.items[3]!]).toEqual([]);
  });
});

describe("rankForUsers", () => {
  const purchases = csrFromTriples(2, 4, [0, 0, 1], [0, 1, 3], [1, 3, 1]);
  const scoreAll = (_user: number, out: Float64Array) => out.set([4, 3, 2, 1]);

  it("excludes what the customer bought unless it is a repeat-purchase product", () => {
    const repeatable = new Uint8Array([0, 1, 0, 0]);
    const lists = rankForUsers(purchases, scoreAll, { k: 2, candidates: all(4), repeatable });
    expect([...lists.items.subarray(0, 2)]).toEqual([1, 2]); // 0 bought, 1 bought but repeatable
    expect([...lists.items.subarray(2, 4)]).toEqual([0, 1]);
  });

  it("pads with -1 when fewer products qualify than asked for", () => {
    const candidates = new Uint8Array([1, 1, 0, 0]);
    const lists = rankForUsers(purchases, scoreAll, { k: 3, candidates, repeatable: new Uint8Array(4) });
    expect([...lists.items.subarray(0, 3)]).toEqual([-1, -1, -1]);
    expect([...lists.items.subarray(3, 6)]).toEqual([0, 1, -1]);
  });

  it("finds repeat-purchase products by the share and number of repeat buyers", () => {
    // Item 0: 3 buyers, 2 of them more than once. Item 1: 3 buyers, 1 repeat.
    const counts = csrFromTriples(3, 2, [0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 1], [2, 3, 1, 1, 1, 5]);
    expect([...repeatPurchaseItems(counts, 0.5, 2)]).toEqual([1, 0]);
    expect([...repeatPurchaseItems(counts, 0.3, 1)]).toEqual([1, 1]);
  });
});

describe("UserExplainer", () => {
  it("splits a score into history shares that sum to the exact ALS user solution's score", () => {
    const random = seededRandom(11);
    const factors = 4;
    const items = 6;
    const itemFactors = Float32Array.from({ length: items * factors }, () => random() - 0.5);
    const userItems = csrFromTriples(1, items, [0, 0, 0], [0, 2, 5], [1, 4, 2]);
    const params = { alpha: 2, regularization: 0.3 };
    // Reference: x_u = (YᵀC_uY + λI)⁻¹ YᵀC_u p_u solved with ml-matrix, for the full dense C_u.
    const Y = new Matrix(Array.from({ length: items }, (_, i) => [...itemFactors.subarray(i * 4, i * 4 + 4)]));
    const confidence = [1, 1, 1, 1, 1, 1];
    const preference = [0, 0, 0, 0, 0, 0];
    [0, 2, 5].forEach((item, p) => {
      confidence[item] = 1 + params.alpha * userItems.values[p]!;
      preference[item] = 1;
    });
    const C = Matrix.diag(confidence);
    const A = Y.transpose().mmul(C).mmul(Y).add(Matrix.eye(factors).mul(params.regularization));
    const b = Y.transpose().mmul(C).mmul(Matrix.columnVector(preference));
    const x = solve(A, b);
    const explainer = new UserExplainer({ factors, itemFactors }, gramian(itemFactors, factors), userItems, 0, params);
    for (let j = 0; j < items; j++) {
      const exact = Y.getRowVector(j).mmul(x).get(0, 0);
      const shares = explainer.contributions(j);
      expect(shares.reduce((sum, share) => sum + share, 0)).toBeCloseTo(exact, 5);
    }
    const reasons = explainer.explain([1, 3], 2);
    const sharesFor1 = explainer.contributions(1);
    const best = [0, 1, 2].filter((p) => sharesFor1[p]! > 0).sort((m, n) => sharesFor1[n]! - sharesFor1[m]!);
    expect(reasons[0]).toBe([0, 2, 5][best[0]!] ?? -1);
  });
});

describe("attributeNeighbours", () => {
  it("prefers the same type, then the same vendor, then best sellers, never itself", () => {
    const catalogue = {
      productType: new Int32Array([0, 0, 1, 1, -1]),
      vendor: new Int32Array([5, 6, 5, 7, -1]),
      popularity: new Float64Array([0, 1, 9, 3, 20]),
    };
    const sources = new Uint8Array([1, 0, 0, 0, 0]);
    const lists = attributeNeighbours(catalogue, { k: 4, candidates: all(5), sources });
    expect([...lists.items[0]!]).toEqual([1, 2, 4, 3]);
    expect([...lists.items[1]!]).toEqual([]);
  });
});
