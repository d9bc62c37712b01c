-- CreateTable
CREATE TABLE "InventoryCover" (
    "shopId" INTEGER NOT NULL,
    "productId" INTEGER NOT NULL,
    "stock" INTEGER NOT NULL,
    "daysOfCover" INTEGER,
    "earlyDaysOfCover" INTEGER,
    "stockoutRisk" BOOLEAN NOT NULL,
    "modelRunId" INTEGER NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InventoryCover_pkey" PRIMARY KEY ("shopId","productId")
);

-- CreateIndex
CREATE INDEX "InventoryCover_shopId_stockoutRisk_idx" ON "InventoryCover"("shopId", "stockoutRisk");

-- AddForeignKey
ALTER TABLE "InventoryCover" ADD CONSTRAINT "InventoryCover_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InventoryCover" ADD CONSTRAINT "InventoryCover_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

