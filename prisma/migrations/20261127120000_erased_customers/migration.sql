-- Erased customers are remembered for good, by a salted hash of their id, instead of only
-- while a backfill is unfinished (ADR 0011). Existing tombstones carry over.

-- CreateTable
CREATE TABLE "ErasedCustomer" (
    "shopId" INTEGER NOT NULL,
    "idHash" BYTEA NOT NULL,
    "erasedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ErasedCustomer_pkey" PRIMARY KEY ("shopId","idHash")
);

-- AddForeignKey
ALTER TABLE "ErasedCustomer" ADD CONSTRAINT "ErasedCustomer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The same hash as app/ingest/redactions.server.ts.
INSERT INTO "ErasedCustomer" ("shopId", "idHash", "erasedAt")
SELECT "shopId", sha256(convert_to("shopId"::text || ':' || "customerExternalId", 'UTF8')), min("createdAt")
FROM "BackfillRedaction"
GROUP BY 1, 2
ON CONFLICT DO NOTHING;

-- DropForeignKey
ALTER TABLE "BackfillRedaction" DROP CONSTRAINT "BackfillRedaction_syncRunId_fkey";

-- DropTable
DROP TABLE "BackfillRedaction";
