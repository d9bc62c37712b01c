/**
 * Replaces a shop's CustomerScore rows in one transaction, so the admin never sees half of one
 * night's scores next to half of another's. Rows travel as column arrays through unnest, in
 * chunks, so no statement carries more than CHUNK rows.
 */
import type { Database } from "~/db.server";
import { inTransaction } from "~/ingest/transaction.server";
import type { ShopScores } from "~/ml/churn/score-shop";
import { dayNumberToIso } from "~/lib/local-time";

const CHUNK = 20_000;

/** Money to 4 decimals as text, so numeric columns get exactly what was computed. */
function money(value: number): string | null {
  return Number.isFinite(value) ? value.toFixed(4) : null;
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Returns the number of rows written (customers redacted in the meantime are left out). */
export async function replaceCustomerScores(
  database: Database,
  shopId: number,
  modelRunId: number,
  customerIds: Int32Array,
  scores: ShopScores,
  asOf: number,
): Promise<number> {
  const n = scores.customer.length;
  const columns = {
    customer: Array.from(scores.customer, (c) => customerIds[c]!),
    orders: Array.from(scores.orders),
    spent: Array.from(scores.totalValue, (v) => money(v)),
    recency: Array.from(scores.recencyDays),
    pChurn: Array.from(scores.pChurn),
    band: scores.risk,
    pAlive: Array.from({ length: n }, (_, i) => finite(scores.pAlive?.[i])),
    expected: Array.from({ length: n }, (_, i) => finite(scores.expectedOrders?.[i])),
    // The first day by which an order is more likely than not: t days after the start of asOf.
    nextOn: Array.from({ length: n }, (_, i) => {
      const t = scores.daysToNextOrder?.[i];
      return t !== undefined && Number.isFinite(t) ? dayNumberToIso(asOf + Math.max(0, Math.ceil(t) - 1)) : null;
    }),
    aov: Array.from({ length: n }, (_, i) => money(scores.expectedOrderValue?.[i] ?? Number.NaN)),
    clv: Array.from({ length: n }, (_, i) => money(scores.lifetimeValue?.[i] ?? Number.NaN)),
    r: Array.from(scores.rfm.r),
    f: Array.from(scores.rfm.f),
    m: Array.from(scores.rfm.m),
    segment: scores.segment,
  };
  const ordered = Object.values(columns) as unknown[][];
  let written = 0;
  await inTransaction(database.pool, async (client) => {
    await client.query(`DELETE FROM "CustomerScore" WHERE "shopId" = $1`, [shopId]);
    for (let start = 0; start < n; start += CHUNK) {
      const result = await client.query(
        `INSERT INTO "CustomerScore" ("shopId", "customerId", "orders", "totalSpent", "recencyDays", "pChurn",
           "riskBand", "pAlive", "expectedOrders", "expectedNextOrderOn", "expectedOrderValue",
           "predictedLifetimeValue", "recencyScore", "frequencyScore", "monetaryScore", "segment", "modelRunId")
         SELECT ${shopId}, t.c, t.o, t.s, t.rd, t.pc, t.b::"ChurnRisk", t.pa, t.eo, t.nx, t.aov, t.clv,
                t.r, t.f, t.m, t.seg, ${modelRunId}
         FROM unnest($1::int[], $2::int[], $3::numeric[], $4::int[], $5::real[], $6::text[], $7::real[],
                     $8::real[], $9::date[], $10::numeric[], $11::numeric[], $12::smallint[], $13::smallint[],
                     $14::smallint[], $15::text[])
              AS t(c, o, s, rd, pc, b, pa, eo, nx, aov, clv, r, f, m, seg)
         -- a customer redacted while the models ran is simply left out
         JOIN "Customer" k ON k."id" = t.c AND k."shopId" = ${shopId}`,
        ordered.map((column) => column.slice(start, start + CHUNK)),
      );
      written += result.rowCount ?? 0;
    }
  });
  return written;
}
