/**
 * Graceful server stop, as Faktory does it: once `close()` begins, every command gets
 * `-ERR shutdown in progress` and its connection closes, a blocked FETCH answers `$-1`, new
 * connections are refused, and connections left idle are cut after `shutdownGraceMs`.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startServer } from "../../../src/server/index.js";
import { type Harness, harness, pushLine } from "./support/harness.js";
import { bulkJson, CLOSED, hello } from "./support/raw-client.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("server shutdown", () => {
  it("answers a blocked FETCH with $-1, then any command with shutdown in progress, and closes", async () => {
    h = await harness({ shutdownGraceMs: 60_000 });
    const { p, w, server, clock } = h;
    expect(await p.call(pushLine("reserved-1"))).toBe("+OK");
    const job = bulkJson(await w.call("FETCH default")) as { jid: string };
    expect(job.jid).toBe("reserved-1");
    const timers = clock.pending;
    w.send("FETCH default"); // blocks: the queue is empty
    await vi.waitFor(() => expect(clock.pending).toBe(timers + 1));

    const closed = server.close();
    expect(await w.reply()).toBe("$-1");
    expect(await w.call(`ACK {"jid":"reserved-1"}`)).toBe("-ERR shutdown in progress");
    expect(await w.reply()).toBe(CLOSED);
    expect(await p.call(pushLine("late-1"))).toBe("-ERR shutdown in progress");
    expect(await p.reply()).toBe(CLOSED);
    expect(await refused(server.port)).toBe(true);
    await closed; // both connections closed: no need to wait for the grace period
  });

  it("answers the first of several pipelined lines, then closes", async () => {
    h = await harness({ shutdownGraceMs: 60_000 });
    const { p, w, server } = h;
    w.close();
    const closed = server.close();
    p.write(`${pushLine("a")}\r\n${pushLine("b")}\r\nINFO\r\n`);
    expect(await p.reply()).toBe("-ERR shutdown in progress");
    expect(await p.reply()).toBe(CLOSED);
    await closed;
  });

  it("cuts idle connections when the grace period ends", async () => {
    const server = await startServer({ port: 0, webPort: false, shutdownGraceMs: 1 });
    const idle = await hello(server.port);
    await server.close();
    expect(await idle.reply()).toBe(CLOSED);
  });

  it("rejects a bad grace period", async () => {
    await expect(startServer({ port: 0, webPort: false, shutdownGraceMs: -1 })).rejects.toThrow(RangeError);
  });
});
