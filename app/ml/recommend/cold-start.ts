/**
 * Fallback neighbours for products without purchase history (new products, or ones only
 * ever sold alone): products of the same type first, then of the same vendor, then the
 * shop's best sellers, each tier ordered by recent popularity. Crude, but a new product page
 * shows sensible, sellable neighbours from day one.
 */
import type { RankedLists } from "./bought-together";

export interface CatalogueAttributes {
  /** Per item: a product-type group id, or -1 when the product has none. */
  productType: Int32Array;
  /** Per item: a vendor group id, or -1. */
  vendor: Int32Array;
  /** Per item: recent popularity (e.g. customers in the last 30 days); higher is better. */
  popularity: Float64Array;
}

function groupsByPopularity(groupOf: Int32Array, order: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const item of order) {
    const group = groupOf[item]!;
    if (group < 0) continue;
    const members = groups.get(group);
    if (members) members.push(item);
    else groups.set(group, [item]);
  }
  return groups;
}

/** Lists for every item with `sources[item] === 1`; other items get empty lists. */
export function attributeNeighbours(
  catalogue: CatalogueAttributes,
  options: { k: number; candidates: Uint8Array; sources: Uint8Array },
): RankedLists {
  const count = catalogue.popularity.length;
  // Most popular first; equal popularity keeps catalogue order, so lists are deterministic.
  const order = Int32Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => catalogue.popularity[b]! - catalogue.popularity[a]! || a - b,
  );
  const byType = groupsByPopularity(catalogue.productType, order);
  const byVendor = groupsByPopularity(catalogue.vendor, order);
  const top = Math.max(...catalogue.popularity, 0) || 1;
  const items: Int32Array[] = [];
  const scores: Float32Array[] = [];
  for (let a = 0; a < count; a++) {
    const chosen: number[] = [];
    const chosenScores: number[] = [];
    if (options.sources[a] === 1) {
      const seen = new Set<number>([a]);
      const tiers: [Iterable<number>, number][] = [
        [byType.get(catalogue.productType[a]!) ?? [], 2],
        [byVendor.get(catalogue.vendor[a]!) ?? [], 1],
        [order, 0],
      ];
      for (const [members, tier] of tiers) {
        for (const b of members) {
          if (chosen.length >= options.k) break;
          if (seen.has(b) || options.candidates[b] !== 1) continue;
          seen.add(b);
          chosen.push(b);
          // Tier first, popularity within it, both in one comparable number in [0, 3).
          chosenScores.push(tier + catalogue.popularity[b]! / (top * 1.0001));
        }
      }
    }
    items.push(Int32Array.from(chosen));
    scores.push(Float32Array.from(chosenScores));
  }
  return { items, scores };
}
