/**
 * The life of one model job for one shop, shared by training, scoring and forecasting: find the
 * shop (gone or uninstalled shops are skipped), take its per-shop lock, open a ModelRun, time
 * the stages, and close the run as SUCCEEDED with its metrics or FAILED with the error,
 * releasing the lock whatever happens.
 *
 * When another run holds the lock, the job throws ShopBusyError and the worker puts it back
 * for later (runtime.ts) rather than dropping it: a run queued after a backfill must not be
 * lost because the nightly run was still working on the partial history.
 */
import type { ModelKind, Prisma, Shop } from "@prisma/client";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";
import { log } from "~/logger.server";

import { acquireShopLock } from "./shop-lock";
import { stageTimer } from "./stage-timer";

/** Another run of the same job holds this shop's lock; try again later. */
export class ShopBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShopBusyError";
  }
}

export interface ModelJobContext {
  database: Database;
  redis?: Redis;
  progress?: (progress: { fraction: number; stage: string }) => Promise<void>;
}

export interface RunHandle {
  id: number;
  /** Closes the stage that ran since the previous call, as `<name>` milliseconds. */
  stage(name: string): void;
}

export interface ModelJobOptions {
  /** Lock and log name, e.g. "score-customers". */
  job: string;
  kind: ModelKind;
  /** The ShopBusyError's message when another run holds the shop's lock. */
  busy: string;
  /** The run's parameters (the shop's settings for this model). */
  parameters: (shop: Shop) => Prisma.InputJsonValue;
}

export async function runModelJob<R extends object>(
  context: ModelJobContext,
  shopId: number,
  options: ModelJobOptions,
  work: (shop: Shop, run: RunHandle) => Promise<{ metrics: Prisma.InputJsonValue; result: R }>,
): Promise<R | { skipped: string }> {
  const { database } = context;
  const shop = await database.prisma.shop.findUnique({ where: { id: shopId } });
  if (!shop) return { skipped: "shop no longer exists" };
  if (shop.installState === "UNINSTALLED") return { skipped: "shop is uninstalled" };
  const lock = await acquireShopLock(context.redis, options.job, shop);
  if (!lock) throw new ShopBusyError(options.busy);
  const timer = stageTimer();
  let runId: number | undefined;
  try {
    runId = (
      await database.prisma.modelRun.create({
        data: { shopId, kind: options.kind, parameters: options.parameters(shop) },
      })
    ).id;
    const { metrics, result } = await work(shop, { id: runId, stage: timer.stage });
    await database.prisma.modelRun.update({
      where: { id: runId },
      data: { status: "SUCCEEDED", metrics, timings: timer.timings, finishedAt: new Date() },
    });
    await context.progress?.({ fraction: 1, stage: "done" });
    return result;
  } catch (error) {
    if (runId !== undefined) {
      // If even this write fails (the database went away), the job's own error is the one to keep.
      await database.prisma.modelRun
        .update({
          where: { id: runId },
          data: {
            status: "FAILED",
            error: (error as Error).message.slice(0, 1000),
            timings: timer.timings,
            finishedAt: new Date(),
          },
        })
        .catch((recordError: Error) =>
          log.error({ shopId, runId, err: recordError.message }, "could not record the failed run"),
        );
    }
    throw error;
  } finally {
    await lock.release();
  }
}
