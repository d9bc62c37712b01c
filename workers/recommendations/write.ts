/**
 * Swaps a shop's recommendation rows for a new set in one transaction: storefront readers see
 * the old lists or the new ones, never a half-written mix. Rows go in as column arrays
 * through unnest, in chunks, so a statement never carries more than CHUNK rows.
 */
import type pg from "pg";

import type { Database } from "~/db.server";
import { inTransaction } from "~/ingest/transaction.server";
import type { RankedLists } from "~/ml/recommend/bought-together";

import type { Catalogue, ShopPurchases } from "./load";
import type { ShopRecommendations } from "./train";

const CHUNK = 20_000;

type Column = (number | number[] | string | null)[];

async function insertChunks(client: pg.PoolClient, sql: string, columns: Column[]): Promise<void> {
  const rows = columns[0]!.length;
  for (let start = 0; start < rows; start += CHUNK) {
    await client.query(
      sql,
      columns.map((column) => column.slice(start, start + CHUNK)),
    );
  }
}

function productRows(lists: RankedLists, kind: string, catalogue: Catalogue) {
  const product: number[] = [];
  const rank: number[] = [];
  const recommended: number[] = [];
  const score: number[] = [];
  lists.items.forEach((items, source) => {
    items.forEach((item, position) => {
      product.push(catalogue.productIds[source]!);
      rank.push(position + 1);
      recommended.push(catalogue.productIds[item]!);
      score.push(lists.scores[source]![position]!);
    });
  });
  return { kind, columns: [product, rank, recommended, score] };
}

export interface WrittenCounts {
  forYou: number;
  similar: number;
  boughtTogether: number;
  popular: number;
}

export async function replaceRecommendations(
  database: Database,
  shopId: number,
  modelRunId: number,
  result: ShopRecommendations,
  purchases: ShopPurchases,
  catalogue: Catalogue,
  k: number,
): Promise<WrittenCounts> {
  const customer: number[] = [];
  const rank: number[] = [];
  const product: number[] = [];
  const score: number[] = [];
  const because: string[] = [];
  const { items, scores } = result.forYou;
  for (let u = 0; u < purchases.customerIds.length; u++) {
    for (let r = 0; r < k; r++) {
      const item = items[u * k + r]!;
      if (item < 0) break;
      customer.push(purchases.customerIds[u]!);
      rank.push(r + 1);
      product.push(catalogue.productIds[item]!);
      score.push(scores[u * k + r]!);
      const reasons = [result.forYou.because[(u * k + r) * 2]!, result.forYou.because[(u * k + r) * 2 + 1]!]
        .filter((reason) => reason >= 0)
        .map((reason) => catalogue.productIds[reason]!);
      // int[] travels as a Postgres array literal: node-postgres cannot bind arrays of arrays.
      because.push(`{${reasons.join(",")}}`);
    }
  }
  const productLists = [
    productRows(result.similar, "SIMILAR", catalogue),
    productRows(result.boughtTogether, "BOUGHT_TOGETHER", catalogue),
  ];
  await inTransaction(database.pool, async (client) => {
    await client.query(`DELETE FROM "CustomerRecommendation" WHERE "shopId" = $1`, [shopId]);
    await client.query(`DELETE FROM "ProductRecommendation" WHERE "shopId" = $1`, [shopId]);
    await client.query(`DELETE FROM "PopularProduct" WHERE "shopId" = $1`, [shopId]);
    await insertChunks(
      client,
      `INSERT INTO "CustomerRecommendation" ("shopId", "customerId", "rank", "productId", "score", "because", "modelRunId")
       SELECT ${shopId}, t.c, t.r, t.p, t.s, t.b::int[], ${modelRunId}
       FROM unnest($1::int[], $2::int[], $3::int[], $4::real[], $5::text[]) AS t(c, r, p, s, b)
       -- a customer redacted while the model trained is simply left out
       JOIN "Customer" c ON c."id" = t.c AND c."shopId" = ${shopId}`,
      [customer, rank, product, score, because],
    );
    for (const { kind, columns } of productLists) {
      await insertChunks(
        client,
        `INSERT INTO "ProductRecommendation" ("shopId", "productId", "kind", "rank", "recommendedProductId", "score", "modelRunId")
         SELECT ${shopId}, p, '${kind}', r, q, s, ${modelRunId}
         FROM unnest($1::int[], $2::int[], $3::int[], $4::real[]) AS t(p, r, q, s)`,
        columns,
      );
    }
    await client.query(
      `INSERT INTO "PopularProduct" ("shopId", "rank", "productId", "score", "modelRunId")
       SELECT $1, r, p, s, $2 FROM unnest($3::int[], $4::int[], $5::real[]) AS t(r, p, s)`,
      [
        shopId,
        modelRunId,
        Array.from(result.popular.items, (_, r) => r + 1),
        Array.from(result.popular.items, (item) => catalogue.productIds[item]!),
        Array.from(result.popular.scores),
      ],
    );
  });
  return {
    forYou: customer.length,
    similar: productLists[0]!.columns[0]!.length,
    boughtTogether: productLists[1]!.columns[0]!.length,
    popular: result.popular.items.length,
  };
}
