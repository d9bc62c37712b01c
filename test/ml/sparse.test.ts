import { describe, expect, it } from "vitest";

import { csrFromTriples, nnz, transpose } from "~/ml/sparse";

describe("csrFromTriples", () => {
  it("orders entries by row then column and sums duplicates", () => {
    const m = csrFromTriples(3, 4, [2, 0, 2, 0, 2], [1, 3, 0, 3, 1], [1, 2, 3, 4, 5]);
    expect([...m.indptr]).toEqual([0, 1, 1, 3]);
    expect([...m.indices]).toEqual([3, 0, 1]);
    expect([...m.values]).toEqual([6, 3, 6]);
    expect(nnz(m)).toBe(3);
  });

  it("rejects an entry outside the shape", () => {
    expect(() => csrFromTriples(2, 2, [0, 2], [0, 0], [1, 1])).toThrow(RangeError);
  });

  it("transposes into sorted rows and back to the original", () => {
    const m = csrFromTriples(3, 4, [0, 0, 1, 2, 2], [1, 3, 0, 0, 3], [1, 2, 3, 4, 5]);
    const t = transpose(m);
    expect(t.rows).toBe(4);
    expect([...t.indptr]).toEqual([0, 2, 3, 3, 5]);
    expect([...t.indices]).toEqual([1, 2, 0, 0, 2]);
    expect([...t.values]).toEqual([3, 4, 1, 2, 5]);
    const back = transpose(t);
    expect([...back.indptr]).toEqual([...m.indptr]);
    expect([...back.indices]).toEqual([...m.indices]);
    expect([...back.values]).toEqual([...m.values]);
  });
});
