-- When Shopify says the event happened (X-Shopify-Triggered-At), to tell a stale app/uninstalled from a current one.
-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "triggeredAt" TIMESTAMPTZ(3);

