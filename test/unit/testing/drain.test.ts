import { describe, expect, it } from "vitest";
import { Client } from "../../../src/client/index.js";
import { DrainLimitError, DrainPausedError, drain, startTestServer } from "../../../src/testing/index.js";
import { Worker } from "../../../src/worker/index.js";
import { ManualClock } from "../server/support/clocks.js";

type Jobs = { Signup: [email: string]; SendEmail: [to: string]; Flaky: [n: number] };

describe("drain", () => {
  it("runs queued jobs, the jobs they push, scheduled jobs and retries until nothing is left", async () => {
    const clock = new ManualClock();
    await using server = await startTestServer({ clock });
    await using client = await Client.connect<Jobs>(server.url);
    await client.push("Signup", ["a@example.com"]);
    await client.push("SendEmail", ["later@example.com"], { queue: "mail", at: { in: 3_600_000 } });
    await client.push("Flaky", [2], { retry: 5 });
    const sent: string[] = [];
    let flakyRuns = 0;
    const result = await drain(server, {
      Signup: async (job) => {
        await client.push("SendEmail", [job.args[0]], { queue: "mail" });
      },
      SendEmail: (job) => {
        sent.push(job.args[0]);
      },
      Flaky: (job) => {
        flakyRuns++;
        if (flakyRuns <= job.args[0]) throw new Error(`attempt ${flakyRuns} failed`);
      },
    } satisfies Parameters<typeof drain<Jobs>>[1]);
    expect(sent.sort()).toEqual(["a@example.com", "later@example.com"]);
    expect(flakyRuns).toBe(3);
    expect(result).toEqual({ processed: 6, failed: 2, dead: 0 });
    const info = (await client.info()).faktory;
    expect(info.total_enqueued).toBe(0);
    expect(info.sets).toMatchObject({ scheduled: 0, retries: 0, working: 0 });
    expect(clock.now()).toBe(new ManualClock().now()); // no time had to pass
  });

  it("leaves the retry and scheduled sets alone when told to, and reports dead jobs", async () => {
    await using server = await startTestServer({ clock: new ManualClock() });
    await using client = await Client.connect(server.url);
    await client.push("Boom", [], { retry: 1 });
    await client.push("Boom", [], { retry: 1, at: { in: 60_000 } });
    const handlers = {
      Boom: () => {
        throw new Error("boom");
      },
    };
    expect(await drain(server.url, handlers, { retries: false, scheduled: false })).toEqual({
      processed: 1,
      failed: 1,
      dead: 0,
    });
    expect((await client.info()).faktory.sets).toMatchObject({ retries: 1, scheduled: 1 });
    expect(await drain(server, handlers)).toEqual({ processed: 3, failed: 3, dead: 2 });
  });

  it("uses a given worker, restricted to the given queues, and leaves it usable", async () => {
    await using server = await startTestServer({ clock: new ManualClock() });
    await using client = await Client.connect(server.url);
    await client.push("T", [1], { queue: "a" });
    await client.push("T", [2], { queue: "b" });
    const seen: unknown[] = [];
    await using worker = new Worker({ url: server.url }).register("T", (job) => {
      seen.push(job.args[0]);
    });
    expect((await drain(server, worker, { queues: ["a"] })).processed).toBe(1);
    expect(seen).toEqual([1]);
    expect((await client.info()).faktory.queues).toMatchObject({ b: 1 });
    expect(await worker.runOne(["b"])).toBe(true);
    expect(seen).toEqual([1, 2]);
  });

  it("stops with a DrainLimitError when jobs keep coming", async () => {
    await using server = await startTestServer({ clock: new ManualClock() });
    await using client = await Client.connect(server.url);
    await client.push("Forever", []);
    const run = drain(
      server,
      { Forever: () => client.push("Forever", []).then(() => undefined) },
      { maxJobs: 5 },
    );
    await expect(run).rejects.toBeInstanceOf(DrainLimitError);
  });

  it("runs the rest, then names the paused queues left with jobs, at once and without time passing", async () => {
    const clock = new ManualClock();
    await using server = await startTestServer({ clock });
    await using client = await Client.connect(server.url);
    await client.push("T", [1], { queue: "held" });
    await client.push("T", [2], { queue: "held", at: { in: 60_000 } }); // lands in "held" too
    await client.push("T", [3]);
    await client.pauseQueues(["held"]);
    const seen: unknown[] = [];
    const handlers = { T: (job: { args: unknown[] }) => void seen.push(job.args[0]) };
    const error = await drain(server, handlers).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DrainPausedError);
    const paused = error as DrainPausedError;
    expect(paused.queues).toEqual({ held: 2 });
    expect(server.pausedQueues()).toEqual(["held"]);
    expect(paused.result).toEqual({ processed: 1, failed: 0, dead: 0 });
    expect(paused.message).toContain("held (2 jobs): they are paused");
    expect(seen).toEqual([3]);
    expect(clock.now()).toBe(new ManualClock().now()); // no FETCH had to time out
    expect((await client.info()).faktory.queues).toMatchObject({ held: 2, default: 0 });

    // Left out, the paused queue is no obstacle; resumed, it drains.
    expect(await drain(server, handlers, { queues: ["default"] })).toEqual({
      processed: 0,
      failed: 0,
      dead: 0,
    });
    await client.resumeQueues(["held"]);
    expect((await drain(server, handlers)).processed).toBe(2);
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it("given only a URL, learns of a paused queue from the empty FETCH and says so", async () => {
    const clock = new ManualClock();
    // A handshake timeout of its own, so that the only 2 s timer is the blocked FETCH.
    await using server = await startTestServer({ clock, handshakeTimeoutMs: 60_000 });
    await using client = await Client.connect(server.url);
    await client.push("T", [1], { queue: "held" });
    await client.pauseQueues(["held"]);
    const run = drain(server.url, { T: () => undefined });
    await clock.armed(2000); // the FETCH is blocked on the server's 2 s wait
    clock.advance(2000);
    const error = await run.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DrainPausedError);
    expect((error as DrainPausedError).queues).toEqual({ held: 1 });
    expect((error as DrainPausedError).message).toContain("FETCH found no job in them");
  });
});
