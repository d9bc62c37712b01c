-- Refund lines keep the platform id of the order line they reverse, so the link can be made
-- when that line arrives after the refund.

-- AlterTable
ALTER TABLE "RefundLine" ADD COLUMN     "orderLineExternalId" TEXT;


-- Lines already linked get the id of the line they point at.
UPDATE "RefundLine" rl SET "orderLineExternalId" = ol."externalId"
FROM "OrderLine" ol WHERE ol."id" = rl."orderLineId";
