-- The order lines' (orderId, shopId) foreign key checked each line with its own query: a third
-- of every line insert, and nearly half of Postgres's time when a backfill writes a million
-- orders (ADR 0014). These statement-level triggers keep the same guarantees, checking every
-- line a statement wrote in one query: a line's order exists and belongs to the line's shop,
-- the order is locked FOR KEY SHARE until the writer commits (as the foreign key's check does,
-- so a concurrent delete waits and then takes the lines with it), and deleting an order deletes
-- its lines.

ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_orderId_shopId_fkey";

-- Index probes, not a hash join: a statement writes thousands of lines, "Order" holds millions
-- of rows, and a hash join would read all of them for every statement.
CREATE FUNCTION "order_lines_have_their_orders"() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  wanted bigint;
  found bigint;
BEGIN
  SELECT count(*) INTO wanted FROM (SELECT DISTINCT "orderId", "shopId" FROM written_lines) w;
  SELECT count(*) INTO found FROM (
    SELECT 1 FROM "Order" o
    JOIN (SELECT DISTINCT "orderId", "shopId" FROM written_lines) w ON o."id" = w."orderId" AND o."shopId" = w."shopId"
    FOR KEY SHARE OF o) f;
  IF found < wanted THEN
    RAISE EXCEPTION 'an order line names an order that does not exist in its shop'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'OrderLine';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "OrderLine_order_exists_on_insert" AFTER INSERT ON "OrderLine"
  REFERENCING NEW TABLE AS written_lines FOR EACH STATEMENT EXECUTE FUNCTION "order_lines_have_their_orders"();
CREATE TRIGGER "OrderLine_order_exists_on_update" AFTER UPDATE ON "OrderLine"
  REFERENCING NEW TABLE AS written_lines FOR EACH STATEMENT EXECUTE FUNCTION "order_lines_have_their_orders"();

CREATE FUNCTION "order_lines_go_with_their_orders"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "OrderLine" l USING deleted_orders d WHERE l."orderId" = d."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "Order_lines_deleted_with_it" AFTER DELETE ON "Order"
  REFERENCING OLD TABLE AS deleted_orders FOR EACH STATEMENT EXECUTE FUNCTION "order_lines_go_with_their_orders"();

-- Deleting a shop deletes its products (their refund lines' productId set null) and its orders
-- (their lines deleted above, the refund lines' orderLineId set null): two updates of one refund
-- line in one transaction, the second made inside the trigger's own statement. Its check on the
-- refund line's refund then runs at once, and fails when the shop's refunds went first. The
-- foreign key's own cascade ran that check at the end of the whole delete, when the refund line
-- was gone and the check skipped it; checked at commit, it is skipped the same way.
ALTER TABLE "RefundLine" ALTER CONSTRAINT "RefundLine_refundId_shopId_fkey" DEFERRABLE INITIALLY DEFERRED;
