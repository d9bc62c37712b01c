-- The latest token exchange of a Shopify shop, to tell a stale app/uninstalled from a current one.
-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "authorizedAt" TIMESTAMPTZ(3);

