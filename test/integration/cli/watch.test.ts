/** `faktory-ts watch`: refreshes with a fake clock and sleep, throughput, Ctrl-C. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWatchCommand, type WatchFrame, type WatchTiming } from "../../../src/cli/watch.js";
import { Client } from "../../../src/client/index.js";
import { Consumer } from "../client/consumer.js";
import { startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";
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

/** A clock that moves 2 s per reading, and a sleep that runs `between` instead of waiting. */
function fakeTiming(between: (signal: AbortSignal) => Promise<void>): WatchTiming & { sleeps: number[] } {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => {
      t += 2000;
      return t;
    },
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      await between(signal);
    },
  };
}

describe("faktory-ts watch", () => {
  it("prints one JSON frame per refresh with queues and the processed rate", async () => {
    const queue = uniqueQueue("cli-watch");
    await client.push("W", [], { queue });
    const timing = fakeTiming(async () => {
      for (let i = 0; i < 3; i++) {
        const jid = await client.push("W", [], { queue: `${queue}-run` });
        await consumer.fetch(`${queue}-run`);
        await consumer.ack(jid);
      }
    });
    const m = memoryIO();
    const code = await runWatchCommand(
      ["--json", "--count", "2", "--interval", "0.5", "--url", server.url],
      m.io,
      timing,
    );
    expect(m.err()).toBe("");
    expect(code).toBe(0);
    const frames = m
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as WatchFrame);
    expect(frames).toHaveLength(2);
    expect(timing.sleeps).toEqual([500]);
    expect(frames[0]?.processedPerSecond).toBeUndefined();
    expect(frames[0]?.queues.find((q) => q.name === queue)).toMatchObject({ size: 1 });
    // 3 ACKs in 2 s of the fake clock (more if other tests share an external server)
    expect(frames[1]?.processedPerSecond).toBeGreaterThanOrEqual(1.5);
    await client.removeQueues([queue, `${queue}-run`]);
  });

  it("redraws the screen on a terminal and stops cleanly on Ctrl-C", async () => {
    let interrupt: (() => void) | undefined;
    let removed = false;
    const m = memoryIO({
      stdoutIsTTY: true,
      env: { NO_COLOR: "1" },
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => {
          removed = true;
        };
      },
    });
    const timing = fakeTiming(async (signal) => {
      interrupt?.(); // Ctrl-C while waiting for the next refresh
      expect(signal.aborted).toBe(true);
    });
    expect(await runWatchCommand(["--url", server.url], m.io, timing)).toBe(0);
    expect(m.out().split("\u001b[H\u001b[2J")).toHaveLength(2); // exactly one frame drawn
    expect(m.out()).toMatch(/processed\/s/);
    expect(removed).toBe(true);
  });

  it("refuses a bad --interval or --count with exit code 2", async () => {
    for (const argv of [
      ["--interval", "0"],
      ["--interval", "x"],
      ["--count", "0"],
    ]) {
      const m = memoryIO();
      expect(await runWatchCommand([...argv, "--url", server.url], m.io)).toBe(2);
      expect(m.err()).toMatch(/^faktory-ts watch: [^\n]+\n$/);
    }
  });
});
