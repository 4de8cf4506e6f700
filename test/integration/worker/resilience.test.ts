/**
 * What faktory-worker users keep hitting must not happen here: lost ACKs, server restarts,
 * resets during BEAT, a server that forgot the worker. Uses the embedded server (behind a
 * fault-injecting proxy) and small fake servers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Client } from "../../../src/client/index.js";
import { exponentialBackoff } from "../../../src/connection/retry.js";
import { startFaultProxy } from "../../../src/testing/index.js";
import { AuthenticationError } from "../../../src/protocol/errors.js";
import { Worker, type WorkerLogger } from "../../../src/worker/index.js";
import { type FakeConnection, startFakeServer } from "../../support/scripted-server.js";
import { EXTERNAL_URL, startTestServer, uniqueQueue } from "../../support/server.js";
import { nextEvent, until } from "./helpers.js";

const fastReconnect = exponentialBackoff({ baseMs: 10, maxMs: 100, maxAttempts: Number.POSITIVE_INFINITY });
const embeddedOnly = EXTERNAL_URL === undefined ? it : it.skip;

function memoryLogger(): WorkerLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

describe("Worker resilience", () => {
  const unhandled = vi.fn();
  beforeEach(() => {
    unhandled.mockReset();
    process.on("unhandledRejection", unhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", unhandled);
    expect(unhandled).not.toHaveBeenCalled();
  });

  embeddedOnly("re-delivers an ACK lost with its connection, without running the job again", async () => {
    const server = await startTestServer();
    let cut = 0;
    const proxy = await startFaultProxy({
      target: { port: server.embedded!.port },
      onClientLine: (line) => (line.startsWith("ACK") && cut++ === 0 ? "cut-before" : "forward"),
    });
    const client = await Client.connect(server.url);
    try {
      const queue = uniqueQueue("lostack");
      const logger = memoryLogger();
      const worker = new Worker({
        url: `tcp://127.0.0.1:${proxy.port}`,
        queues: [queue],
        concurrency: 1,
        reconnect: fastReconnect,
        logger,
      });
      let runs = 0;
      worker.register("Once", () => {
        runs++;
      });
      void worker.run();
      await client.push("Once", [], { queue });
      await nextEvent(worker, "job:success");
      await until(worker, ["error", "job:success"], () => cut > 0);
      // Wait until the re-sent ACK emptied the working set.
      for (let i = 0; i < 100 && (await client.info()).faktory.sets.working > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      const details = await worker.shutdown();
      expect(runs).toBe(1);
      expect(cut).toBe(2); // the first ACK was cut; the re-sent one went through
      expect(details).toEqual({ reason: "shutdown", graceful: true, running: 0, undelivered: 0 });
      const info = (await client.info()).faktory;
      expect(info.sets.working).toBe(0);
      expect(info.sets.retries).toBe(0);
      expect(info.total_processed).toBe(1);
      expect(logger.lines.some((l) => l.includes("will be re-sent after reconnecting"))).toBe(true);
    } finally {
      await client.close();
      await proxy.close();
      await server.close();
    }
  });

  embeddedOnly("keeps working across a server restart on the same port", async () => {
    const first = await startTestServer();
    const port = first.embedded!.port;
    const queue = uniqueQueue("restart");
    const worker = new Worker({
      url: first.url,
      queues: [queue],
      concurrency: 2,
      reconnect: fastReconnect,
      unsafeBeatIntervalMs: 50,
    });
    const done: string[] = [];
    worker.register("R", (job) => {
      done.push(String(job.args[0]));
    });
    const errors: string[] = [];
    worker.on("error", ({ where }) => errors.push(where));
    void worker.run();
    let client = await Client.connect(first.url);
    await client.push("R", ["before"], { queue });
    await nextEvent(worker, "job:success");
    await client.close();
    await first.close();
    await nextEvent(worker, "error"); // noticed the drop
    const second = await startTestServer({ port });
    try {
      client = await Client.connect(second.url);
      await client.push("R", ["after"], { queue });
      await nextEvent(worker, "job:success");
      await nextEvent(worker, "beat", (b) => b.state === "running");
      const details = await worker.shutdown();
      expect(details).toMatchObject({ reason: "shutdown", graceful: true });
      expect(done).toEqual(["before", "after"]);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await client.close();
      await second.close();
    }
  });

  it("survives a reset during BEAT and says HELLO again after `unknown worker`", async () => {
    let beats = 0;
    const hellos: number[] = [];
    const fake = await startFakeServer(async (line, conn) => {
      if (line.startsWith("HELLO")) {
        hellos.push(conn.index);
        return "+OK\r\n";
      }
      if (line.startsWith("BEAT")) {
        beats++;
        if (beats === 1) return "reset";
        if (beats === 2) return `-ERR unknown worker ${JSON.parse(line.slice(5)).wid}\r\n`;
        return "+OK\r\n";
      }
      if (line.startsWith("FETCH")) {
        await new Promise((r) => setTimeout(r, 50));
        return "$-1\r\n";
      }
      return undefined;
    });
    const worker = new Worker({ url: fake.url, concurrency: 1, unsafeBeatIntervalMs: 30 });
    try {
      const errors: string[] = [];
      worker.on("error", ({ error }) => errors.push(error.message));
      void worker.run();
      await nextEvent(worker, "beat", (b) => b.state === "running");
      await worker.shutdown();
      expect(beats).toBeGreaterThanOrEqual(3);
      // slot + first beat connection, then a new beat connection after the reset, then one
      // more after `unknown worker`: each said HELLO with the same wid.
      expect(hellos.length).toBeGreaterThanOrEqual(4);
      const wids = new Set(
        fake.received.filter((r) => r.line.startsWith("HELLO")).map((r) => JSON.parse(r.line.slice(6)).wid),
      );
      expect([...wids]).toEqual([worker.info.wid]);
      expect(errors.some((m) => /unknown worker/.test(m))).toBe(true);
    } finally {
      await worker.shutdown();
      await fake.close();
    }
  });

  it("writes a job's ACK and the next FETCH in one TCP chunk", async () => {
    const chunks: string[] = [];
    let fetches = 0;
    const fake = await startFakeServer(
      async (line) => {
        if (line.startsWith("HELLO")) return "+OK\r\n";
        if (line.startsWith("BEAT") || line.startsWith("ACK")) return "+OK\r\n";
        if (line.startsWith("FETCH")) {
          fetches++;
          if (fetches <= 2) {
            const job = JSON.stringify({
              jid: `job-000${fetches}`,
              jobtype: "T",
              args: [],
              queue: "default",
            });
            return `$${Buffer.byteLength(job)}\r\n${job}\r\n`;
          }
          await new Promise((r) => setTimeout(r, 50));
          return "$-1\r\n";
        }
        return undefined;
      },
      {
        onConnection: (conn: FakeConnection) =>
          conn.socket.on("data", (c: Buffer) => chunks.push(c.toString())),
      },
    );
    const worker = new Worker({ url: fake.url, concurrency: 1 });
    worker.register("T", () => {});
    try {
      let n = 0;
      const two = new Promise<void>((resolve) => worker.on("job:success", () => ++n === 2 && resolve()));
      void worker.run();
      await two;
      await worker.shutdown();
      expect(chunks).toContain('ACK {"jid":"job-0001"}\r\nFETCH default\r\n');
    } finally {
      await fake.close();
    }
  });

  it("an ACK refused for a passing reason is re-sent, and the job fetched with it still runs", async () => {
    let acks = 0;
    let fetches = 0;
    const fake = await startFakeServer(async (line) => {
      if (line.startsWith("HELLO") || line.startsWith("BEAT")) return "+OK\r\n";
      if (line.startsWith("ACK"))
        // The first ACK meets a server-side failure; the connection stays open.
        return ++acks === 1 ? "-ERR LOADING Redis is loading the dataset in memory\r\n" : "+OK\r\n";
      if (line.startsWith("FETCH")) {
        fetches++;
        if (fetches <= 2) {
          const job = JSON.stringify({ jid: `jid-loading-${fetches}`, jobtype: "T", args: [] });
          return `$${Buffer.byteLength(job)}\r\n${job}\r\n`;
        }
        await new Promise((r) => setTimeout(r, 20));
        return "$-1\r\n";
      }
      return undefined;
    });
    const worker = new Worker({ url: fake.url, concurrency: 1, reconnect: fastReconnect });
    const ran: string[] = [];
    worker.register("T", (job) => {
      ran.push(job.jid);
    });
    try {
      void worker.run();
      await until(worker, ["job:success"], () => ran.length === 2);
      const details = await worker.shutdown(); // delivers what is still waiting, if anything
      expect(ran).toEqual(["jid-loading-1", "jid-loading-2"]); // the second came with the refused ACK
      const acked = fake.received.filter((r) => r.line.startsWith("ACK")).map((r) => r.line);
      expect(acked).toEqual([
        'ACK {"jid":"jid-loading-1"}',
        'ACK {"jid":"jid-loading-1"}',
        'ACK {"jid":"jid-loading-2"}',
      ]);
      expect(details).toMatchObject({ graceful: true, undelivered: 0 });
    } finally {
      await fake.close();
    }
  });

  it("a re-delivered FAIL answered `Job not found` is dropped quietly and work goes on", async () => {
    let fails = 0;
    let fetches = 0;
    const fake = await startFakeServer(async (line) => {
      if (line.startsWith("HELLO") || line.startsWith("BEAT") || line.startsWith("ACK")) return "+OK\r\n";
      if (line.startsWith("FAIL")) {
        fails++;
        return fails === 1 ? "reset" : `-ERR Job not found ${JSON.parse(line.slice(5)).jid}\r\n`;
      }
      if (line.startsWith("FETCH")) {
        fetches++;
        const jobtype = fetches === 1 ? "Bad" : fetches === 3 ? "Good" : undefined;
        if (jobtype !== undefined) {
          const job = JSON.stringify({ jid: `jid-${jobtype}-1`, jobtype, args: [] });
          return `$${Buffer.byteLength(job)}\r\n${job}\r\n`;
        }
        await new Promise((r) => setTimeout(r, 20));
        return "$-1\r\n";
      }
      return undefined;
    });
    const logger = memoryLogger();
    const worker = new Worker({ url: fake.url, concurrency: 1, reconnect: fastReconnect, logger });
    worker.register("Bad", () => {
      throw new Error("nope");
    });
    worker.register("Good", () => {});
    try {
      void worker.run();
      await nextEvent(worker, "job:success");
      const details = await worker.shutdown();
      expect(fails).toBe(2);
      expect(details).toMatchObject({ reason: "shutdown", graceful: true, undelivered: 0 });
      expect(logger.lines.some((l) => l.startsWith("debug") && /already knew/.test(l))).toBe(true);
    } finally {
      await fake.close();
    }
  });

  embeddedOnly("stops with reason error on a wrong password", async () => {
    const server = await startTestServer({ password: "s3cret" });
    try {
      const worker = new Worker({ url: server.url, password: "wrong", concurrency: 2 });
      const details = await worker.run();
      expect(details.reason).toBe("error");
      expect(details.error).toBeInstanceOf(AuthenticationError);
      await expect(worker.run()).rejects.toThrow(/cannot run again/);
    } finally {
      await server.close();
    }
  });
});

describe("Worker with a server that stops answering", () => {
  it("re-sends a FAIL whose reply timed out, on a new connection", async () => {
    let fails = 0;
    let fetches = 0;
    const hung = new Set<number>();
    const fake = await startFakeServer(async (line, conn) => {
      if (hung.has(conn.index)) return undefined; // this connection stopped answering
      if (line.startsWith("HELLO") || line.startsWith("BEAT") || line.startsWith("ACK")) return "+OK\r\n";
      if (line.startsWith("FAIL")) {
        if (++fails > 1) return "+OK\r\n";
        hung.add(conn.index); // the first FAIL gets no reply, nor anything after it
        return undefined;
      }
      if (line.startsWith("FETCH")) {
        if (++fetches === 1) {
          const job = JSON.stringify({ jid: "jid-timeout-1", jobtype: "Bad", args: [] });
          return `$${Buffer.byteLength(job)}\r\n${job}\r\n`;
        }
        await new Promise((r) => setTimeout(r, 20));
        return "$-1\r\n";
      }
      return undefined;
    });
    const worker = new Worker({
      url: fake.url,
      concurrency: 1,
      commandTimeoutMs: 200,
      reconnect: exponentialBackoff({ baseMs: 10, maxMs: 50, maxAttempts: Number.POSITIVE_INFINITY }),
    });
    worker.register("Bad", () => {
      throw new Error("bad");
    });
    try {
      const timedOut = nextEvent(worker, "error", (e) => /reply|timeout/i.test(e.error.message));
      void worker.run();
      await timedOut;
      for (let i = 0; i < 200 && fails < 2; i++) await new Promise((r) => setTimeout(r, 10));
      const details = await worker.shutdown();
      expect(fails).toBe(2);
      expect(details).toMatchObject({ graceful: true, undelivered: 0 });
      const failLines = fake.received.filter((r) => r.line.startsWith("FAIL"));
      expect(failLines[0]!.conn).not.toBe(failLines[1]!.conn);
      expect(failLines[0]!.line).toBe(failLines[1]!.line);
    } finally {
      await fake.close();
    }
  });
});
