import type { LoaderFunctionArgs } from "@remix-run/node";

import { shopify } from "~/shopify.server";

/** Shopify's auth paths (/auth/...): the library answers them (token exchange, bounce page). */
export async function loader({ request }: LoaderFunctionArgs) {
  await shopify().authenticate.admin(request);
  return null;
}
