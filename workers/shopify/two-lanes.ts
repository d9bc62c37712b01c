/**
 * Works through a sequence of units on two lanes, so that while one unit is being written
 * the next is being read (or both are written, when Postgres has the cores for it).
 *
 * Units are taken from `next` one at a time, in order. `settled(end)` is called, in order,
 * each time every unit up to `end` has finished: a cursor saved there never skips a unit,
 * whichever lane finishes first. After a failure the other lane stops after its current
 * unit, and the first error is thrown.
 */
export async function inTwoLanes<U extends { end: number }>(
  next: () => Promise<U | null>,
  work: (unit: U) => Promise<void>,
  settled: (end: number) => Promise<void>,
): Promise<void> {
  let taking: Promise<unknown> = Promise.resolve();
  const pending: { end: number; done: boolean }[] = [];
  const take = () => {
    const taken = taking.then(async () => {
      const unit = await next();
      if (unit) pending.push({ end: unit.end, done: false });
      return unit ? { unit, entry: pending.at(-1)! } : null;
    });
    taking = taken.catch(() => undefined);
    return taken;
  };
  let failed = false;
  const lane = async () => {
    while (!failed) {
      const taken = await take();
      if (!taken) return;
      await work(taken.unit);
      taken.entry.done = true;
      let end: number | undefined;
      while (pending[0]?.done) end = pending.shift()!.end;
      if (end !== undefined) await settled(end);
    }
  };
  const guarded = () =>
    lane().catch((error: unknown) => {
      failed = true;
      throw error;
    });
  const results = await Promise.allSettled([guarded(), guarded()]);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
}
