import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, InlineGrid, Layout, Page, Text } from "@shopify/polaris";

import { requireMerchantShop } from "~/auth/merchant.server";
import { KpiCard } from "~/components/KpiCard";
import { MonthlyRevenue } from "~/components/MonthlyRevenue";
import { db } from "~/db.server";
import { formatCount, formatCurrency, formatCurrencyCompact } from "~/lib/format";
import { loadDashboard } from "~/read/dashboard.server";

export const meta: MetaFunction = () => [{ title: "Overview · Foresight" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const shop = await requireMerchantShop(request, context);
  const dashboard = await loadDashboard(db().pool, shop.id);
  return { shop: { name: shop.name, currency: shop.currency, timezone: shop.timezone }, dashboard };
}

export default function Overview() {
  const { shop, dashboard } = useLoaderData<typeof loader>();
  const period =
    dashboard.firstOrderDay && dashboard.lastOrderDay
      ? `${dashboard.firstOrderDay} to ${dashboard.lastOrderDay} (${shop.timezone})`
      : "No orders yet";
  return (
    <Page title="Overview" subtitle={shop.name}>
      <Layout>
        {dashboard.aggregatesUpdatedAt === null ? (
          <Layout.Section>
            <Banner tone="info" title="Monthly figures are being prepared">
              <p>The totals below are live; the month-by-month view appears once the nightly job has run.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="200">
            <Text as="p" tone="subdued">
              {period}
            </Text>
            <InlineGrid columns={{ xs: 1, sm: 2, lg: 5 }} gap="400">
              <KpiCard label="Orders" value={formatCount(dashboard.orders)} />
              <KpiCard label="Customers with orders" value={formatCount(dashboard.customersWithOrders)} />
              <KpiCard
                label="Revenue"
                value={formatCurrencyCompact(dashboard.grossRevenue, shop.currency)}
                detail={`${formatCurrency(dashboard.grossRevenue, shop.currency)} gross, before cancellations`}
              />
              <KpiCard
                label="Cancellations and refunds"
                value={formatCount(dashboard.refunds.count)}
                detail={`${formatCurrency(dashboard.refunds.amount, shop.currency)} returned`}
              />
              <KpiCard label="Products" value={formatCount(dashboard.products)} detail="that can be recommended" />
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
        {dashboard.months.length > 0 ? (
          <Layout.Section>
            <MonthlyRevenue months={dashboard.months} currency={shop.currency} />
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
