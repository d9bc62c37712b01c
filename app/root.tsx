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

import { env } from "~/env.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader() {
  // App Bridge is loaded only when the app runs embedded; the standalone demo works offline.
  return { apiKey: env().SHOPIFY_API_KEY ?? null };
}

function Document({ children, apiKey }: { children: ReactNode; apiKey?: string | null }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        {apiKey ? <meta name="shopify-api-key" content={apiKey} /> : null}
        {apiKey ? <script src="https://cdn.shopify.com/shopifycloud/app-bridge.js" /> : null}
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

export function ErrorBoundary() {
  const error = useRouteError();
  const [title, detail] = isRouteErrorResponse(error)
    ? [`${error.status} ${error.statusText}`, typeof error.data === "string" ? error.data : ""]
    : ["Something went wrong", "The error was logged. Please try again in a moment."];
  return (
    <Document>
      <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "4rem auto", padding: "0 1rem" }}>
        <h1>{title}</h1>
        <p>{detail}</p>
      </main>
    </Document>
  );
}
