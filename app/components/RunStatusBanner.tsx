import { Banner, Layout } from "@shopify/polaris";

/**
 * What a model page shows above its figures: a note while the shop has no run yet, the error
 * when the latest run failed, nothing otherwise.
 */
export function RunStatusBanner({
  run,
  emptyTitle,
  emptyText,
  failedTitle,
}: {
  run: { status: string; error: string | null } | null;
  emptyTitle: string;
  emptyText: string;
  failedTitle: string;
}) {
  if (run && run.status !== "FAILED") return null;
  return (
    <Layout.Section>
      {run ? (
        <Banner tone="critical" title={failedTitle}>
          <p>{run.error}</p>
        </Banner>
      ) : (
        <Banner tone="info" title={emptyTitle}>
          <p>{emptyText}</p>
        </Banner>
      )}
    </Layout.Section>
  );
}
