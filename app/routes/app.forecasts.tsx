import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DataTable, Layout, Page, Text } from "@shopify/polaris";

import { requireMerchantShop } from "~/auth/merchant.server";
import { RunStatusBanner } from "~/components/RunStatusBanner";
import { SectionCard } from "~/components/SectionCard";
import { db } from "~/db.server";
import { formatCount, formatCurrency } from "~/lib/format";
import { loadForecastsPage, type BacktestFigures } from "~/read/forecasts.server";

export const meta: MetaFunction = () => [{ title: "Forecasts · Foresight" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const shop = await requireMerchantShop(request, context);
  const page = await loadForecastsPage(db().pool, shop.id);
  return { shopName: shop.name, currency: shop.currency, page };
}

const weekday = (day: string) =>
  new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );

const share = (value: number | null) => (value === null ? "—" : `${(value * 100).toFixed(0)}%`);
const backtestRow = (name: string, f: BacktestFigures) => [
  name,
  f.mase === null ? "—" : f.mase.toFixed(2),
  share(f.wape),
  share(f.coverage80),
];

export default function Forecasts() {
  const { shopName, currency, page } = useLoaderData<typeof loader>();
  const { run } = page;
  const money = (amount: number) => formatCurrency(Math.round(amount), currency);
  // h days of cover: the stock runs out during day h of the forecast, which is asOf + h.
  const outOn = (days: number | null) => {
    if (days === null) return "after the forecast";
    if (days === 0) return "out of stock";
    if (!run?.asOf) return `in ${formatCount(days)} days`;
    return weekday(new Date(Date.parse(`${run.asOf}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10));
  };
  return (
    <Page title="Forecasts" subtitle={shopName} backAction={{ content: "Overview", url: "/app" }}>
      <Layout>
        <RunStatusBanner
          run={page.latest}
          emptyTitle="No forecasts yet"
          emptyText="They are made every night from your orders, and right after your store's history is loaded."
          failedTitle="The last forecast failed"
        />
        {run?.model ? (
          <SectionCard title={`Revenue forecast: ${run.model}`}>
            <Text as="p" tone="subdued">
              Based on sales through {run.asOf}
              {run.asOfNote?.startsWith("no sales") ? ` (${run.asOfNote})` : ""}. Ranges are 80% prediction intervals:
              about four days in five should land inside them.
            </Text>
            {run.backtest ? (
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                headings={[
                  `Over your last four ${run.horizonDays}-day periods`,
                  "MASE",
                  "Error share (WAPE)",
                  "Days inside the range",
                ]}
                rows={[
                  backtestRow("This forecast", run.backtest.forecast),
                  backtestRow("Same weekday last week", run.backtest.seasonalNaive),
                ]}
              />
            ) : (
              <Text as="p">
                A backtest needs {run.horizonDays * 6} days of history; it appears once there is enough.
              </Text>
            )}
          </SectionCard>
        ) : null}
        {page.atRisk.length > 0 ? (
          <SectionCard title="Likely to run out">
            <DataTable
              columnContentTypes={["text", "numeric", "text", "text"]}
              headings={["Product", "In stock", "Runs out around", "If sales run high"]}
              rows={page.atRisk.map((p) => [
                p.title,
                formatCount(p.stock),
                outOn(p.daysOfCover),
                outOn(p.earlyDaysOfCover),
              ])}
            />
          </SectionCard>
        ) : null}
        {page.days.length > 0 ? (
          <SectionCard title="The next days">
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric"]}
              headings={["Day", "Revenue", "80% range", "Orders"]}
              rows={page.days.map((d) => [
                weekday(d.day),
                money(d.revenue),
                `${money(d.revenueLower)} – ${money(d.revenueUpper)}`,
                d.orders.toFixed(1),
              ])}
            />
          </SectionCard>
        ) : null}
      </Layout>
    </Page>
  );
}
