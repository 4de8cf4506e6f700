/**
 * `faktory-ts load` against a server started here (or FAKTORY_URL's): counts, clean-up, usage
 * errors and Ctrl-C.
 */
import diagnostics from "node:diagnostics_channel";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runLoadCommand } from "../../../src/cli/load.js";
import { type LoadSummary, seededRandom } from "../../../src/cli/load-run.js";
import { main } from "../../../src/cli/main.js";
import { Client } from "../../../src/client/index.js";
import { EXTERNAL_URL, startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";
import { memoryIO } from "./support.js";

let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
  client = await Client.connect(server.url);
});

afterAll(async () => {
  await client.close();
  await server.close();
});

/** How many of the first `jobs` jobs seed `seed` fails: each job draws its queue, then its failure. */
function expectedFailures(jobs: number, seed: number): number {
  const random = seededRandom(seed);
  let failed = 0;
  for (let i = 0; i < jobs; i++) {
    random();
    if (random() < 0.01) failed++;
  }
  return failed;
}

it("pushes, fetches and ACKs every job once, fails the seed's share, and leaves nothing behind", async () => {
  const prefix = `${uniqueQueue("load")}-`;
  const m = memoryIO();
  const code = await runLoadCommand(
    ["--jobs", "400", "--connections", "4", "--seed", "7", "--queue", prefix, "--json", "--url", server.url],
    m.io,
  );
  expect(m.err()).toBe("");
  expect(code).toBe(0);
  const s = JSON.parse(m.out()) as LoadSummary;
  const failed = expectedFailures(400, 7);
  expect(failed).toBeGreaterThan(0);
  expect(s).toMatchObject({ pushed: 400, fetched: 400, failed, acked: 400 - failed, lost: 0, duplicates: 0 });
  expect(s.interrupted).toBe(false);
  expect(s.latencyMs.push.p50).toBeGreaterThan(0);
  const info = await client.info();
  expect(Object.keys(info.faktory.queues).filter((q) => q.startsWith(prefix))).toEqual([]);
  if (EXTERNAL_URL === undefined) expect(info.faktory.sets).toMatchObject({ retries: 0, working: 0 });
});

it("prints a readable summary and is listed by faktory-ts --help", async () => {
  const m = memoryIO();
  expect(await runLoadCommand(["-n", "50", "-c", "2", "--url", server.url], m.io)).toBe(0);
  expect(m.out()).toMatch(/every job fetched exactly once/);
  expect(m.out()).toMatch(/pushed 50, fetched 50/);
  expect(m.out()).not.toContain("\u001b["); // not a terminal: no colour
  const help = memoryIO();
  expect(await main(["--help"], help.io)).toBe(0);
  expect(help.out()).toMatch(/^ {2}load /m);
  const own = memoryIO();
  expect(await runLoadCommand(["--help"], own.io)).toBe(0);
  expect(own.out()).toMatch(/--connections/);
});

it.each([
  [["--jobs", "0"]],
  [["--connections", "1"]],
  [["--jobs", "many"]],
  [["--queue", "bad name"]],
  [["extra"]],
])("refuses %j with one line and exit code 2", async (argv) => {
  const m = memoryIO();
  expect(await runLoadCommand([...argv, "--url", server.url], m.io)).toBe(2);
  expect(m.err().trim().split("\n")).toHaveLength(1);
  expect(m.out()).toBe("");
});

it("refuses queues that already hold jobs", async () => {
  const prefix = `${uniqueQueue("busy")}-`;
  await client.push({ jobtype: "Other", args: [], queue: `${prefix}0` });
  const m = memoryIO();
  expect(await runLoadCommand(["--queue", prefix, "--queues", "1", "--url", server.url], m.io)).toBe(1);
  expect(m.err()).toMatch(/already holds jobs/);
  await client.removeQueues([`${prefix}0`]);
});

it("stops on Ctrl-C with a partial summary, exit code 1, and removes its queues", async () => {
  const prefix = `${uniqueQueue("int")}-`;
  let interrupt: () => void = () => {};
  const m = memoryIO({
    onInterrupt: (handler) => {
      interrupt = handler;
      return () => {};
    },
  });
  // interrupt after the 50th push has been answered (the client's tracing channel reports each)
  let pushes = 0;
  const onPush = (): void => {
    if (++pushes === 50) interrupt();
  };
  diagnostics.subscribe("tracing:faktory-ts:push:asyncEnd", onPush);
  const running = runLoadCommand(
    ["-n", "100000", "-c", "2", "--queue", prefix, "--json", "--url", server.url],
    m.io,
  );
  expect(await running).toBe(1);
  const s = JSON.parse(m.out()) as LoadSummary;
  expect(s.interrupted).toBe(true);
  diagnostics.unsubscribe("tracing:faktory-ts:push:asyncEnd", onPush);
  expect(s.pushed).toBeGreaterThanOrEqual(50);
  expect(s.pushed).toBeLessThan(100000);
  expect(s.fetched).toBeLessThanOrEqual(s.pushed);
  expect(s.duplicates).toBe(0);
  const info = await client.info();
  expect(Object.keys(info.faktory.queues).filter((q) => q.startsWith(prefix))).toEqual([]);
});
