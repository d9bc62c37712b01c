import { DataTable } from "@shopify/polaris";

import { formatCount, formatCurrency, formatMonth } from "~/lib/format";
import { formatMoney, parseMoney } from "~/lib/money";
import type { MonthFigures } from "~/read/dashboard.server";

/** Exact sum of decimal strings (integer ten-thousandths), so the totals row never drifts by a penny. */
function sumMoney(amounts: string[]): string {
  return formatMoney(amounts.reduce((total, amount) => total + (parseMoney(amount) ?? 0), 0));
}

/** The exact monthly figures under the bars, with a totals row. */
export function MonthlyRevenueTable({ months, currency }: { months: MonthFigures[]; currency: string }) {
  return (
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
        formatCurrency(sumMoney(months.map((m) => m.revenue)), currency),
        formatCurrency(sumMoney(months.map((m) => m.refundedAmount)), currency),
      ]}
      showTotalsInFooter
    />
  );
}
