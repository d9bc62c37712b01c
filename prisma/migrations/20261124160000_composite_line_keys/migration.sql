-- DropForeignKey
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_shopId_fkey";

-- DropForeignKey
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_orderId_fkey";

-- DropForeignKey
ALTER TABLE "RefundLine" DROP CONSTRAINT "RefundLine_shopId_fkey";

-- DropForeignKey
ALTER TABLE "RefundLine" DROP CONSTRAINT "RefundLine_refundId_fkey";

-- CreateIndex
CREATE UNIQUE INDEX "Order_id_shopId_key" ON "Order"("id", "shopId");

-- CreateIndex
CREATE UNIQUE INDEX "Refund_id_shopId_key" ON "Refund"("id", "shopId");

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_orderId_shopId_fkey" FOREIGN KEY ("orderId", "shopId") REFERENCES "Order"("id", "shopId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefundLine" ADD CONSTRAINT "RefundLine_refundId_shopId_fkey" FOREIGN KEY ("refundId", "shopId") REFERENCES "Refund"("id", "shopId") ON DELETE CASCADE ON UPDATE CASCADE;

