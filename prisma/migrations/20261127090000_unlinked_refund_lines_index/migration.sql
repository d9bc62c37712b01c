-- Refund lines stored before the order line they reverse, found by that line's platform id
-- when it arrives (linkRefundLines runs on every orders ingest). Partial: only unlinked lines
-- are indexed, a handful per shop. Prisma's schema cannot express a partial index, so this one
-- lives in the migration only (see the note on RefundLine in schema.prisma).
CREATE INDEX "RefundLine_unlinked_idx" ON "RefundLine" ("shopId", "orderLineExternalId")
WHERE "orderLineId" IS NULL AND "orderLineExternalId" IS NOT NULL;
