-- Orders Shopify deleted, so a late update cannot store them again.
-- CreateTable
CREATE TABLE "DeletedOrder" (
    "shopId" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "deletedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeletedOrder_pkey" PRIMARY KEY ("shopId","externalId")
);

-- AddForeignKey
ALTER TABLE "DeletedOrder" ADD CONSTRAINT "DeletedOrder_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

