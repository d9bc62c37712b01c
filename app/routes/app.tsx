import type { HeadersFunction } from "@remix-run/node";
import { isRouteErrorResponse, Outlet, useRouteError } from "@remix-run/react";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { boundary } from "@shopify/shopify-app-remix/server";

import { ErrorNotice, plainErrorMessage } from "~/components/ErrorNotice";

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
  const message = plainErrorMessage(error);
  if (message !== null && isRouteErrorResponse(error)) {
    return (
      <ErrorNotice status={error.status} title={TITLES[error.status] ?? `Error ${error.status}`} detail={message} />
    );
  }
  return boundary.error(error);
}

/** Lets the Shopify library set the headers its auth responses need inside the admin iframe. */
export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
