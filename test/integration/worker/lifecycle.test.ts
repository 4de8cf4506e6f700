/**
 * Quiet, terminate and shutdown: from the server's operator side (embedded server only), from
 * code, and from process signals via runToCompletion.
 */
import { describe, expect, it } from "vitest";
import { JobAbandonedError, Worker } from "../../../src/worker/index.js";
import { EXTERNAL_URL, startTestServer, uniqueQueue } from "../../support/server.js";
import { deferred, failedJob, nextEvent, useServerWithClient } from "./helpers.js";

const operator = EXTERNAL_URL === undefined ? describe : describe.skip;
if (EXTERNAL_URL !== undefined)
  console.warn("worker lifecycle: operator quiet/terminate tests need the embedded server; skipped");

describe("Worker lifecycle", () => {
  const env = useServerWithClient();

  operator("operator signals (embedded server)", () => {
    it("quiet: stops fetching, finishes the running job, keeps beating", async () => {
      const queue = uniqueQueue("quiet");
      // One slot: a FETCH already waiting on the server when quiet arrives may still get a job
      // (as with Faktory itself); with the only slot busy, none is waiting.
      const worker = new Worker({
        url: env.server.url,
        queues: [queue],
        concurrency: 1,
        unsafeBeatIntervalMs: 50,
      });
      const release = deferred();
      const started = nextEvent(worker, "job:start");
      worker.register("Slow", () => release.promise);
      worker.register("Later", () => {});
      const run = worker.run();
      await nextEvent(worker, "beat");
      await env.client.push("Slow", [], { queue });
      await started;
      expect(env.server.embedded!.signalWorker(worker.info.wid, "quiet")).toBe(1);
      const quiet = await nextEvent(worker, "quiet");
      expect(quiet.source).toBe("server");
      expect(worker.phase).toBe("quiet");
      await env.client.push("Later", [], { queue });
      const done = nextEvent(worker, "job:success");
      release.resolve();
      expect((await done).job.jobtype).toBe("Slow");
      // Still beating while quiet, and reporting quiet.
      const beat = await nextEvent(worker, "beat");
      expect(beat.state).toBe("quiet");
      expect(beat.rssKb).toBeGreaterThan(1000);
      expect((await env.client.info()).faktory.queues[queue]).toBe(1); // "Later" was not fetched
      const details = await worker.shutdown();
      expect(details).toMatchObject({ reason: "shutdown", graceful: true, running: 0 });
      expect(await run).toBe(details);
    });

    it("terminate: waits for running jobs, FAILs one that hangs past the timeout and aborts its signal", async () => {
      const queue = uniqueQueue("term");
      const worker = new Worker({
        url: env.server.url,
        queues: [queue],
        concurrency: 2,
        shutdownTimeoutMs: 300,
        unsafeBeatIntervalMs: 50,
      });
      let abortReason: unknown;
      let stoppingSeen = false;
      const quick = deferred();
      worker.register("Hang", (_job, ctx) => {
        ctx.signal.addEventListener("abort", () => {
          abortReason = ctx.signal.reason;
        });
        ctx.stopping.addEventListener("abort", () => {
          stoppingSeen = true;
        });
        return new Promise(() => {}); // never settles
      });
      worker.register("Quick", async (_job, ctx) => {
        await new Promise<void>((resolve) => ctx.stopping.addEventListener("abort", () => resolve()));
        quick.resolve();
      });
      let starts = 0;
      const bothStarted = new Promise<void>((resolve) =>
        worker.on("job:start", () => ++starts === 2 && resolve()),
      );
      const run = worker.run();
      const hangJid = await env.client.push("Hang", [], { queue });
      await env.client.push("Quick", [], { queue });
      await bothStarted;
      const failure = nextEvent(worker, "job:failure");
      const terminate = nextEvent(worker, "terminate");
      env.server.embedded!.signalWorker(worker.info.wid, "terminate");
      expect((await terminate).source).toBe("server");
      await quick.promise; // the cooperative job saw ctx.stopping and finished
      const event = await failure;
      expect(event.job.jid).toBe(hangJid);
      expect(event.error).toBeInstanceOf(JobAbandonedError);
      expect(event.fail.errtype).toBe("JobAbandonedError");
      expect(abortReason).toBeInstanceOf(JobAbandonedError);
      expect(stoppingSeen).toBe(true);
      const details = await run;
      expect(details).toEqual({ reason: "terminate", graceful: false, running: 1, undelivered: 0 });
      const job = await failedJob(env.client, env.server.url, hangJid, queue);
      expect(job?.failure?.errtype).toBe("JobAbandonedError");
    });
  });

  it("shutdown() waits for running jobs to finish within the timeout", async () => {
    const queue = uniqueQueue("graceful");
    const worker = new Worker({
      url: env.server.url,
      queues: [queue],
      concurrency: 1,
      shutdownTimeoutMs: 5000,
    });
    const started = nextEvent(worker, "job:start");
    let finished = false;
    worker.register("Finish", async () => {
      await new Promise((r) => setTimeout(r, 200));
      finished = true;
    });
    void worker.run();
    await env.client.push("Finish", [], { queue });
    await started;
    const details = await worker.shutdown();
    expect(finished).toBe(true);
    expect(details).toEqual({ reason: "shutdown", graceful: true, running: 0, undelivered: 0 });
  });

  it("a second shutdown with timeout 0 abandons running jobs at once", async () => {
    const queue = uniqueQueue("force");
    const worker = new Worker({
      url: env.server.url,
      queues: [queue],
      concurrency: 1,
      shutdownTimeoutMs: 60_000,
    });
    const started = nextEvent(worker, "job:start");
    worker.register("Forever", () => new Promise(() => {}));
    void worker.run();
    await env.client.push("Forever", [], { queue });
    await started;
    const first = worker.shutdown();
    const second = worker.shutdown({ timeoutMs: 0 });
    expect(await second).toBe(await first);
    expect(await first).toMatchObject({ reason: "shutdown", graceful: false, running: 1 });
  });

  it("runToCompletion: SIGTSTP makes it quiet, SIGTERM stops it, listeners are removed", async () => {
    const queue = uniqueQueue("signals");
    const worker = new Worker({
      url: env.server.url,
      queues: [queue],
      concurrency: 1,
      unsafeBeatIntervalMs: 50,
    });
    const counts = (): number[] =>
      (["SIGTERM", "SIGINT", "SIGTSTP"] as const).map((s) => process.listenerCount(s));
    const before = counts();
    const run = worker.runToCompletion(undefined, { exitProcess: false });
    expect(counts()).toEqual(before.map((n, i) => (i === 2 && process.platform === "win32" ? n : n + 1)));
    await nextEvent(worker, "beat");
    const quiet = nextEvent(worker, "quiet");
    process.emit("SIGTSTP", "SIGTSTP");
    expect((await quiet).source).toBe("local");
    process.emit("SIGTERM", "SIGTERM");
    const details = await run;
    expect(details).toMatchObject({ reason: "shutdown", graceful: true });
    expect(counts()).toEqual(before);
  });

  it("await using shuts the worker down", async () => {
    let phase: string;
    {
      await using worker = new Worker({
        url: env.server.url,
        queues: [uniqueQueue("dispose")],
        concurrency: 1,
      });
      void worker.run();
      phase = worker.phase;
      worker.on("stopped", () => {
        phase = worker.phase;
      });
    }
    expect(phase).toBe("stopped");
  });
});

describe("Worker shutdownSignal", () => {
  it("shuts down gracefully when the signal aborts", async () => {
    const server = await startTestServer();
    try {
      const controller = new AbortController();
      const worker = new Worker({
        url: server.url,
        queues: [uniqueQueue("sig")],
        concurrency: 1,
        shutdownSignal: controller.signal,
      });
      const run = worker.run();
      controller.abort();
      expect(await run).toMatchObject({ reason: "shutdown", graceful: true });
      const aborted = AbortSignal.abort();
      const early = new Worker({ url: server.url, concurrency: 1, shutdownSignal: aborted });
      await new Promise((r) => setImmediate(r));
      expect(early.phase).toBe("stopped");
    } finally {
      await server.close();
    }
  });
});
