/** The ALS benchmark's synthetic matrices (EVALUATION.md) and the IFTRIP01 exchange format. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { readIftrip, writeIftrip } from "../../bench/lib/iftrip";
import { syntheticMatrix } from "../../bench/lib/synthetic-matrix";

describe("synthetic ALS matrices", () => {
  const size = { users: 2000, items: 400, nnz: 30_000 };
  const m = syntheticMatrix(size, 7);

  it("have the exact shape, sorted distinct rows, degrees within 1..items/4", () => {
    expect(m.rows).toBe(2000);
    expect(m.cols).toBe(400);
    expect(m.indptr[m.rows]).toBe(30_000);
    for (let u = 0; u < m.rows; u++) {
      const degree = m.indptr[u + 1]! - m.indptr[u]!;
      expect(degree).toBeGreaterThanOrEqual(1);
      expect(degree).toBeLessThanOrEqual(100);
      for (let p = m.indptr[u]! + 1; p < m.indptr[u + 1]!; p++)
        expect(m.indices[p]!).toBeGreaterThan(m.indices[p - 1]!);
    }
    // Geometric repeat counts with P(1) = 0.75: mean 4/3.
    const mean = m.values.reduce((a, b) => a + b, 0) / m.values.length;
    expect(mean).toBeGreaterThan(1.3);
    expect(mean).toBeLessThan(1.37);
    expect(m.values.filter((v) => v === 1).length / m.values.length).toBeCloseTo(0.75, 1);
  });

  it("are reproducible from the seed", () => {
    const again = syntheticMatrix(size, 7);
    expect(Buffer.from(again.indices.buffer).equals(Buffer.from(m.indices.buffer))).toBe(true);
    expect(Buffer.from(again.values.buffer).equals(Buffer.from(m.values.buffer))).toBe(true);
  });

  it("round-trip through IFTRIP01", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iftrip-"));
    try {
      const file = path.join(dir, "m.bin");
      writeIftrip(file, m);
      expect(fs.statSync(file).size).toBe(32 + 12 * 30_000);
      expect(fs.readFileSync(file).subarray(0, 8).toString("latin1")).toBe("IFTRIP01");
      const back = readIftrip(file);
      expect(back.rows).toBe(m.rows);
      expect(back.cols).toBe(m.cols);
      expect(Array.from(back.indptr)).toEqual(Array.from(m.indptr));
      expect(Array.from(back.indices)).toEqual(Array.from(m.indices));
      expect(Array.from(back.values)).toEqual(Array.from(m.values));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
