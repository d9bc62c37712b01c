/**
 * GDPR for one customer: what we hold about them (customers/data_request) and erasing it
 * (customers/redact). Erasure removes the customer row, which cascades to their scores,
 * personal recommendations and exports and unlinks (not deletes) their orders and refunds:
 * the shop's sales history stays whole, but no longer points at a person.
 */
import type { Prisma } from "@prisma/client";

import type { Database } from "~/db.server";
import {
  erasedCustomerKey,
  LOCK_FOR_CUSTOMER_WRITE,
  LOCK_FOR_REDACTION,
  notRedacted,
} from "~/ingest/redactions.server";

/**
 * customers/data_request: everything held about the customer, stored for the merchant. Runs
 * under the shared side of the redaction lock, so a redaction either finishes first (and
 * nothing is stored: an export would bring back what it erased) or waits for this to commit
 * and then deletes the export with the rest.
 */
export async function exportCustomerData(
  database: Database,
  shopId: number,
  customerExternalId: string,
  requestId: string,
): Promise<Prisma.JsonObject> {
  return database.prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(LOCK_FOR_CUSTOMER_WRITE, shopId);
      const [{ kept }] = await tx.$queryRawUnsafe<[{ kept: boolean }]>(
        `SELECT ${notRedacted("$2::text")} AS "kept"`,
        shopId,
        customerExternalId,
      );
      if (!kept) return { heldData: false, erased: true };
      const customer = await tx.customer.findUnique({
        where: { shopId_externalId: { shopId, externalId: customerExternalId } },
        include: {
          // An order's refunds are theirs even when the refund itself names no customer (a
          // refunds/create webhook carries none).
          orders: {
            include: { lines: true, refunds: { include: { lines: true } } },
            orderBy: { processedAt: "asc" },
          },
          refunds: { include: { lines: true } },
          scores: true,
          recommendations: {
            include: { product: { select: { externalId: true, title: true } } },
            orderBy: { rank: "asc" },
          },
        },
      });
      const data: Prisma.JsonObject = customer
        ? (JSON.parse(
            JSON.stringify({ heldData: true, customer }, (_key, value: unknown) =>
              typeof value === "bigint" ? value.toString() : value,
            ),
          ) as Prisma.JsonObject)
        : { heldData: false, customerExternalId };
      await tx.customerDataExport.upsert({
        where: { shopId_requestId: { shopId, requestId } },
        create: { shopId, customerExternalId, requestId, data },
        update: { data },
      });
      return data;
    },
    // A redaction holding the lock waits for a backfill chunk at most; so may this.
    { timeout: 60_000 },
  );
}

/**
 * Webhook payloads still waiting for a worker may carry the customer too: they are erased and
 * the deliveries closed (a reconcile fetches whatever else those events changed). A tombstone
 * keyed by a hash of the id keeps the customer from being stored again (ingest/redactions.server.ts).
 * @returns whether a customer row existed.
 */
export async function redactCustomer(database: Database, shopId: number, customerExternalId: string): Promise<boolean> {
  return database.prisma.$transaction(
    async (tx) => {
      // Waits for writes in flight that may create the customer, and holds off new ones.
      await tx.$executeRawUnsafe(LOCK_FOR_REDACTION, shopId);
      await tx.$executeRaw`
      UPDATE "WebhookDelivery"
      SET "payload" = NULL, "outcome" = 'IGNORED', "processedAt" = now(), "error" = 'payload erased by a customer redaction'
      WHERE "shopId" = ${shopId} AND "payload" IS NOT NULL
        AND ("payload"->'customer'->>'id' = ${customerExternalId}
             OR ("topic" LIKE 'customers/%' AND "payload"->>'id' = ${customerExternalId}))`;
      // A backfill in progress must not bring the customer back from its staged rows.
      await tx.$executeRaw`
      UPDATE "BulkStagedOrder" SET "customerExternalId" = NULL
      WHERE "syncRunId" IN (SELECT "id" FROM "SyncRun" WHERE "shopId" = ${shopId})
        AND "customerExternalId" = ${customerExternalId}`;
      await tx.$executeRaw`
      DELETE FROM "BulkStagingRow"
      WHERE "syncRunId" IN (SELECT "id" FROM "SyncRun" WHERE "shopId" = ${shopId})
        AND "gid" = ${`gid://shopify/Customer/${customerExternalId}`}`;
      // Rows naming the customer may still be on their way (a backfill, a webhook or reconcile
      // page read before now, a retried delivery); none may bring them back.
      await tx.$executeRawUnsafe(
        `INSERT INTO "ErasedCustomer" ("shopId", "idHash") VALUES ($1, ${erasedCustomerKey("$1", "$2::text")})
         ON CONFLICT DO NOTHING`,
        shopId,
        customerExternalId,
      );
      await tx.customerDataExport.deleteMany({ where: { shopId, customerExternalId } });
      const deleted = await tx.customer.deleteMany({ where: { shopId, externalId: customerExternalId } });
      return deleted.count > 0;
      // Longer than Prisma's 5 s default: the lock waits for a backfill's merge chunk in flight.
    },
    { timeout: 60_000 },
  );
}

/** shop/redact: everything the shop owns goes, through the cascades, and its sessions. */
export async function redactShop(database: Database, shopId: number, domain: string): Promise<void> {
  const runs = database.prisma.syncRun.findMany({ where: { shopId }, select: { id: true } });
  const runIds = (await runs).map((run) => run.id);
  await database.prisma.$transaction([
    // Typed staging has no foreign key to cascade through (see BulkStagedOrder).
    database.prisma.bulkStagedOrder.deleteMany({ where: { syncRunId: { in: runIds } } }),
    database.prisma.bulkStagedOrderLine.deleteMany({ where: { syncRunId: { in: runIds } } }),
    database.prisma.session.deleteMany({ where: { shop: domain } }),
    database.prisma.shop.delete({ where: { id: shopId } }),
  ]);
}
