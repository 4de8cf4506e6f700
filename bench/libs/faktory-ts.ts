/** Adapter for faktory-ts (this repository, bundled from src/). */
import { Client } from "../../src/index.js";
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

  async startWorker(_options: WorkerOptions): Promise<RunningWorker | undefined> {
    return undefined; // src/worker is not there yet
  },
};
