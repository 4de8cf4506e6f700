/**
 * Authentication on the embedded server: nothing runs before a successful HELLO, wrong hashes are
 * refused and the connection closed, and the hash comparison is constant-time.
 */
import type * as Crypto from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";

// Spy on timingSafeEqual while keeping the real implementation: the server's comparison must go
// through it (a `===` on the hex strings would leak the matching prefix length through timing).
const spy = vi.hoisted(() => ({ calls: [] as [Buffer, Buffer][] }));
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean => {
      spy.calls.push([Buffer.from(a as Uint8Array), Buffer.from(b as Uint8Array)]);
      return actual.timingSafeEqual(a, b);
    },
  };
});

import { AuthenticationError, Client } from "../../src/index.js";
import { hashPassword } from "../../src/protocol/index.js";
import { type FaktoryServer, startServer } from "../../src/server/index.js";
import { CLOSED, RawClient } from "../unit/server/support/raw-client.js";

const PASSWORD = "s3cr3t-pa55";
const open: { server?: FaktoryServer; raws: RawClient[] } = { raws: [] };

afterEach(async () => {
  for (const r of open.raws) r.close();
  open.raws = [];
  await open.server?.close();
  open.server = undefined;
});

async function start(): Promise<FaktoryServer> {
  // A long handshake deadline: a connection opened early must not be dropped on a loaded machine.
  open.server = await startServer({
    port: 0,
    webPort: false,
    password: PASSWORD,
    handshakeTimeoutMs: 60_000,
  });
  return open.server;
}

async function raw(port: number): Promise<{ client: RawClient; salt: string; iterations: number }> {
  const client = await RawClient.connect(port);
  open.raws.push(client);
  const hi = await client.reply();
  const { i, s } = JSON.parse(hi.slice(4)) as { i: number; s: string };
  return { client, salt: s, iterations: i };
}

const JOB = '{"jid":"sec-00000001","jobtype":"T","args":[]}';

describe("password-protected server", () => {
  it("runs no command before a successful HELLO: every other first line just closes", async () => {
    const server = await start();
    for (const line of ["INFO", `PUSH ${JOB}`, "FLUSH", "FETCH default", "QUEUE PAUSE *", "HELLO", "END"]) {
      const { client } = await raw(server.port);
      expect(await client.call(line)).toBe(CLOSED);
    }
    expect(server.info().faktory.total_enqueued).toBe(0);
    expect(server.info().server.command_count).toBe(0);
  });

  it("refuses a missing or wrong hash with -ERR Invalid password, closes, and ignores pipelined commands", async () => {
    const server = await start();
    const wrong = [
      '{"v":2}',
      '{"v":2,"pwdhash":""}',
      '{"v":2,"pwdhash":"00"}',
      `{"v":2,"pwdhash":"${"0".repeat(64)}"}`,
    ];
    for (const payload of wrong) {
      const { client } = await raw(server.port);
      client.write(`HELLO ${payload}\r\nPUSH ${JOB}\r\nINFO\r\n`);
      expect(await client.reply()).toBe("-ERR Invalid password");
      expect(await client.reply()).toBe(CLOSED);
    }
    // The hash of the right password with another connection's salt is wrong too (no replay).
    const first = await raw(server.port);
    const second = await raw(server.port);
    const replayed = hashPassword(PASSWORD, first.salt, first.iterations);
    expect(second.salt).not.toBe(first.salt);
    expect(await second.client.call(`HELLO {"v":2,"pwdhash":"${replayed}"}`)).toBe("-ERR Invalid password");
    expect(await second.client.reply()).toBe(CLOSED);
    expect(await first.client.call(`HELLO {"v":2,"pwdhash":"${replayed}"}`)).toBe("+OK");
    expect(await first.client.call(`PUSH ${JOB}`)).toBe("+OK");
    expect(server.info().faktory.total_enqueued).toBe(1);
  });

  it("the client reports a wrong password as AuthenticationError and a right one works", async () => {
    const server = await start();
    await expect(Client.connect({ url: server.url, password: "nope" })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    await expect(Client.connect({ url: server.url })).rejects.toBeInstanceOf(AuthenticationError);
    const client = await Client.connect({ url: server.url, password: PASSWORD });
    await client.push("T", []);
    await client.close();
    expect(server.info().faktory.total_enqueued).toBe(1);
  });

  it("compares the hash with crypto.timingSafeEqual, for right, wrong and wrong-length hashes", async () => {
    const server = await start();
    spy.calls.length = 0;
    const good = await raw(server.port);
    const expected = hashPassword(PASSWORD, good.salt, good.iterations);
    expect(await good.client.call(`HELLO {"v":2,"pwdhash":"${expected}"}`)).toBe("+OK");
    expect(spy.calls).toHaveLength(1);
    expect(spy.calls[0]![0].toString()).toBe(expected);
    expect(spy.calls[0]![1].toString()).toBe(expected);

    const bad = await raw(server.port);
    const almost = `${hashPassword(PASSWORD, bad.salt, bad.iterations).slice(0, 63)}x`;
    expect(await bad.client.call(`HELLO {"v":2,"pwdhash":"${almost}"}`)).toBe("-ERR Invalid password");
    expect(spy.calls).toHaveLength(2);
    expect(spy.calls[1]![0].toString()).toBe(almost);

    // A hash of another length still costs one comparison of the expected length.
    const short = await raw(server.port);
    expect(await short.client.call('HELLO {"v":2,"pwdhash":"abc"}')).toBe("-ERR Invalid password");
    expect(spy.calls).toHaveLength(3);
    expect(spy.calls[2]![0]).toHaveLength(64);
    expect(spy.calls[2]![1]).toHaveLength(64);
  });
});
