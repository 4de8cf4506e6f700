import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  applyBulkReply,
  type BulkPushResult,
  Client,
  chunk,
  ConfigurationError,
  defineJobs,
  type Job,
  ValidationError,
} from "../../../src/index.js";
import { commands, type FakeServer, startFakeFaktory } from "./fake-faktory.js";

const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

describe("chunk", () => {
  it("splits into pieces of at most n, in order", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(ValidationError);
    expect(() => chunk([1], 1.5)).toThrow(ValidationError);
  });
});

describe("applyBulkReply", () => {
  it("maps {jid: error} onto the chunk's jids", () => {
    const result: BulkPushResult = { pushed: [], rejected: [], notUnique: [] };
    applyBulkReply(["a", "b", "c"], { b: "jobs must have a jobtype parameter" }, result);
    expect(result).toEqual({
      pushed: ["a", "c"],
      rejected: [{ jid: "b", error: "jobs must have a jobtype parameter" }],
      notUnique: [],
    });
    applyBulkReply(["e"], { e: "NOTUNIQUE Job not unique" }, result);
    expect(result.notUnique).toEqual(["e"]);
    applyBulkReply(["d"], {}, result);
    expect(result.pushed).toEqual(["a", "c", "d"]);
  });

  it("refuses replies that are not a string map", () => {
    const result: BulkPushResult = { pushed: [], rejected: [], notUnique: [] };
    expect(() => applyBulkReply(["a"], [], result)).toThrow(TypeError);
    expect(() => applyBulkReply(["a"], null, result)).toThrow(TypeError);
    expect(() => applyBulkReply(["a"], { a: 1 }, result)).toThrow(TypeError);
  });
});

describe("Client.pushBulk", () => {
  let server: FakeServer | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  /** A server that refuses, in each PUSHB, the jobs whose first arg is "bad". */
  async function start(options: { pushChunkSize?: number } = {}, failChunk?: number): Promise<Client> {
    let chunkNo = 0;
    server = await startFakeFaktory((line) => {
      if (!line.startsWith("PUSHB ")) return "+OK\r\n";
      const n = chunkNo++;
      if (n === failChunk) return "-ERR invalid JSON: boom\r\n";
      const jobs = JSON.parse(line.slice(6)) as Job[];
      const errors: Record<string, string> = {};
      for (const j of jobs) if (j.args[0] === "bad") errors[j.jid] = "nope";
      return bulk(JSON.stringify(errors));
    });
    client = await Client.connect({ url: server.url, ...options });
    return client;
  }

  const jobs = (n: number, bad: number[] = []): Job[] =>
    Array.from({ length: n }, (_, i) => ({
      jid: `jid-bulk-${i}`,
      jobtype: "T",
      args: [bad.includes(i) ? "bad" : i],
    }));

  it("sends PUSHB in chunks of pushChunkSize and maps the replies", async () => {
    const c = await start({ pushChunkSize: 2 });
    const result = await c.pushBulk(jobs(5, [1, 4]));
    const lines = commands(server!).map((r) => r.line);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      'PUSHB [{"jid":"jid-bulk-0","jobtype":"T","args":[0]},{"jid":"jid-bulk-1","jobtype":"T","args":["bad"]}]',
    );
    expect(lines.map((l) => (JSON.parse(l.slice(6)) as Job[]).length)).toEqual([2, 2, 1]);
    expect(result).toEqual({
      pushed: ["jid-bulk-0", "jid-bulk-2", "jid-bulk-3"],
      rejected: [
        { jid: "jid-bulk-1", error: "nope" },
        { jid: "jid-bulk-4", error: "nope" },
      ],
      notUnique: [],
    });
  });

  it("defaults to chunks of 1000", async () => {
    const c = await start();
    const result = await c.pushBulk(jobs(2500));
    expect(result.pushed).toHaveLength(2500);
    expect(commands(server!).map((r) => (JSON.parse(r.line.slice(6)) as Job[]).length)).toEqual([
      1000, 1000, 500,
    ]);
  });

  it("reports locally invalid jobs without sending them", async () => {
    const c = await start();
    const input = [
      { jid: "jid-ok-0001", jobtype: "T", args: [] },
      { jid: "short", jobtype: "T", args: [] },
      { jid: "jid-noargs-1", jobtype: "T" } as unknown as Job,
      { jid: "jid-queue-01", jobtype: "T", args: [], queue: "a b" },
    ];
    const result = await c.pushBulk(input);
    expect(result.pushed).toEqual(["jid-ok-0001"]);
    expect(result.rejected.map((r) => r.jid)).toEqual(["short", "jid-noargs-1", "jid-queue-01"]);
    expect(result.rejected[0]!.error).toContain("reasonable jid");
    expect(commands(server!).map((r) => r.line)).toEqual([
      'PUSHB [{"jid":"jid-ok-0001","jobtype":"T","args":[]}]',
    ]);
  });

  it("keeps the other chunks' results when one chunk fails as a whole", async () => {
    const c = await start({ pushChunkSize: 2 }, 1);
    const result = await c.pushBulk(jobs(5));
    expect(result.pushed).toEqual(["jid-bulk-0", "jid-bulk-1", "jid-bulk-4"]);
    expect(result.rejected).toEqual([
      { jid: "jid-bulk-2", error: "ERR invalid JSON: boom" },
      { jid: "jid-bulk-3", error: "ERR invalid JSON: boom" },
    ]);
  });

  it("sends nothing for an empty list", async () => {
    const c = await start();
    expect(await c.pushBulk([])).toEqual({ pushed: [], rejected: [], notUnique: [] });
    expect(commands(server!)).toEqual([]);
  });

  it("validates args against the schemas and sends the parsed value", async () => {
    server = await startFakeFaktory((line) => (line.startsWith("PUSHB ") ? bulk("{}") : "+OK\r\n"));
    const schemas = defineJobs({ Count: z.tuple([z.coerce.number().int()]) });
    const typed = await Client.connect({ url: server.url, jobs: schemas });
    try {
      const result = await typed.pushBulk([
        { jid: "jid-count-1", jobtype: "Count", args: ["7" as unknown as number] },
        { jid: "jid-count-2", jobtype: "Count", args: [1.5] },
      ]);
      expect(result.pushed).toEqual(["jid-count-1"]);
      expect(result.rejected[0]).toMatchObject({ jid: "jid-count-2" });
      expect(result.rejected[0]!.error).toContain("invalid args for job type Count");
      expect(commands(server).map((r) => r.line)).toEqual([
        'PUSHB [{"jid":"jid-count-1","jobtype":"Count","args":[7]}]',
      ]);
      // push() validates too
      await expect(typed.push("Count", [2.5])).rejects.toMatchObject({ field: "args" });
      expect(await typed.push("Count", ["3" as unknown as number], { jid: "jid-count-3" })).toBe(
        "jid-count-3",
      );
      expect(commands(server).at(-1)!.line).toBe('PUSH {"jid":"jid-count-3","jobtype":"Count","args":[3]}');
    } finally {
      await typed.close();
    }
  });

  it("refuses a bad pushChunkSize at connect", async () => {
    await expect(Client.connect({ url: "tcp://127.0.0.1:1", pushChunkSize: 0 })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });
});
