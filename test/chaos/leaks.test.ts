/**
 * No leaks: many connect / push / fetch / ack / close cycles (clients, workers, bare connections,
 * and clients that vanish without END) leave the server's connection count at its baseline and
 * no sockets, servers or timers behind in this process.
 */
import { describe, expect, it } from "vitest";
import { Connection, FETCH_BLOCK_MS } from "../../src/connection/index.js";
import { Client, Worker } from "../../src/index.js";
import { ackCommand, fetchCommand, parseJsonReply } from "../../src/protocol/commands.js";
import type { Job } from "../../src/protocol/job.js";
import { startServer } from "../../src/server/index.js";
import { RawClient } from "../unit/server/support/raw-client.js";

/** Handle kinds this test (and the code under test) could leak; vitest's own IPC pipe is left out. */
const WATCHED = ["TCPSocketWrap", "TCPServerWrap", "TLSWrap", "Timeout", "Immediate"];

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo())
    if (WATCHED.includes(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * Waits until `predicate` holds. The server has no event for "a peer's socket is gone", so this
 * re-checks on a short timer, bounded by `timeoutMs`.
 */
async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error("condition not reached in time");
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
}

describe("leaks", () => {
  it("returns to the baseline after hundreds of connection cycles", async () => {
    const before = handles();
    const server = await startServer({ port: 0, webPort: false });
    const baseline = server.info().server.connections;
    expect(baseline).toBe(0);
    const queue = "leaks";
    let ran = 0;

    for (let cycle = 0; cycle < 150; cycle++) {
      // A producer pushes, a bare consumer connection fetches and ACKs, both close with END.
      const client = await Client.connect(server.url);
      const jid = await client.push("Leak", [cycle], { queue });
      const conn = await Connection.open({ url: server.url });
      const job = parseJsonReply<Job>(await conn.send(fetchCommand([queue]), FETCH_BLOCK_MS), "FETCH");
      expect(job?.jid).toBe(jid);
      expect((await conn.send(ackCommand(jid))).kind).toBe("simple");
      await conn.end();
      await client.close();

      // A worker runs one job and shuts down.
      if (cycle % 3 === 0) {
        const pusher = await Client.connect(server.url);
        await pusher.push("Leak", [cycle], { queue });
        await pusher.close();
        const worker = new Worker({ url: server.url, concurrency: 1 });
        worker.register("Leak", () => {
          ran++;
        });
        expect(await worker.runOne([queue])).toBe(true);
        await worker.shutdown();
      }

      // A client that vanishes without END, mid-handshake or after it.
      const raw = await RawClient.connect(server.port);
      if (cycle % 2 === 0) {
        await raw.reply();
        await raw.call('HELLO {"v":2,"wid":"leaky","hostname":"h","pid":1,"labels":[]}');
      }
      raw.close();
    }
    await until(() => server.info().server.connections === baseline);
    expect(ran).toBe(50);
    const info = server.info();
    expect(info.faktory.total_processed).toBe(200);
    expect(info.faktory.sets.working).toBe(0);

    await server.close();
    // Every socket, server and timer this test created is gone (the server's timers included):
    // no watched kind of handle is more numerous than before (vitest's own timers may come and go).
    const grown = (): string[] =>
      Object.entries(handles())
        .filter(([kind, n]) => n > (before[kind] ?? 0))
        .map(([kind, n]) => `${kind}: ${before[kind] ?? 0} -> ${n}`);
    await until(() => grown().length === 0).catch(() => {});
    expect(grown()).toEqual([]);
  });
});
