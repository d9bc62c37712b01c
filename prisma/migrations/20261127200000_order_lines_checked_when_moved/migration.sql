-- An update of order lines checked and locked the order of every line it touched, even when
-- the line kept its order (the foreign key it replaced skipped those). Locking the order after
-- the line could deadlock with a delete of that order, which locks the order and then its
-- lines. Now only lines whose order or shop changed are checked, as the foreign key did.

CREATE FUNCTION "moved_order_lines_have_their_orders"() RETURNS trigger LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  wanted bigint;
  found bigint;
BEGIN
  SELECT count(*) INTO wanted FROM (
    SELECT DISTINCT n."orderId", n."shopId" FROM written_lines n JOIN previous_lines p ON p."id" = n."id"
    WHERE (p."orderId", p."shopId") IS DISTINCT FROM (n."orderId", n."shopId")) w;
  IF wanted = 0 THEN
    RETURN NULL;
  END IF;
  SELECT count(*) INTO found FROM (
    SELECT 1 FROM "Order" o
    JOIN (SELECT DISTINCT n."orderId", n."shopId" FROM written_lines n JOIN previous_lines p ON p."id" = n."id"
          WHERE (p."orderId", p."shopId") IS DISTINCT FROM (n."orderId", n."shopId")) w
      ON o."id" = w."orderId" AND o."shopId" = w."shopId"
    FOR KEY SHARE OF o) f;
  IF found < wanted THEN
    RAISE EXCEPTION 'an order line names an order that does not exist in its shop'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'OrderLine';
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER "OrderLine_order_exists_on_update" ON "OrderLine";
CREATE TRIGGER "OrderLine_order_exists_when_moved" AFTER UPDATE ON "OrderLine"
  REFERENCING OLD TABLE AS previous_lines NEW TABLE AS written_lines
  FOR EACH STATEMENT EXECUTE FUNCTION "moved_order_lines_have_their_orders"();
