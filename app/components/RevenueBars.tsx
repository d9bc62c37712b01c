import { BlockStack, InlineStack, Text } from "@shopify/polaris";

import { formatCurrency, formatMonth } from "~/lib/format";
import type { MonthFigures } from "~/read/dashboard.server";

const HEIGHT_PX = 160;
/** More labels than this under the bars would overlap, so longer series label every k-th bar. */
const MAX_LABELS = 14;

const monthOnly = new Intl.DateTimeFormat("en-GB", { month: "short", timeZone: "UTC" });

/** "2011-03" -> "Mar"; the first bar and every January also carry the year ("Jan 11"). */
function barLabel(month: string, first: boolean): string {
  const [year, index] = month.split("-").map(Number) as [number, number];
  const name = monthOnly.format(new Date(Date.UTC(year, index - 1, 1)));
  return first || index === 1 ? `${name} ${String(year).slice(2)}` : name;
}

/**
 * Revenue by month as plain CSS bars: no chart library (one less dependency in the browser
 * bundle, and it renders on the server like the rest of the page). Heights are relative to
 * the best month; each bar carries its exact figure as a tooltip and for screen readers.
 */
export function RevenueBars({ months, currency }: { months: MonthFigures[]; currency: string }) {
  // Number() is fine here: it only sizes bars, and the exact amounts are shown as text.
  const values = months.map((m) => Math.max(Number(m.revenue), 0));
  const max = Math.max(...values, 0);
  const peak = months[values.indexOf(max)];
  const labelEvery = Math.ceil(months.length / MAX_LABELS);
  return (
    <BlockStack gap="200">
      <div
        role="list"
        aria-label="Revenue by month"
        style={{
          display: "flex",
          alignItems: "flex-end",
          gap: "var(--p-space-100)",
          height: HEIGHT_PX,
          borderBottom: "var(--p-border-width-025) solid var(--p-color-border)",
        }}
      >
        {months.map((month, index) => {
          const text = `${formatMonth(month.month)}: ${formatCurrency(month.revenue, currency)}`;
          return (
            <div
              key={month.month}
              role="listitem"
              aria-label={text}
              title={text}
              style={{
                flex: "1 1 0",
                height: max > 0 ? `${Math.max((values[index]! / max) * 100, 0.5)}%` : 0,
                background: "var(--p-color-bg-fill-emphasis)",
                borderRadius: "var(--p-border-radius-100) var(--p-border-radius-100) 0 0",
              }}
            />
          );
        })}
      </div>
      <div aria-hidden style={{ display: "flex", gap: "var(--p-space-100)" }}>
        {months.map((month, index) => (
          <div key={month.month} style={{ flex: "1 1 0", textAlign: "center", minWidth: 0 }}>
            <Text as="span" variant="bodyXs" tone="subdued">
              {index % labelEvery === 0 ? barLabel(month.month, index === 0) : ""}
            </Text>
          </div>
        ))}
      </div>
      {peak && max > 0 ? (
        <InlineStack align="end">
          <Text as="p" variant="bodySm" tone="subdued">
            Best month: {formatMonth(peak.month)}, {formatCurrency(peak.revenue, currency)}
          </Text>
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}
