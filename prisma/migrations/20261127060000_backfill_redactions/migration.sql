-- Customers redacted while a backfill was unfinished (see app/ingest/redactions.server.ts).

-- CreateTable
CREATE TABLE "BackfillRedaction" (
    "syncRunId" INTEGER NOT NULL,
    "shopId" INTEGER NOT NULL,
    "customerExternalId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BackfillRedaction_pkey" PRIMARY KEY ("syncRunId","customerExternalId")
);

-- CreateIndex
CREATE INDEX "BackfillRedaction_shopId_customerExternalId_idx" ON "BackfillRedaction"("shopId", "customerExternalId");

-- AddForeignKey
ALTER TABLE "BackfillRedaction" ADD CONSTRAINT "BackfillRedaction_syncRunId_fkey" FOREIGN KEY ("syncRunId") REFERENCES "SyncRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

