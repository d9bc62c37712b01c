import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DataTable, Layout, Page, Text } from "@shopify/polaris";

import { requireMerchantShop } from "~/auth/merchant.server";
import { RunStatusBanner } from "~/components/RunStatusBanner";
import { SectionCard } from "~/components/SectionCard";
import { db } from "~/db.server";
import { formatCount, formatCurrency } from "~/lib/format";
import { loadCustomersPage, type GroupFigures } from "~/read/customers.server";

export const meta: MetaFunction = () => [{ title: "Customers · Foresight" }];

const MODEL_NAMES: Record<string, string> = {
  lifetime: "Buying-rhythm model (MBG/NBD)",
  logistic: "Logistic regression on order history",
  boosting: "Gradient-boosted trees on order history",
  "recency-rule": "Days since the last order",
};
const modelName = (model: string) => MODEL_NAMES[model] ?? model;
const RISK_NAMES: Record<string, string> = { HIGH: "High", MEDIUM: "Medium", LOW: "Low" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const shop = await requireMerchantShop(request, context);
  const page = await loadCustomersPage(db().pool, shop.id);
  return { shopName: shop.name, currency: shop.currency, page };
}

const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

export default function Customers() {
  const { shopName, currency, page } = useLoaderData<typeof loader>();
  const scoring = page.scoring;
  const months = scoring?.lifetimeMonths ?? 12;
  const money = (amount: string | null) => (amount === null ? "—" : formatCurrency(amount, currency));
  const groupRows = (groups: GroupFigures[], name: (group: string) => string) =>
    groups.map((g) => [name(g.name), formatCount(g.customers), percent(g.meanChurn), money(g.expectedValue)]);
  return (
    <Page title="Customers" subtitle={shopName} backAction={{ content: "Overview", url: "/app" }}>
      <Layout>
        <RunStatusBanner
          run={page.latest}
          emptyTitle="No customer scores yet"
          emptyText="They are computed every night from your orders, and right after your store's history is loaded."
          failedTitle="The last scoring run failed"
        />
        {scoring?.served ? (
          <SectionCard title={`Churn risk from: ${modelName(scoring.served)}`}>
            <Text as="p" tone="subdued">
              {scoring.method === "recency-rule"
                ? `${scoring.reason}. Lifetime value and next-order dates appear once more customers have ordered twice.`
                : `Chosen because ${scoring.reason}.`}{" "}
              Churn means no order in the next {scoring.windowDays} days
              {scoring.asOf ? `, counted from the end of ${scoring.asOf}` : ""}
              {scoring.asOfNote && scoring.asOfNote.startsWith("no orders") ? ` (${scoring.asOfNote})` : ""}.
            </Text>
            {scoring.contenders.length > 0 ? (
              <>
                <Text as="p">
                  Each model predicted, from your orders up to {scoring.windowDays} days earlier, which of{" "}
                  {formatCount(scoring.backtestCustomers ?? 0)} customers would not order again; {""}
                  {percent(scoring.backtestChurnRate ?? 0)} did not. AUC is how often a customer who stayed away was
                  rated riskier than one who came back (0.5 is a coin toss); the Brier score is the mean squared error
                  of the probability (lower is better).
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                  headings={["Model", "AUC", "Brier", "Brier, calibrated"]}
                  rows={[
                    ...scoring.contenders.map((c) => [
                      modelName(c.model),
                      c.auc.toFixed(3),
                      c.brier.toFixed(3),
                      c.calibratedBrier.toFixed(3),
                    ]),
                    [modelName("recency-rule"), (scoring.recencyRuleAuc ?? 0).toFixed(3), "", ""],
                  ]}
                />
              </>
            ) : null}
          </SectionCard>
        ) : null}
        {page.risk.length > 0 ? (
          <SectionCard title="Churn risk">
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric"]}
              headings={["Risk", "Customers", "Mean chance of churning", `Expected spend, next ${months} months`]}
              rows={groupRows(page.risk, (band) => RISK_NAMES[band] ?? band)}
            />
          </SectionCard>
        ) : null}
        {page.segments.length > 0 ? (
          <SectionCard title="Segments">
            <Text as="p" tone="subdued">
              From recency, frequency and spend scored 1–5 against your other customers.
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric"]}
              headings={["Segment", "Customers", "Mean chance of churning", `Expected spend, next ${months} months`]}
              rows={groupRows(page.segments, (segment) => segment[0]!.toUpperCase() + segment.slice(1))}
            />
          </SectionCard>
        ) : null}
        {page.atRisk.length > 0 ? (
          <SectionCard title="Repeat customers most worth winning back">
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "text"]}
              headings={[
                "Customer",
                "Orders",
                "Days since last order",
                "Spent",
                "Chance of churning",
                `Expected spend, ${months} months`,
                "Segment",
              ]}
              rows={page.atRisk.map((c) => [
                c.name,
                formatCount(c.orders),
                formatCount(c.recencyDays),
                money(c.totalSpent),
                percent(c.pChurn),
                money(c.expectedValue),
                c.segment,
              ])}
            />
          </SectionCard>
        ) : null}
      </Layout>
    </Page>
  );
}
