import { getEventListeners } from "node:events";
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SharedAbort } from "../../../src/worker/shared-abort.js";
import { Worker } from "../../../src/worker/index.js";

describe("SharedAbort", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps one abort listener however many sleeps wait, and forgets finished ones", async () => {
    const controller = new AbortController();
    const shared = new SharedAbort(controller.signal);
    const sleeps = Array.from({ length: 50 }, (_, i) => shared.sleep(10 + i));
    expect(shared.size).toBe(50);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(sleeps);
    expect(shared.size).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
  });

  it("rejects waiting and later sleeps with the abort reason", async () => {
    const controller = new AbortController();
    const shared = new SharedAbort(controller.signal);
    const waiting = shared.sleep(60_000);
    const reason = new Error("stopping");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(shared.sleep(1)).rejects.toBe(reason);
    expect(shared.size).toBe(0);
    expect(shared.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("Worker reconnect cycles", () => {
  it("print no MaxListenersExceededWarning with 20 slots reconnecting at once", async () => {
    // A port that refuses: find a free one, then close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on("warning", onWarning);
    let failures = 0;
    let enough!: () => void;
    const cycles = new Promise<void>((resolve) => {
      enough = resolve;
    });
    const log = (): void => {};
    const worker = new Worker({
      url: `tcp://127.0.0.1:${port}`,
      concurrency: 20,
      reconnect: () => 5,
      logger: {
        info: log,
        warn: log,
        error: log,
        debug: (message) => {
          if (/connect failed/.test(message) && ++failures === 20 * 10) enough();
        },
      },
    });
    try {
      void worker.run();
      await cycles; // 10 reconnect attempts per slot, all slots waiting at once
      await worker.shutdown({ timeoutMs: 0 });
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => w.name)).toEqual([]);
  });
});
