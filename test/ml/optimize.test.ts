import { describe, expect, it } from "vitest";

import { minimize, nelderMead } from "~/ml/optimize";

/** Rosenbrock's banana in n dimensions: minimum 0 at (1, ..., 1), a classic stall test. */
function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
  return s;
}

describe("Nelder-Mead", () => {
  it("finds the Rosenbrock minimum in 2 and 4 dimensions", () => {
    const two = minimize(rosenbrock, [[-1.2, 1]]);
    expect(two.converged).toBe(true);
    expect(two.x[0]).toBeCloseTo(1, 5);
    expect(two.x[1]).toBeCloseTo(1, 5);
    expect(two.value).toBeLessThan(1e-10);
    const four = minimize(rosenbrock, [[-1.2, 1, -1.2, 1]], { maxEvaluations: 20_000 });
    expect(four.converged).toBe(true);
    for (const v of four.x) expect(v).toBeCloseTo(1, 4);
  });

  it("minimises a quadratic to the tolerance in a few hundred evaluations", () => {
    // (x - 3)^2 + 10 (y + 2)^2 + 0.5 (z - 1)^2: minimum 0 at (3, -2, 1).
    const f = (v: Float64Array) => (v[0]! - 3) ** 2 + 10 * (v[1]! + 2) ** 2 + 0.5 * (v[2]! - 1) ** 2;
    const run = nelderMead(f, [0, 0, 0]);
    expect(run.converged).toBe(true);
    expect(run.evaluations).toBeLessThan(1000);
    expect([...run.x].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([3, -2, 1]);
  });

  it("respects box bounds, stopping on the boundary when the minimum lies outside", () => {
    // Unconstrained minimum (3, -2); the box caps x at 2 and y below at -1.
    const f = (v: Float64Array) => (v[0]! - 3) ** 2 + (v[1]! + 2) ** 2;
    const run = minimize(f, [[0, 0]], { lower: [-5, -1], upper: [2, 5] });
    expect(run.x[0]).toBeCloseTo(2, 6);
    expect(run.x[1]).toBeCloseTo(-1, 6);
    expect(run.value).toBeCloseTo(2, 10);
  });

  it("treats NaN as +Infinity and steps away from it", () => {
    // log(x) is NaN for x < 0; the minimum of (log x)^2 is at x = 1.
    const run = minimize((v) => Math.log(v[0]!) ** 2, [[0.1]], { initialStep: 2 });
    expect(run.x[0]).toBeCloseTo(1, 5);
  });

  it("several starting points escape a local minimum one start would keep", () => {
    // Double well: local minimum near x = 1.13 (value ~ -1.07), global near x = -1.30 (value ~ -4.62).
    const f = (v: Float64Array) => v[0]! ** 4 - 3 * v[0]! ** 2 + 1.5 * v[0]!;
    const single = nelderMead(f, [1.5], { initialStep: 0.1 });
    expect(single.x[0]).toBeGreaterThan(0);
    const multi = minimize(f, [[1.5], [-2]], { initialStep: 0.1 });
    expect(multi.x[0]).toBeLessThan(-1);
    expect(multi.value).toBeLessThan(single.value);
    expect(multi.evaluations).toBeGreaterThan(single.evaluations);
  });

  it("reports non-convergence when the budget runs out", () => {
    const run = nelderMead(rosenbrock, [-1.2, 1, -1.2, 1], { maxEvaluations: 50 });
    expect(run.converged).toBe(false);
    expect(run.evaluations).toBeLessThanOrEqual(60); // a shrink step may finish past the budget
    expect(Number.isFinite(run.value)).toBe(true);
  });

  it("rejects empty or inconsistent starting points", () => {
    expect(() => nelderMead(rosenbrock, [])).toThrow(RangeError);
    expect(() => nelderMead(rosenbrock, [NaN, 1])).toThrow(RangeError);
    expect(() => minimize(rosenbrock, [])).toThrow(RangeError);
    expect(() => minimize(rosenbrock, [[1, 2], [1]])).toThrow(RangeError);
  });
});
