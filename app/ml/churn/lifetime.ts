/**
 * Picks a repeat-purchase model by name, so callers (scoring, the bench) can switch between
 * BG/NBD (bgnbd.ts: the published baseline; P(alive) = 1 for every customer without a repeat
 * purchase) and MBG/NBD (mbgnbd.ts: dropout may also follow the first purchase, so one-time
 * buyers' P(alive) falls with tenure) without branching. Both take and return the same shapes;
 * parameters fitted by one model mean something else in the other, so keep them together with
 * the model's name.
 */
import { bgNbdModel } from "./bgnbd";
import type { LifetimeFunctions } from "./lifetime-core";
import { mbgNbdModel } from "./mbgnbd";

export type { LifetimeFit, LifetimeParams, RfmData } from "./lifetime-core";

export type LifetimeModelName = "bgnbd" | "mbgnbd";

/** The per-model functions (contracts, units and costs in lifetime-core's LifetimeFunctions) and the model's name. */
export type LifetimeModel = LifetimeFunctions & { name: LifetimeModelName };

export const LIFETIME_MODELS: Record<LifetimeModelName, LifetimeModel> = {
  bgnbd: { ...bgNbdModel, name: "bgnbd" },
  mbgnbd: { ...mbgNbdModel, name: "mbgnbd" },
};
