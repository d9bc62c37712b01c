-- CreateTable
-- Unlogged: scratch space that is rebuilt from the download if lost, so it skips the WAL.
CREATE UNLOGGED TABLE "BulkStagingRow" (
    "syncRunId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "gid" TEXT NOT NULL,
    "parentGid" TEXT,
    "data" JSONB NOT NULL,

    CONSTRAINT "BulkStagingRow_pkey" PRIMARY KEY ("syncRunId","seq")
);

-- CreateIndex
CREATE INDEX "BulkStagingRow_syncRunId_parentGid_idx" ON "BulkStagingRow"("syncRunId", "parentGid");

-- AddForeignKey
ALTER TABLE "BulkStagingRow" ADD CONSTRAINT "BulkStagingRow_syncRunId_fkey" FOREIGN KEY ("syncRunId") REFERENCES "SyncRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

