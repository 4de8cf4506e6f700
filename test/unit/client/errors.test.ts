/** Server errors, malformed replies, timeouts, closed clients, pipelining: nothing hangs. */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import {
  Client,
  ConnectionError,
  ProtocolError,
  ServerError,
  StateError,
  TimeoutError,
  ValidationError,
} from "../../../src/index.js";
import { until } from "../../support/until.js";
import { commands, pushedJids, useFakeFaktory } from "./fake-faktory.js";

describe("client errors", () => {
  const { serve, connect } = useFakeFaktory();

  it("an error reply becomes a ServerError with its code and message, and is not retried", async () => {
    const server = await serve((line) => {
      if (line.includes('"jobtype":"Dup"')) return "-NOTUNIQUE Job not unique\r\n";
      if (line.startsWith("PUSH ")) return "-ERR jobs must have a reasonable jid parameter\r\n";
      return "-ERR unknown command X\r\n";
    });
    const client = await connect(server.url);
    const err = await client.push("T", []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({
      serverCode: "ERR",
      serverMessage: "jobs must have a reasonable jid parameter",
    });
    await expect(client.push("Dup", [])).rejects.toMatchObject({
      serverCode: "NOTUNIQUE",
      serverMessage: "Job not unique",
    });
    await expect(client.flush()).rejects.toBeInstanceOf(ServerError);
    expect(pushedJids(server)).toHaveLength(2);
    expect(client.state).toBe("ready");
    expect(server.connections).toHaveLength(1);
  });

  it("malformed replies become ProtocolErrors", async () => {
    const server = await serve((line) => {
      if (line.startsWith("PUSH ")) return "+WHAT\r\n";
      if (line === "INFO") return "$3\r\nabc\r\n";
      if (line.startsWith("QUEUE LATENCY")) return '$9\r\n{"a":"x"}\r\n';
      if (line === "FLUSH") return "$-1\r\n";
      if (line.startsWith("PUSHB ")) return "$2\r\n[]\r\n";
      return "?garbage\r\n";
    });
    const client = await connect(server.url);
    await expect(client.push("T", [])).rejects.toBeInstanceOf(ProtocolError);
    await expect(client.info()).rejects.toBeInstanceOf(ProtocolError);
    await expect(client.queueLatency("a")).rejects.toBeInstanceOf(ProtocolError);
    await expect(client.flush()).rejects.toBeInstanceOf(ProtocolError);
    const bulk = await client.pushBulk([client.job("T", [])]);
    expect(bulk.pushed).toEqual([]);
    expect(bulk.rejected[0]!.error).toMatch(/unexpected PUSHB reply/);
    // Bytes that are not RESP at all: the connection is dropped with a ProtocolError, not retried.
    await expect(client.clear("dead")).rejects.toBeInstanceOf(ProtocolError);
    expect(commands(server).filter((c) => c.line.startsWith("MUTATE"))).toHaveLength(1);
  });

  it("a silent server times out instead of hanging", async () => {
    const server = await serve((line) => (line === "INFO" ? undefined : "+OK\r\n"));
    const client = await connect({ url: server.url, commandTimeoutMs: 150, resendUnacknowledged: false });
    const started = performance.now();
    await expect(client.info()).rejects.toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(2000);
    // The next command opens a new connection.
    await client.push("T", []);
    expect(server.connections).toHaveLength(2);
  });

  it("a timed-out command is re-sent at most maxResends times", async () => {
    const server = await serve((line) => (line === "INFO" ? undefined : "+OK\r\n"));
    const client = await connect({ url: server.url, commandTimeoutMs: 100, maxResends: 1 });
    await expect(client.info()).rejects.toBeInstanceOf(TimeoutError);
    expect(commands(server).filter((c) => c.line === "INFO")).toHaveLength(2);
  });

  it("the first connect is one attempt and fails fast", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    let retried = false;
    const err = await Client.connect({
      url: `tcp://127.0.0.1:${port}`,
      retry: () => {
        retried = true;
        return 1;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(retried).toBe(false);
  });

  it("after close(), every method rejects with StateError; close is idempotent", async () => {
    const server = await serve(() => "+OK\r\n");
    const client = await Client.connect(server.url);
    await client.close();
    await client.close();
    expect(client.state).toBe("closed");
    const calls: (() => Promise<unknown>)[] = [
      () => client.push("T", []),
      () => client.pushBulk([]),
      () => client.info(),
      () => client.queueLatency("a"),
      () => client.pauseQueues("*"),
      () => client.resumeQueues("*"),
      () => client.removeQueues("*"),
      () => client.mutate({ cmd: "clear", target: "dead" }),
      () => client.requeue("retries"),
      () => client.discard("dead"),
      () => client.kill("retries"),
      () => client.clear("dead"),
      () => client.flush(),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(StateError);
    expect(server.received.at(-1)?.line).toBe("END");
  });

  it("commands written before close() still get their replies", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const server = await serve(async (line) => {
      if (line.startsWith("PUSH ")) await released;
      return "+OK\r\n";
    });
    const client = await Client.connect(server.url);
    const pushes = [1, 2, 3].map((i) => client.push("T", [i]));
    await until(() => commands(server).length === 3, "the 3 PUSH lines");
    const closing = client.close(); // with 3 replies outstanding
    release();
    await closing;
    expect(await Promise.all(pushes)).toHaveLength(3);
    expect(server.received.at(-1)?.line).toBe("END");
  });

  it("await using closes the client", async () => {
    const server = await serve(() => "+OK\r\n");
    let escaped: Client | undefined;
    {
      await using client = await Client.connect(server.url);
      escaped = client;
      await client.push("T", []);
    }
    expect(escaped.state).toBe("closed");
  });

  it("many concurrent pushes share one pipelined connection", async () => {
    const server = await serve(() => "+OK\r\n");
    const client = await connect(server.url);
    const jids = await Promise.all(Array.from({ length: 500 }, (_, i) => client.push("T", [i])));
    expect(new Set(jids).size).toBe(500);
    expect(pushedJids(server)).toEqual(jids);
    expect(server.connections).toHaveLength(1);
  });

  it("invalid jobs are refused before anything is sent", async () => {
    const server = await serve(() => "+OK\r\n");
    const client = await connect(server.url);
    await expect(client.push("", [])).rejects.toMatchObject({ field: "jobtype" });
    await expect(client.push({ jid: "abc", jobtype: "T", args: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.push("T", [1n])).rejects.toBeInstanceOf(ValidationError);
    expect(commands(server)).toEqual([]);
  });
});
