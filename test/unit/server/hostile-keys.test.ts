/**
 * Keys that are special in JavaScript objects (`__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, `prototype`) as jid, queue, wid, job type and custom key: every reply keeps
 * them as plain keys, as Faktory 1.10 does (issue #10 §1, measured against the real server).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOSTILE_KEYS } from "../../support/hostile-keys.js";
import { type Harness, harness, WORKER_HELLO } from "./support/harness.js";
import { bulkJson, hello } from "./support/raw-client.js";

const HOSTILE = HOSTILE_KEYS;

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

describe("hostile keys on the server", () => {
  it('PUSHB [{"jid":"__proto__"}] reports the rejection under the key "__proto__" (as Faktory 1.10)', async () => {
    const reply = await h.p.call('PUSHB [{"jid":"__proto__"}]');
    expect(reply).toBe('$50\r\n{"__proto__":"jobs must have a jobtype parameter"}');
  });

  it("PUSHB reports every hostile jid it refuses, and accepts them when valid", async () => {
    const refused = HOSTILE.map((jid) => ({ jid, args: [] }));
    const errors = bulkJson(await h.p.call(`PUSHB ${JSON.stringify(refused)}`)) as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual([...HOSTILE].sort());
    for (const jid of HOSTILE) expect(errors[jid]).toBe("jobs must have a jobtype parameter");
    const valid = HOSTILE.map((jid) => ({ jid, jobtype: jid, args: [jid] }));
    expect(await h.p.call(`PUSHB ${JSON.stringify(valid)}`)).toBe("$2\r\n{}");
    const fetched: string[] = [];
    for (const _ of HOSTILE) {
      const job = bulkJson(await h.w.call("FETCH default")) as {
        jid: string;
        jobtype: string;
        args: string[];
      };
      expect(job.jobtype).toBe(job.jid);
      expect(job.args).toEqual([job.jid]);
      fetched.push(job.jid);
      expect(await h.w.call(`ACK ${JSON.stringify({ jid: job.jid })}`)).toBe("+OK");
    }
    expect(fetched).toEqual([...HOSTILE]);
  });

  it("INFO lists queues named __proto__ & co, and QUEUE LATENCY answers for each", async () => {
    for (const [i, queue] of HOSTILE.entries())
      for (let n = 0; n <= i; n++)
        expect(
          await h.p.call(
            `PUSH ${JSON.stringify({ jid: `job-${queue}-${n}`, jobtype: "T", args: [], queue })}`,
          ),
        ).toBe("+OK");
    const info = await h.faktory();
    expect(Object.keys(info.queues).sort()).toEqual([...HOSTILE].sort());
    for (const [i, queue] of HOSTILE.entries()) expect(info.queues[queue]).toBe(i + 1);
    const raw = await h.p.call("INFO");
    expect(raw).toContain('"__proto__":1');

    h.clock.advance(2500);
    const latencyReply = await h.p.call(`QUEUE LATENCY ${HOSTILE.join(" ")}`);
    expect(latencyReply).toContain('"__proto__":2.5');
    const latency = bulkJson(latencyReply) as Record<string, number>;
    expect(Object.keys(latency)).toEqual([...HOSTILE].sort()); // Go writes map keys sorted
    for (const queue of HOSTILE) expect(latency[queue]).toBe(2.5);

    expect(await h.p.call("QUEUE PAUSE __proto__ constructor")).toBe("+OK");
    const next = bulkJson(await h.w.call("FETCH __proto__ constructor prototype")) as { jid: string };
    expect(next.jid).toBe("job-prototype-0"); // the paused queues are skipped
    expect(await h.p.call("QUEUE REMOVE __proto__ constructor")).toBe("+OK");
    expect(Object.keys((await h.faktory()).queues).sort()).toEqual([
      "hasOwnProperty",
      "prototype",
      "toString",
    ]);
  });

  it("custom keys and job types round-trip byte for byte through PUSH and FETCH", async () => {
    const custom = Object.fromEntries(HOSTILE.map((k) => [k, { [k]: k }]));
    const line = `PUSH {"jid":"custom-0001","jobtype":"constructor","args":[{"__proto__":{"x":1}}],"custom":${JSON.stringify(custom)}}`;
    expect(line).toContain('"__proto__":{"__proto__":"__proto__"}');
    expect(await h.p.call(line)).toBe("+OK");
    const reply = await h.w.call("FETCH default");
    expect(reply).toContain('"__proto__":{"__proto__":"__proto__"}');
    expect(reply).toContain('"args":[{"__proto__":{"x":1}}]');
    const job = bulkJson(reply) as { custom: Record<string, unknown>; jobtype: string };
    expect(Object.keys(job.custom).sort()).toEqual([...HOSTILE].sort());
    expect(job.jobtype).toBe("constructor");
  });

  it("MUTATE filters on hostile jids and job types", async () => {
    const at = new Date(h.clock.now() + 60_000).toISOString();
    for (const jid of HOSTILE) await h.p.call(`PUSH ${JSON.stringify({ jid, jobtype: jid, args: [], at })}`);
    expect(await h.p.call('MUTATE {"cmd":"kill","target":"scheduled","filter":{"jids":["__proto__"]}}')).toBe(
      "+OK",
    );
    expect(
      await h.p.call('MUTATE {"cmd":"discard","target":"scheduled","filter":{"jobtype":"toString"}}'),
    ).toBe("+OK");
    const info = await h.faktory();
    expect(info.sets.dead).toBe(1);
    expect(info.sets.scheduled).toBe(3);
  });

  it("workers with hostile wids register, beat and are listed separately", async () => {
    const clients = await Promise.all(HOSTILE.map((wid) => hello(h.server.port, { ...WORKER_HELLO, wid })));
    try {
      for (const [i, wid] of HOSTILE.entries())
        expect(await clients[i]!.call(`BEAT ${JSON.stringify({ wid })}`)).toBe("+OK");
      const info = bulkJson(await h.p.call("INFO")) as { faktory: { tasks: { Workers: { size: number } } } };
      expect(info.faktory.tasks.Workers.size).toBe(HOSTILE.length + 1); // + the harness's w1
      clients[0]!.close();
      await clients[0]!.closedByServer().catch(() => undefined);
      expect(await clients[1]!.call('BEAT {"wid":"constructor"}')).toBe("+OK");
    } finally {
      for (const c of clients) c.close();
    }
  });
});
