/** The exact lines each client method writes, and how replies are read. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client, mutationLine, normalizeMutation, queueLine, ValidationError } from "../../../src/index.js";
import { commands, type FakeServer, startFakeFaktory } from "./fake-faktory.js";

const INFO_DOC = {
  now: "2026-11-28T09:42:16.42607546Z",
  server_utc_time: "09:42:16 UTC",
  faktory: {
    queues: { a: 0, b: 2 },
    sets: { dead: 0, retries: 0, scheduled: 0, working: 1 },
    tasks: {},
    total_failures: 0,
    total_processed: 0,
    total_enqueued: 2,
    total_queues: 2,
  },
  server: {
    description: "Faktory",
    faktory_version: "1.10.0",
    uptime: 1,
    connections: 2,
    command_count: 9,
    used_memory_mb: 12,
  },
};

const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

describe("client commands on the wire", () => {
  let server: FakeServer;
  let client: Client;
  let refuseWildcardRemove = false;

  beforeEach(async () => {
    refuseWildcardRemove = false;
    server = await startFakeFaktory((line) => {
      if (line === "INFO") return bulk(JSON.stringify(INFO_DOC));
      if (line.startsWith("QUEUE LATENCY ")) return bulk('{"a":1.5,"b":0}');
      if (line === "QUEUE REMOVE *" && refuseWildcardRemove) return "-ERR no wildcard here\r\n";
      return "+OK\r\n";
    });
    client = await Client.connect(server.url);
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  const sent = (): string[] => commands(server).map((c) => c.line);

  it("push writes compact JSON and resolves to the jid", async () => {
    const jid = await client.push("T", [1, "x"], {
      jid: "jid-00001",
      queue: "q1",
      retry: 2,
      reserveFor: 120,
    });
    expect(jid).toBe("jid-00001");
    expect(sent()).toEqual([
      'PUSH {"jid":"jid-00001","jobtype":"T","args":[1,"x"],"queue":"q1","reserve_for":120,"retry":2}',
    ]);
  });

  it("push(job) sends the job as given", async () => {
    const job = client.job("T", [], { jid: "abcdefgh-1", custom: { a: "b c" } });
    expect(await client.push(job)).toBe("abcdefgh-1");
    expect(sent()).toEqual(['PUSH {"jid":"abcdefgh-1","jobtype":"T","args":[],"custom":{"a":"b c"}}']);
  });

  it("info returns the parsed document", async () => {
    expect(await client.info()).toEqual(INFO_DOC);
    expect(sent()).toEqual(["INFO"]);
  });

  it("queueLatency sends the names and returns seconds per queue", async () => {
    expect(await client.queueLatency("a", "b")).toEqual({ a: 1.5, b: 0 });
    expect(sent()).toEqual(["QUEUE LATENCY a b"]);
    await expect(client.queueLatency()).rejects.toBeInstanceOf(ValidationError);
    await expect(client.queueLatency("*")).rejects.toBeInstanceOf(ValidationError);
    await expect(client.queueLatency("a b")).rejects.toBeInstanceOf(ValidationError);
  });

  it("pause, resume and remove take a name, a list or *", async () => {
    await client.pauseQueues(["a", "b"]);
    await client.pauseQueues("*");
    await client.resumeQueues("a");
    await client.resumeQueues(["*"]);
    await client.removeQueues(["b"]);
    await client.removeQueues("*");
    expect(sent()).toEqual([
      "QUEUE PAUSE a b",
      "QUEUE PAUSE *",
      "QUEUE RESUME a",
      "QUEUE RESUME *",
      "QUEUE REMOVE b",
      "QUEUE REMOVE *",
    ]);
    await expect(client.pauseQueues([])).rejects.toMatchObject({ field: "queues" });
    await expect(client.pauseQueues(["ok", "not ok"])).rejects.toMatchObject({ field: "queues" });
    expect(sent()).toHaveLength(6);
  });

  it("every queue command refuses an invalid queue name before sending anything", async () => {
    const bad: unknown[] = ["", "a b", "a\r\nFLUSH", "é", "q/1", "q:1", " a", 7, null];
    // deliberately ill-typed arguments, as from untyped callers
    type Any = Parameters<Client["pauseQueues"]>[0];
    const calls: [string, (q: unknown) => Promise<unknown>][] = [
      ["pauseQueues", (q) => client.pauseQueues(q as Any)],
      ["resumeQueues", (q) => client.resumeQueues(q as Any)],
      ["removeQueues", (q) => client.removeQueues(q as Any)],
      [
        "queueLatency",
        (q) => (Array.isArray(q) ? client.queueLatency(...q) : client.queueLatency(q as string)),
      ],
    ];
    for (const [name, call] of calls)
      for (const queue of bad)
        for (const arg of [queue, ["ok", queue]]) {
          const err = await call(arg).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err, `${name}(${JSON.stringify(arg)})`).toBeInstanceOf(ValidationError);
          expect((err as ValidationError).field).toBe("queues");
          if (typeof queue === "string" && queue !== "")
            expect((err as Error).message).toContain(JSON.stringify(queue));
        }
    expect(sent()).toEqual([]);
    // every character the server allows, in one name
    await client.pauseQueues("AZaz09._-");
    expect(await client.queueLatency("AZaz09._-")).toEqual({ a: 1.5, b: 0 });
    expect(sent()).toEqual(["QUEUE PAUSE AZaz09._-", "QUEUE LATENCY AZaz09._-"]);
  });

  it("removeQueues('*') falls back to INFO's queue list when the server refuses the wildcard", async () => {
    refuseWildcardRemove = true;
    await client.removeQueues("*");
    expect(sent()).toEqual(["QUEUE REMOVE *", "INFO", "QUEUE REMOVE a b"]);
  });

  it("mutate helpers write the exact MUTATE lines", async () => {
    await client.kill("scheduled", { jobtype: "A" });
    await client.discard("dead", { jids: ["jid-mut-1"] });
    await client.clear("scheduled");
    await client.requeue("dead", { regexp: "*jid-mut-3*" });
    await client.requeue("retries");
    await client.mutate({ cmd: "discard", target: "retries", filter: { jobtype: "B", regexp: "*x*" } });
    await client.flush();
    expect(sent()).toEqual([
      'MUTATE {"cmd":"kill","target":"scheduled","filter":{"jobtype":"A"}}',
      'MUTATE {"cmd":"discard","target":"dead","filter":{"jids":["jid-mut-1"]}}',
      'MUTATE {"cmd":"clear","target":"scheduled"}',
      'MUTATE {"cmd":"requeue","target":"dead","filter":{"regexp":"*jid-mut-3*"}}',
      'MUTATE {"cmd":"requeue","target":"retries"}',
      'MUTATE {"cmd":"discard","target":"retries","filter":{"jobtype":"B","regexp":"*x*"}}',
      "FLUSH",
    ]);
  });
});

describe("mutation lines", () => {
  it("never contain a space: spaces inside strings are JSON-escaped", () => {
    const line = mutationLine({
      cmd: "kill",
      target: "retries",
      filter: { regexp: "*hello world*", jobtype: "A B" },
    });
    expect(line).toBe(
      'MUTATE {"cmd":"kill","target":"retries","filter":{"jobtype":"A\\u0020B","regexp":"*hello\\u0020world*"}}\r\n',
    );
    expect(line.trimEnd().split(" ")).toHaveLength(2);
    // The server's JSON decoder restores the spaces.
    expect(JSON.parse(line.slice(7))).toEqual({
      cmd: "kill",
      target: "retries",
      filter: { jobtype: "A B", regexp: "*hello world*" },
    });
  });

  it("drops empty filter fields and the filter of clear", () => {
    expect(
      normalizeMutation({ cmd: "discard", target: "dead", filter: { jids: [], jobtype: "", regexp: "" } }),
    ).toEqual({
      cmd: "discard",
      target: "dead",
    });
    expect(normalizeMutation({ cmd: "clear", target: "dead", filter: { jobtype: "A" } })).toEqual({
      cmd: "clear",
      target: "dead",
    });
  });

  it("refuses unknown commands, targets and malformed filters", () => {
    const bad = (op: unknown): string | undefined => {
      try {
        mutationLine(op as Parameters<typeof mutationLine>[0]);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).field;
      }
      return undefined;
    };
    expect(bad({ cmd: "explode", target: "dead" })).toBe("cmd");
    expect(bad({ cmd: "clear", target: "queues" })).toBe("target");
    expect(bad({ cmd: "kill", target: "dead", filter: { jids: "abc" } })).toBe("filter.jids");
    expect(bad({ cmd: "kill", target: "dead", filter: { jids: [1] } })).toBe("filter.jids");
    expect(bad({ cmd: "kill", target: "dead", filter: { jobtype: 1 } })).toBe("filter.jobtype");
    expect(bad({ cmd: "kill", target: "dead", filter: { regexp: /x/ } })).toBe("filter.regexp");
    expect(bad({ cmd: "kill", target: "dead", filter: null })).toBe("filter");
  });
});

describe("queue lines", () => {
  it("are built from names or *", () => {
    expect(queueLine("PAUSE", ["a", "b.c"])).toBe("QUEUE PAUSE a b.c\r\n");
    expect(queueLine("REMOVE", "*")).toBe("QUEUE REMOVE *\r\n");
    expect(() => queueLine("LATENCY", "*")).toThrow(ValidationError);
    expect(() => queueLine("PAUSE", ["*", "a"])).toThrow(ValidationError);
  });
});
