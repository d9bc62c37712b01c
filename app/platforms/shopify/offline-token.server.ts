/**
 * A shop's offline access token for workers, refreshed when it is about to expire.
 *
 * Expiring offline tokens live 60 minutes and their refresh token rotates on every use
 * (PLATFORM-NOTES §0.2, §3 item 7): two workers refreshing at once would burn each other's
 * refresh token. So a refresh happens under a per-shop Redis lock, and whoever gets the lock
 * re-reads the session first, in case another worker has just refreshed it. The lock is
 * renewed while the refresh is in flight, so a slow answer cannot let a second worker in with
 * the same refresh token. A refresh that Shopify refuses marks the shop NEEDS_REAUTH and
 * stops; it is never retried in a loop. Being rate limited is not a refusal.
 */
import crypto from "node:crypto";
import { HttpResponseError } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { log } from "~/logger.server";

import { shopifyApiClient } from "./api.server";

/** Refresh when less than this is left, so a job never starts with a token about to die. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 15_000;
/** Expiring offline access tokens live an hour (PLATFORM-NOTES §0.2); assumed when Shopify's answer omits expires_in. */
const TOKEN_LIFETIME_MS = 60 * 60_000;
/** HTTP answers from the token endpoint that mean "this refresh token is no good", not "try later". */
const REFUSED = new Set([400, 401, 403]);

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

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
  /** How long the refresh lock lives between renewals (tests shorten it). */
  lockTtlMs?: number;
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
  if (usable(session, now())) {
    // A shop flagged after a refusal that has a working token again (the merchant opened
    // the app, and the token exchange stored a new session) works again.
    if (shop.installState === "NEEDS_REAUTH") await clearNeedsReauth(deps.database, shop);
    return session.accessToken;
  }

  const key = `foresight:lock:shopify-token:${shop.domain}`;
  const lockTtl = deps.lockTtlMs ?? LOCK_TTL_MS;
  const owner = crypto.randomUUID();
  const deadline = now() + LOCK_WAIT_MS;
  while (!(await deps.redis.set(key, owner, "PX", lockTtl, "NX"))) {
    // Someone else is refreshing: wait for them, then use what they stored.
    if (now() > deadline) throw new Error(`timed out waiting for another worker to refresh ${shop.domain}'s token`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const current = await loadSession(deps.database, shop);
    if (usable(current, now())) return current.accessToken;
  }
  const renewal = setInterval(() => {
    deps.redis.eval(RENEW, 1, key, owner, lockTtl).catch(() => undefined);
  }, lockTtl / 3);
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
      if (error instanceof HttpResponseError && REFUSED.has(error.response.code)) {
        // The web process's token exchange stores sessions without our lock: a refusal may
        // only mean the merchant signed in meanwhile and the session was replaced.
        const latest = await loadSession(deps.database, shop);
        if (latest.refreshToken !== current.refreshToken) {
          if (usable(latest, now())) return latest.accessToken;
          throw new Error(`${shop.domain}'s session was replaced during a refresh; try again`);
        }
        // The refused token is dropped, so nothing sends it to Shopify again; the next token
        // exchange stores a new one.
        await deps.database.prisma.session.updateMany({
          where: { id: current.id, refreshToken: current.refreshToken },
          data: { refreshToken: null },
        });
        await markNeedsReauth(deps.database, shop);
        throw new ReauthRequiredError(shop.domain, `Shopify refused the refresh (HTTP ${error.response.code})`);
      }
      throw error; // rate limited, 5xx or network: worth a retry later
    }
    // The old refresh token is spent the moment Shopify answers: whatever the answer lacks,
    // the new tokens must be stored. Without expires_in (shopify-app-js #3400) the documented
    // lifetime stands in, so the token is still refreshed in time.
    const expires = refreshed.expires ?? new Date(now() + TOKEN_LIFETIME_MS);
    if (!refreshed.expires) log.warn({ shop: shop.domain }, "token refresh answer had no expiry; assuming one hour");
    await deps.database.prisma.session.update({
      where: { id: current.id },
      data: {
        accessToken: refreshed.accessToken!,
        expires,
        refreshToken: refreshed.refreshToken ?? null,
        refreshTokenExpires: refreshed.refreshTokenExpires ?? null,
        scope: refreshed.scope ?? current.scope,
      },
    });
    await clearNeedsReauth(deps.database, shop);
    return refreshed.accessToken!;
  } finally {
    clearInterval(renewal);
    await deps.redis.eval(RELEASE, 1, key, owner);
  }
}

async function clearNeedsReauth(database: Database, shop: Shop) {
  await database.prisma.shop.updateMany({
    where: { id: shop.id, installState: "NEEDS_REAUTH" },
    data: { installState: "INSTALLED" },
  });
}

/** Only an installed shop: an uninstall that landed meanwhile stays an uninstall. */
async function markNeedsReauth(database: Database, shop: Shop) {
  await database.prisma.shop.updateMany({
    where: { id: shop.id, installState: "INSTALLED" },
    data: { installState: "NEEDS_REAUTH" },
  });
}
