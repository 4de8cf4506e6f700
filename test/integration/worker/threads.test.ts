/**
 * CPU-bound handlers in worker threads: the event loop stays free (BEATs and other jobs go on),
 * thread errors are FAILed like any error, and an abandoned job's thread is terminated.
 */
import { describe, expect, it } from "vitest";
import { JobAbandonedError, ThreadPool, Worker } from "../../../src/worker/index.js";
import { uniqueQueue } from "../../support/server.js";
import { failedJob, nextEvent, useServerWithClient } from "./helpers.js";

const BUSY = new URL("./fixtures/busy.mjs", import.meta.url);

describe("registerThreaded", () => {
  const env = useServerWithClient();

  it("keeps beating and running other jobs while a thread computes", async () => {
    const queue = uniqueQueue("cpu");
    const worker = new Worker({
      url: env.server.url,
      queues: [queue],
      concurrency: 2,
      unsafeBeatIntervalMs: 50,
    });
    worker.registerThreaded("Busy", BUSY, { threads: 1 });
    worker.register("Light", () => {});
    let busyRunning = false;
    let beatsWhileBusy = 0;
    let lightWhileBusy = false;
    worker.on("job:start", ({ job }) => {
      if (job.jobtype === "Busy") busyRunning = true;
    });
    worker.on("beat", () => {
      if (busyRunning) beatsWhileBusy++;
    });
    worker.on("job:success", ({ job }) => {
      if (job.jobtype === "Busy") busyRunning = false;
      else if (busyRunning) lightWhileBusy = true;
    });
    const busyDone = nextEvent(worker, "job:success", (e) => e.job.jobtype === "Busy");
    void worker.run();
    await env.client.push("Busy", [1200], { queue });
    await nextEvent(worker, "job:start", (e) => e.job.jobtype === "Busy");
    await env.client.push("Light", [], { queue });
    const done = await busyDone;
    await worker.shutdown();
    expect(done.durationMs).toBeGreaterThanOrEqual(1100);
    expect(lightWhileBusy).toBe(true);
    expect(beatsWhileBusy).toBeGreaterThanOrEqual(5);
  });

  it("FAILs a job whose thread throws, with the thread's error type, stack and cause", async () => {
    const queue = uniqueQueue("cpufail");
    const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 1 });
    worker.registerThreaded("Busy", BUSY);
    const failure = nextEvent(worker, "job:failure");
    void worker.run();
    const jid = await env.client.push("Busy", [10, "throw"], { queue });
    const event = await failure;
    await worker.shutdown();
    expect(event.fail).toMatchObject({ errtype: "CrunchError", message: "failed after spinning" });
    const job = await failedJob(env.client, env.server.url, jid, queue);
    expect(job?.failure?.backtrace?.some((l) => l.includes("busy.mjs"))).toBe(true);
    expect(job?.failure?.backtrace).toContain("Caused by: TypeError: bad input");
  });

  it("terminates the thread of a job abandoned at shutdown", async () => {
    const queue = uniqueQueue("cpuabandon");
    const worker = new Worker({
      url: env.server.url,
      queues: [queue],
      concurrency: 1,
      shutdownTimeoutMs: 100,
    });
    worker.registerThreaded("Busy", BUSY);
    const started = nextEvent(worker, "job:start");
    const failure = nextEvent(worker, "job:failure");
    void worker.run();
    await env.client.push("Busy", [20_000], { queue });
    await started;
    const t0 = performance.now();
    const details = await worker.shutdown();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(details).toMatchObject({ reason: "shutdown", graceful: false, running: 1 });
    expect((await failure).error).toBeInstanceOf(JobAbandonedError);
  });

  it("ThreadPool queues tasks beyond its size and rejects on abort", async () => {
    const pool = new ThreadPool(BUSY, { threads: 2 });
    const job = { jid: "pool-job-1", jobtype: "Busy", args: [] };
    try {
      const t0 = performance.now();
      await Promise.all([pool.run([150], job), pool.run([150], job), pool.run([150], job)]);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
      expect(pool.threadCount).toBe(2);
      const controller = new AbortController();
      const running = pool.run([10_000], job, controller.signal);
      setTimeout(() => controller.abort(new Error("stop it")), 50);
      await expect(running).rejects.toThrow("stop it");
      await pool.run([1], job); // a fresh thread replaces the terminated one
    } finally {
      await pool.close();
    }
    await expect(pool.run([1], job)).rejects.toThrow(/closed/);
  });
});
