-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "settings" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "CustomerRecommendation" ADD COLUMN     "because" INTEGER[] DEFAULT ARRAY[]::INTEGER[];

-- CreateTable
CREATE TABLE "PopularProduct" (
    "shopId" INTEGER NOT NULL,
    "rank" SMALLINT NOT NULL,
    "productId" INTEGER NOT NULL,
    "score" REAL NOT NULL,
    "modelRunId" INTEGER NOT NULL,

    CONSTRAINT "PopularProduct_pkey" PRIMARY KEY ("shopId","rank")
);

-- AddForeignKey
ALTER TABLE "PopularProduct" ADD CONSTRAINT "PopularProduct_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PopularProduct" ADD CONSTRAINT "PopularProduct_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

