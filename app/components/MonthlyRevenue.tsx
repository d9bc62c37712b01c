import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";

import { formatCount, formatCurrency, formatMonth } from "~/lib/format";
import type { MonthFigures } from "~/read/dashboard.server";

const CHART_HEIGHT = 160;

/** Revenue by month: a plain SVG bar chart (no chart library needed) above the exact figures. */
export function MonthlyRevenue({ months, currency }: { months: MonthFigures[]; currency: string }) {
  const max = Math.max(...months.map((m) => Number(m.revenue)), 1);
  const barWidth = 100 / Math.max(months.length, 1);
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Revenue by month
        </Text>
        <svg
          role="img"
          aria-label="Revenue by month"
          viewBox={`0 0 100 ${CHART_HEIGHT}`}
          preserveAspectRatio="none"
          style={{ width: "100%", height: CHART_HEIGHT }}
        >
          {months.map((month, index) => {
            const height = (Number(month.revenue) / max) * (CHART_HEIGHT - 4);
            return (
              <rect
                key={month.month}
                x={index * barWidth + barWidth * 0.15}
                y={CHART_HEIGHT - height}
                width={barWidth * 0.7}
                height={height}
                fill="#2c6ecb"
              >
                <title>{`${formatMonth(month.month)}: ${formatCurrency(month.revenue, currency)}`}</title>
              </rect>
            );
          })}
        </svg>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric"]}
          headings={["Month", "Orders", "Revenue", "Refunded"]}
          rows={months.map((m) => [
            formatMonth(m.month),
            formatCount(m.orders),
            formatCurrency(m.revenue, currency),
            formatCurrency(m.refundedAmount, currency),
          ])}
          totals={[
            "",
            formatCount(months.reduce((sum, m) => sum + m.orders, 0)),
            formatCurrency(
              months.reduce((sum, m) => sum + Number(m.revenue), 0),
              currency,
            ),
            formatCurrency(
              months.reduce((sum, m) => sum + Number(m.refundedAmount), 0),
              currency,
            ),
          ]}
          showTotalsInFooter
        />
      </BlockStack>
    </Card>
  );
}
