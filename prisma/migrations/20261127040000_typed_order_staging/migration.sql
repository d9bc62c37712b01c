-- Typed staging for the orders backfill (ADR 0010). Unlogged: scratch space, staged again
-- from the download if a crash empties it. No foreign keys, so COPY runs no per-row trigger.
--
-- Order lines keep product and variant ids without foreign keys: the per-row checks were 27%
-- of merging a backfill's lines, and they lock the product rows every concurrent batch touches.
-- DropForeignKey
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_productId_fkey";

-- DropForeignKey
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_variantId_fkey";

-- CreateTable
CREATE UNLOGGED TABLE "BulkStagedOrder" (
    "syncRunId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "customerExternalId" TEXT,
    "processedAt" TIMESTAMPTZ(3) NOT NULL,
    "financialStatus" TEXT NOT NULL,
    "cancelledAt" TIMESTAMPTZ(3),
    "cancelReason" TEXT,
    "currency" TEXT NOT NULL,
    "subtotalPrice" DECIMAL(19,4) NOT NULL,
    "totalDiscounts" DECIMAL(19,4) NOT NULL,
    "totalShipping" DECIMAL(19,4) NOT NULL,
    "totalTax" DECIMAL(19,4) NOT NULL,
    "totalPrice" DECIMAL(19,4) NOT NULL,
    "totalRefunded" DECIMAL(19,4) NOT NULL,
    "test" BOOLEAN NOT NULL,
    "platformCreatedAt" TIMESTAMPTZ(3),
    "platformUpdatedAt" TIMESTAMPTZ(3) NOT NULL,
    "refunds" JSONB,

    CONSTRAINT "BulkStagedOrder_pkey" PRIMARY KEY ("syncRunId","seq")
);

-- CreateTable
CREATE UNLOGGED TABLE "BulkStagedOrderLine" (
    "syncRunId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "parentSeq" INTEGER NOT NULL DEFAULT 0,
    "adopted" BOOLEAN NOT NULL DEFAULT false,
    "parentExternalId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "productExternalId" TEXT,
    "variantExternalId" TEXT,
    "sku" TEXT,
    "title" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unitPrice" DECIMAL(19,4) NOT NULL,
    "totalDiscount" DECIMAL(19,4) NOT NULL,

    CONSTRAINT "BulkStagedOrderLine_pkey" PRIMARY KEY ("syncRunId","parentSeq","seq")
);

