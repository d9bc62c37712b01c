/**
 * Synthetic daily unit sales for the forecasting speed benchmark: a shop's best sellers over
 * `days` days. Each product sells Poisson units around a level that drifts, with its own weekly
 * pattern (one in three is closed on a weekday) and a yearly swing; one in four is slow-moving,
 * selling on only a few days a month. Fixed seed: the same series every time. With `busy`, every
 * product is a steady seller open every day and sells at least one unit a day: strictly positive
 * series, on which automatic ETS tries all 15 forms (its slowest case).
 */
import { gammaFrom, normalFrom, seededRandom, type Random } from "~/ml/random";

function poisson(random: Random, mean: number): number {
  // Knuth's product of uniforms for small means; a rounded normal for large ones.
  if (mean <= 0) return 0;
  if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normalFrom(random)()));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

export function syntheticDailyUnits(series: number, days: number, seed: number, busy = false): Float64Array[] {
  const random = seededRandom(seed);
  const gamma = gammaFrom(random);
  const normal = normalFrom(random);
  const out: Float64Array[] = [];
  for (let s = 0; s < series; s++) {
    const slow = !busy && random() < 0.25;
    let level = slow ? 0.05 + 0.3 * random() : gamma(2) * 8;
    const weekly = Array.from({ length: 7 }, () => 0.6 + 0.8 * random());
    if (!busy && random() < 0.33) weekly[Math.floor(random() * 7)] = 0;
    const yearly = 0.3 * random();
    const phase = random() * 2 * Math.PI;
    const y = new Float64Array(days);
    for (let d = 0; d < days; d++) {
      level = Math.max(0.01, level * Math.exp(0.01 * normal()));
      const season = 1 + yearly * Math.sin((2 * Math.PI * d) / 365.25 + phase);
      y[d] = (busy ? 1 : 0) + poisson(random, level * weekly[d % 7]! * season);
    }
    out.push(y);
  }
  return out;
}
