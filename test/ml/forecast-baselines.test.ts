import { describe, expect, it } from "vitest";

import { meanMethod, naive, normalQuantile, seasonalNaive } from "~/ml/forecast/baselines";

// Standard normal quantiles (scipy.stats.norm.ppf 1.17): Φ⁻¹(0.9) for 80% intervals and
// Φ⁻¹(0.975) for 95% intervals.
const Z80 = 1.2815515655446004;
const Z95 = 1.959963984540054;

describe("normal quantile (Wichura 1988, AS 241)", () => {
  it("matches scipy.stats.norm.ppf to ~1e-15 relative, tails included", () => {
    // scipy.stats.norm.ppf(p) for each p
    const reference: Array<[number, number]> = [
      [1e-300, -37.0470962993612],
      [1e-20, -9.262340089798409],
      [1e-10, -6.361340902404056],
      [0.001, -3.090232306167813],
      [0.025, -1.959963984540054],
      [0.1, -1.2815515655446004],
      [0.3, -0.5244005127080409],
      [0.5, 0],
      [0.75, 0.6744897501960817],
      [0.9, Z80],
      [0.975, Z95],
      [0.999999, 4.753424308817087],
    ];
    for (const [p, z] of reference)
      expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(z)));
  });

  it("rejects p outside (0, 1)", () => {
    for (const p of [0, 1, -0.1, 1.5, NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});

describe("seasonal naive (fpp3 §5.5)", () => {
  // y = 10 20 30 | 14 22 28 | 12 24 33, m = 3, T = 9.
  // In-sample residuals y_t - y_{t-3}: 4, 2, -2, -2, 2, 5; squares 16+4+4+4+4+25 = 57 over
  // T - M = 6 (K = 0 parameters, M = 3 missing residuals) -> σ̂ = √9.5 = 3.082207001484488.
  // Horizon 5: ŷ = 12, 24, 33, 12, 24; k = ⌊(h-1)/3⌋ = 0, 0, 0, 1, 1 -> σ_h = σ̂, σ̂, σ̂, σ̂√2, σ̂√2.
  // 80%: 12 ± 1.2815515655446004 × 3.082207001484488 = 8.049992791915026 .. 15.950007208084974
  //      h = 4: 12 ± 1.2815515655446004 × 3.082207001484488 × √2 = 6.413846234854745 .. 17.586153765145255
  // 95%: 12 ± 1.959963984540054 × 3.082207001484488 = 5.9589852841932105 .. 18.04101471580679
  //      h = 5: 24 ± 1.959963984540054 × 4.358898943540674 = 15.45671505841059 .. 32.54328494158941
  const y = [10, 20, 30, 14, 22, 28, 12, 24, 33];

  it("repeats the last season and widens by √(k+1), by hand", () => {
    const f = seasonalNaive(y, 3, 5);
    expect(f.method).toBe("seasonal-naive");
    expect(f.level).toBe(80);
    expect([...f.mean]).toEqual([12, 24, 33, 12, 24]);
    expect(f.lower[0]).toBeCloseTo(8.049992791915026, 12);
    expect(f.upper[0]).toBeCloseTo(15.950007208084974, 12);
    expect(f.lower[2]).toBeCloseTo(29.049992791915027, 12);
    expect(f.upper[2]).toBeCloseTo(36.950007208084976, 12);
    expect(f.lower[3]).toBeCloseTo(6.413846234854745, 12);
    expect(f.upper[3]).toBeCloseTo(17.586153765145255, 12);
    expect(f.lower[4]).toBeCloseTo(18.413846234854745, 12);
    expect(f.upper[4]).toBeCloseTo(29.586153765145255, 12);
    const sigma = Math.sqrt(9.5);
    for (let h = 0; h < 5; h++) {
      const k = Math.floor(h / 3);
      expect((f.upper[h]! - f.mean[h]!) / Z80).toBeCloseTo(sigma * Math.sqrt(k + 1), 12);
    }
  });

  it("gives 95% intervals with the 97.5% normal quantile", () => {
    const f = seasonalNaive(Float64Array.from(y), 3, 5, 95);
    expect(f.level).toBe(95);
    expect(f.lower[0]).toBeCloseTo(5.9589852841932105, 12);
    expect(f.upper[0]).toBeCloseTo(18.04101471580679, 12);
    expect(f.lower[4]).toBeCloseTo(15.45671505841059, 12);
    expect(f.upper[4]).toBeCloseTo(32.54328494158941, 12);
  });

  it("rejects bad periods, horizons, levels and too-short series", () => {
    expect(() => seasonalNaive(y, 0, 1)).toThrow(RangeError);
    expect(() => seasonalNaive(y, 2.5, 1)).toThrow(RangeError);
    expect(() => seasonalNaive(y, 3, 0)).toThrow(RangeError);
    expect(() => seasonalNaive(y, 3, 1.5)).toThrow(RangeError);
    expect(() => seasonalNaive(y, 3, 1, 0)).toThrow(RangeError);
    expect(() => seasonalNaive(y, 3, 1, 100)).toThrow(RangeError);
    expect(() => seasonalNaive([1, 2, 3], 3, 1)).toThrow(RangeError); // no residual for σ̂
  });
});

describe("naive (fpp3 §5.5)", () => {
  it("repeats the last value with σ_h = σ̂ √h, by hand", () => {
    // y = 3 5 4 8: residuals 2, -1, 4; squares 4+1+16 = 21 over 3 -> σ̂ = √7.
    // 80%: 8 ± 1.2815515655446004 × √7 √h -> h=1: 4.609333265263494 .. 11.390666734736506,
    // h=2: 3.2048731182483365 .. 12.795126881751663, h=3: 2.127192943902708 .. 13.872807056097292
    const f = naive([3, 5, 4, 8], 3);
    expect(f.method).toBe("naive");
    expect([...f.mean]).toEqual([8, 8, 8]);
    expect(f.lower[0]).toBeCloseTo(4.609333265263494, 12);
    expect(f.upper[0]).toBeCloseTo(11.390666734736506, 12);
    expect(f.lower[1]).toBeCloseTo(3.2048731182483365, 12);
    expect(f.upper[1]).toBeCloseTo(12.795126881751663, 12);
    expect(f.lower[2]).toBeCloseTo(2.127192943902708, 12);
    expect(f.upper[2]).toBeCloseTo(13.872807056097292, 12);
    // Same as the seasonal naive with m = 1.
    expect([...seasonalNaive([3, 5, 4, 8], 1, 3).upper]).toEqual([...f.upper]);
    expect(() => naive([3], 1)).toThrow(RangeError);
  });
});

describe("mean method (fpp3 §5.5)", () => {
  it("forecasts the mean with σ_h = s √(1 + 1/T), by hand", () => {
    // y = 2 4 6 8: mean 5, Σ(y - 5)² = 9+1+1+9 = 20, s = √(20/3); σ_h = √(20/3 × 5/4) = √(25/3)
    // = 2.886751345948129. 80%: 5 ± 1.2815515655446004 × 2.886751345948129 = 1.300479293262193 ..
    // 8.699520706737808; 95% lower 5 - 1.959963984540054 × 2.886751345948129 = -0.6579286703808593
    // (normal intervals can go below zero; clamping is the caller's choice).
    const f = meanMethod([2, 4, 6, 8], 4);
    expect(f.method).toBe("mean");
    expect([...f.mean]).toEqual([5, 5, 5, 5]);
    for (let h = 0; h < 4; h++) {
      expect(f.lower[h]).toBeCloseTo(1.300479293262193, 12);
      expect(f.upper[h]).toBeCloseTo(8.699520706737808, 12);
    }
    expect(meanMethod([2, 4, 6, 8], 1, 95).lower[0]).toBeCloseTo(-0.6579286703808593, 12);
    expect((meanMethod([2, 4, 6, 8], 1, 95).upper[0]! - 5) / Z95).toBeCloseTo(Math.sqrt(25 / 3), 12);
  });

  it("rejects a single value and bad horizon/level", () => {
    expect(() => meanMethod([1], 1)).toThrow(RangeError);
    expect(() => meanMethod([1, 2], 0)).toThrow(RangeError);
    expect(() => meanMethod([1, 2], 1, 150)).toThrow(RangeError);
  });
});
