/** `GET /metrics` on an embedded server: values after real PUSH/FETCH/ACK/FAIL traffic, headers, auth. */
import { afterEach, describe, expect, it } from "vitest";
import { type FaktoryServer, type ServerOptions, startServer } from "../../../src/server/index.js";
import { ManualClock } from "./support/clocks.js";
import { bulkJson, hello, type RawClient } from "./support/raw-client.js";

let server: FaktoryServer | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function start(options: ServerOptions = {}): Promise<FaktoryServer> {
  server = await startServer({ port: 0, webPort: 0, ...options });
  return server;
}

/** The sample lines of a metrics body, `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

function job(jid: string, queue: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ jid, jobtype: "Mail", args: [], queue, ...extra });
}

describe("GET /metrics", () => {
  it("reports queues, sets, counters, connections and workers after real traffic", async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 12, 0, 0));
    const s = await start({ clock });
    const producer = await hello(s.port);
    const worker = await hello(s.port, { v: 2, wid: "metrics-w1", hostname: "h", pid: 1, labels: [] });
    clients.push(producer, worker);

    for (const [jid, queue, extra] of [
      ["jid-ack-0001", "critical", {}],
      ["jid-fail-001", "critical", { retry: 25 }],
      ["jid-dead-001", "critical", { retry: -1 }],
      ["jid-work-001", "critical", {}],
      ["jid-wait-001", "default", {}],
      ["jid-wait-002", "default", {}],
      ["jid-late-001", "default", { at: new Date(clock.now() + 3_600_000).toISOString() }],
    ] as const)
      expect(await producer.call(`PUSH ${job(jid, queue, extra)}`)).toBe("+OK");
    clock.advance(1500);

    const fetched: string[] = [];
    for (let i = 0; i < 4; i++)
      fetched.push((bulkJson(await worker.call("FETCH critical")) as { jid: string }).jid);
    expect(fetched).toEqual(["jid-ack-0001", "jid-fail-001", "jid-dead-001", "jid-work-001"]);
    expect(await worker.call('ACK {"jid":"jid-ack-0001"}')).toBe("+OK");
    for (const jid of ["jid-fail-001", "jid-dead-001"])
      expect(await worker.call(`FAIL ${JSON.stringify({ jid, errtype: "E", message: "boom" })}`)).toBe("+OK");

    const res = await fetch(`${s.webUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain("# TYPE faktory_jobs_processed_total counter\n");
    expect(text).toContain("# TYPE faktory_queue_size gauge\n");
    expect(Object.fromEntries(samples(text))).toEqual({
      'faktory_queue_size{queue="critical"}': 0,
      'faktory_queue_size{queue="default"}': 2,
      'faktory_queue_latency_seconds{queue="critical"}': 0,
      'faktory_queue_latency_seconds{queue="default"}': 1.5,
      'faktory_queue_paused{queue="critical"}': 0,
      'faktory_queue_paused{queue="default"}': 0,
      'faktory_set_size{set="retries"}': 1,
      'faktory_set_size{set="scheduled"}': 1,
      'faktory_set_size{set="dead"}': 1,
      'faktory_set_size{set="working"}': 1,
      faktory_jobs_processed_total: 3,
      faktory_jobs_failed_total: 2,
      faktory_connections: 2,
      faktory_workers: 1,
      faktory_commands_total: 7 + 4 + 1 + 2, // PUSH, FETCH, ACK, FAIL (HELLO is the handshake)
      faktory_uptime_seconds: 1,
    });
  });

  it("lists queues in name order, numeric-looking names included, with INFO's sizes and the paused flags", async () => {
    const s = await start({ clock: new ManualClock() });
    const producer = await hello(s.port);
    clients.push(producer);
    for (const [i, queue] of ["b", "10", "2", "a", "2"].entries())
      expect(await producer.call(`PUSH ${job(`jid-order-${i}`, queue)}`)).toBe("+OK");
    expect(await producer.call("QUEUE PAUSE 2")).toBe("+OK");
    const text = await (await fetch(`${s.webUrl}/metrics`)).text();
    const sizes = [...samples(text)].filter(([k]) => k.startsWith("faktory_queue_size"));
    expect(sizes).toEqual([
      ['faktory_queue_size{queue="10"}', 1],
      ['faktory_queue_size{queue="2"}', 2],
      ['faktory_queue_size{queue="a"}', 1],
      ['faktory_queue_size{queue="b"}', 1],
    ]);
    expect(sizes.map(([, n]) => n)).toEqual(["10", "2", "a", "b"].map((q) => s.info().faktory.queues[q]));
    expect(samples(text).get('faktory_queue_paused{queue="2"}')).toBe(1);
    expect(samples(text).get('faktory_queue_paused{queue="a"}')).toBe(0);
  });

  it("answers 401 without the password, and 200 with it (any user name)", async () => {
    const s = await start({ password: "pw" });
    const anonymous = await fetch(`${s.webUrl}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Basic realm="Faktory"');
    expect(await anonymous.text()).toBe("");
    const wrong = { authorization: `Basic ${Buffer.from("prometheus:nope").toString("base64")}` };
    expect((await fetch(`${s.webUrl}/metrics`, { headers: wrong })).status).toBe(401);
    const right = { authorization: `Basic ${Buffer.from("prometheus:pw").toString("base64")}` };
    const ok = await fetch(`${s.webUrl}/metrics`, { headers: right });
    expect(ok.status).toBe(200);
    expect(samples(await ok.text()).get("faktory_jobs_processed_total")).toBe(0);
  });

  it("is GET only", async () => {
    const s = await start();
    const res = await fetch(`${s.webUrl}/metrics`, { method: "POST", body: "" });
    expect(res.status).toBe(405);
  });
});
