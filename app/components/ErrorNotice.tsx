import { isRouteErrorResponse } from "@remix-run/react";
import { AppProvider, Banner, Page, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";

/**
 * The sentence a thrown Response carries, when it is one of ours: a non-empty plain string.
 * HTML bodies (Shopify's auth bounce pages) and non-responses give null.
 */
export function plainErrorMessage(error: unknown): string | null {
  return isRouteErrorResponse(error) && typeof error.data === "string" && error.data && !error.data.startsWith("<")
    ? error.data
    : null;
}

/** A full Polaris page with one banner: warning below 500, critical from 500 (or no status). */
export function ErrorNotice({ status, title, detail }: { status?: number; title: string; detail?: string | null }) {
  return (
    <AppProvider i18n={en}>
      <Page title="Foresight">
        <Banner tone={status !== undefined && status < 500 ? "warning" : "critical"} title={title}>
          {detail ? <Text as="p">{detail}</Text> : null}
        </Banner>
      </Page>
    </AppProvider>
  );
}
