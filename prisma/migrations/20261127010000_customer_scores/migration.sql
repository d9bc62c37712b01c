-- CustomerScore had no writer before this migration, so the dropped columns held no data.

-- CreateEnum
CREATE TYPE "ChurnRisk" AS ENUM ('LOW', 'MEDIUM', 'HIGH');

-- AlterTable
ALTER TABLE "CustomerScore" DROP COLUMN "expectedNextOrderAt",
DROP COLUMN "expectedOrders90d",
DROP COLUMN "pChurn90d",
ADD COLUMN     "expectedNextOrderOn" DATE,
ADD COLUMN     "expectedOrderValue" DECIMAL(19,4),
ADD COLUMN     "expectedOrders" REAL,
ADD COLUMN     "frequencyScore" SMALLINT NOT NULL,
ADD COLUMN     "monetaryScore" SMALLINT NOT NULL,
ADD COLUMN     "orders" INTEGER NOT NULL,
ADD COLUMN     "pChurn" REAL NOT NULL,
ADD COLUMN     "recencyDays" INTEGER NOT NULL,
ADD COLUMN     "recencyScore" SMALLINT NOT NULL,
ADD COLUMN     "riskBand" "ChurnRisk" NOT NULL,
ADD COLUMN     "totalSpent" DECIMAL(19,4) NOT NULL,
ALTER COLUMN "pAlive" DROP NOT NULL,
ALTER COLUMN "predictedLifetimeValue" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "CustomerScore_shopId_riskBand_idx" ON "CustomerScore"("shopId", "riskBand");

