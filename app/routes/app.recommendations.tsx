import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DataTable, Layout, Page, Text } from "@shopify/polaris";

import { requireMerchantShop } from "~/auth/merchant.server";
import { RunStatusBanner } from "~/components/RunStatusBanner";
import { SectionCard } from "~/components/SectionCard";
import { db } from "~/db.server";
import { formatCount } from "~/lib/format";
import { loadRecommendationsPage } from "~/read/recommendations.server";

export const meta: MetaFunction = () => [{ title: "Recommendations · Foresight" }];

const MODEL_NAMES: Record<string, string> = {
  als: "Personalised (ALS)",
  item_knn: "Similar to past purchases (item kNN)",
  popularity: "Best sellers",
  "als+popularity": "Personalised, leaning on best sellers",
  "als+item_knn": "Personalised, blended with item kNN",
};
const modelName = (model: string) =>
  MODEL_NAMES[model] ??
  model
    .replace(/^als\+popularity@(.+)$/, "Personalised + best sellers (weight $1)")
    .replace(/^als\+item_knn@(.+)$/, "Personalised + item kNN (weight $1)");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const shop = await requireMerchantShop(request, context);
  const page = await loadRecommendationsPage(db().pool, shop.id);
  const finished = page.training?.finishedAt
    ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: shop.timezone }).format(
        page.training.finishedAt,
      )
    : null;
  return { shopName: shop.name, page, finished };
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export default function Recommendations() {
  const { shopName, page, finished } = useLoaderData<typeof loader>();
  const training = page.training;
  return (
    <Page title="Recommendations" subtitle={shopName} backAction={{ content: "Overview", url: "/app" }}>
      <Layout>
        <RunStatusBanner
          run={training}
          emptyTitle="No recommendations yet"
          emptyText="They are trained every night from your orders, and right after your store's history is loaded."
          failedTitle="The last training failed"
        />
        {training?.served ? (
          <SectionCard title={`Serving: ${modelName(training.served)}`}>
            <Text as="p" tone="subdued">
              Chosen because it had the {training.reason}. Trained {finished ?? "recently"}
              {training.seconds !== null ? ` in ${training.seconds.toFixed(1)} s` : ""}.
            </Text>
            {training.written ? (
              <Text as="p">
                {formatCount(training.written.forYou)} personal recommendations, {formatCount(training.written.similar)}{" "}
                &ldquo;you may also like&rdquo; and {formatCount(training.written.boughtTogether)} &ldquo;frequently
                bought together&rdquo; pairs.
              </Text>
            ) : null}
          </SectionCard>
        ) : null}
        {training && training.models.length > 0 ? (
          <SectionCard title="How each model did on your last weeks of sales">
            <Text as="p" tone="subdued">
              Trained on your earlier orders, asked for 10 products per customer, and checked against what{" "}
              {formatCount(training.holdoutCustomers ?? 0)} customers actually bought next.
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
              headings={["Model", "NDCG@10", "Customers with a hit", "Precision@10", "Catalogue covered"]}
              rows={training.models.map((m) => [
                modelName(m.model),
                m.ndcg.toFixed(3),
                percent(m.hitRate),
                percent(m.precision),
                percent(m.coverage),
              ])}
            />
          </SectionCard>
        ) : null}
        {page.examples.length > 0 ? (
          <SectionCard title="Your best sellers and what is shown next to them">
            <DataTable
              columnContentTypes={["text", "text", "text"]}
              headings={["Product", "You may also like", "Frequently bought together"]}
              rows={page.examples.map((e) => [e.title, e.similar.join(" · "), e.boughtTogether.join(" · ") || "—"])}
              verticalAlign="top"
            />
          </SectionCard>
        ) : null}
      </Layout>
    </Page>
  );
}
