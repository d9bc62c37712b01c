/**
 * Works through a sequence of units on two lanes, so that while one unit is being written
 * the next is being read (or both are written, when Postgres has the cores for it).
 *
 * Units are taken from `next` one at a time, in order. `settled(units)` is called, in order,
 * each time the run of finished units from the start grows, with the units it grew by: a
 * cursor (or a count) kept there never skips a unit nor counts one that a resume will redo,
 * whichever lane finishes first. After a failure the other lane takes no new unit once its
 * current one is done, and the first error is thrown. `failed` is told at once: whatever
 * the other lane may be waiting on (inside `next`) must be made to give up there.
 */
export async function inTwoLanes<U extends { end: number }>(
  next: () => Promise<U | null>,
  work: (unit: U) => Promise<void>,
  settled: (units: U[]) => Promise<void>,
  failed?: (error: unknown) => void,
): Promise<void> {
  let taking: Promise<unknown> = Promise.resolve();
  const pending: { unit: U; done: boolean }[] = [];
  const take = () => {
    const taken = taking.then(async () => {
      const unit = await next();
      if (!unit) return null;
      const entry = { unit, done: false };
      pending.push(entry);
      return entry;
    });
    taking = taken.catch(() => undefined);
    return taken;
  };
  let stopped = false;
  const lane = async () => {
    while (!stopped) {
      const entry = await take();
      if (!entry || stopped) return;
      await work(entry.unit);
      entry.done = true;
      const finished: U[] = [];
      while (pending[0]?.done) finished.push(pending.shift()!.unit);
      if (finished.length > 0) await settled(finished);
    }
  };
  const guarded = () =>
    lane().catch((error: unknown) => {
      if (!stopped) failed?.(error);
      stopped = true;
      throw error;
    });
  const results = await Promise.allSettled([guarded(), guarded()]);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
}
