/**
 * JSON.parse for Shopify REST payloads. Their ids are 64-bit integers written as numbers;
 * past 2^53 plain JSON.parse silently rounds them. Integers that do not fit a double exactly
 * are returned as their exact digits instead (through the reviver's access to source text,
 * which Node 24 has).
 */
export function parseShopifyJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source
      ? context.source
      : value,
  );
}

/** The numeric id in a GraphQL global id ("gid://shopify/Order/123" -> "123"), or a REST id. */
export function shopifyId(value: unknown): string | null {
  if (typeof value === "string") {
    const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)/.exec(value);
    if (match) return match[1]!;
    return /^\d+$/.test(value) ? value : null;
  }
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return null;
}
