/**
 * Client and worker Enterprise features (batches, progress, unique and expiring jobs) against
 * the embedded server with `enterprise: true`, or against a real Faktory Enterprise when
 * FAKTORY_URL points at one and FAKTORY_ENT=1 (skipped for any other external server).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, NotUniqueError, StateError, ValidationError, Worker } from "../../../src/index.js";
import { EXTERNAL_URL, startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";
import { Consumer } from "../client/consumer.js";
import { nextEvent } from "../worker/helpers.js";

const skip = EXTERNAL_URL !== undefined && process.env["FAKTORY_ENT"] !== "1";

describe.skipIf(skip)("Enterprise features through the client and worker", () => {
  let server: TestServer;
  let client: Client;
  let consumer: Consumer;

  beforeAll(async () => {
    server = await startTestServer({ enterprise: true });
    client = await Client.connect(server.url);
    consumer = await Consumer.open(server.url);
  });

  afterAll(async () => {
    await consumer?.close();
    await client?.close();
    await server?.close();
  });

  it("the server says Enterprise in INFO", async () => {
    expect((await client.info()).server.description).toContain("Enterprise");
  });

  it("a batch handle pushes, commits on dispose, and the success callback runs after its jobs", async () => {
    const queue = uniqueQueue("batch");
    const cbQueue = uniqueQueue("cb");
    let bid: string;
    {
      await using batch = await client.batches.create({
        description: "two jobs",
        success: client.job("AllDone", ["ok"], { queue: cbQueue }),
      });
      bid = batch.bid;
      await batch.push("Part", [1], { queue });
      await batch.pushBulk([client.job("Part", [2], { queue })]);
      expect((await batch.status())?.total).toBe(2);
    }
    const reopened = await client.batches.status(bid);
    expect(reopened).toMatchObject({ bid, description: "two jobs", total: 2, pending: 2, successState: "" });
    for (let i = 0; i < 2; i++) {
      const job = await consumer.fetch(queue);
      expect(job?.custom?.bid).toBe(bid);
      await consumer.ack(job!.jid);
    }
    const callback = await consumer.fetch(cbQueue);
    expect(callback?.jobtype).toBe("AllDone");
    expect(callback?.custom).toMatchObject({ _bid: bid });
    await consumer.ack(callback!.jid);
    expect((await client.batches.status(bid))?.successState).toBe("2");
  });

  it("a batch handle takes plain jobs like the client: a jid is generated and custom.bid stamped", async () => {
    const queue = uniqueQueue("plain");
    const batch = await client.batches.create({ complete: { jobtype: "Ran", queue: uniqueQueue("cb") } });
    const plain = { jobtype: "Plain", args: [1], queue, custom: { keep: "me" } };
    const jid = await batch.push(plain);
    const bulk = await batch.pushBulk([
      { jobtype: "Plain", args: [2], queue },
      { jobtype: "", args: [], queue },
    ]);
    await batch.commit();
    expect(plain).toEqual({ jobtype: "Plain", args: [1], queue, custom: { keep: "me" } }); // not mutated
    expect(jid).toMatch(/^[\w-]{16}$/);
    expect(bulk.pushed).toHaveLength(1);
    expect(bulk.pushed[0]).toMatch(/^[\w-]{16}$/);
    expect(bulk.rejected).toEqual([{ jid: expect.stringMatching(/^[\w-]{16}$/), error: expect.any(String) }]);
    expect((await client.batches.status(batch.bid))?.total).toBe(2);
    const fetched = [await consumer.fetch(queue), await consumer.fetch(queue)];
    expect(fetched.map((j) => j?.jid).sort()).toEqual([jid, bulk.pushed[0]].sort());
    expect(fetched.map((j) => j?.args)).toEqual([[1], [2]]);
    expect(fetched[0]?.custom).toEqual({ keep: "me", bid: batch.bid });
    expect(fetched[1]?.custom).toEqual({ bid: batch.bid });
    for (const j of fetched) await consumer.ack(j!.jid);
  });

  it("pushing into a committed handle is a StateError; open() reopens; unknown bids give null", async () => {
    const batch = await client.batches.create({ complete: { jobtype: "Ran", queue: uniqueQueue("cb") } });
    await batch.commit();
    await expect(batch.push("Late", [])).rejects.toBeInstanceOf(StateError);
    const again = await client.batches.open(batch.bid);
    expect(again?.bid).toBe(batch.bid);
    await again?.push("Late", [], { queue: uniqueQueue("late") });
    await again?.commit();
    expect((await client.batches.status(batch.bid))?.total).toBe(1);
    expect(await client.batches.open("b-doesnotexist00")).toBeNull();
    expect(await client.batches.status("b-doesnotexist00")).toBeNull();
    await expect(client.batches.create({})).rejects.toBeInstanceOf(ValidationError);
  });

  it("child batches record their parent", async () => {
    const parent = await client.batches.create({ success: { jobtype: "P", queue: uniqueQueue("cb") } });
    const child = await parent.createChild({ success: { jobtype: "C", queue: uniqueQueue("cb") } });
    await child.commit();
    await parent.commit();
    expect((await child.status())?.parentBid).toBe(parent.bid);
  });

  it("a duplicate unique push rejects with NotUniqueError; pushBulk reports it per job", async () => {
    const queue = uniqueQueue("uniq");
    await client.push("Once", [1], { queue, uniqueFor: 60 });
    const err = await client.push("Once", [1], { queue, uniqueFor: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotUniqueError);
    expect((err as NotUniqueError).serverMessage).toBe("Job not unique");
    const dup = client.job("Once", [1], { queue, uniqueFor: 60 });
    const fresh = client.job("Once", [2], { queue, uniqueFor: 60 });
    const result = await client.pushBulk([dup, fresh]);
    expect(result.pushed).toEqual([fresh.jid]);
    expect(result.notUnique).toEqual([dup.jid]);
    expect(() => client.job("Once", [], { uniqueUntil: "start" })).toThrow(ValidationError);
    expect(() => client.job("Once", [], { uniqueFor: -1 })).toThrow(ValidationError);
  });

  it("an expired job is never delivered", async () => {
    const queue = uniqueQueue("exp");
    await client.push("Stale", [], { queue, expiresAt: new Date(Date.now() - 1000) });
    const live = await client.push("Fresh", [], { queue, expiresIn: 60 });
    expect((await consumer.fetch(queue))?.jid).toBe(live);
  });

  it("a worker reports progress through ctx.progress and sees ctx.batchId", async () => {
    const queue = uniqueQueue("prog");
    const worker = new Worker({ url: server.url, queues: [queue], concurrency: 1 });
    let seenBid: string | undefined;
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    worker.register("Long", async (_job, ctx) => {
      seenBid = ctx.batchId;
      ctx.progress(40, "halfway-ish");
      started();
      await released;
    });
    void worker.run();
    const batch = await client.batches.create({ complete: { jobtype: "Done", queue: uniqueQueue("cb") } });
    const jid = await batch.push("Long", [], { queue, track: true });
    await batch.commit();
    await running;
    // The report travels on its own connection: wait for it to land (bounded).
    let progress = await client.progress.get(jid);
    for (let i = 0; i < 200 && progress.percent !== 40; i++) {
      await new Promise((r) => setImmediate(r));
      progress = await client.progress.get(jid);
    }
    expect(progress).toMatchObject({ jid, state: "working", percent: 40, desc: "halfway-ish" });
    expect(progress.updatedAt).toBeInstanceOf(Date);
    const done = nextEvent(worker, "job:success");
    release();
    await done;
    await worker.shutdown();
    expect(seenBid).toBe(batch.bid);
    expect((await client.progress.get(jid)).state).toBe("success");
    await client.progress.set(jid, { percent: 100, desc: "all done" });
    expect(await client.progress.get(jid)).toMatchObject({ percent: 100, desc: "all done" });
    expect((await client.progress.get("never-pushed-01")).state).toBe("unknown");
    await expect(client.progress.set(jid, { percent: 101 })).rejects.toBeInstanceOf(ValidationError);
  });
});
