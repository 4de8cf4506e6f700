/**
 * The worker's job cycle against a server (embedded, or FAKTORY_URL): ACK on success, FAIL with
 * type/message/backtrace on errors, missing handlers, runOne, middleware, events, stop details.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { StateError } from "../../../src/protocol/errors.js";
import { Connection } from "../../../src/connection/index.js";
import { NoHandlerError, Worker, type WorkerEvents } from "../../../src/worker/index.js";
import { uniqueQueue } from "../../support/server.js";
import { deferred, failedJob, nextEvent, useServerWithClient } from "./helpers.js";

describe("Worker job cycle", () => {
  const env = useServerWithClient();

  it("runs a handler and ACKs the job", async () => {
    const queue = uniqueQueue("ack");
    const before = (await env.client.info()).faktory;
    const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 2 });
    const seen: unknown[] = [];
    worker.register("Add", (job, ctx) => {
      seen.push({
        args: job.args,
        jid: ctx.jid,
        queue: ctx.queue,
        attempt: ctx.attempt,
        wid: ctx.worker.wid,
      });
    });
    const done = nextEvent(worker, "job:success");
    const running = worker.run();
    const jid = await env.client.push("Add", [1, 2], { queue });
    await done;
    const details = await worker.shutdown();
    expect(await running).toBe(details);
    expect(details).toEqual({ reason: "shutdown", graceful: true, running: 0, undelivered: 0 });
    expect(seen).toEqual([{ args: [1, 2], jid, queue, attempt: 1, wid: worker.info.wid }]);
    const after = (await env.client.info()).faktory;
    expect(after.total_processed - before.total_processed).toBeGreaterThanOrEqual(1);
    expect(after.queues[queue] ?? 0).toBe(0);
    expect(after.sets.working).toBe(before.sets.working);
  });

  it("FAILs a throwing handler with its type, message, stack and cause chain", async () => {
    const queue = uniqueQueue("fail");
    const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 1 });
    class PaymentDeclined extends Error {}
    worker.register("Charge", async () => {
      await Promise.resolve();
      throw new PaymentDeclined("card declined", { cause: new RangeError("amount too large") });
    });
    const failure = nextEvent(worker, "job:failure");
    void worker.run();
    const jid = await env.client.push("Charge", [100], { queue, retry: 3 });
    const event = await failure;
    await worker.shutdown();
    expect(event.fail.errtype).toBe("PaymentDeclined");
    expect(event.error).toBeInstanceOf(PaymentDeclined);
    const job = await failedJob(env.client, env.server.url, jid, queue);
    expect(job?.failure).toMatchObject({
      errtype: "PaymentDeclined",
      message: "card declined",
      retry_count: 0,
    });
    const backtrace = job?.failure?.backtrace ?? [];
    expect(backtrace[0]).toMatch(/^at /);
    expect(backtrace).toContain("Caused by: RangeError: amount too large");
  });

  it("FAILs non-Error throws and jobs with no handler, and keeps running", async () => {
    const queue = uniqueQueue("odd");
    const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 1 });
    worker.register("ThrowString", () => {
      throw "plain text";
    });
    worker.register("ThrowObject", () => Promise.reject({ code: 7 }));
    worker.register("Fine", () => {});
    const failures: WorkerEvents["job:failure"][] = [];
    worker.on("job:failure", (e) => failures.push(e));
    const fine = nextEvent(worker, "job:success");
    void worker.run();
    const a = await env.client.push("ThrowString", [], { queue });
    const b = await env.client.push("ThrowObject", [], { queue });
    const c = await env.client.push("Nobody", [1], { queue });
    await env.client.push("Fine", [], { queue });
    await fine;
    await worker.shutdown();
    const byJid = Object.fromEntries(failures.map((f) => [f.job.jid, f.fail]));
    expect(byJid[a]).toMatchObject({ errtype: "NonError", message: "plain text" });
    expect(byJid[b]).toMatchObject({ errtype: "NonError", message: '{"code":7}' });
    expect(byJid[c]).toMatchObject({ errtype: "NoHandlerError", message: "No handler for Nobody" });
    expect(failures.find((f) => f.job.jid === c)?.error).toBeInstanceOf(NoHandlerError);
    const job = await failedJob(env.client, env.server.url, c, queue);
    expect(job?.failure).toMatchObject({ errtype: "NoHandlerError", message: "No handler for Nobody" });
  });

  it("runOne resolves false on an empty queue and true after running a job; a stopped worker cannot run", async () => {
    const queue = uniqueQueue("one");
    const worker = new Worker({ url: env.server.url, queues: [queue] });
    const ran: string[] = [];
    worker.register("One", (job) => {
      ran.push(job.jid);
    });
    expect(await worker.runOne()).toBe(false);
    const jid = await env.client.push("One", [], { queue });
    expect(await worker.runOne([queue])).toBe(true);
    expect(ran).toEqual([jid]);
    const details = await worker.shutdown();
    expect(details).toMatchObject({ reason: "shutdown", graceful: true, running: 0 });
    await expect(worker.run()).rejects.toThrow(StateError);
    await expect(worker.run()).rejects.toThrow(/stopped and cannot run again/);
    await expect(worker.runOne()).rejects.toThrow(StateError);
    expect(await worker.shutdown()).toBe(details);
  });

  it("refuses a second run() while running", async () => {
    const worker = new Worker({ url: env.server.url, queues: [uniqueQueue("twice")], concurrency: 1 });
    const first = worker.run();
    await expect(worker.run()).rejects.toThrow(/already running/);
    await expect(worker.runOne()).rejects.toThrow(StateError);
    await worker.shutdown();
    expect((await first).reason).toBe("shutdown");
  });

  it("runs middleware outermost first and emits typed events in order", async () => {
    const queue = uniqueQueue("mw");
    const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 1 });
    const order: string[] = [];
    worker.use(async (job, ctx, next) => {
      order.push(`a-before ${job.jobtype}`);
      ctx.locals.set("tenant", "t1");
      await next();
      order.push("a-after");
    });
    worker.use(async (_job, _ctx, next) => {
      order.push("b-before");
      try {
        await next();
      } catch (err) {
        order.push(`b-caught ${(err as Error).message}`);
        throw new TypeError("mapped", { cause: err });
      }
      order.push("b-after");
    });
    worker.register("Mw", (job, ctx) => {
      order.push(`handler ${String(ctx.locals.get("tenant"))}`);
      if (job.args[0] === "boom") throw new Error("boom");
    });
    worker.on("job:start", ({ job }) => order.push(`event start ${String(job.args[0])}`));
    worker.on("job:success", ({ durationMs }) => order.push(`event success ${durationMs >= 0}`));
    worker.on("job:failure", ({ fail }) => order.push(`event failure ${fail.errtype} ${fail.message}`));
    const failed = nextEvent(worker, "job:failure");
    void worker.run();
    await env.client.push("Mw", ["ok"], { queue });
    await nextEvent(worker, "job:success");
    await env.client.push("Mw", ["boom"], { queue });
    await failed;
    const stopped = deferred<WorkerEvents["stopped"]>();
    worker.on("stopped", stopped.resolve);
    await worker.shutdown();
    expect((await stopped.promise).reason).toBe("shutdown");
    expect(order).toEqual([
      "event start ok",
      "a-before Mw",
      "b-before",
      "handler t1",
      "b-after",
      "a-after",
      "event success true",
      "event start boom",
      "a-before Mw",
      "b-before",
      "handler t1",
      "b-caught boom",
      "event failure TypeError mapped",
    ]);
  });

  it("validates args with the jobs schemas and types handlers from them", async () => {
    const queue = uniqueQueue("schema");
    const jobs = { Greet: z.tuple([z.string(), z.number().int()]) };
    const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 1, jobs });
    const greeted: string[] = [];
    worker.register("Greet", (job) => {
      const [name, times] = job.args; // [string, number]
      greeted.push(name.repeat(times));
    });
    const failure = nextEvent(worker, "job:failure");
    const success = nextEvent(worker, "job:success");
    void worker.run();
    await env.client.push("Greet", ["ab", 2], { queue });
    await env.client.push("Greet", ["ab", 1.5], { queue });
    await success;
    const event = await failure;
    await worker.shutdown();
    expect(greeted).toEqual(["abab"]);
    expect(event.fail.errtype).toBe("ValidationError");
    expect(event.fail.message).toMatch(/invalid args for job type Greet/);
  });

  it("sends each ACK and the next FETCH in one write", async () => {
    const queue = uniqueQueue("batch");
    const batches: string[][] = [];
    const original = Connection.prototype.sendBatch;
    Connection.prototype.sendBatch = function (this: Connection, lines, extra) {
      batches.push(lines.map((l) => l.split(" ")[0]!));
      return original.call(this, lines, extra);
    };
    try {
      const worker = new Worker({ url: env.server.url, queues: [queue], concurrency: 1 });
      let count = 0;
      worker.register("B", () => {
        count++;
      });
      const all = new Promise<void>((resolve) => worker.on("job:success", () => count === 5 && resolve()));
      void worker.run();
      await env.client.pushBulk([0, 1, 2, 3, 4].map((i) => env.client.job("B", [i], { queue })));
      await all;
      await worker.shutdown();
    } finally {
      Connection.prototype.sendBatch = original;
    }
    // The last result may go alone: the worker was already stopping and must not FETCH again.
    expect(batches.length).toBeGreaterThanOrEqual(4);
    for (const b of batches) expect(b).toEqual(["ACK", "FETCH"]);
  });
});
