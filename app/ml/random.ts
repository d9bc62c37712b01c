/**
 * Seeded pseudo-random numbers for kernels that need randomness (factor initialisation,
 * simulation, synthetic data). Kernels take a `Random` argument and never call Math.random(),
 * so a seed reproduces a result bit for bit.
 */

/** Uniform in [0, 1). */
export type Random = () => number;

/**
 * SplitMix32-style generator (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
 * generators", 32-bit variant with Murmur3's finaliser). Period 2^32, passes BigCrush's
 * smaller batteries; plenty for initialisation and sampling, and it costs a few integer ops.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}

/** Standard normal deviates by the Box-Muller transform (one of each pair kept: simpler, still exact). */
export function normalFrom(random: Random): () => number {
  return () => {
    // 1 - u is in (0, 1], so the logarithm is finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Gamma(shape, 1) deviates by Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables"; shapes below 1 use their boost: Gamma(shape + 1) * U^(1 / shape).
 * Divide by a rate (or multiply by a scale) for other scales.
 */
export function gammaFrom(random: Random): (shape: number) => number {
  const normal = normalFrom(random);
  const sample = (shape: number): number => {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
    if (shape < 1) return sample(shape + 1) * Math.pow(1 - random(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let z: number;
      let v: number;
      do {
        z = normal();
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - random();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  return sample;
}

/** Beta(a, b) deviates as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function betaFrom(random: Random): (a: number, b: number) => number {
  const gamma = gammaFrom(random);
  return (a, b) => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };
}
