import type { Platform, Shop } from "@prisma/client";
import type { PrismaClient } from "@prisma/client";

export interface ShopIdentity {
  platform: Platform;
  domain: string;
  name: string;
  timezone: string;
  currency: string;
}

/** Creates the shop on first sight, refreshes its name, zone and currency afterwards. */
export async function upsertShop(prisma: PrismaClient, shop: ShopIdentity): Promise<Shop> {
  if (!isIanaZone(shop.timezone)) throw new Error(`unknown IANA time zone: ${shop.timezone}`);
  return prisma.shop.upsert({
    where: { platform_domain: { platform: shop.platform, domain: shop.domain } },
    create: shop,
    update: { name: shop.name, timezone: shop.timezone, currency: shop.currency },
  });
}

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
