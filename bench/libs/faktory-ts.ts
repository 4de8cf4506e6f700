/** Adapter for faktory-ts (this repository, bundled from src/). */
import { Client, Worker } from "../../src/index.js";
import { JOB_TYPE } from "../shared.js";
import type { BenchLibrary, Producer, RunningWorker, WorkerOptions } from "./types.js";

export const library: BenchLibrary = {
  async connectProducer(url: string): Promise<Producer> {
    const client = await Client.connect(url);
    return {
      async push(queue, args) {
        await client.push(JOB_TYPE, args, { queue });
      },
      async pushBulk(queue, argsList) {
        const { rejected } = await client.pushBulk(
          argsList.map((args) => client.job(JOB_TYPE, args, { queue })),
        );
        return rejected.length;
      },
      close: () => client.close(),
    };
  },

  async startWorker({ url, queue, concurrency, handler, onError }: WorkerOptions): Promise<RunningWorker> {
    const worker = new Worker({ url, concurrency, queues: [queue] });
    worker.register(JOB_TYPE, (job) => handler(job.args));
    worker.on("error", ({ error, where }) => onError(new Error(`${where}: ${error.message}`)));
    const stopped = worker.run();
    return {
      async stop() {
        await worker.shutdown();
        await stopped;
      },
    };
  },
};
