/**
 * The exact edges of the server's command parsing: where an argument starts, how much client
 * input an error echoes, where an error message is cut, and BEAT's state words.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { until } from "../../support/until.js";
import { type Harness, harness, pushLine, WORKER_HELLO } from "./support/harness.js";
import { bulkJson, hello } from "./support/raw-client.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

describe("command edges", () => {
  it("takes the argument after the verb and its space; without the space the verb has none", async () => {
    expect(await h.p.call("ACK")).toBe("-ERR internal error");
    expect(await h.p.call("ACK ")).toBe("-ERR invalid ACK ");
    expect(await h.p.call("FAIL ")).toBe("-ERR invalid FAIL ");
    expect(await h.p.call("BEAT ")).toBe("-ERR invalid BEAT ");
    expect(await h.p.call("PUSH ")).toBe("-ERR invalid JSON: unexpected end of JSON input");
  });

  it("echoes at most 200 characters of client input in an error", async () => {
    const at200 = `{${"a".repeat(199)}`;
    expect(await h.p.call(`ACK ${at200}`)).toBe(`-ERR invalid ACK ${at200}`);
    const at201 = `${at200}b`;
    expect(await h.p.call(`ACK ${at201}`)).toBe(`-ERR invalid ACK ${at200}...`);
    expect(await h.p.call(`QUEUE ${"x".repeat(201)} q`)).toBe(
      `-ERR no such QUEUE subcommand: ${"X".repeat(200)}...`,
    );
  });

  it("cuts an error message at 1000 characters", async () => {
    const message = (queue: string): string =>
      `cannot get "${queue}" queue: queue names must match \\A[a-zA-Z0-9._-]+\\z`;
    const fill = 1000 - message("bad ").length;
    const fits = `bad ${"x".repeat(fill)}`;
    expect(message(fits)).toHaveLength(1000);
    const push = (queue: string): Promise<string> =>
      h.p.call(`PUSH ${JSON.stringify({ jid: "edge-00001", jobtype: "T", args: [], queue })}`);
    expect(await push(fits)).toBe(`-ERR ${message(fits)}`);
    const over = `${fits}y`;
    expect(await push(over)).toBe(`-ERR ${message(over).slice(0, 1000)}...`);
  });

  it("QUEUE needs a subcommand and names, takes the subcommand in any case, and refuses * for LATENCY", async () => {
    expect(await h.p.call("QUEUE PAUSE")).toBe("-ERR internal error");
    expect(await h.p.call("QUEUE pause q1")).toBe("+OK");
    expect(await h.p.call("QUEUE Resume q1")).toBe("+OK");
    expect(await h.p.call("QUEUE LATENCY q1 *")).toBe("-ERR QUEUE LATENCY does not support wildcards");
    expect(await h.p.call("QUEUE latency q1")).toBe('$8\r\n{"q1":0}');
  });

  it("BEAT: an unknown state word counts as running, an empty one changes nothing", async () => {
    expect(await h.w.call('BEAT {"wid":"w1","current_state":"dancing"}')).toBe("+OK");
    expect(await h.w.call('BEAT {"wid":"w1","current_state":"quiet"}')).toBe('$17\r\n{"state":"quiet"}');
    expect(await h.w.call('BEAT {"wid":"w1","current_state":""}')).toBe('$17\r\n{"state":"quiet"}');
    expect(await h.w.call('BEAT {"wid":"w1"}')).toBe('$17\r\n{"state":"quiet"}');
    expect(await h.w.call('BEAT {"wid":"w1","current_state":"terminate"}')).toBe(
      '$21\r\n{"state":"terminate"}',
    );
    expect(await h.w.call('BEAT {"wid":"nobody"}')).toBe("-ERR unknown worker nobody");
    expect(await h.w.call('BEAT {"wid":"w1","rss_kb":"big"}')).toBe(
      '-ERR invalid BEAT {"wid":"w1","rss_kb":"big"}',
    );
  });

  it("FETCH needs a queue name; `FETCH ` names the empty queue and blocks on it (as the reference)", async () => {
    expect(await h.w.call("FETCH")).toBe("-ERR must call fetch with at least one queue");
    const reply = h.w.call("FETCH ");
    await h.clock.armed(2000);
    h.clock.advance(2000);
    expect(await reply).toBe("$-1");
  });

  it("ACK, FAIL and BEAT take a JSON object only; ACK's values must be strings (or null)", async () => {
    for (const verb of ["ACK", "FAIL", "BEAT"])
      for (const arg of ["[]", "null", '"x"', "7", "{"])
        expect(await h.p.call(`${verb} ${arg}`), `${verb} ${arg}`).toBe(`-ERR invalid ${verb} ${arg}`);
    expect(await h.p.call('ACK {"jid":"ack-00001","n":1}')).toBe(
      '-ERR invalid ACK {"jid":"ack-00001","n":1}',
    );
    expect(await h.p.call('ACK {"other":"x"}')).toBe('-ERR invalid ACK {"other":"x"}');
    expect(await h.p.call('ACK {"jid":"ack-00001","note":null}')).toBe("+OK");
    expect(await h.p.call('FAIL {"jid":"x","backtrace":"not a list"}')).toMatch(/^-ERR invalid FAIL /);
  });

  it("PUSHB cuts each refusal message at 1000 characters", async () => {
    const queue = `bad ${"q".repeat(2000)}`;
    const reply = await h.p.call(
      `PUSHB ${JSON.stringify([{ jid: "bulk-edge-1", jobtype: "T", args: [], queue }])}`,
    );
    const refused = bulkJson(reply) as Record<string, string>;
    expect(refused["bulk-edge-1"]).toHaveLength(1003);
    expect(refused["bulk-edge-1"]!.endsWith("q...")).toBe(true);
  });
});

describe("a FETCH that ended leaves nothing behind", () => {
  it("after $-1, a push stays queued instead of going to the finished FETCH", async () => {
    const reply = h.w.call("FETCH default");
    await h.clock.armed(2000);
    h.clock.advance(2000);
    expect(await reply).toBe("$-1");
    await h.p.call(pushLine("after-timeout"));
    expect((await h.faktory()).queues.default).toBe(1);
    expect((await h.faktory()).sets.working).toBe(0);
  });

  it("after its connection closed, a push stays queued", async () => {
    const w2 = await hello(h.server.port, { ...WORKER_HELLO, wid: "w2" });
    void w2.call("FETCH default");
    await h.clock.armed(2000);
    w2.close();
    await until(() => h.server.info().server.connections === 2, "the close");
    expect(h.clock.pendingWith(2000)).toBe(0);
    await h.p.call(pushLine("after-close1"));
    expect((await h.faktory()).queues.default).toBe(1);
    expect((await h.faktory()).sets.working).toBe(0);
  });

  it("a FETCH answered by a push leaves no timer to disturb the connection's next FETCH", async () => {
    const first = h.w.call("FETCH default");
    await h.clock.armed(2000);
    await h.p.call(pushLine("woke-00001"));
    expect((bulkJson(await first) as { jid: string }).jid).toBe("woke-00001");
    h.clock.advance(1500);
    const second = h.w.call("FETCH default");
    await h.clock.armed(2000);
    h.clock.advance(500); // the first FETCH's timer would fire here
    expect(h.clock.pendingWith(2000)).toBe(1);
    h.w.close(); // the second FETCH must be withdrawn with its connection
    await until(() => h.server.info().server.connections === 1, "the close");
    await h.p.call(pushLine("orphan-0001"));
    expect((await h.faktory()).queues.default).toBe(1);
    void second.catch(() => {});
  });

  it("a quiet worker's FETCH waits 2 s for nothing, and is withdrawn when its connection closes", async () => {
    await h.p.call(pushLine("quiet-job-1"));
    expect(await h.w.call('BEAT {"wid":"w1","current_state":"quiet"}')).toBe('$17\r\n{"state":"quiet"}');
    const reply = h.w.call("FETCH default");
    await h.clock.armed(2000);
    h.clock.advance(1999);
    expect(h.clock.pendingWith(2000)).toBe(1);
    h.clock.advance(1);
    expect(await reply).toBe("$-1");
    void h.w.call("FETCH default");
    await h.clock.armed(2000);
    h.w.close();
    await until(() => h.clock.pendingWith(2000) === 0, "the quiet FETCH's timer cleared on close");
    expect((await h.faktory()).queues.default).toBe(1);
  });
});
