-- Applied webhook deliveries are forgotten after a week, found by age across shops.
-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");

