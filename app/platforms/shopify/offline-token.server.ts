/**
 * A shop's offline access token for workers, refreshed when it is about to expire.
 *
 * Expiring offline tokens live 60 minutes and their refresh token rotates on every use
 * (PLATFORM-NOTES §0.2, §3 item 7): two workers refreshing at once would burn each other's
 * refresh token. So a refresh happens under a per-shop Redis lock, and whoever gets the lock
 * re-reads the session first, in case another worker has just refreshed it. A refresh that
 * Shopify refuses marks the shop NEEDS_REAUTH and stops; it is never retried in a loop.
 */
import crypto from "node:crypto";
import { HttpResponseError } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";

import { shopifyApiClient } from "./api.server";

/** Refresh when less than this is left, so a job never starts with a token about to die. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 15_000;

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/** The shop must open the app again (a new token exchange) before we can call Shopify. */
export class ReauthRequiredError extends Error {
  constructor(
    readonly shop: string,
    reason: string,
  ) {
    super(`${shop} needs to open Foresight again to re-authorise it: ${reason}`);
    this.name = "ReauthRequiredError";
  }
}

export interface TokenDeps {
  database: Database;
  redis: Redis;
  now?: () => number;
}

function usable(session: { expires: Date | null }, now: number): boolean {
  return !session.expires || session.expires.getTime() - now > REFRESH_MARGIN_MS;
}

async function loadSession(database: Database, shop: Shop) {
  const session = await database.prisma.session.findUnique({ where: { id: `offline_${shop.domain}` } });
  if (!session) throw new ReauthRequiredError(shop.domain, "no offline session is stored");
  return session;
}

export async function offlineAccessToken(deps: TokenDeps, shop: Shop): Promise<string> {
  const now = deps.now ?? Date.now;
  const session = await loadSession(deps.database, shop);
  if (usable(session, now())) return session.accessToken;

  const key = `foresight:lock:shopify-token:${shop.domain}`;
  const owner = crypto.randomUUID();
  const deadline = now() + LOCK_WAIT_MS;
  while (!(await deps.redis.set(key, owner, "PX", LOCK_TTL_MS, "NX"))) {
    // Someone else is refreshing: wait for them, then use what they stored.
    if (now() > deadline) throw new Error(`timed out waiting for another worker to refresh ${shop.domain}'s token`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const current = await loadSession(deps.database, shop);
    if (usable(current, now())) return current.accessToken;
  }
  try {
    const current = await loadSession(deps.database, shop);
    if (usable(current, now())) return current.accessToken;
    if (!current.refreshToken || (current.refreshTokenExpires && current.refreshTokenExpires.getTime() <= now())) {
      await markNeedsReauth(deps.database, shop);
      throw new ReauthRequiredError(shop.domain, "the refresh token is missing or expired");
    }
    let refreshed;
    try {
      ({ session: refreshed } = await shopifyApiClient().auth.refreshToken({
        shop: shop.domain,
        refreshToken: current.refreshToken,
      }));
    } catch (error) {
      if (error instanceof HttpResponseError && error.response.code >= 400 && error.response.code < 500) {
        await markNeedsReauth(deps.database, shop);
        throw new ReauthRequiredError(shop.domain, `Shopify refused the refresh (HTTP ${error.response.code})`);
      }
      throw error; // 5xx or network: worth a retry later
    }
    if (!refreshed.expires) {
      // Without expires_in we could never tell when to refresh again (shopify-app-js #3400).
      throw new Error(`Shopify's refresh answer for ${shop.domain} had no expiry; keeping the old token`);
    }
    await deps.database.prisma.session.update({
      where: { id: current.id },
      data: {
        accessToken: refreshed.accessToken!,
        expires: refreshed.expires,
        refreshToken: refreshed.refreshToken ?? null,
        refreshTokenExpires: refreshed.refreshTokenExpires ?? null,
        scope: refreshed.scope ?? current.scope,
      },
    });
    return refreshed.accessToken!;
  } finally {
    await deps.redis.eval(RELEASE, 1, key, owner);
  }
}

async function markNeedsReauth(database: Database, shop: Shop) {
  await database.prisma.shop.update({ where: { id: shop.id }, data: { installState: "NEEDS_REAUTH" } });
}
