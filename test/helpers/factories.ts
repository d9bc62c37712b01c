import type { PrismaClient } from "@prisma/client";

import { upsertShop } from "~/ingest/index.server";
import type { OrderRecord } from "~/ingest/records";

let counter = 0;

export async function createShop(prisma: PrismaClient, overrides: { domain?: string; timezone?: string } = {}) {
  counter += 1;
  return upsertShop(prisma, {
    platform: "SHOPIFY",
    domain: overrides.domain ?? `test-shop-${counter}-${Date.now()}.myshopify.com`,
    name: `Test shop ${counter}`,
    timezone: overrides.timezone ?? "America/New_York",
    currency: "USD",
  });
}

/**
 * An expiring offline session as the token exchange stores it: the access token lives
 * `expiresInMs` from now, the refresh token 90 days.
 */
export function storeOfflineSession(
  prisma: PrismaClient,
  domain: string,
  session: { accessToken: string; expiresInMs: number; refreshToken: string | null; scope?: string },
) {
  return prisma.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      accessToken: session.accessToken,
      scope: session.scope ?? "read_orders",
      expires: new Date(Date.now() + session.expiresInMs),
      refreshToken: session.refreshToken,
      refreshTokenExpires: new Date(Date.now() + 90 * 24 * 3600_000),
    },
  });
}

/** An order with one product line per entry of `lines` ([productId, quantity, unit price]). */
export function orderRecord(
  externalId: string,
  options: {
    customer?: string | null;
    at?: string;
    updatedAt?: string;
    lines?: [string, number, string][];
    name?: string;
  } = {},
): OrderRecord {
  const lines = (options.lines ?? [["P1", 1, "10.00"]]).map(([product, quantity, price], index) => ({
    externalId: `${externalId}-L${index + 1}`,
    productExternalId: product,
    sku: product,
    title: `Product ${product}`,
    quantity,
    unitPrice: price,
  }));
  const total = lines.reduce((sum, line) => sum + line.quantity * Number(line.unitPrice), 0).toFixed(2);
  const at = options.at ?? "2026-03-01T15:00:00Z";
  return {
    externalId,
    name: options.name ?? `#${externalId}`,
    customerExternalId: options.customer === undefined ? "C1" : options.customer,
    processedAt: at,
    financialStatus: "PAID",
    currency: "USD",
    subtotalPrice: total,
    totalPrice: total,
    lines,
    createdAt: at,
    updatedAt: options.updatedAt ?? at,
  };
}
