/**
 * Every client method against a server: the embedded one, or a real Faktory when FAKTORY_URL is
 * set. Each test uses its own queues and jids, so a shared server is fine; the tests that act on
 * every queue or set (`*`, clear, flush) run only against the embedded server.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type ClientState, ValidationError } from "../../../src/index.js";
import { EXTERNAL_URL, startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";
import { Consumer } from "./consumer.js";

const token = (): string => randomBytes(6).toString("hex");
const HOUR = 3_600_000;

describe("Client against a server", () => {
  let server: TestServer;
  let client: Client;
  let consumer: Consumer;

  beforeAll(async () => {
    server = await startTestServer();
    client = await Client.connect(server.url);
    consumer = await Consumer.open(server.url);
  });

  afterAll(async () => {
    await consumer?.close();
    await client?.close();
    await server?.close();
  });

  const sizeOf = async (queue: string): Promise<number> => (await client.info()).faktory.queues[queue] ?? 0;

  it("spreads concurrent pushes over several connections, each job landing once", async () => {
    const queue = uniqueQueue("pool");
    const before = EXTERNAL_URL === undefined ? server.embedded!.info().server.connections : 0;
    const pool = await Client.connect({ url: server.url, connections: 3 });
    if (EXTERNAL_URL === undefined) expect(server.embedded!.info().server.connections).toBe(before + 3);
    const jids = await Promise.all(
      Array.from({ length: 300 }, (_, i) => pool.push("Pooled", [i], { queue })),
    );
    expect(new Set(jids).size).toBe(300);
    const bulk = await pool.pushBulk(
      Array.from({ length: 50 }, (_, i) => pool.job("Pooled", [i], { queue })),
    );
    expect(bulk.rejected).toEqual([]);
    expect(await sizeOf(queue)).toBe(350);
    await pool.close();
    await expect(pool.push("Pooled", [0], { queue })).rejects.toThrow(/closed/);
    await expect(Client.connect({ url: server.url, connections: 0 })).rejects.toThrow(/connections must be/);
  });

  it("connects from a URL or options, reports its state and closes with await using", async () => {
    const states: ClientState[] = [];
    {
      await using c = await Client.connect({ url: server.url, onStateChange: (s) => states.push(s) });
      expect(c.state).toBe("ready");
      expect((await c.info()).server.faktory_version).toMatch(/^\d+\.\d+/);
    }
    expect(states).toEqual(["connecting", "ready", "closed"]);
  });

  it("push delivers every field, and the job can be fetched", async () => {
    const queue = uniqueQueue("push");
    const jid = await client.push("SendEmail", ["a@example.com", 2, { deep: [true, null] }], {
      queue,
      retry: 3,
      reserveFor: 120,
      backtrace: 5,
      custom: { tenant: "t1" },
    });
    expect(jid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const job = await consumer.fetch(queue);
    expect(job).toMatchObject({
      jid,
      jobtype: "SendEmail",
      args: ["a@example.com", 2, { deep: [true, null] }],
      queue,
      retry: 3,
      reserve_for: 120,
      custom: { tenant: "t1" },
    });
    expect(job?.enqueued_at).toMatch(/Z$/);
    await consumer.ack(jid);
  });

  it("push(job) keeps the caller's jid; many concurrent pushes all land", async () => {
    const queue = uniqueQueue("many");
    const built = client.job("T", [0], { queue, jid: `jid-${token()}` });
    expect(await client.push(built)).toBe(built.jid);
    const jids = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.push("T", [i + 1], { queue })),
    );
    expect(new Set(jids).size).toBe(200);
    expect(await sizeOf(queue)).toBe(201);
    await client.removeQueues([queue]);
  });

  it("a scheduled push waits in the scheduled set until requeued", async () => {
    const queue = uniqueQueue("sched");
    const jid = await client.push("Later", [], { queue, at: { in: HOUR } });
    expect(await sizeOf(queue)).toBe(0);
    await client.requeue("scheduled", { jids: [jid] });
    const job = await consumer.fetch(queue);
    expect(job?.jid).toBe(jid);
    expect(job?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    await consumer.ack(jid);
  });

  it("pushBulk pushes in chunks and reports locally invalid jobs", async () => {
    const queue = uniqueQueue("bulk");
    const bulkClient = await Client.connect({ url: server.url, pushChunkSize: 2 });
    try {
      const good = Array.from({ length: 5 }, (_, i) => bulkClient.job("B", [i], { queue }));
      const bad = { jid: "short", jobtype: "B", args: [], queue };
      const result = await bulkClient.pushBulk([...good.slice(0, 3), bad, ...good.slice(3)]);
      expect(result.pushed).toEqual(good.map((j) => j.jid));
      expect(result.rejected).toEqual([{ jid: "short", error: "jobs must have a reasonable jid parameter" }]);
      expect(await sizeOf(queue)).toBe(5);
    } finally {
      await bulkClient.close();
      await client.removeQueues([queue]);
    }
  });

  it("info returns the typed state document", async () => {
    const queue = uniqueQueue("info");
    await client.push("I", [], { queue });
    const info = await client.info();
    expect(info.faktory.queues[queue]).toBe(1);
    expect(Object.keys(info.faktory.sets).sort()).toEqual(["dead", "retries", "scheduled", "working"]);
    expect(typeof info.faktory.total_enqueued).toBe("number");
    expect(info.now).toMatch(/Z$/);
    expect(info.server_utc_time).toMatch(/^\d\d:\d\d:\d\d UTC$/);
    await client.removeQueues([queue]);
  });

  it("queueLatency measures the oldest job of each queue", async () => {
    const busy = uniqueQueue("lat");
    const empty = uniqueQueue("lat-empty");
    await client.push("L", [], { queue: busy });
    await new Promise((r) => setTimeout(r, 120));
    const latency = await client.queueLatency(busy, empty);
    expect(latency[busy]).toBeGreaterThanOrEqual(0.1);
    expect(latency[busy]).toBeLessThan(60);
    expect(latency[empty]).toBe(0);
    await client.removeQueues([busy]);
  });

  it("pauseQueues stops fetching from a queue, resumeQueues restarts it", async () => {
    const queue = uniqueQueue("pause");
    const jid = await client.push("P", [], { queue });
    await client.pauseQueues([queue]);
    expect(await consumer.fetch(queue)).toBeNull();
    await client.resumeQueues(queue);
    expect((await consumer.fetch(queue))?.jid).toBe(jid);
    await consumer.ack(jid);
  });

  it("removeQueues deletes the queue and its jobs", async () => {
    const a = uniqueQueue("rm");
    const b = uniqueQueue("rm");
    await client.push("R", [], { queue: a });
    await client.push("R", [], { queue: b });
    await client.removeQueues([a, b]);
    const queues = (await client.info()).faktory.queues;
    expect(queues[a]).toBeUndefined();
    expect(queues[b]).toBeUndefined();
  });

  it("kill moves jobs to the dead set, discard deletes them", async () => {
    const queue = uniqueQueue("kill");
    const killed = await client.push("K", [], { queue, at: { in: HOUR } });
    const discarded = await client.push("K", [], { queue, at: { in: HOUR } });
    await client.kill("scheduled", { jids: [killed] });
    await client.discard("scheduled", { jids: [discarded] });
    // The killed job is in the dead set: requeue it from there.
    await client.requeue("scheduled", { jids: [killed, discarded] });
    expect(await sizeOf(queue)).toBe(0);
    await client.requeue("dead", { jids: [killed, discarded] });
    expect((await consumer.fetch(queue))?.jid).toBe(killed);
    await consumer.ack(killed);
    expect(await sizeOf(queue)).toBe(0);
  });

  it("mutate filters by jobtype and by a glob that contains spaces", async () => {
    const queue = uniqueQueue("glob");
    const t = token();
    const byType = await client.push(`Type${t}`, [], { queue, at: { in: HOUR } });
    const byGlob = await client.push("G", [`hello world ${t}`], { queue, at: { in: HOUR } });
    const untouched = await client.push("G", [`hello-world ${t}`], { queue, at: { in: HOUR } });
    await client.requeue("scheduled", { jobtype: `Type${t}` });
    expect((await consumer.fetch(queue))?.jid).toBe(byType);
    await consumer.ack(byType);
    await client.mutate({ cmd: "requeue", target: "scheduled", filter: { regexp: `*hello world ${t}*` } });
    expect((await consumer.fetch(queue))?.jid).toBe(byGlob);
    await consumer.ack(byGlob);
    expect(await sizeOf(queue)).toBe(0);
    await client.discard("scheduled", { jids: [untouched] });
  });

  it("requeue brings a failed job back from the retry set", async () => {
    const queue = uniqueQueue("retry");
    const jid = await client.push("F", [], { queue, retry: 5 });
    expect((await consumer.fetch(queue))?.jid).toBe(jid);
    await consumer.fail(jid);
    await client.requeue("retries", { jids: [jid] });
    const again = await consumer.fetch(queue);
    expect(again?.jid).toBe(jid);
    expect(again?.failure?.message).toBe("failed on purpose");
    await consumer.ack(jid);
  });

  it("refuses invalid input before sending", async () => {
    await expect(client.push("T", [], { queue: "no spaces" })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.push("T", [], { reserveFor: 86_401 })).rejects.toMatchObject({
      field: "reserve_for",
    });
    await expect(client.queueLatency("*")).rejects.toBeInstanceOf(ValidationError);
    await expect(client.mutate({ cmd: "clear", target: "queues" as "dead" })).rejects.toMatchObject({
      field: "target",
    });
  });

  it.skipIf(EXTERNAL_URL !== undefined)(
    "'*' forms, clear and flush (embedded server only: they touch every queue and set)",
    async () => {
      const q1 = uniqueQueue("all");
      const q2 = uniqueQueue("all");
      await client.push("A", [], { queue: q1 });
      await client.push("A", [], { queue: q2 });
      await client.pauseQueues("*");
      expect(await consumer.fetch(q1, q2)).toBeNull();
      await client.resumeQueues("*");
      const job = await consumer.fetch(q1);
      expect(job).not.toBeNull();
      await consumer.ack(job!.jid);
      await client.removeQueues("*");
      expect(Object.keys((await client.info()).faktory.queues)).toEqual([]);

      await client.push("S", [], { at: { in: HOUR } });
      await client.push("S", [], { at: { in: HOUR } });
      expect((await client.info()).faktory.sets.scheduled).toBe(2);
      await client.kill("scheduled");
      expect((await client.info()).faktory.sets).toMatchObject({ scheduled: 0, dead: 2 });
      await client.clear("dead");
      expect((await client.info()).faktory.sets.dead).toBe(0);

      await client.push("Z", [], { queue: q1 });
      await client.push("Z", [], { at: { in: HOUR } });
      await client.flush();
      const info = await client.info();
      expect(info.faktory.total_enqueued).toBe(0);
      expect(info.faktory.sets.scheduled).toBe(0);
    },
  );
});
