import type { LinksFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
} from "@remix-run/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import type { ReactNode } from "react";

import { ErrorNotice, plainErrorMessage } from "~/components/ErrorNotice";
import { env } from "~/env.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader() {
  // The API key is public (Shopify puts it in every admin URL); it switches App Bridge on.
  return { apiKey: env().SHOPIFY_API_KEY ?? null };
}

function Document({ children, apiKey }: { children: ReactNode; apiKey?: string | null }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        {/* App Bridge must be the first script in <head>, loaded synchronously; only when embedded in
            Shopify, so the standalone demo never reaches for the internet. */}
        {apiKey ? <meta name="shopify-api-key" content={apiKey} /> : null}
        {apiKey ? <script src="https://cdn.shopify.com/shopifycloud/app-bridge.js" data-api-key={apiKey} /> : null}
        <title>Foresight</title>
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <Document apiKey={apiKey}>
      <Outlet />
    </Document>
  );
}

/**
 * Last-resort error page: errors no route handled (an unknown URL, a database that is down).
 * Shows the status and, for our own thrown Responses, their sentence; never a stack trace
 * (Remix logs the error on the server).
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const [title, detail] = isRouteErrorResponse(error)
    ? error.status === 404
      ? // Remix's own 404 text ("No route matches URL ...") is for developers, not merchants.
        ["Page not found", "There is nothing at this address."]
      : [`Error ${error.status}`, plainErrorMessage(error)]
    : ["Something went wrong", "The error was logged on the server. Please try again in a moment."];
  return (
    <Document>
      <ErrorNotice status={isRouteErrorResponse(error) ? error.status : undefined} title={title} detail={detail} />
    </Document>
  );
}
