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
