import { describe, expect, it } from "vitest";

import { recentOrigins, rollingOrigins } from "~/ml/forecast/backtest";
import { seasonalNaive } from "~/ml/forecast/baselines";
import { closedWeekdays, forecastDaily } from "~/ml/forecast/daily";
import { forecastUnits } from "~/ml/forecast/units";
import { normalFrom, seededRandom } from "~/ml/random";

// Day 0 (1970-01-01) was a Thursday, so weekday index w = day mod 7 is Thu, Fri, Sat, Sun, Mon, Tue, Wed.
const SATURDAY = 2;
const FIRST_DAY = 19_000; // 2022-01-08, a Saturday: weekday index 19000 mod 7 = 2

/** `days` days of sales around `base` with a weekly shape, closed on Saturdays. */
function shopSales(days: number, base: number, seed: number): Float64Array {
  const normal = normalFrom(seededRandom(seed));
  const shape = [1.1, 1.3, 0, 0.6, 1.0, 1.0, 1.0];
  return Float64Array.from({ length: days }, (_, i) => {
    const w = (FIRST_DAY + i) % 7;
    return shape[w] === 0 ? 0 : Math.max(0, base * shape[w]! + 5 * normal());
  });
}

describe("closed weekdays", () => {
  it("finds the weekday that never sells and ignores an occasional zero", () => {
    const y = shopSales(140, 100, 1);
    y[y.length - 3] = 0; // one quiet Tuesday or so is not a closure
    expect(closedWeekdays(y, FIRST_DAY, 8, 0.9)).toEqual([SATURDAY]);
  });

  it("does not mistake a small shop's quiet days for closures", () => {
    // About one sale a week, on any day: every weekday is mostly zero, none is closed.
    const random = seededRandom(5);
    const sparse = Float64Array.from({ length: 140 }, () => (random() < 0.15 ? 1 : 0));
    expect(closedWeekdays(sparse, FIRST_DAY, 8, 0.9)).toEqual([]);
  });

  it("says nothing on too short a history, and never closes every day", () => {
    expect(closedWeekdays(new Float64Array(10), FIRST_DAY, 8, 0.9)).toEqual([]);
    expect(closedWeekdays(new Float64Array(70), FIRST_DAY, 8, 0.9)).toEqual([]);
  });
});

describe("forecastDaily", () => {
  const y = shopSales(210, 100, 2);
  const f = forecastDaily(y, FIRST_DAY, { horizon: 28, random: seededRandom(1) });

  it("forecasts closed days as nothing and trading days from a six-day season", () => {
    expect(f.closedWeekdays).toEqual([SATURDAY]);
    expect(f.model).toMatch(/on 6 trading days a week$/);
    const lastDay = FIRST_DAY + y.length - 1;
    for (let h = 0; h < 28; h++) {
      const saturday = (lastDay + h + 1) % 7 === SATURDAY;
      if (saturday) expect([f.mean[h], f.lower[h], f.upper[h]]).toEqual([0, 0, 0]);
      else expect(f.mean[h]).toBeGreaterThan(40);
    }
  });

  it("keeps bounds ordered and non-negative", () => {
    for (let h = 0; h < 28; h++) {
      expect(f.lower[h]).toBeGreaterThanOrEqual(0);
      expect(f.lower[h]!).toBeLessThanOrEqual(f.mean[h]!);
      expect(f.mean[h]!).toBeLessThanOrEqual(f.upper[h]!);
    }
  });

  it("drops history before a holiday closure when enough remains after it", () => {
    const withClosure = shopSales(210, 100, 3);
    for (let i = 40; i < 54; i++) withClosure[i] = 0; // two weeks shut
    const g = forecastDaily(withClosure, FIRST_DAY, { horizon: 7, random: seededRandom(1) });
    // 54 calendar days up to the reopening hold 46 trading days (8 Saturdays)
    expect(g.droppedTradingDays).toBe(46);
    const plain = forecastDaily(withClosure, FIRST_DAY, { horizon: 7, random: seededRandom(1), calendar: false });
    expect(plain.droppedTradingDays).toBe(0);
    expect(plain.closedWeekdays).toEqual([]);
  });

  it("gives a three-day series a finite fallback", () => {
    const g = forecastDaily(Float64Array.from([5, 7, 6]), FIRST_DAY, { horizon: 5, random: seededRandom(1) });
    for (const v of [...g.mean, ...g.lower, ...g.upper]) expect(Number.isFinite(v)).toBe(true);
    expect(g.mean[0]).toBeCloseTo(6, 6);
  });
});

