/**
 * Every counterexample the fuzzers ever found (under `npm test` or `npm run fuzz`), as a named
 * test of the shrunk input, with the seed that found it. Add new ones at the end.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FaktoryServer, startServer } from "../../src/server/index.js";
import { bulkJson, hello, type RawClient } from "../unit/server/support/raw-client.js";

let server: FaktoryServer;
let client: RawClient;
beforeEach(async () => {
  server = await startServer({ port: 0, webPort: false });
  client = await hello(server.port);
});
afterEach(async () => {
  client.close();
  await server.close();
});

describe("fuzz counterexamples", () => {
  // server-input "keeps INFO consistent with the pushes it accepted", found on a fresh clone
  // (issue #10 §1); reproduced with seed 20261204, path 3:2:0:3:4:5:5:5:5:5:5:4:4:4:3:3:3.
  it('PUSHB [{"jid":"__proto__"}] reports its refusal, so INFO matches what was accepted', async () => {
    const refused = bulkJson(await client.call('PUSHB [{"jid":"__proto__"}]')) as Record<string, string>;
    expect(Object.keys(refused)).toEqual(["__proto__"]);
    expect(await client.call("PUSHB []")).toBe("$2\r\n{}");
    const info = server.info().faktory;
    expect(info.total_enqueued + info.sets.scheduled).toBe(0);
  });

  it("a PUSH to queue __proto__ shows in INFO", async () => {
    expect(await client.call('PUSH {"jid":"abcdefgh","jobtype":"T","args":[],"queue":"__proto__"}')).toBe(
      "+OK",
    );
    const info = server.info().faktory;
    expect(Object.entries(info.queues)).toEqual([["__proto__", 1]]);
    expect(info.total_enqueued).toBe(1);
  });
});
