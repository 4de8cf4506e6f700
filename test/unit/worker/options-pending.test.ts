import { hostname } from "node:os";
import { describe, expect, it, vi } from "vitest";
import { ConfigurationError, ConnectionError, ServerError } from "../../../src/protocol/errors.js";
import type { Reply } from "../../../src/protocol/resp-reader.js";
import { resolveBeatInterval, resolveWorkerOptions } from "../../../src/worker/options.js";
import { classifyResultError, PendingResults } from "../../../src/worker/pending-results.js";
import { silentWorkerLogger, Worker } from "../../../src/worker/index.js";

describe("worker options", () => {
  it("has the documented defaults", () => {
    const o = resolveWorkerOptions({ url: "tcp://localhost:7419" });
    expect(o.identity.wid).toMatch(/^[0-9a-f]{16}$/);
    expect(o.identity.hostname).toBe(hostname());
    expect(o.identity.pid).toBe(process.pid);
    expect(o.identity.labels).toEqual(["node"]);
    expect(o.concurrency).toBe(10);
    expect(o.queues).toEqual(["default"]);
    expect(o.queueOrder).toBe("strict");
    expect(o.shutdownTimeoutMs).toBe(30_000);
    expect(o.beatIntervalMs).toBe(15_000);
    expect(o.logger).toBe(silentWorkerLogger);
    expect(o.reconnect(1000, new Error("x"))).not.toBeNull(); // retries forever
    expect(o.connection).toEqual({ url: "tcp://localhost:7419" });
    expect(new Worker().info.wid).not.toBe(new Worker().info.wid);
  });

  it("clamps the beat interval to 5..15 s unless the unsafe override is used", () => {
    expect(resolveBeatInterval(1000)).toBe(5000);
    expect(resolveBeatInterval(60_000)).toBe(15_000);
    expect(resolveBeatInterval(7000)).toBe(7000);
    expect(resolveBeatInterval(1000, 20)).toBe(20);
    expect(() => resolveBeatInterval(undefined, 0)).toThrow(ConfigurationError);
  });

  it("rejects bad options at construction", () => {
    expect(() => new Worker({ concurrency: 0 })).toThrow(ConfigurationError);
    expect(() => new Worker({ concurrency: 1.5 })).toThrow(ConfigurationError);
    expect(() => new Worker({ shutdownTimeoutMs: -1 })).toThrow(ConfigurationError);
    expect(() => new Worker({ queues: [] })).toThrow(ConfigurationError);
    expect(() => new Worker({ queues: ["a b"] })).toThrow(ConfigurationError);
    expect(() => new Worker({ wid: "" })).toThrow(ConfigurationError);
    expect(() => new Worker({ url: "http://nope" })).toThrow(ConfigurationError);
    expect(() => new Worker({ queueOrder: { weighted: { default: -1 } } })).toThrow(ConfigurationError);
    expect(() => new Worker().register("", () => {})).toThrow(TypeError);
  });

  it("rejects bad queues given to run() and runOne()", async () => {
    const worker = new Worker({ url: "tcp://127.0.0.1:1" });
    await expect(worker.run([])).rejects.toThrow(ConfigurationError);
    await expect(worker.runOne(["bad queue"])).rejects.toThrow(ConfigurationError);
    expect(worker.phase).toBe("idle");
    await worker.shutdown();
  });
});

describe("PendingResults", () => {
  const ok: Reply = { kind: "simple", value: "OK" };

  it("classifies delivery errors", () => {
    expect(classifyResultError(new ConnectionError("reset"))).toBe("retry");
    expect(classifyResultError(new ServerError("ERR", "Job not found abc"))).toBe("known");
    expect(classifyResultError(new ServerError("ERR", "invalid FAIL x"))).toBe("refused");
  });

  it("retries every answer that means 'not applied' and keeps the final ones final", () => {
    const table: [string, "retry" | "known" | "refused"][] = [
      ["shutdown in progress", "retry"],
      ["too many connections: 2001", "retry"],
      ["LOADING Redis is loading the dataset in memory", "retry"],
      ["context deadline exceeded", "retry"],
      ["dial unix /var/lib/faktory/redis.sock: connect: connection refused", "retry"],
      ["Job not found 0123456789ab", "known"],
      ['invalid ACK {"jid":1}', "refused"],
      ["invalid FAIL {", "refused"],
      ["missing JID", "refused"],
      ["internal error", "refused"],
      ["unknown command ACKX", "refused"],
      ["line too long (more than 10 bytes)", "refused"],
    ];
    for (const [message, verdict] of table)
      expect([message, classifyResultError(new ServerError("ERR", message))]).toEqual([message, verdict]);
    expect(classifyResultError(new Error("socket hang up"))).toBe("retry");
  });

  it("delivers, drops known and refused results, keeps the rest on a connection failure", async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const pending = new PendingResults(logger);
    pending.add({ jid: "a", kind: "ACK", line: "ACK a\r\n" });
    pending.add({ jid: "b", kind: "FAIL", line: "FAIL b\r\n" });
    pending.add({ jid: "c", kind: "FAIL", line: "FAIL c\r\n" });
    pending.add({ jid: "d", kind: "ACK", line: "ACK d\r\n" });
    pending.add({ jid: "e", kind: "ACK", line: "ACK e\r\n" });
    expect(pending.size).toBe(5);
    const send = vi.fn(async (line: string): Promise<Reply> => {
      if (line.includes(" b")) throw new ServerError("ERR", "Job not found b");
      if (line.includes(" c")) throw new ServerError("ERR", "missing JID");
      if (line.includes(" d")) throw new ConnectionError("gone");
      if (line.includes(" e")) throw new ServerError("ERR", "shutdown in progress");
      return ok;
    });
    await expect(pending.flush({ send })).rejects.toThrow("gone");
    expect(pending.jids()).toEqual(["d", "e"]);
    expect(logger.debug).toHaveBeenCalledWith(expect.stringMatching(/already knew/), expect.anything());
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/refused/), expect.anything());
    await pending.flush({ send: async () => ok });
    expect(pending.size).toBe(0);
    await pending.flush({ send: async () => ok }); // nothing to do
  });
});
