/** shopify.app.toml names routes by URL: each must exist, or Shopify would call into nothing. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const toml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");

/** Remix flat routes: /webhooks/shopify -> app/routes/webhooks.shopify.ts(x). */
const routeExists = (urlPath: string) => {
  const base = path.join(root, "app", "routes", urlPath.replace(/^\//, "").replaceAll("/", "."));
  return existsSync(`${base}.ts`) || existsSync(`${base}.tsx`);
};

describe("shopify.app.toml", () => {
  it("sends every webhook subscription to a route that exists", () => {
    const uris = [...toml.matchAll(/^uri = "([^"]+)"/gm)].map((match) => match[1]!);
    expect(uris.length).toBeGreaterThanOrEqual(3);
    for (const uri of uris) expect(routeExists(uri), uri).toBe(true);
  });

  it("declares the App Proxy at /apps/foresight with a route behind it", () => {
    const section = toml.split("[app_proxy]")[1]?.split(/^\[/m)[0] ?? "";
    expect(section).toMatch(/^prefix = "apps"$/m);
    expect(section).toMatch(/^subpath = "foresight"$/m);
    const proxyPath = new URL(/^url = "([^"]+)"$/m.exec(section)![1]!).pathname;
    expect(routeExists(`${proxyPath}/recommendations`)).toBe(true);
  });
});
