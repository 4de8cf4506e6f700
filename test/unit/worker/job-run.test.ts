import { describe, expect, it } from "vitest";
import type { Job } from "../../../src/protocol/job.js";
import { JobAbandonedError } from "../../../src/worker/errors.js";
import { JobRun } from "../../../src/worker/job-run.js";
import { silentWorkerLogger, type WorkerLogger } from "../../../src/worker/logger.js";

const info = { wid: "w1", hostname: "h", pid: 1, labels: [] };
const job: Job<readonly unknown[]> = { jid: "j1", jobtype: "T", args: [1], queue: "q" };

function run(logger: WorkerLogger = silentWorkerLogger, stopping = new AbortController().signal): JobRun {
  return new JobRun(job, 3, info, stopping, logger);
}

describe("JobRun (the job context)", () => {
  it("carries the job's fields", () => {
    const ctx = run();
    expect(ctx).toMatchObject({ jid: "j1", jobtype: "T", queue: "q", attempt: 1, slot: 3, worker: info });
    expect(typeof ctx.startedAt).toBe("number");
    const retried = new JobRun(
      { ...job, queue: undefined, failure: { retry_count: 1 } } as unknown as Job<readonly unknown[]>,
      0,
      info,
      new AbortController().signal,
      silentWorkerLogger,
    );
    expect(retried.queue).toBe("default");
    expect(retried.attempt).toBe(3);
  });

  it("gives a signal first read after an abort already aborted, with the reason", () => {
    const ctx = run();
    const reason = new JobAbandonedError("shutdown", 10);
    ctx.abort(reason);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
  });

  it("aborts a signal read before the abort, once, and returns the same signal every time", () => {
    const ctx = run();
    const signal = ctx.signal;
    expect(signal.aborted).toBe(false);
    expect(ctx.signal).toBe(signal);
    let events = 0;
    signal.addEventListener("abort", () => events++);
    const reason = new JobAbandonedError("terminate", 5);
    ctx.abort(reason);
    ctx.abort(new JobAbandonedError("shutdown", 1));
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(events).toBe(1);
  });

  it("passes the worker's stopping signal through", () => {
    const stop = new AbortController();
    const ctx = run(silentWorkerLogger, stop.signal);
    expect(ctx.stopping).toBe(stop.signal);
  });

  it("makes the per-job logger and locals on first read, the same object afterwards", () => {
    const lines: unknown[] = [];
    const logger: WorkerLogger = {
      debug: () => {},
      info: (m, f) => lines.push([m, f]),
      warn: () => {},
      error: () => {},
    };
    const ctx = run(logger);
    expect(ctx.logger).toBe(ctx.logger);
    ctx.logger.info("hi", { a: 1 });
    expect(lines).toEqual([["hi", { jid: "j1", jobtype: "T", a: 1 }]]);
    expect(ctx.locals).toBe(ctx.locals);
    ctx.locals.set("k", 1);
    expect(ctx.locals.get("k")).toBe(1);
  });
});
