/**
 * The client with plain job objects (issue #10 §4) and with keys that are special in JavaScript
 * objects (§1), against the embedded server (or FAKTORY_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Connection } from "../../../src/connection/index.js";
import {
  applyBulkReply,
  type BulkPushResult,
  Client,
  defineJobs,
  ValidationError,
} from "../../../src/index.js";
import { parseJsonReply } from "../../../src/protocol/commands.js";
import { HOSTILE_KEYS } from "../../support/hostile-keys.js";
import { EXTERNAL_URL, startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";
import { Consumer } from "./consumer.js";

describe("plain jobs and hostile keys through the client", () => {
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

  it("pushBulk accepts plain jobs, fills in their jids and leaves the caller's objects alone", async () => {
    const queue = uniqueQueue("plain");
    const plain = [
      { jobtype: "A", args: [1], queue },
      { jobtype: "B", args: [2], queue, retry: 3 },
    ];
    const { pushed, rejected } = await client.pushBulk([...plain, client.job("C", [3], { queue })]);
    expect(rejected).toEqual([]);
    expect(pushed).toHaveLength(3);
    expect(new Set(pushed).size).toBe(3);
    for (const jid of pushed) expect(jid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(plain[0]).toEqual({ jobtype: "A", args: [1], queue }); // not mutated
    const fetched = [];
    for (let i = 0; i < 3; i++) fetched.push(await consumer.fetch(queue));
    expect(fetched.map((j) => [j?.jid, j?.jobtype, j?.args])).toEqual([
      [pushed[0], "A", [1]],
      [pushed[1], "B", [2]],
      [pushed[2], "C", [3]],
    ]);
    expect(fetched[1]?.retry).toBe(3);
    for (const j of fetched) await consumer.ack(j!.jid);
  });

  it("push accepts a plain job too; a bad plain job is refused locally with the same texts", async () => {
    const queue = uniqueQueue("plain");
    const jid = await client.push({ jobtype: "A", args: [], queue });
    expect((await consumer.fetch(queue))?.jid).toBe(jid);
    await consumer.ack(jid);
    await expect(client.push({ jobtype: "", args: [] })).rejects.toThrow(ValidationError);
    const { pushed, rejected } = await client.pushBulk([
      { jobtype: "A", args: [], jid: "short" },
      { jobtype: "A", args: [], queue: "bad queue" },
    ]);
    expect(pushed).toEqual([]);
    expect(rejected[0]).toEqual({ jid: "short", error: expect.stringMatching(/reasonable jid/) });
    expect(rejected[1]?.error).toMatch(/^cannot get "bad queue" queue: queue names must match/);
  });

  it("the server's refusal of a jid named __proto__ reaches the bulk result", async () => {
    // Sent raw so the server, not the client's own check, refuses it.
    const conn = await Connection.open({ url: server.url });
    try {
      const reply = await conn.send('PUSHB [{"jid":"__proto__"}]\r\n');
      expect(reply).toEqual({ kind: "bulk", value: '{"__proto__":"jobs must have a jobtype parameter"}' });
      const result: BulkPushResult = { pushed: [], rejected: [], notUnique: [] };
      applyBulkReply(["__proto__"], parseJsonReply(reply, "PUSHB"), result);
      expect(result).toEqual({
        pushed: [],
        rejected: [{ jid: "__proto__", error: "jobs must have a jobtype parameter" }],
        notUnique: [],
      });
    } finally {
      await conn.end();
    }
  });

  it("hostile jids, job types, queues and custom keys round-trip; latency and INFO list the queues", async () => {
    const jobs = HOSTILE_KEYS.map((key) => ({
      jid: `${key}-${uniqueQueue("j")}`,
      jobtype: key,
      args: [key],
      queue: key,
      custom: JSON.parse(`{"${key}":"${key}"}`) as Record<string, unknown>,
    }));
    const { pushed, rejected } = await client.pushBulk(jobs);
    expect(rejected).toEqual([]);
    expect(pushed).toEqual(jobs.map((j) => j.jid));
    const latency = await client.queueLatency(...HOSTILE_KEYS);
    expect(Object.keys(latency).sort()).toEqual([...HOSTILE_KEYS].sort());
    const info = await client.info();
    for (const key of HOSTILE_KEYS) expect(Object.hasOwn(info.faktory.queues, key)).toBe(true);
    for (const [i, key] of HOSTILE_KEYS.entries()) {
      const job = await consumer.fetch(key);
      expect(job?.jid).toBe(jobs[i]!.jid);
      expect(job?.jobtype).toBe(key);
      expect(Object.keys(job?.custom ?? {})).toEqual([key]);
      await consumer.ack(job!.jid);
    }
  });

  it("a schema registry never mistakes an inherited property for a job type's schema", async () => {
    const typed = await Client.connect({ url: server.url, jobs: defineJobs({ A: z.tuple([z.number()]) }) });
    try {
      const queue = uniqueQueue("schema");
      for (const jobtype of HOSTILE_KEYS) {
        await expect(typed.push(jobtype as "A", ["not checked"] as never, { queue })).resolves.toBeTypeOf(
          "string",
        );
      }
      const { rejected } = await typed.pushBulk([
        { jobtype: "constructor" as "A", args: ["x"] as never, queue },
        { jobtype: "A", args: ["not a number"] as never, queue },
      ]);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.error).toMatch(/invalid args for job type A/);
      if (EXTERNAL_URL === undefined) expect((await typed.info()).faktory.queues[queue]).toBe(6);
    } finally {
      await typed.close();
    }
  });
});
