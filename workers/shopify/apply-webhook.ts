/**
 * What each Shopify webhook topic does to our data. Every path is idempotent: ingest is
 * guarded by the platform's updated_at, deletions of what is already gone are no-ops, so a
 * redelivered or out-of-order webhook leaves the same final state.
 */
import type { Shop } from "@prisma/client";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { deleteOrder, ingestCustomers, ingestOrders, ingestProducts, ingestRefunds } from "~/ingest/index.server";
import type { IngestResult } from "~/ingest/index.server";
import type { ShopifyTopic } from "~/platforms/shopify/config";
import { announceBulkFinished } from "~/platforms/shopify/bulk/finish-signal.server";
import { log } from "~/logger.server";
import { SHOPIFY_DATA_TOPICS } from "~/platforms/shopify/config";
import { mapCustomer, mapDeletedId, mapOrder, mapProduct, mapRefund } from "~/platforms/shopify/rest-mappers";
import { exportCustomerData, redactCustomer, redactShop } from "~/services/privacy/customer-data.server";

/**
 * What applying a delivery did, in words. BullMQ keeps it as the job's return value for a
 * day, so compliance topics never name the customer.
 */
export type WebhookEffect = { outcome: "PROCESSED" | "IGNORED"; detail: string };

export interface ApplyContext {
  database: Database;
  /** The workers' Redis, for cross-process locks. */
  redis?: Redis;
  /** Stops a shop's recurring jobs (app/uninstalled). */
  removeShopSchedules?: (shopId: number) => Promise<void>;
}

function requireWritten(result: IngestResult, what: string): string {
  if (result.rejected.length > 0) {
    throw new Error(`${what} rejected: ${result.rejected[0]!.reasons.join("; ")}`);
  }
  return result.written > 0 ? `${what} written` : `${what} unchanged (stored version is as new)`;
}