describe("forecastUnits", () => {
  it("sends a slow mover to Croston-SBA and a steady seller to ETS", () => {
    const slow = new Float64Array(200);
    for (let i = 5; i < 200; i += 9) slow[i] = 1 + (i % 2);
    expect(forecastUnits(slow, FIRST_DAY, { horizon: 7, random: seededRandom(1) }).model).toBe("SBA");
    const steady = shopSales(200, 20, 4);
    expect(forecastUnits(steady, FIRST_DAY, { horizon: 7, random: seededRandom(1) }).model).toMatch(/^ETS/);
  });

  it("forecasts a new best seller from its launch, not from the months before it existed", () => {
    // Launched 30 days ago, 8-12 units every day since.
    const random = seededRandom(6);
    const y = new Float64Array(200);
    for (let i = 170; i < 200; i++) y[i] = 8 + Math.floor(random() * 5);
    const f = forecastUnits(y, FIRST_DAY, { horizon: 28, random: seededRandom(1) });
    expect(f.model).toMatch(/^ETS/);
    const total = f.mean.reduce((sum, v) => sum + v, 0);
    expect(total).toBeGreaterThan(28 * 8);
    expect(total).toBeLessThan(28 * 12);
    // Its cumulative upper bound is the running sum of the daily ones.
    expect(f.cumulativeUpper[27]).toBeCloseTo(
      f.upper.reduce((sum, v) => sum + v, 0),
      9,
    );
  });

  it("bounds a slow mover's cumulative demand by a count quantile, growing slower than the days", () => {
    const slow = new Float64Array(200);
    for (let i = 5; i < 200; i += 9) slow[i] = 1 + (i % 2);
    const f = forecastUnits(slow, FIRST_DAY, { horizon: 28, random: seededRandom(1) });
    expect(f.model).toBe("SBA");
    for (let h = 1; h < 28; h++) expect(f.cumulativeUpper[h]!).toBeGreaterThanOrEqual(f.cumulativeUpper[h - 1]!);
    expect(f.cumulativeUpper[27]!).toBeGreaterThan(f.mean[0]! * 28);
    expect(f.cumulativeUpper[27]!).toBeLessThan(28 * Math.max(1, f.upper[0]!));
  });

  it("expects nothing of a product that has not sold for three months, or ever", () => {
    const stale = new Float64Array(200);
    stale.fill(3, 0, 100);
    const f = forecastUnits(stale, FIRST_DAY, { horizon: 7, random: seededRandom(1) });
    expect(f.model).toBe("not sold recently");
    expect([...f.mean, ...f.upper].every((v) => v === 0)).toBe(true);
    expect(forecastUnits(new Float64Array(50), FIRST_DAY, { horizon: 7, random: seededRandom(1) }).model).toBe(
      "no sales",
    );
  });
});

describe("rolling-origin backtest", () => {
  it("averages the origins' MASE, WAPE and coverage, and places origins a horizon apart", () => {
    const y = Float64Array.from({ length: 70 }, (_, i) => 10 + (i % 7));
    expect(recentOrigins(70, 2, 14)).toEqual([41, 55]);
    // A perfectly weekly series: seasonal naive is exact, so MASE's scale is 0 and MASE is NaN,
    // while WAPE is 0 and every day lands inside the (zero-width) interval.
    const result = rollingOrigins(y, 0, [41, 55], 14, 7, (train) => seasonalNaive(train, 7, 14));
    expect(result.origins).toBe(2);
    expect(result.wape).toBe(0);
    expect(result.coverage80).toBe(1);
    expect(Number.isNaN(result.mase)).toBe(true);
    expect(() => rollingOrigins(y, 0, [60], 14, 7, (train) => seasonalNaive(train, 7, 14))).toThrow(RangeError);
  });
});
