import type { ActionFunctionArgs } from "@remix-run/node";

import { db } from "~/db.server";
import { webJobSink } from "~/queues/web-sink.server";
import { receiveShopifyWebhook } from "~/services/webhooks/receive-shopify.server";

/** POST /webhooks/shopify: every topic in shopify.app.toml, compliance topics included. */
export async function action({ request }: ActionFunctionArgs) {
  const outcome = await receiveShopifyWebhook(request, { database: db(), jobs: webJobSink });
  return new Response(outcome.body, { status: outcome.status, headers: { "Content-Type": "text/plain" } });
}

export async function loader() {
  return new Response("webhooks are POST requests", { status: 405 });
}
