// Worker-thread entry for ALS training: plain JavaScript so that no TypeScript loader is
// needed (see jobs.mjs). workerData carries the compiled module, the shared memory and this
// thread's index. The worker says "ready" once instantiated (the solver waits for that before
// sharing out work, otherwise a slow-starting worker would find every chunk already taken);
// then each message is one job, answered with its sequence number when done.
import { parentPort, workerData } from "node:worker_threads";

import { instantiateKernel, runJob } from "./jobs.mjs";

const kernel = instantiateKernel(workerData.module, workerData.memory);
const counter = new Int32Array(workerData.memory.buffer);

parentPort.on("message", (job) => {
  runJob(kernel, counter, workerData.index, job);
  parentPort.postMessage(job.sequence);
});
parentPort.postMessage("ready");
