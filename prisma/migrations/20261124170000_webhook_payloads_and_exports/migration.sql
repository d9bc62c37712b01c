-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "payload" JSONB;

-- CreateTable
CREATE TABLE "CustomerDataExport" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "customerExternalId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerDataExport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CustomerDataExport_shopId_customerExternalId_idx" ON "CustomerDataExport"("shopId", "customerExternalId");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerDataExport_shopId_requestId_key" ON "CustomerDataExport"("shopId", "requestId");

-- AddForeignKey
ALTER TABLE "CustomerDataExport" ADD CONSTRAINT "CustomerDataExport_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

