import { Banner, BlockStack, Layout, ProgressBar, Text } from "@shopify/polaris";

import { formatCount } from "~/lib/format";
import type { BackfillStatus } from "~/read/sync-status.server";

const STEP: Record<string, string> = { products: "Products", customers: "Customers", orders: "Orders" };

/**
 * The overview page's notice while the shop's history is still being imported (figures below
 * are then partial), or when the import stopped; nothing once it has finished.
 */
export function BackfillBanner({ backfill }: { backfill: BackfillStatus | null }) {
  if (!backfill || backfill.status === "SUCCEEDED") return null;
  if (backfill.status === "FAILED") {
    return (
      <Layout.Section>
        <Banner tone="critical" title="Importing your store's history stopped">
          <BlockStack gap="200">
            <p>{backfill.error ?? "The import failed without a reason."}</p>
            <p>
              The figures below are partial until the import completes; a new attempt carries on where this one stopped.
            </p>
          </BlockStack>
        </Banner>
      </Layout.Section>
    );
  }
  const step = STEP[backfill.phase ?? ""];
  const percent = backfill.progress === null ? null : Math.round(backfill.progress * 100);
  return (
    <Layout.Section>
      <Banner tone="info" title="Importing your store's history">
        <BlockStack gap="200">
          <p>
            {step ? `${step}: ${formatCount(backfill.counts[backfill.phase!] ?? 0)} loaded so far. ` : ""}
            The figures below grow as the import goes on.
          </p>
          {percent === null ? null : (
            <BlockStack gap="100">
              <ProgressBar progress={percent} size="small" />
              <Text as="span" tone="subdued">
                {`${percent}% done`}
              </Text>
            </BlockStack>
          )}
        </BlockStack>
      </Banner>
    </Layout.Section>
  );
}
