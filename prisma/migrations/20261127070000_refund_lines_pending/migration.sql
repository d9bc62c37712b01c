-- Refunds whose lines are still to be fetched (bulk and paginated order queries cannot nest them).

-- AlterTable
ALTER TABLE "Refund" ADD COLUMN     "linesPending" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Refund_shopId_linesPending_id_idx" ON "Refund"("shopId", "linesPending", "id");

