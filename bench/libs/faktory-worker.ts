/** Adapter for the incumbent `faktory-worker` (4.x): its Client and Worker, default settings. */
import { Client, Worker } from "faktory-worker";
import { JOB_TYPE } from "../shared.js";
import type { BenchLibrary, Producer, RunningWorker, WorkerOptions } from "./types.js";

export const library: BenchLibrary = {
  async connectProducer(url: string): Promise<Producer> {
    const client = new Client({ url });
    await client.connect();
    return {
      async push(queue, args) {
        await client.push({ jobtype: JOB_TYPE, args, queue });
      },
      async pushBulk(queue, argsList) {
        const rejected = await client.pushBulk(argsList.map((args) => ({ jobtype: JOB_TYPE, args, queue })));
        return Object.keys(rejected).length;
      },
      close: () => client.close(),
    };
  },

  async startWorker({ url, queue, concurrency, handler, onError }: WorkerOptions): Promise<RunningWorker> {
    const worker = new Worker({ url, concurrency, queues: [queue] });
    worker.register(JOB_TYPE, (...args: unknown[]) => handler(args));
    worker.on("error", onError);
    await worker.work();
    return { stop: () => worker.stop() };
  },
};
