/**
 * Starts a bulk query and waits for it to end. Bulk runs take seconds to hours. The wait polls
 * the operation, its interval growing to a minute; a bulk_operations/finish webhook, when one
 * comes, cuts the current interval short (finish-signal.server.ts).
 */
import { hasErrorCode, type AdminGraphql } from "../admin-graphql.server";

import type { FinishSignal } from "./finish-signal.server";
import { BULK_OPERATION_STATUS, RUN_BULK_QUERY } from "./queries";

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

export interface BulkOperation {
  id: string;
  status: BulkStatus;
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}

/** A bulk run that cannot go on, with a reason a merchant or operator can act on. */
export class BulkOperationError extends Error {
  constructor(
    message: string,
    readonly reason: "ACCESS_DENIED" | "USER_ERROR" | "FAILED" | "CANCELED" | "EXPIRED" | "NOT_FOUND",
    readonly partialDataUrl: string | null = null,
  ) {
    super(message);
    this.name = "BulkOperationError";
  }
}

export async function startBulkQuery(graphql: AdminGraphql, query: string): Promise<string> {
  const answer = await graphql<{
    bulkOperationRunQuery: {
      bulkOperation: { id: string } | null;
      userErrors: { field: string[] | null; message: string; code: string | null }[];
    };
  }>(RUN_BULK_QUERY, { query });
  if (hasErrorCode(answer, "ACCESS_DENIED")) {
    throw new BulkOperationError(
      "Shopify denied bulk operations to this app: enable them in the Partner Dashboard (they lapse after 31 days unused)",
      "ACCESS_DENIED",
    );
  }
  if (answer.errors?.length) throw new Error(`bulk query failed: ${answer.errors.map((e) => e.message).join("; ")}`);
  const result = answer.data!.bulkOperationRunQuery;
  if (result.userErrors.length > 0 || !result.bulkOperation) {
    const reasons = result.userErrors.map((e) => `${e.code ?? "ERROR"}: ${e.message}`).join("; ");
    throw new BulkOperationError(`Shopify refused the bulk query: ${reasons || "no operation returned"}`, "USER_ERROR");
  }
  return result.bulkOperation.id;
}

export interface PollOptions {
  /** First wait between polls; doubles up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Wakes the wait when Shopify announces the operation finished; replaces `sleep`. */
  finishSignal?: FinishSignal;
  onProgress?: (operation: BulkOperation) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until the operation ends. @returns the COMPLETED operation. @throws BulkOperationError otherwise. */
export async function waitForBulkOperation(
  graphql: AdminGraphql,
  id: string,
  options: PollOptions = {},
): Promise<BulkOperation> {
  const listener = await options.finishSignal?.(id);
  try {
    return await pollUntilEnded(graphql, id, options, listener?.sleep ?? options.sleep ?? defaultSleep);
  } finally {
    await listener?.close();
  }
}

/**
 * Why an operation FAILED. ACCESS_DENIED here means the query reads a field the app may not
 * (a scope, or protected customer data not approved): retrying cannot help until the
 * merchant or the Partner Dashboard grants it. INTERNAL_SERVER_ERROR and TIMEOUT may pass on
 * a new run. Their partial data is not ingested: a root object in it can lack children that
 * were cut off, and stored with its updated_at it would keep the complete version out.
 */
function failure(operation: BulkOperation): BulkOperationError {
  if (operation.errorCode === "ACCESS_DENIED") {
    return new BulkOperationError(
      "the bulk query was denied a field it reads: check the app's access scopes and its protected customer data access",
      "ACCESS_DENIED",
    );
  }
  const partial = operation.partialDataUrl ? ", partial data not used" : "";
  return new BulkOperationError(
    `bulk operation failed (${operation.errorCode ?? "no error code"}${partial})`,
    "FAILED",
    operation.partialDataUrl,
  );
}

/**
 * Where a COMPLETED operation's JSONL is, or null when it found nothing: Shopify then answers
 * with no `url` at all rather than an empty file (objectCount "0").
 */
export function resultUrl(operation: BulkOperation): string | null {
  if (operation.url) return operation.url;
  if (Number(operation.objectCount) === 0) return null;
  throw new Error(`bulk operation ${operation.id} completed with ${operation.objectCount} objects but no result URL`);
}

async function pollUntilEnded(
  graphql: AdminGraphql,
  id: string,
  options: PollOptions,
  sleep: (ms: number) => Promise<void>,
): Promise<BulkOperation> {
  let interval = options.intervalMs ?? 2000;
  for (;;) {
    const answer = await graphql<{ bulkOperation: BulkOperation | null }>(BULK_OPERATION_STATUS, { id });
    if (hasErrorCode(answer, "THROTTLED")) {
      await sleep(interval);
      continue;
    }
    const operation = answer.data?.bulkOperation;
    if (!operation) throw new BulkOperationError(`bulk operation ${id} not found`, "NOT_FOUND");
    options.onProgress?.(operation);
    switch (operation.status) {
      case "COMPLETED":
        return operation;
      case "FAILED":
        throw failure(operation);
      case "CANCELED":
      case "EXPIRED":
        throw new BulkOperationError(`bulk operation ${operation.status.toLowerCase()}`, operation.status);
      default:
        await sleep(interval);
        interval = Math.min(interval * 2, options.maxIntervalMs ?? 60_000);
    }
  }
}
