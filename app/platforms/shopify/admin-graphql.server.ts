/**
 * The Admin GraphQL calls Foresight makes, behind one small function type so the sync code
 * does not care how a shop's token was obtained. The implementation uses the official client
 * but hands back Shopify's whole answer, errors included: callers must see THROTTLED,
 * ACCESS_DENIED and userErrors to act on them (the official client throws on them instead).
 */
import { GraphqlQueryError, Session } from "@shopify/shopify-api";

import { shopifyApiClient } from "./api.server";

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphqlAnswer<T> {
  data?: T;
  errors?: GraphqlError[];
  extensions?: {
    cost?: {
      requestedQueryCost: number;
      actualQueryCost: number | null;
      throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
    };
  };
}

export type AdminGraphql = <T>(query: string, variables?: Record<string, unknown>) => Promise<GraphqlAnswer<T>>;

/**
 * An AdminGraphql for one shop: its offline access token, or a function that gives the token
 * to use now. Expiring tokens live an hour and a reconcile or refund-line fetch can outlast
 * that, so workers pass the function (offline-token.server.ts refreshes under the shop's lock
 * when the token is close to expiry) and each call uses a token that is still valid.
 */
export function adminGraphqlFor(shop: string, token: string | (() => Promise<string>)): AdminGraphql {
  const clientWith = (accessToken: string) =>
    new (shopifyApiClient().clients.Graphql)({
      session: new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken }),
    });
  const fixed = typeof token === "string" ? clientWith(token) : undefined;
  return async <T>(query: string, variables?: Record<string, unknown>) => {
    const client = fixed ?? clientWith(await (token as () => Promise<string>)());
    try {
      const response = await client.request<T>(query, { variables, retries: 2 });
      return { data: response.data, extensions: response.extensions as GraphqlAnswer<T>["extensions"] };
    } catch (error) {
      if (error instanceof GraphqlQueryError) {
        const body = (error.body ?? {}) as { errors?: unknown; data?: T; extensions?: GraphqlAnswer<T>["extensions"] };
        const errors = (body.errors as { graphQLErrors?: GraphqlError[] } | undefined)?.graphQLErrors ?? [
          { message: error.message },
        ];
        return { data: body.data, errors, extensions: body.extensions };
      }
      throw error;
    }
  };
}

/** True when any error carries this extensions.code. */
export function hasErrorCode(answer: GraphqlAnswer<unknown>, code: string): boolean {
  return (answer.errors ?? []).some((error) => error.extensions?.code === code);
}

/** The answer's data, or an error naming Shopify's messages (for queries with no partial use). */
export function dataOf<T>(answer: GraphqlAnswer<T>): T {
  if (answer.errors?.length) throw new Error(`Shopify query failed: ${answer.errors.map((e) => e.message).join("; ")}`);
  return answer.data!;
}

/** Runs a query and returns its data (see dataOf). */
export async function queryData<T>(
  graphql: AdminGraphql,
  text: string,
  variables: Record<string, unknown>,
): Promise<T> {
  return dataOf(await graphql<T>(text, variables));
}
