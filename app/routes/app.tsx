import type { HeadersFunction } from "@remix-run/node";
import { isRouteErrorResponse, Outlet, useRouteError } from "@remix-run/react";
import { AppProvider, Banner, Page } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { boundary } from "@shopify/shopify-app-remix/server";

/** Layout of the merchant admin: Polaris, English strings. */
export default function AdminLayout() {
  return (
    <AppProvider i18n={en}>
      <Outlet />
    </AppProvider>
  );
}

/** Thrown Responses carry no statusText, so the heading comes from here. */
const TITLES: Record<number, string> = {
  401: "Open Foresight from your Shopify admin",
  404: "Not found",
  409: "Almost ready",
  503: "Temporarily unavailable",
};

/**
 * Our own refusals (401 outside Shopify, 404 before the demo store is imported) carry a plain
 * sentence: show it as a Polaris page. Anything else goes to the Shopify library, whose auth
 * responses carry HTML (the bounce page, the iframe exit) that must be rendered as is;
 * errors that are not responses it rethrows to the root boundary.
 */
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && typeof error.data === "string" && error.data && !error.data.startsWith("<")) {
    return (
      <AppProvider i18n={en}>
        <Page title="Foresight">
          <Banner
            tone={error.status >= 500 ? "critical" : "warning"}
            title={TITLES[error.status] ?? `Error ${error.status}`}
          >
            <p>{error.data}</p>
          </Banner>
        </Page>
      </AppProvider>
    );
  }
  return boundary.error(error);
}

/** Lets the Shopify library set the headers its auth responses need inside the admin iframe. */
export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
