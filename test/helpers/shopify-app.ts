import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

import { createTestDatabase, type TestDatabase } from "./database";

export interface ShopifyTestApp {
  /** msw server for Shopify's endpoints; unhandled requests fail the test. */
  server: ReturnType<typeof setupServer>;
  db: TestDatabase;
}

/**
 * Per-file setup for tests of the Shopify side: a database of the file's own, the app's
 * Shopify credentials in the environment (read on first use), and an msw server that owns
 * Shopify's HTTP endpoints for the file.
 */
export function useShopifyTestApp(secret: string): ShopifyTestApp {
  const app = { server: setupServer() } as ShopifyTestApp;
  beforeAll(async () => {
    app.db = await createTestDatabase();
    Object.assign(process.env, {
      DATABASE_URL: app.db.url,
      SHOPIFY_API_KEY: "test-api-key",
      SHOPIFY_API_SECRET: secret,
      SHOPIFY_APP_URL: "https://foresight.example.com",
    });
    app.server.listen({ onUnhandledRequest: "error" });
  });
  afterEach(() => app.server.resetHandlers());
  afterAll(async () => {
    app.server.close();
    await app.db.drop();
  });
  return app;
}
