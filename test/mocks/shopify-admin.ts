/**
 * msw handlers for the parts of Shopify's Admin API the sync uses, shaped like Admin API
 * 2026-10 answers: GraphQL over POST /admin/api/2026-10/graphql.json with `extensions.cost`,
 * bulk operation lifecycle, JSONL result files on a storage host, and Shopify's failures
 * (ACCESS_DENIED, userErrors, FAILED with partialDataUrl, 5xx on download).
 */
import { graphql, http, HttpResponse } from "msw";

import type { BulkResource } from "~/platforms/shopify/bulk/queries";

export const STORAGE = "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs";

const cost = (requested: number) => ({
  cost: {
    requestedQueryCost: requested,
    actualQueryCost: requested,
    throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000 - requested, restoreRate: 100 },
  },
});

export interface BulkScenario {
  /** JSONL text served for each resource's result. */
  files: Record<BulkResource, string>;
  /** What bulkOperationRunQuery answers; default: an operation is created. */
  start?: "ok" | "access-denied" | "user-error";
  /** Final status; default COMPLETED. */
  finalStatus?: "COMPLETED" | "FAILED";
  /** errorCode of a FAILED operation; default INTERNAL_SERVER_ERROR (which leaves partial data). */
  failureCode?: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT";
  /** Operations that end FAILED before one completes, per resource. */
  failingOperations?: Partial<Record<BulkResource, number>>;
  /** Downloads that fail with 503 before one succeeds, per resource. */
  failingDownloads?: Partial<Record<BulkResource, number>>;
  /** Filled in by the handlers: what Shopify was asked. */
  calls: { started: BulkResource[]; polls: number; downloads: number };
}

function resourceOf(query: string): BulkResource {
  if (/\{\s*products\s*\{/.test(query)) return "products";
  if (/\{\s*customers\s*\{/.test(query)) return "customers";
  return "orders";
}

export function bulkHandlers(shop: string, scenario: BulkScenario) {
  const admin = graphql.link(`https://${shop}/admin/api/2026-10/graphql.json`);
  const operations = new Map<string, { resource: BulkResource; polls: number; fails: boolean }>();
  let next = 1;
  return [
    admin.mutation("RunBulkQuery", ({ variables }) => {
      if (scenario.start === "access-denied") {
        return HttpResponse.json({
          errors: [
            {
              message:
                "Access denied for bulkOperationRunQuery field. Required access: bulk operations enabled for the app.",
              locations: [{ line: 2, column: 3 }],
              path: ["bulkOperationRunQuery"],
              extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes" },
            },
          ],
          data: { bulkOperationRunQuery: null },
          extensions: cost(10),
        });
      }
      if (scenario.start === "user-error") {
        return HttpResponse.json({
          data: {
            bulkOperationRunQuery: {
              bulkOperation: null,
              userErrors: [
                {
                  field: null,
                  message: "A bulk query operation for this app and shop is already in progress.",
                  code: "OPERATION_IN_PROGRESS",
                },
              ],
            },
          },
          extensions: cost(10),
        });
      }
      const resource = resourceOf(String(variables.query));
      const id = `gid://shopify/BulkOperation/${7_000_000 + next++}`;
      const failures = scenario.failingOperations?.[resource] ?? 0;
      if (failures > 0) scenario.failingOperations![resource] = failures - 1;
      operations.set(id, { resource, polls: 0, fails: failures > 0 });
      scenario.calls.started.push(resource);
      return HttpResponse.json({
        data: { bulkOperationRunQuery: { bulkOperation: { id, status: "CREATED" }, userErrors: [] } },
        extensions: cost(10),
      });
    }),
    admin.query("BulkOperationStatus", ({ variables }) => {
      scenario.calls.polls += 1;
      const operation = operations.get(String(variables.id));
      if (!operation) return HttpResponse.json({ data: { bulkOperation: null }, extensions: cost(1) });
      operation.polls += 1;
      const text = scenario.files[operation.resource].trim();
      const lines = text ? text.split("\n") : [];
      const roots = lines.filter((line) => !line.includes('"__parentId"')).length;
      const running = operation.polls < 2;
      const failed = !running && (scenario.finalStatus === "FAILED" || operation.fails);
      const errorCode = failed ? (scenario.failureCode ?? "INTERNAL_SERVER_ERROR") : null;
      // An operation that found nothing completes with no file at all: url is null.
      const file = lines.length > 0 ? `${STORAGE}/${operation.resource}.jsonl` : null;
      return HttpResponse.json({
        data: {
          bulkOperation: {
            id: variables.id,
            status: running ? "RUNNING" : failed ? "FAILED" : "COMPLETED",
            errorCode,
            objectCount: String(running ? Math.floor(lines.length / 2) : lines.length),
            rootObjectCount: String(running ? 0 : roots),
            fileSize: running || failed || !file ? null : String(scenario.files[operation.resource].length),
            url: running || failed ? null : file,
            partialDataUrl: failed && errorCode !== "ACCESS_DENIED" ? file : null,
          },
        },
        extensions: cost(1),
      });
    }),
    http.get(`${STORAGE}/:file`, ({ params }) => {
      scenario.calls.downloads += 1;
      const resource = String(params.file).replace(".jsonl", "") as BulkResource;
      const failures = scenario.failingDownloads?.[resource] ?? 0;
      if (failures > 0) {
        scenario.failingDownloads![resource] = failures - 1;
        return new HttpResponse("upstream unavailable", { status: 503 });
      }
      return new HttpResponse(scenario.files[resource], { headers: { "Content-Type": "application/jsonl" } });
    }),
  ];
}

/** JSONL the way bulk operations write it: one object per line, children with __parentId. */
export function jsonl(objects: object[]): string {
  return objects.map((object) => JSON.stringify(object)).join("\n") + "\n";
}
