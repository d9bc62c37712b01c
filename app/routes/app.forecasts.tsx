import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DataTable, Layout, Page, Text } from "@shopify/polaris";

import { requireMerchantShop } from "~/auth/merchant.server";
import { RunStatusBanner } from "~/components/RunStatusBanner";
import { SectionCard } from "~/components/SectionCard";
import { db } from "~/db.server";
import { formatCount, formatCurrency } from "~/lib/format";
import { loadForecastsPage } from "~/read/forecasts.server";

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

export default function Forecasts() {
  const { shopName, currency, page } = useLoaderData<typeof loader>();
  const { run } = page;
  const money = (amount: number) => formatCurrency(Math.round(amount), currency);
  const days = (value: number | null) => (value === null ? "beyond the forecast" : `${formatCount(value)} days`);
  return (
    <Page title="Forecasts" subtitle={shopName} backAction={{ content: "Overview", url: "/app" }}>
      <Layout>
        <RunStatusBanner
          run={run}
          emptyTitle="No forecasts yet"
          emptyText="They are made every night from your orders, and right after your store's history is loaded."
          failedTitle="The last forecast failed"
        />
        {run?.model ? (
          <SectionCard title={`Revenue forecast: ${run.model}`}>
            <Text as="p" tone="subdued">
              From {run.asOf}
              {run.asOfNote?.startsWith("no sales") ? ` (${run.asOfNote})` : ""}. Ranges are 80% prediction intervals:
              about four days in five should land inside them.
            </Text>
            {run.backtest ? (
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                headings={["Over your last four 28-day periods", "MASE", "Error share (WAPE)", "Days inside the range"]}
                rows={[
                  [
                    "This forecast",
                    run.backtest.forecast.mase.toFixed(2),
                    `${(run.backtest.forecast.wape * 100).toFixed(0)}%`,
                    `${(run.backtest.forecast.coverage80 * 100).toFixed(0)}%`,
                  ],
                  [
                    "Same weekday last week",
                    run.backtest.seasonalNaive.mase.toFixed(2),
                    `${(run.backtest.seasonalNaive.wape * 100).toFixed(0)}%`,
                    `${(run.backtest.seasonalNaive.coverage80 * 100).toFixed(0)}%`,
                  ],
                ]}
              />
            ) : (
              <Text as="p">A backtest needs about six months of history; it appears once there is enough.</Text>
            )}
          </SectionCard>
        ) : null}
        {page.atRisk.length > 0 ? (
          <SectionCard title="Likely to run out">
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric"]}
              headings={["Product", "In stock", "Runs out in", "If sales run high"]}
              rows={page.atRisk.map((p) => [
                p.title,
                formatCount(p.stock),
                days(p.daysOfCover),
                days(p.earlyDaysOfCover),
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
