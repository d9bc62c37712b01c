import type { HeadersFunction } from "@remix-run/node";
import { Outlet, useRouteError } from "@remix-run/react";
import { AppProvider } from "@shopify/polaris";
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

/** Lets the Shopify library answer auth redirects inside the admin iframe. */
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
