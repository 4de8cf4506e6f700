import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { Job } from "../../../src/protocol/job.js";
import { type JobContext, type StopDetails, Worker } from "../../../src/worker/index.js";

describe("Worker types", () => {
  it("types handlers from an explicit registry", () => {
    type Jobs = { SendEmail: [to: string, subject: string]; Resize: [url: string, width: number] };
    const worker = new Worker<Jobs>({ url: "tcp://localhost:7419" });
    worker.register("SendEmail", (job, ctx) => {
      expectTypeOf(job.args).toEqualTypeOf<[to: string, subject: string]>();
      expectTypeOf(ctx).toEqualTypeOf<JobContext>();
      expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
    });
    // @ts-expect-error unknown job type
    worker.register("Nope", () => {});
    // @ts-expect-error wrong args
    worker.register("Resize", (job: Job<[number]>) => job);
    expectTypeOf(worker.run()).toEqualTypeOf<Promise<StopDetails>>();
    void worker.shutdown();
  });

  it("infers the registry from jobs schemas", () => {
    const worker = new Worker({
      url: "tcp://localhost:7419",
      jobs: { Greet: z.tuple([z.string(), z.number()]), Ping: z.tuple([]) },
    });
    worker.register("Greet", (job) => {
      expectTypeOf(job.args).toEqualTypeOf<[string, number]>();
    });
    // @ts-expect-error not in the schemas
    worker.register("Other", () => {});
  });

  it("accepts any job type without a registry", () => {
    const worker = new Worker({ url: "tcp://localhost:7419" });
    worker.register("Anything", (job) => {
      expectTypeOf(job.args).toEqualTypeOf<unknown[]>();
    });
    worker.on("job:failure", ({ fail, error }) => {
      expectTypeOf(fail.errtype).toEqualTypeOf<string | undefined>();
      expectTypeOf(error).toEqualTypeOf<unknown>();
    });
    worker.on("stopped", (d) => expectTypeOf(d.reason).toEqualTypeOf<"shutdown" | "terminate" | "error">());
  });
});
