import { BlockStack, Card, InlineStack, Text } from "@shopify/polaris";

import type { MonthFigures } from "~/read/dashboard.server";

import { MonthlyRevenueTable } from "./MonthlyRevenueTable";
import { RevenueBars } from "./RevenueBars";

/** The "Revenue by month" card: bars for the shape of the year, the table for exact figures. */
export function MonthlyRevenue({
  months,
  currency,
  updatedAt,
}: {
  months: MonthFigures[];
  currency: string;
  /** Already formatted for display (shop time zone), or null when unknown. */
  updatedAt?: string | null;
}) {
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="baseline">
          <Text as="h2" variant="headingMd">
            Revenue by month
          </Text>
          {updatedAt ? (
            <Text as="span" variant="bodySm" tone="subdued">
              Updated {updatedAt}
            </Text>
          ) : null}
        </InlineStack>
        <RevenueBars months={months} currency={currency} />
        <MonthlyRevenueTable months={months} currency={currency} />
      </BlockStack>
    </Card>
  );
}
