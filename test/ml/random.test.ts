import { describe, expect, it } from "vitest";

import { betaFrom, gammaFrom, seededRandom } from "~/ml/random";

/** Sample mean and variance of n draws. */
function moments(draw: () => number, n: number) {
  let mean = 0;
  let m2 = 0;
  for (let i = 1; i <= n; i++) {
    const x = draw();
    const delta = x - mean;
    mean += delta / i;
    m2 += delta * (x - mean);
  }
  return { mean, variance: m2 / (n - 1) };
}

const N = 200_000;

describe("gamma and beta deviates", () => {
  // Gamma(k, 1) has mean k and variance k; tolerances are 5 standard errors of the estimates
  // (sd of the mean sqrt(k / N); of the variance about sqrt((2 + 6 / k) k^2 / N)).
  it.each([0.3, 1, 3.5])("Gamma(%f) has mean and variance equal to its shape", (shape) => {
    const gamma = gammaFrom(seededRandom(11));
    const { mean, variance } = moments(() => gamma(shape), N);
    expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / N));
    expect(Math.abs(variance - shape)).toBeLessThan(5 * Math.sqrt(((2 + 6 / shape) * shape * shape) / N));
  });

  it("Beta(2, 5) has mean 2/7 and variance 10/392", () => {
    const beta = betaFrom(seededRandom(12));
    const { mean, variance } = moments(() => beta(2, 5), N);
    expect(mean).toBeCloseTo(2 / 7, 2);
    expect(variance).toBeCloseTo(10 / 392, 3);
  });

  it("rejects a non-positive shape and repeats itself for a seed", () => {
    expect(() => gammaFrom(seededRandom(1))(0)).toThrow(RangeError);
    const a = gammaFrom(seededRandom(5));
    const b = gammaFrom(seededRandom(5));
    expect([a(2), a(0.5), a(9)]).toEqual([b(2), b(0.5), b(9)]);
  });
});
