/**
 * The exact edges of the server's command parsing: where an argument starts, how much client
 * input an error echoes, where an error message is cut, and BEAT's state words.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, harness } from "./support/harness.js";

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
});
