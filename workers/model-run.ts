/**
 * The life of one model job for one shop, shared by training, scoring and forecasting: find the
 * shop (gone or uninstalled shops are skipped), take its per-shop lock (a second run stands
 * down), open a ModelRun, time the stages, and close the run as SUCCEEDED with its metrics or
 * FAILED with the error, releasing the lock whatever happens.
 */
import type { ModelKind, Prisma, Shop } from "@prisma/client";
import type { Redis } from "ioredis";

import type { Database } from "~/db.server";

import { acquireShopLock } from "./shop-lock";
import { stageTimer } from "./stage-timer";

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
  /** What `{ skipped }` says when another run holds the shop's lock. */
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
  if (!lock) return { skipped: options.busy };
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
      await database.prisma.modelRun.update({
        where: { id: runId },
        data: {
          status: "FAILED",
          error: (error as Error).message.slice(0, 1000),
          timings: timer.timings,
          finishedAt: new Date(),
        },
      });
    }
    throw error;
  } finally {
    await lock.release();
  }
}