/** `happenedAt`: when Shopify says the event happened (X-Shopify-Triggered-At), or when we received it. */
export async function applyShopifyWebhook(
  context: ApplyContext,
  shop: Shop,
  topic: ShopifyTopic,
  payload: unknown,
  happenedAt: Date,
): Promise<WebhookEffect> {
  const { database } = context;
  const { pool, prisma } = database;
  // Nothing new is stored for a shop that uninstalled us, but a deletion still removes what
  // we hold: the merchant may reinstall before opening the app again, and no reconcile can
  // see a deletion later.
  if (
    shop.installState === "UNINSTALLED" &&
    (SHOPIFY_DATA_TOPICS as readonly string[]).includes(topic) &&
    !topic.endsWith("/delete")
  ) {
    return { outcome: "IGNORED", detail: "shop is uninstalled" };
  }
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      const { order, customer, refunds } = mapOrder(payload);
      if (customer) await ingestCustomers(pool, shop.id, [customer]);
      const detail = requireWritten(await ingestOrders(pool, shop.id, [order]), `order ${order.externalId}`);
      if (refunds.length > 0) requireWritten(await ingestRefunds(pool, shop.id, refunds), "refunds");
      return { outcome: "PROCESSED", detail };
    }
    case "orders/delete": {
      const externalId = mapDeletedId(payload);
      const held = await deleteOrder(pool, shop.id, externalId);
      return {
        outcome: "PROCESSED",
        detail: held ? `order ${externalId} deleted` : `order ${externalId} was not held`,
      };
    }
    case "refunds/create": {
      const refund = mapRefund(payload, shop.currency);
      return { outcome: "PROCESSED", detail: requireWritten(await ingestRefunds(pool, shop.id, [refund]), "refund") };
    }
    case "customers/create":
    case "customers/update": {
      const customer = mapCustomer(payload);
      return {
        outcome: "PROCESSED",
        detail: requireWritten(await ingestCustomers(pool, shop.id, [customer]), "customer"),
      };
    }
    case "customers/delete": {
      const externalId = mapDeletedId(payload);
      await redactCustomer(database, shop.id, externalId);
      return { outcome: "PROCESSED", detail: "customer removed" };
    }
    case "products/create":
    case "products/update": {
      const product = mapProduct(payload);
      return {
        outcome: "PROCESSED",
        detail: requireWritten(await ingestProducts(pool, shop.id, [product]), "product"),
      };
    }
    case "products/delete": {
      const externalId = mapDeletedId(payload);
      // Kept for the orders that point at it, but never recommended again. Its version moves
      // to now, in the same statement: Shopify never brings a deleted product back, so a
      // products/update delivered late (older than the deletion) must lose to it. A product
      // not held yet gets a tombstone row, so that a backfill or reconcile that read it before
      // the deletion cannot store it live afterwards.
      await pool.query(
        `INSERT INTO "Product" ("shopId", "externalId", "title", "recommendable", "deletedAt", "platformUpdatedAt")
         VALUES ($1, $2, 'Deleted product', false, now(), now())
         ON CONFLICT ("shopId", "externalId") DO UPDATE SET "deletedAt" = COALESCE("Product"."deletedAt", now()),
           "platformUpdatedAt" = GREATEST("Product"."platformUpdatedAt", now()), "updatedAt" = now()`,
        [shop.id, externalId],
      );
      return { outcome: "PROCESSED", detail: `product ${externalId} marked deleted` };
    }
    case "app/uninstalled": {
      // A retry or a slow queue can deliver it after the merchant installed again, even one
      // we never recorded (the token exchange then found the shop still installed).
      if (happenedAt < (shop.authorizedAt ?? shop.installedAt)) {
        return { outcome: "IGNORED", detail: "uninstall from before the shop's latest install" };
      }
      await prisma.$transaction([
        prisma.shop.update({
          where: { id: shop.id },
          data: { installState: "UNINSTALLED", uninstalledAt: new Date() },
        }),
        prisma.session.deleteMany({ where: { shop: shop.domain } }),
      ]);
      await context.removeShopSchedules?.(shop.id);
      return { outcome: "PROCESSED", detail: "shop uninstalled; sessions and schedules removed" };
    }
    case "app/scopes_update": {
      const current = (payload as { current?: unknown }).current;
      if (!Array.isArray(current)) throw new Error("malformed app/scopes_update payload: current must be a list");
      // Deliveries come unordered: an older change must not overwrite a newer one, nor the
      // scopes a later sign-in stored with the session.
      if (happenedAt < (shop.authorizedAt ?? shop.installedAt)) {
        return { outcome: "IGNORED", detail: "scopes update from before the shop's latest sign-in" };
      }
      const newer = await prisma.webhookDelivery.count({
        where: { shopId: shop.id, topic, outcome: "PROCESSED", triggeredAt: { gt: happenedAt } },
      });
      if (newer > 0) return { outcome: "IGNORED", detail: "a newer scopes update was applied" };
      await prisma.session.updateMany({ where: { shop: shop.domain }, data: { scope: current.join(",") } });
      return { outcome: "PROCESSED", detail: `scopes now ${current.join(",")}` };
    }
    case "customers/data_request": {
      const request = payload as { customer?: { id?: unknown }; data_request?: { id?: unknown } };
      const customerId = mapDeletedId(request.customer);
      const requestId = String(request.data_request?.id ?? "");
      if (!requestId) throw new Error("malformed customers/data_request payload: data_request.id is missing");
      const data = await exportCustomerData(database, shop.id, customerId, requestId);
      // The merchant's record that the request was answered; the customer is not named.
      log.info({ shopId: shop.id, requestId, heldData: data.heldData === true }, "customer data request answered");
      return {
        outcome: "PROCESSED",
        detail: data.heldData ? `export ${requestId} stored for the merchant` : "nothing held for that customer",
      };
    }
    case "customers/redact": {
      const customerId = mapDeletedId((payload as { customer?: unknown }).customer);
      const existed = await redactCustomer(database, shop.id, customerId);
      return {
        outcome: "PROCESSED",
        detail: existed ? "customer redacted" : "customer was not held",
      };
    }
    case "shop/redact": {
      await context.removeShopSchedules?.(shop.id);
      await redactShop(database, shop.id, shop.domain);
      return { outcome: "PROCESSED", detail: "all shop data deleted" };
    }
    case "bulk_operations/finish": {
      const { admin_graphql_api_id: id, status } = payload as { admin_graphql_api_id?: unknown; status?: unknown };
      if (typeof id !== "string" || !id.startsWith("gid://shopify/BulkOperation/")) {
        throw new Error("malformed bulk_operations/finish payload: admin_graphql_api_id is not a BulkOperation id");
      }
      // Without Redis (the demo's in-process mode) the waiting run finds out at its next poll.
      if (!context.redis)
        return { outcome: "IGNORED", detail: `bulk operation ${id} ${String(status)}; no poller to wake` };
      const woken = await announceBulkFinished(context.redis, id);
      return { outcome: "PROCESSED", detail: `bulk operation ${id} ${String(status)}; ${woken} waiting run(s) woken` };
    }
  }
}
