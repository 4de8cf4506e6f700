/**
 * The network front: handshake (password, deadline, malformed HELLO, connection limit),
 * framing (bare LF, pipelining, byte-by-byte, oversized lines), dispatch and shutdown.
 */
import { afterEach, describe, expect, it } from "vitest";
import { hashPassword } from "../../../src/protocol/index.js";
import { type FaktoryServer, type ServerOptions, startServer } from "../../../src/server/index.js";
import { ManualClock } from "./support/clocks.js";
import { bulkJson, CLOSED, hello, RawClient } from "./support/raw-client.js";
import { until } from "../../support/until.js";

const open: { server?: FaktoryServer; clients: RawClient[] } = { clients: [] };

async function start(options: ServerOptions = {}): Promise<{ server: FaktoryServer; clock: ManualClock }> {
  const clock = new ManualClock();
  const server = await startServer({ port: 0, webPort: false, clock, ...options });
  open.server = server;
  return { server, clock };
}

async function connect(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  open.clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of open.clients) c.close();
  open.clients = [];
  await open.server?.close();
  open.server = undefined;
});

describe("handshake", () => {
  it("requires the password hash of the greeting's salt and iterations", async () => {
    const { server } = await start({ password: "s3cret" });
    const good = await connect(server.port);
    const hi = await good.reply();
    expect(hi).toMatch(/^\+HI \{"v":2,"i":\d{4},"s":"[0-9a-f]+"\}$/);
    const { i, s } = JSON.parse(hi.slice(4)) as { i: number; s: string };
    expect(i).toBeGreaterThanOrEqual(4000);
    expect(i).toBeLessThanOrEqual(8095);
    expect(await good.call(`HELLO {"v":2,"pwdhash":"${hashPassword("s3cret", s, i)}"}`)).toBe("+OK");

    const bad = await connect(server.port);
    await bad.reply();
    expect(await bad.call('HELLO {"v":2,"pwdhash":"00"}')).toBe("-ERR Invalid password");
    expect(await bad.reply()).toBe(CLOSED);

    const old = await connect(server.port);
    const hi2 = JSON.parse((await old.reply()).slice(4)) as { s: string };
    expect(await old.call(`HELLO {"v":1,"pwdhash":"${hashPassword("s3cret", hi2.s, 1)}"}`)).toBe("+OK");
  });

  it("closes silently on a non-HELLO line or invalid HELLO JSON, and ignores pwdhash without a password", async () => {
    const { server } = await start();
    for (const line of ["INFO", "HELLO {nope", 'HELLO {"wid":5}', "hello {}"]) {
      const c = await connect(server.port);
      expect(await c.reply()).toBe('+HI {"v":2}');
      expect(await c.call(line)).toBe(CLOSED);
    }
    const c = await connect(server.port);
    await c.reply();
    expect(await c.call('HELLO {"v":2,"pwdhash":"whatever"}')).toBe("+OK");
    expect(await c.call("HELLO {}")).toBe("-ERR unknown command HELLO");
  });

  it("closes a connection that does not say HELLO within the deadline", async () => {
    const { server, clock } = await start({ handshakeTimeoutMs: 2000 });
    const c = await connect(server.port);
    await c.reply(); // the deadline is armed before the greeting is written
    expect(clock.pendingWith(2000)).toBe(1);
    clock.advance(1999);
    expect(clock.pendingWith(2000)).toBe(1); // not yet
    expect(c.isClosed).toBe(false);
    clock.advance(1);
    expect(clock.pendingWith(2000)).toBe(0);
    await c.closedByServer();
  });

  it("refuses connections over the limit after the handshake's +OK", async () => {
    const { server } = await start({ maxConnections: 1 });
    const first = await hello(server.port);
    open.clients.push(first);
    const second = await connect(server.port);
    await second.reply();
    expect(await second.call('HELLO {"v":2}')).toBe("+OK");
    expect(await second.reply()).toBe("-ERR too many connections: 2");
    expect(await second.reply()).toBe(CLOSED);
    expect(server.info().server.connections).toBe(1);
    first.close();
    await until(() => server.info().server.connections === 0, "the first connection's close");
    const third = await hello(server.port);
    open.clients.push(third);
    expect(server.info().server.connections).toBe(1);
  });
});

