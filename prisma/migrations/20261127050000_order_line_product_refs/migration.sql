-- Order lines keep product and variant ids without foreign keys (ADR 0010): the per-row
-- checks were 27% of merging a bulk backfill's lines, and they lock the product rows that
-- every concurrent batch touches.
-- DropForeignKey
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_productId_fkey";

-- DropForeignKey
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_variantId_fkey";

