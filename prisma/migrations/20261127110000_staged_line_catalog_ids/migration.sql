-- Staged order lines carry the product and variant ids staging already knew (ADR 0013).
-- AlterTable
ALTER TABLE "BulkStagedOrderLine" ADD COLUMN     "productId" INTEGER,
ADD COLUMN     "variantId" INTEGER;

