/**
 * The bulk_operations/finish webhook as a wake-up call for a run polling that operation.
 *
 * Polling backs off to a minute between checks, so a run could sit idle for most of a minute
 * per file after Shopify finished it. The webhook worker publishes the operation's id on
 * Redis; the poller listening for that id stops waiting and checks at once. The webhook is
 * only a signal: the poller still reads the operation's status (and its result URL) from the
 * API, and still polls on its own, since webhook delivery is not guaranteed.
 */
import type { Redis } from "ioredis";

import { log } from "~/logger.server";

const channelOf = (operationId: string) => `foresight:bulk-finished:${operationId}`;

/** Called by the bulk_operations/finish processor. @returns how many pollers were listening. */
export async function announceBulkFinished(redis: Redis, operationId: string): Promise<number> {
  return redis.publish(channelOf(operationId), "finished");
}

export interface FinishListener {
  /** Waits `ms`, or less if the operation was announced finished since the last call. */
  sleep(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens for one operation's announcement (a poller opens one per operation it waits on);
 * null when it cannot listen, and the poller keeps its own sleep.
 */
export type FinishSignal = (operationId: string) => Promise<FinishListener | null>;

/**
 * Listens on a connection of its own (a subscribed Redis connection can do nothing else). An
 * announcement that comes while the poller is querying, not sleeping, is remembered so the
 * next sleep returns at once. The signal only speeds polling up: when Redis cannot subscribe
 * there is no listener, and closing never fails the wait.
 */
export function redisFinishSignal(redis: Redis): FinishSignal {
  return async (operationId) => {
    const subscriber = redis.duplicate();
    let announced = false;
    let wake: (() => void) | undefined;
    subscriber.on("error", (error: Error) => log.warn({ error: error.message }, "bulk finish listener: Redis error"));
    subscriber.on("message", () => {
      announced = true;
      wake?.();
    });
    const close = () =>
      subscriber.quit().then(
        () => undefined,
        () => subscriber.disconnect(),
      );
    try {
      await subscriber.subscribe(channelOf(operationId));
    } catch (error) {
      log.warn({ operationId, error: (error as Error).message }, "bulk finish listener unavailable: polling only");
      await close();
      return null;
    }
    return {
      async sleep(ms) {
        if (!announced) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, ms);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
        announced = false;
      },
      async close() {
        wake?.();
        await close();
      },
    };
  };
}
