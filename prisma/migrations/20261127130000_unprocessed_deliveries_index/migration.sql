-- The quarter-hourly redrive looks for deliveries still waiting to be applied, across every
-- shop (workers/shopify/redrive-deliveries.ts). Applied deliveries, nearly all of them, stay
-- out of the index. Partial, so it is written here rather than in schema.prisma (as
-- 20261127090000_unlinked_refund_lines_index).
CREATE INDEX "WebhookDelivery_unapplied_receivedAt_idx" ON "WebhookDelivery" ("receivedAt") WHERE "outcome" = 'RECEIVED';
