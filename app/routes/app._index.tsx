import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, InlineGrid, Layout, Page, Text } from "@shopify/polaris";

import { requireMerchantShop } from "~/auth/merchant.server";
import { BackfillBanner } from "~/components/BackfillBanner";
import { KpiCard } from "~/components/KpiCard";
import { MonthlyRevenue } from "~/components/MonthlyRevenue";
import { db } from "~/db.server";
import { formatCount, formatCurrency, formatCurrencyCompact } from "~/lib/format";
import { loadDashboard } from "~/read/dashboard.server";
import { loadBackfillStatus } from "~/read/sync-status.server";

export const meta: MetaFunction = () => [{ title: "Overview · Foresight" }];

/** "2010-12-01" -> "1 Dec 2010". A local day is a calendar date, so it is formatted as UTC. */
function formatDay(day: string): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const shop = await requireMerchantShop(request, context);
  const [dashboard, backfill] = await Promise.all([
    loadDashboard(db().pool, shop.id),
    loadBackfillStatus(db().pool, shop.id),
  ]);
  // Dates are formatted here, in the shop's time zone, so server and browser render the same
  // text (the browser's own time zone would make hydration disagree).
  const period =
    dashboard.firstOrderDay && dashboard.lastOrderDay
      ? `Orders from ${formatDay(dashboard.firstOrderDay)} to ${formatDay(dashboard.lastOrderDay)} · ${shop.timezone}`
      : "No orders yet";
  const updatedAt = dashboard.aggregatesUpdatedAt
    ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: shop.timezone }).format(
        dashboard.aggregatesUpdatedAt,
      )
    : null;
  return { shop: { name: shop.name, currency: shop.currency }, dashboard, period, updatedAt, backfill };
}

export default function Overview() {
  const { shop, dashboard, period, updatedAt, backfill } = useLoaderData<typeof loader>();
  const money = (amount: string) => formatCurrency(amount, shop.currency);
  return (
    <Page
      title="Overview"
      subtitle={shop.name}
      secondaryActions={[
        { content: "Customers", url: "/app/customers" },
        { content: "Forecasts", url: "/app/forecasts" },
        { content: "Recommendations", url: "/app/recommendations" },
      ]}
    >
      <Layout>
        <BackfillBanner backfill={backfill} />
        {updatedAt === null ? (
          <Layout.Section>
            <Banner tone="info" title="Monthly figures are being prepared">
              <p>
                The totals below are live from your orders. The month-by-month view is complete once the daily
                aggregation job has run for this store.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="p" tone="subdued">
              {period}
            </Text>
            <InlineGrid columns={{ xs: 1, sm: 2, lg: 5 }} gap="400">
              <KpiCard
                label="Orders"
                value={formatCount(dashboard.orders)}
                detail={`${formatCount(dashboard.guestOrders)} without a customer account`}
              />
              <KpiCard
                label="Customers with orders"
                value={formatCount(dashboard.customersWithOrders)}
                detail="distinct customers who placed at least one order"
              />
              <KpiCard
                label="Revenue"
                value={formatCurrencyCompact(dashboard.grossRevenue, shop.currency)}
                detail={`${money(dashboard.grossRevenue)} gross, before cancellations`}
              />
              <KpiCard
                label="Cancellations/refunds"
                value={formatCount(dashboard.refunds.count)}
                detail={`${money(dashboard.refunds.amount)} returned`}
              />
              <KpiCard label="Products" value={formatCount(dashboard.products)} detail="that can be recommended" />
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
        {dashboard.months.length > 0 ? (
          <Layout.Section>
            <MonthlyRevenue months={dashboard.months} currency={shop.currency} updatedAt={updatedAt} />
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
