/** Milliseconds per stage of a job, for ModelRun.timings ({"loadMs": 120, "fitMs": 900, ...}). */
export function stageTimer() {
  const timings: Record<string, number> = {};
  let started = performance.now();
  return {
    timings,
    /** Closes the stage that ran since the previous call (or since the timer started). */
    stage(name: string) {
      timings[name] = Math.round(performance.now() - started);
      started = performance.now();
    },
  };
}