describe("framing and dispatch", () => {
  it("accepts bare LF and answers pipelined commands in order", async () => {
    const { server } = await start();
    const c = await hello(server.port);
    open.clients.push(c);
    c.write(
      'PUSH {"jid":"pipe-0001","jobtype":"T","args":[]}\nPUSH {"jid":"pipe-0002","jobtype":"T","args":[]}\r\nFETCH default\nFOO\n',
    );
    expect(await c.reply()).toBe("+OK");
    expect(await c.reply()).toBe("+OK");
    expect((bulkJson(await c.reply()) as { jid: string }).jid).toBe("pipe-0001");
    expect(await c.reply()).toBe("-ERR unknown command FOO");
  });

  it("reassembles commands sent one byte at a time", async () => {
    const { server } = await start();
    const c = await RawClient.connect(server.port);
    open.clients.push(c);
    await c.reply();
    for (const b of Buffer.from('HELLO {"v":2}\r\nPUSH {"jid":"byte-0001","jobtype":"Té","args":[]}\r\n')) {
      c.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    expect(await c.reply()).toBe("+OK");
    expect(await c.reply()).toBe("+OK");
    expect(server.info().faktory.queues).toEqual({ default: 1 });
  });

  it("answers an oversized line with an error and closes, without waiting for its end", async () => {
    const { server } = await start({ maxLineBytes: 1024 });
    const c = await hello(server.port);
    open.clients.push(c);
    c.write(`PUSH ${"x".repeat(4096)}`);
    expect(await c.reply()).toBe("-ERR line too long (more than 1024 bytes)");
    expect(await c.reply()).toBe(CLOSED);
  });

  it("gives internal error for verbs missing their argument, and truncates echoed input", async () => {
    const { server } = await start();
    const c = await hello(server.port);
    open.clients.push(c);
    for (const verb of ["PUSH", "PUSHB", "ACK", "FAIL", "BEAT"])
      expect(await c.call(verb)).toBe("-ERR internal error");
    const huge = `{${"a".repeat(10_000)}`;
    const reply = await c.call(`ACK ${huge}`);
    expect(reply.startsWith(`-ERR invalid ACK {aaa`)).toBe(true);
    expect(reply.length).toBeLessThan(260);
    expect((await c.call(`X${"y".repeat(5000)}`)).length).toBeLessThan(260);
    expect(await c.call('ACK {"jid":1}')).toBe('-ERR invalid ACK {"jid":1}');
    expect(await c.call('BEAT {"wid":7}')).toBe('-ERR invalid BEAT {"wid":7}');
  });

  it("acknowledges a plain ACK and one with JSON escapes or extra keys alike", async () => {
    const { server } = await start();
    const c = await hello(server.port);
    open.clients.push(c);
    for (const jid of ["plain-jid-1", 'quo"te-jid-2', "escaped-A-3", "extra-key-4"])
      expect(await c.call(`PUSH ${JSON.stringify({ jid, jobtype: "T", args: [], queue: "acks" })}`)).toBe(
        "+OK",
      );
    for (let i = 0; i < 4; i++) await c.call("FETCH acks");
    expect(server.info().faktory.tasks.Busy.size).toBe(4);
    expect(await c.call('ACK {"jid":"plain-jid-1"}')).toBe("+OK");
    expect(await c.call('ACK {"jid":"quo\\"te-jid-2"}')).toBe("+OK");
    expect(await c.call('ACK {"jid":"escaped-\\u0041-3"}')).toBe("+OK");
    expect(await c.call('ACK {"jid":"extra-key-4","x":"y"}')).toBe("+OK");
    expect(server.info().faktory.tasks.Busy.size).toBe(0);
    expect(server.info().faktory.total_processed).toBe(4);
    expect(await c.call('ACK {"jid":"tab\tin-jid"}')).toBe('-ERR invalid ACK {"jid":"tab\tin-jid"}');
  });

  it("gives every FETCH line its own queue list (repeated and differing lines)", async () => {
    const { server } = await start();
    const c = await hello(server.port);
    open.clients.push(c);
    await c.call(`PUSH ${JSON.stringify({ jid: "fetch-a-000001", jobtype: "T", args: [], queue: "fa" })}`);
    await c.call(`PUSH ${JSON.stringify({ jid: "fetch-b-000001", jobtype: "T", args: [], queue: "fb" })}`);
    await c.call(`PUSH ${JSON.stringify({ jid: "fetch-b-000002", jobtype: "T", args: [], queue: "fb" })}`);
    expect((bulkJson(await c.call("FETCH fb fa")) as { jid: string }).jid).toBe("fetch-b-000001");
    expect((bulkJson(await c.call("FETCH fa fb")) as { jid: string }).jid).toBe("fetch-a-000001");
    expect((bulkJson(await c.call("FETCH fa fb")) as { jid: string }).jid).toBe("fetch-b-000002");
  });

  it("closes without a reply on END, and counts dispatched commands only", async () => {
    const { server } = await start();
    const c = await hello(server.port);
    open.clients.push(c);
    await c.call("NOPE");
    await c.call("INFO");
    expect(server.info().server.command_count).toBe(1);
    expect(await c.call("END")).toBe(CLOSED);
  });

  it("rejects jobs with the reference's texts", async () => {
    const { server } = await start();
    const c = await hello(server.port);
    open.clients.push(c);
    expect(await c.call('PUSH {"jid":"short","jobtype":"T","args":[]}')).toBe(
      "-ERR jobs must have a reasonable jid parameter",
    );
    expect(await c.call('PUSH {"jid":"longenough","jobtype":7,"args":[]}')).toBe(
      "-ERR invalid JSON: json: cannot unmarshal number into Go struct field Job.jobtype of type string",
    );
    expect(await c.call("PUSH [1]")).toBe(
      "-ERR invalid JSON: json: cannot unmarshal array into Go value of type client.Job",
    );
    expect(await c.call("PUSH {")).toMatch(/^-ERR invalid JSON: malformed JSON/);
    expect(
      await c.call('PUSHB [{"jid":"a","jobtype":"T","args":[]},{"jid":"bulk-0001","jobtype":"T","args":[]}]'),
    ).toBe('$49\r\n{"a":"jobs must have a reasonable jid parameter"}');
  });
});

describe("close()", () => {
  it("closes open sockets, answering a blocked FETCH first, and is idempotent", async () => {
    const { server, clock } = await start({ handshakeTimeoutMs: 5000 });
    const c = await hello(server.port, { wid: "w-close", v: 2 });
    open.clients.push(c);
    const pending = await RawClient.connect(server.port);
    open.clients.push(pending);
    const fetch = c.call("FETCH default");
    await clock.armed(2000); // the FETCH blocks
    await pending.reply(); // greeted, and still in its handshake
    await server.close();
    // Blocked (its timer is armed): `$-1` at once (see test/unit/server/shutdown.test.ts).
    expect(await fetch).toBe("$-1");
    expect(await c.reply()).toBe(CLOSED);
    await pending.closedByServer();
    await server.close();
    await expect(RawClient.connect(server.port)).rejects.toThrow();
  });

  it("supports await using", async () => {
    let port = 0;
    {
      await using server = await startServer({ port: 0, webPort: false });
      port = server.port;
      expect(server.url).toBe(`tcp://127.0.0.1:${port}`);
    }
    await expect(RawClient.connect(port)).rejects.toThrow();
  });
});
