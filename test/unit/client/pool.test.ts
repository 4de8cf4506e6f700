/**
 * The client's `connections` pool: pushes (PUSH and PUSHB chunks) go to the connection with the
 * fewest commands in flight, so concurrent pushes spread evenly and a slow connection is avoided.
 * The fake server holds replies until the test releases them, which makes "in flight" exact.
 */
import { describe, expect, it } from "vitest";
import { until } from "../../support/until.js";
import { commands, deferred, type FakeServer, useFakeFaktory } from "./fake-faktory.js";

const OK = "+OK\r\n";

/** How many lines starting with `verb ` each server-side connection received, by connection. */
function perConnection(server: FakeServer, verb: string): number[] {
  const counts = server.connections.map(() => 0);
  for (const c of commands(server)) if (c.line.startsWith(`${verb} `)) counts[c.conn]!++;
  return counts;
}

const received = (server: FakeServer, verb: string): number =>
  perConnection(server, verb).reduce((a, b) => a + b, 0);

describe("client connection pool", () => {
  const fake = useFakeFaktory();

  it("spreads concurrent pushes evenly over its connections", async () => {
    const release = deferred();
    const server = await fake.serve(async (line) => {
      await release.promise;
      return line.startsWith("PUSHB ") ? "$2\r\n{}\r\n" : OK;
    });
    const client = await fake.connect({ url: server.url, connections: 3 });
    fake.onCleanup(async () => release.resolve()); // runs before the client closes
    expect(server.connections).toHaveLength(3);
    const pushes = Array.from({ length: 9 }, (_, i) => client.push("T", [i]));
    await until(() => received(server, "PUSH") === 9, "9 PUSH lines");
    expect(perConnection(server, "PUSH")).toEqual([3, 3, 3]);
    release.resolve();
    expect(new Set(await Promise.all(pushes)).size).toBe(9);
  });

  it("spreads the chunks of one pushBulk too", async () => {
    const release = deferred();
    const server = await fake.serve(async () => {
      await release.promise;
      return "$2\r\n{}\r\n";
    });
    const client = await fake.connect({ url: server.url, connections: 2, pushChunkSize: 2 });
    fake.onCleanup(async () => release.resolve());
    const bulk = client.pushBulk(Array.from({ length: 8 }, (_, i) => client.job("T", [i])));
    await until(() => received(server, "PUSHB") === 4, "4 PUSHB chunks");
    expect(perConnection(server, "PUSHB")).toEqual([2, 2]);
    release.resolve();
    const result = await bulk;
    expect(result.pushed).toHaveLength(8);
    expect(result.rejected).toEqual([]);
  });

  it("sends to an idle connection while another still waits for its reply", async () => {
    const slow = deferred();
    let first = true;
    const server = await fake.serve(async () => {
      if (first) {
        first = false;
        await slow.promise;
      }
      return OK;
    });
    const client = await fake.connect({ url: server.url, connections: 2 });
    fake.onCleanup(async () => slow.resolve());
    const stuck = client.push("T", ["slow"]);
    await until(() => received(server, "PUSH") === 1, "the first PUSH");
    const busy = perConnection(server, "PUSH").indexOf(1);
    for (let i = 0; i < 5; i++) await client.push("T", [i]); // one at a time: never two in flight
    const counts = perConnection(server, "PUSH");
    expect(counts[busy]).toBe(1);
    expect(counts[1 - busy]).toBe(5);
    slow.resolve();
    await stuck;
  });

  it("keeps the other commands on the first connection, in order", async () => {
    const server = await fake.serve((line) =>
      line === "INFO" ? `$${'{"faktory":{"queues":{}}}'.length}\r\n{"faktory":{"queues":{}}}\r\n` : OK,
    );
    const client = await fake.connect({ url: server.url, connections: 3 });
    await client.pauseQueues(["a"]);
    await client.info();
    await client.resumeQueues(["a"]);
    await client.flush();
    const others = commands(server).filter((c) => !c.line.startsWith("PUSH"));
    expect(others.map((c) => c.line)).toEqual(["QUEUE PAUSE a", "INFO", "QUEUE RESUME a", "FLUSH"]);
    expect(new Set(others.map((c) => c.conn)).size).toBe(1);
  });
});
