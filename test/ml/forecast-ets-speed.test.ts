import { describe, expect, it } from "vitest";

import { autoEts } from "~/ml/forecast/ets";
import { normalFrom, seededRandom } from "~/ml/random";

/**
 * Speed of automatic selection on shop-sized data: 500 daily series of two years (730 points,
 * weekly period), strictly positive so all 15 forms are candidates. The time is logged, not
 * asserted (machines differ); the brief's target is 20 s on the 2-core dev machine.
 */
describe("autoEts speed", () => {
  it("fits 500 series of 730 daily points with automatic selection (time logged)", { timeout: 600_000 }, () => {
    const random = seededRandom(2024);
    const normal = normalFrom(random);
    const series: Float64Array[] = [];
    for (let k = 0; k < 500; k++) {
      const base = 5 + 300 * random();
      const weekly = 0.4 * random();
      const growth = (random() - 0.3) * 0.002;
      const noise = 0.05 + 0.3 * random();
      const y = new Float64Array(730);
      let level = base;
      for (let t = 0; t < 730; t++) {
        level *= 1 + growth + 0.005 * normal();
        const season = 1 + weekly * Math.sin((2 * Math.PI * t) / 7);
        y[t] = Math.max(0.5, level * season * (1 + noise * normal()));
      }
      series.push(y);
    }
    const models = new Map<string, number>();
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    for (const y of series) {
      const fc = autoEts(y, { period: 7, horizon: 28, random: seededRandom(1) });
      models.set(fc.model, (models.get(fc.model) ?? 0) + 1);
      expect(fc.mean.every(Number.isFinite)).toBe(true);
    }
    const wall = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `autoEts, 500 x 730 daily points, period 7: ${wall.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (one thread)`,
      Object.fromEntries(models),
    );
  });
});
