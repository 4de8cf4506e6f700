import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectionError, ServerError } from "../../../src/protocol/errors.js";
import type { WorkerState } from "../../../src/protocol/messages.js";
import type { Reply } from "../../../src/protocol/resp-reader.js";
import { Heartbeat } from "../../../src/worker/heartbeat.js";
import { silentWorkerLogger } from "../../../src/worker/index.js";
import type { WireConnection } from "../../../src/worker/wire.js";

/** A fake connection whose BEAT replies come from `reply`. */
function fakeConnection(lines: string[], reply: (line: string) => Reply | Error): WireConnection {
  const conn = {
    state: "ready",
    closed: new Promise(() => {}),
    send: async (line: string) => {
      if (conn.state !== "ready") throw new ConnectionError("closed");
      lines.push(line.trim());
      const r = reply(line);
      if (r instanceof Error) throw r;
      return r;
    },
    sendBatch: () => [],
    end: async () => {
      conn.state = "closed";
    },
    destroy: () => {
      conn.state = "closed";
    },
  };
  return conn as unknown as WireConnection;
}

describe("Heartbeat (fake time)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("beats at once, then every interval, with state and rss_kb; reports quiet/terminate", async () => {
    const lines: string[] = [];
    const replies: WorkerState[] = [];
    let serverState = "OK";
    const connect = vi.fn(async () =>
      fakeConnection(lines, () =>
        serverState === "OK" ? { kind: "simple", value: "OK" } : { kind: "bulk", value: serverState },
      ),
    );
    let state: WorkerState = "running";
    const hb = new Heartbeat({
      wid: "w1",
      intervalMs: 15_000,
      connect,
      state: () => state,
      onReply: (s) => replies.push(s),
      onError: () => {},
      logger: silentWorkerLogger,
      rssKb: () => 1234,
    });
    hb.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(lines).toEqual(['BEAT {"wid":"w1","current_state":"running","rss_kb":1234}']);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(lines).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(lines).toHaveLength(2);
    state = "quiet";
    serverState = '{"state":"quiet"}';
    await vi.advanceTimersByTimeAsync(15_000);
    expect(lines[2]).toContain('"current_state":"quiet"');
    serverState = '{"state":"terminate"}';
    await vi.advanceTimersByTimeAsync(15_000);
    expect(replies).toEqual(["running", "running", "quiet", "terminate"]);
    expect(connect).toHaveBeenCalledTimes(1);
    await hb.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines).toHaveLength(4);
  });

  it("reconnects (HELLO again) at once after `unknown worker`, and backs off after resets", async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    let n = 0;
    const connect = vi.fn(async () =>
      fakeConnection(lines, () => {
        n++;
        if (n === 1) return new ServerError("ERR", "unknown worker w1");
        if (n === 2) return new ConnectionError("read ECONNRESET");
        return { kind: "simple", value: "OK" };
      }),
    );
    const hb = new Heartbeat({
      wid: "w1",
      intervalMs: 15_000,
      connect,
      state: () => "running",
      onReply: () => {},
      onError: (e) => errors.push(e.message),
      logger: silentWorkerLogger,
      retry: () => 500,
    });
    hb.start();
    await vi.advanceTimersByTimeAsync(0);
    // unknown worker → new connection, beat again at once → reset
    expect(connect).toHaveBeenCalledTimes(2);
    expect(lines).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(lines).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(connect).toHaveBeenCalledTimes(3);
    expect(lines).toHaveLength(3);
    expect(errors).toEqual(["ERR unknown worker w1", "read ECONNRESET"]);
    await hb.stop();
  });

  it("survives a connect failure and never rejects", async () => {
    let attempts = 0;
    const hb = new Heartbeat({
      wid: "w1",
      intervalMs: 5000,
      connect: async () => {
        attempts++;
        throw new ConnectionError("ECONNREFUSED");
      },
      state: () => "running",
      onReply: () => {},
      onError: () => {},
      logger: silentWorkerLogger,
    });
    hb.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(attempts).toBeGreaterThanOrEqual(4);
    await hb.stop();
  });
});
