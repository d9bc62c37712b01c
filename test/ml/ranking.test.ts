import { describe, expect, it } from "vitest";

import {
  averagePrecisionAtK,
  catalogCoverage,
  evaluateRanking,
  hitRateAtK,
  ndcgAtK,
  precisionAtK,
  recallAtK,
} from "~/ml/metrics/ranking";

// Discounts used below: 1/log2(2) = 1, 1/log2(3) = 0.6309297536, 1/log2(4) = 0.5,
// 1/log2(6) = 0.3868528072.
const D3 = 1 / Math.log2(3);

describe("ranking metrics, known answers", () => {
  // List [1,2,3,4,5], relevant {2,5,9}, k = 5: hits at ranks 2 and 5.
  const list = [1, 2, 3, 4, 5];
  const relevant = new Set([2, 5, 9]);

  it("precision and recall", () => {
    expect(precisionAtK(list, relevant, 5)).toBeCloseTo(2 / 5, 12); // 2 hits / k
    expect(recallAtK(list, relevant, 5)).toBeCloseTo(2 / 3, 12); // 2 hits / 3 relevant
    expect(hitRateAtK(list, relevant, 5)).toBe(1);
  });

  it("NDCG: DCG over hit ranks, ideal over min(|relevant|, k) = 3", () => {
    // DCG = 1/log2(3) + 1/log2(6) = 0.6309297536 + 0.3868528072 = 1.0177825608
    // IDCG = 1 + 0.6309297536 + 0.5 = 2.1309297536; NDCG = 0.4776237035
    expect(ndcgAtK(list, relevant, 5)).toBeCloseTo(0.4776237035, 9);
  });

  it("AP: precision at each hit, over min(|relevant|, k) = 3", () => {
    // (1/2 + 2/5) / 3 = 0.9 / 3 = 0.3
    expect(averagePrecisionAtK(list, relevant, 5)).toBeCloseTo(0.3, 12);
  });

  it("fewer relevant items than k: the ideal and AP shrink to |relevant|", () => {
    // [7,3,8], relevant {3}, k = 3: one hit at rank 2.
    const rel = new Set([3]);
    expect(precisionAtK([7, 3, 8], rel, 3)).toBeCloseTo(1 / 3, 12); // still over k
    expect(recallAtK([7, 3, 8], rel, 3)).toBe(1);
    expect(ndcgAtK([7, 3, 8], rel, 3)).toBeCloseTo(D3, 12); // (1/log2 3) / 1
    expect(averagePrecisionAtK([7, 3, 8], rel, 3)).toBeCloseTo(0.5, 12); // (1/2) / 1
  });

  it("a perfect list scores 1 on NDCG and AP even when |relevant| > k", () => {
    const rel = new Set([1, 2, 3, 4]);
    expect(ndcgAtK([2, 1], rel, 2)).toBeCloseTo(1, 12);
    expect(averagePrecisionAtK([2, 1], rel, 2)).toBeCloseTo(1, 12); // (1/1 + 2/2) / min(4,2)
    expect(recallAtK([2, 1], rel, 2)).toBeCloseTo(0.5, 12);
  });
});

describe("ranking metrics, edge cases", () => {
  it("no hits gives zeros everywhere", () => {
    const rel = new Set([9]);
    for (const metric of [precisionAtK, recallAtK, ndcgAtK, averagePrecisionAtK, hitRateAtK]) {
      expect(metric([1, 2, 3], rel, 3)).toBe(0);
    }
  });

  it("only the first k items count", () => {
    expect(precisionAtK([1, 2, 3], new Set([3]), 2)).toBe(0);
    expect(hitRateAtK([1, 2, 3], new Set([3]), 2)).toBe(0);
  });

  it("padding -1 is ignored and precision still divides by k", () => {
    const rel = new Set([4]);
    expect(precisionAtK([4, -1, -1], rel, 3)).toBeCloseTo(1 / 3, 12);
    expect(ndcgAtK([4, -1, -1], rel, 3)).toBe(1);
    expect(averagePrecisionAtK([4, -1, -1], rel, 3)).toBe(1);
    expect(catalogCoverage([[4, -1, -1]], 3, 10)).toBeCloseTo(0.1, 12);
  });

  it("a duplicate recommendation is an error, not two hits", () => {
    expect(() => precisionAtK([1, 1], new Set([1]), 2)).toThrow(RangeError);
    expect(() => evaluateRanking([[1, 1]], [new Set([1])], 2, 5)).toThrow(RangeError);
  });

  it("an empty relevant set scores 0 instead of dividing by zero", () => {
    expect(recallAtK([1], new Set(), 1)).toBe(0);
    expect(ndcgAtK([1], new Set(), 1)).toBe(0);
    expect(averagePrecisionAtK([1], new Set(), 1)).toBe(0);
  });

  it("rejects a bad k", () => {
    expect(() => precisionAtK([1], new Set([1]), 0)).toThrow(RangeError);
    expect(() => ndcgAtK([1], new Set([1]), 1.5)).toThrow(RangeError);
  });
});

describe("evaluateRanking", () => {
  it("means over users from a flat users x k array, with coverage over candidates", () => {
    // k = 2. User 0: [1,2], relevant {2}: p 1/2, r 1, NDCG (1/log2 3)/1 = 0.6309297536,
    //   AP (1/2)/1 = 0.5, HR 1.
    // User 1: [3,-1], relevant {3,4}: p 1/2 (over k), r 1/2, NDCG 1/(1 + 1/log2 3) = 0.6131471928,
    //   AP (1/1)/min(2,2) = 0.5, HR 1.
    // Means: p 0.5, r 0.75, NDCG 0.6220384732, MAP 0.5, HR 1; coverage {1,2,3} / 6 = 0.5.
    const recs = Int32Array.from([1, 2, 3, -1]);
    const result = evaluateRanking(recs, [new Set([2]), new Set([3, 4])], 2, 6);
    expect(Object.keys(result)).toEqual(["precision@2", "recall@2", "ndcg@2", "map@2", "hr@2", "coverage@2"]);
    expect(result["precision@2"]).toBeCloseTo(0.5, 12);
    expect(result["recall@2"]).toBeCloseTo(0.75, 12);
    expect(result["ndcg@2"]).toBeCloseTo(0.6220384732, 9);
    expect(result["map@2"]).toBeCloseTo(0.5, 12);
    expect(result["hr@2"]).toBe(1);
    expect(result["coverage@2"]).toBeCloseTo(0.5, 12);
  });

  it("uses the benchmark key names for k = 10 and accepts per-user arrays", () => {
    const result = evaluateRanking([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], [new Set([0])], 10, 20);
    expect(Object.keys(result)).toEqual(["precision@10", "recall@10", "ndcg@10", "map@10", "hr@10", "coverage@10"]);
    expect(result["precision@10"]).toBeCloseTo(0.1, 12);
    expect(result["ndcg@10"]).toBe(1);
    expect(result["coverage@10"]).toBeCloseTo(0.5, 12);
  });

  it("rejects mismatched shapes", () => {
    expect(() => evaluateRanking(Int32Array.from([1, 2, 3]), [new Set([1])], 2, 5)).toThrow(RangeError);
    expect(() => evaluateRanking([[1], [2]], [new Set([1])], 1, 5)).toThrow(RangeError);
    expect(() => evaluateRanking([], [], 1, 5)).toThrow(RangeError);
  });
});
