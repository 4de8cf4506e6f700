/**
 * The client commands of `faktory-ts` (info, push, queues, mutate, flush), called as functions
 * with in-memory I/O against a server started here (or FAKTORY_URL's).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFlushCommand } from "../../../src/cli/flush.js";
import { runInfoCommand } from "../../../src/cli/info.js";
import { main } from "../../../src/cli/main.js";
import { runMutateCommand } from "../../../src/cli/mutate.js";
import { runPushCommand } from "../../../src/cli/push.js";
import { runQueuesCommand } from "../../../src/cli/queues.js";
import { Client } from "../../../src/client/index.js";
import type { FaktoryInfo } from "../../../src/protocol/messages.js";
import { startServer } from "../../../src/server/index.js";
import { Consumer } from "../client/consumer.js";
import { EXTERNAL_URL, startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";
import { memoryIO } from "./support.js";

let server: TestServer;
let client: Client;
let consumer: Consumer;

beforeAll(async () => {
  server = await startTestServer();
  client = await Client.connect(server.url);
  consumer = await Consumer.open(server.url);
});

afterAll(async () => {
  await consumer.close();
  await client.close();
  await server.close();
});

async function push(argv: string[]): Promise<string> {
  const m = memoryIO();
  const code = await runPushCommand([...argv, "--url", server.url], m.io);
  expect(m.err()).toBe("");
  expect(code).toBe(0);
  return m.out().trim();
}

describe("faktory-ts push", () => {
  it("pushes a job with its args, queue, retry, reserve-for and custom, and prints the jid", async () => {
    const queue = uniqueQueue("cli-push");
    const jid = await push([
      "SendEmail",
      '["a@example.com", 3]',
      "--queue",
      queue,
      "--retry",
      "2",
      "--reserve-for",
      "120",
      "--custom",
      '{"tenant":"acme"}',
    ]);
    expect(jid).toMatch(/^\S{8,}$/);
    const job = await consumer.fetch(queue);
    expect(job).toMatchObject({
      jid,
      jobtype: "SendEmail",
      args: ["a@example.com", 3],
      queue,
      retry: 2,
      reserve_for: 120,
      custom: { tenant: "acme" },
    });
    await consumer.ack(jid);
  });

  it("schedules with --at as a delay and prints JSON with --json", async () => {
    const before = (await client.info()).faktory.sets.scheduled;
    const m = memoryIO();
    const code = await runPushCommand(
      ["Later", "7", "--at", "1h", "--queue", uniqueQueue(), "--json", "--url", server.url],
      m.io,
    );
    expect(code).toBe(0);
    const doc = JSON.parse(m.out()) as { jid: string; args: unknown[] };
    expect(doc.args).toEqual([7]); // a non-array JSON value is the only argument
    expect((await client.info()).faktory.sets.scheduled).toBe(before + 1);
    await client.discard("scheduled", { jids: [doc.jid] });
  });

  it("refuses bad input with exit code 2 and one line, sending nothing", async () => {
    for (const argv of [
      [],
      ["Job", "{not json"],
      ["Job", "[]", "--retry", "x"],
      ["Job", "[]", "--custom", "[1]"],
      ["Job", "[]", "--at", "tomorrow"],
      ["Job", "[]", "--queue", "bad queue"],
      ["Job", "[]", "--frobnicate"],
    ]) {
      const m = memoryIO();
      expect(await runPushCommand([...argv, "--url", server.url], m.io)).toBe(2);
      expect(m.err()).toMatch(/^faktory-ts push: [^\n]+\n$/);
      expect(m.out()).toBe("");
    }
  });

  it("exits 1 with one line when the server cannot be reached", async () => {
    const m = memoryIO();
    expect(await runPushCommand(["Job", "--url", "tcp://127.0.0.1:1"], m.io)).toBe(1);
    expect(m.err()).toMatch(/^faktory-ts push: [^\n]+\n$/);
  });

  it("takes the URL from FAKTORY_URL when --url is absent", async () => {
    const queue = uniqueQueue("cli-env");
    const m = memoryIO({ env: { FAKTORY_URL: server.url } });
    expect(await runPushCommand(["EnvJob", "--queue", queue], m.io)).toBe(0);
    expect((await client.info()).faktory.queues[queue]).toBe(1);
    await client.removeQueues([queue]);
  });
});

describe("faktory-ts info", () => {
  it("prints a summary naming the queues, and the raw document with --json", async () => {
    const queue = uniqueQueue("cli-info");
    await client.push("X", [], { queue });
    const text = memoryIO();
    expect(await runInfoCommand(["--url", server.url], text.io)).toBe(0);
    expect(text.out()).toMatch(/Faktory.* up /);
    expect(text.out()).toMatch(new RegExp(`${queue}\\s+1\\n`));
    expect(text.out()).not.toContain("\u001b["); // not a terminal: no colour

    const json = memoryIO();
    expect(await runInfoCommand(["--json", "--url", server.url], json.io)).toBe(0);
    const doc = JSON.parse(json.out()) as FaktoryInfo;
    expect(doc.faktory.queues[queue]).toBe(1);
    await client.removeQueues([queue]);
  });

  it("colours only on a terminal without NO_COLOR", async () => {
    const tty = memoryIO({ stdoutIsTTY: true });
    await runInfoCommand(["--url", server.url], tty.io);
    expect(tty.out()).toContain("\u001b[1m");
    const noColor = memoryIO({ stdoutIsTTY: true, env: { NO_COLOR: "1" } });
    await runInfoCommand(["--url", server.url], noColor.io);
    expect(noColor.out()).not.toContain("\u001b[");
  });
});

describe("faktory-ts queues", () => {
  it("lists size and latency, pauses, resumes and removes queues", async () => {
    const a = uniqueQueue("cli-qa");
    const b = uniqueQueue("cli-qb");
    const jidA = await client.push("A", [], { queue: a });
    const jidB = await client.push("B", [], { queue: b });

    const list = memoryIO();
    expect(await runQueuesCommand(["--json", "--url", server.url], list.io)).toBe(0);
    const rows = JSON.parse(list.out()) as { name: string; size: number; latency: number }[];
    expect(rows.find((r) => r.name === a)).toMatchObject({ size: 1 });
    expect(typeof rows.find((r) => r.name === a)?.latency).toBe("number");

    const pause = memoryIO();
    expect(await runQueuesCommand(["pause", a, "--url", server.url], pause.io)).toBe(0);
    expect(pause.out()).toBe(`paused ${a}\n`);
    // a is paused: FETCH a b skips it and hands out b's job
    expect((await consumer.fetch(a, b))?.jid).toBe(jidB);
    await consumer.ack(jidB);

    expect(await runQueuesCommand(["resume", a, "--url", server.url], memoryIO().io)).toBe(0);
    expect((await consumer.fetch(a, b))?.jid).toBe(jidA);
    await consumer.ack(jidA);

    await client.push("A", [], { queue: a });
    expect(await runQueuesCommand(["remove", a, "--url", server.url], memoryIO().io)).toBe(0);
    expect((await client.info()).faktory.queues[a]).toBeUndefined();
    await client.removeQueues([b]);
  });

  it("refuses an unknown action or a missing queue with exit code 2", async () => {
    for (const argv of [["frob", "x"], ["pause"], ["pause", "x", "*"]]) {
      const m = memoryIO();
      expect(await runQueuesCommand([...argv, "--url", server.url], m.io)).toBe(2);
      expect(m.err()).toMatch(/^faktory-ts queues: [^\n]+\n$/);
    }
  });
});

describe("faktory-ts mutate", () => {
  it("requeues, kills and discards jobs of a set by jobtype and jids", async () => {
    const queue = uniqueQueue("cli-mut");
    const type = `Mut${queue.replace(/\W/g, "")}`;
    const j1 = await client.push(type, [1], { queue, at: { in: 3_600_000 } });
    const j2 = await client.push(type, [2], { queue, at: { in: 3_600_000 } });
    const j3 = await client.push(type, [3], { queue, at: { in: 3_600_000 } });

    const requeue = memoryIO();
    expect(
      await runMutateCommand(["requeue", "scheduled", `--jids=${j1}`, "--url", server.url], requeue.io),
    ).toBe(0);
    expect((await client.info()).faktory.queues[queue]).toBe(1);
    expect((await consumer.fetch(queue))?.jid).toBe(j1);
    await consumer.ack(j1);

    const deadBefore = (await client.info()).faktory.sets.dead;
    expect(
      await runMutateCommand(["kill", "scheduled", `--jids=${j2}`, "--url", server.url], memoryIO().io),
    ).toBe(0);
    expect((await client.info()).faktory.sets.dead).toBe(deadBefore + 1);
    expect(
      await runMutateCommand(["discard", "dead", "--jobtype", type, "--url", server.url], memoryIO().io),
    ).toBe(0);
    expect((await client.info()).faktory.sets.dead).toBe(deadBefore);

    const scheduledBefore = (await client.info()).faktory.sets.scheduled;
    expect(
      await runMutateCommand(
        ["discard", "scheduled", "--regexp", `*${j3}*`, "--url", server.url],
        memoryIO().io,
      ),
    ).toBe(0);
    expect((await client.info()).faktory.sets.scheduled).toBe(scheduledBefore - 1);
  });

  it("refuses a bad operation, set or a filter on clear with exit code 2", async () => {
    for (const argv of [["frob", "dead"], ["requeue", "queues"], ["clear", "dead", "--jobtype", "X"], []]) {
      const m = memoryIO();
      expect(await runMutateCommand([...argv, "--url", server.url], m.io)).toBe(2);
      expect(m.err()).toMatch(/^faktory-ts mutate: [^\n]+\n$/);
    }
  });
});

describe.skipIf(EXTERNAL_URL !== undefined)("faktory-ts flush (own embedded server)", () => {
  it("refuses without --yes when stdin is not a terminal, asks on a terminal, flushes with --yes", async () => {
    const own = await startServer({ port: 0, webPort: false });
    try {
      const c = await Client.connect(own.url);
      await c.push("Keep", [], { queue: "kept" });

      const refused = memoryIO();
      expect(await runFlushCommand(["--url", own.url], refused.io)).toBe(2);
      expect(refused.err()).toMatch(/--yes/);
      expect((await c.info()).faktory.queues.kept).toBe(1);

      const declined = memoryIO({ stdinIsTTY: true, prompt: async () => "no" });
      expect(await runFlushCommand(["--url", own.url], declined.io)).toBe(1);
      expect((await c.info()).faktory.queues.kept).toBe(1);

      let asked = "";
      const confirmed = memoryIO({
        stdinIsTTY: true,
        prompt: async (q) => {
          asked = q;
          return "yes";
        },
      });
      expect(await runFlushCommand(["--url", own.url], confirmed.io)).toBe(0);
      expect(asked).toContain(own.url);
      expect((await c.info()).faktory.total_enqueued).toBe(0);

      await c.push("Again", [], { queue: "kept" });
      expect(await runFlushCommand(["--yes", "--url", own.url], memoryIO().io)).toBe(0);
      expect((await c.info()).faktory.total_enqueued).toBe(0);
      await c.close();
    } finally {
      await own.close();
    }
  });
});

describe("faktory-ts --help", () => {
  it("every command prints its usage and exits 0", async () => {
    for (const command of ["info", "push", "queues", "mutate", "flush", "watch"]) {
      const m = memoryIO();
      expect(await main([command, "--help"], m.io)).toBe(0);
      expect(m.out()).toMatch(new RegExp(`^Usage: faktory-ts ${command}`));
      expect(m.out()).toContain("Exit codes");
    }
    const unknown = memoryIO();
    expect(await main(["frob"], unknown.io)).toBe(2);
    expect(unknown.err()).toMatch(/unknown command frob/);
  });
});
