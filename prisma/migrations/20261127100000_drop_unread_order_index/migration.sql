-- No query reads orders by (shopId, processedAt): date ranges use localDate. One index fewer
-- to maintain on every order written.

-- DropIndex
DROP INDEX "Order_shopId_processedAt_idx";

