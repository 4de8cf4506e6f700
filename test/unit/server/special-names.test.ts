/**
 * Names that are also Object.prototype keys (`__proto__`, `constructor`, `toString`) are valid
 * jids and queue names; the server must report them like any other, never swallow them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, harness, pushLine } from "./support/harness.js";
import { bulkJson } from "./support/raw-client.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty"];

describe("prototype-like names", () => {
  it("are reported in PUSHB's refusals", async () => {
    const jobs = NAMES.map((jid) => ({ jid, args: [] })); // no jobtype: all refused
    const reply = await h.p.call(`PUSHB ${JSON.stringify(jobs)}`);
    const refused = bulkJson(reply) as Record<string, string>;
    expect(Object.keys(refused).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(refused[name]).toBe("jobs must have a jobtype parameter");
  });

  it("are listed in INFO's queues and answered by QUEUE LATENCY", async () => {
    for (const [i, queue] of NAMES.entries())
      expect(await h.p.call(pushLine(`proto-q-${i}`, { queue }))).toBe("+OK");
    const f = await h.faktory();
    expect(Object.keys(f.queues).sort()).toEqual([...NAMES].sort());
    for (const queue of NAMES) expect(f.queues[queue]).toBe(1);
    h.clock.advance(2000);
    const latency = bulkJson(await h.p.call(`QUEUE LATENCY ${NAMES.join(" ")}`)) as Record<string, number>;
    expect(Object.keys(latency).sort()).toEqual([...NAMES].sort());
    for (const queue of NAMES) expect(latency[queue]).toBe(2);
    expect(bulkJson(await h.p.call("FETCH __proto__"))).toMatchObject({ jid: "proto-q-0" });
  });
});
