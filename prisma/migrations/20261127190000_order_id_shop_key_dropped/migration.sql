-- "Order" (id, shopId) was unique only so the order lines' composite foreign key could point
-- at it. The triggers that replaced that key (20261127180000) find the order by its primary
-- key and compare the shop, so the index is one more write per order for nothing.
DROP INDEX "Order_id_shopId_key";
