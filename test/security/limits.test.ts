/**
 * Limits of the embedded server: loopback binding by default, the handshake deadline against
 * silent and slow clients, the connection limit, oversized lines refused without buffering them,
 * and error replies that never echo unbounded input.
 */
import { connect, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { type FaktoryServer, type ServerOptions, startServer } from "../../src/server/index.js";
import { CLOSED, hello, RawClient } from "../unit/server/support/raw-client.js";

const open: { server?: FaktoryServer; raws: RawClient[]; sockets: Socket[] } = { raws: [], sockets: [] };

afterEach(async () => {
  for (const r of open.raws) r.close();
  for (const s of open.sockets) s.destroy();
  open.raws = [];
  open.sockets = [];
  await open.server?.close();
  open.server = undefined;
});

async function start(options: ServerOptions = {}): Promise<FaktoryServer> {
  open.server = await startServer({ port: 0, webPort: false, ...options });
  return open.server;
}

async function identified(port: number): Promise<RawClient> {
  const c = await hello(port);
  open.raws.push(c);
  return c;
}

/** Resolves with the ms from now until `socket` closes; rejects after `limitMs`. */
function closeTime(socket: Socket, limitMs: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      resolve(0);
      return;
    }
    const guard = setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs);
    socket.once("close", () => {
      clearTimeout(guard);
      resolve(performance.now() - start);
    });
  });
}

function rawSocket(port: number, host = "127.0.0.1"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    open.sockets.push(socket);
    socket.on("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      resolve(socket);
    });
    socket.resume();
  });
}

describe("binding", () => {
  it("listens on 127.0.0.1 unless told otherwise, on the protocol and web ports", async () => {
    const server = await start({ webPort: 0 });
    expect(server.host).toBe("127.0.0.1");
    expect(server.url).toBe(`tcp://127.0.0.1:${server.port}`);
    expect(server.webUrl).toBe(`http://127.0.0.1:${server.webPort}`);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === "IPv4" && !a.internal);
    if (external === undefined) return; // no non-loopback interface to try from
    for (const port of [server.port, server.webPort!])
      await expect(rawSocket(port, external.address)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("handshake deadline", () => {
  it("closes a silent client and a slow (byte-a-tick) HELLO at the deadline, counting from accept", async () => {
    await start({ handshakeTimeoutMs: 300 });
    const silent = await rawSocket(open.server!.port);
    expect(await closeTime(silent, 3000)).toBeLessThan(1500);

    const slow = await rawSocket(open.server!.port);
    const line = 'HELLO {"v":2,"hostname":"slow-loris-slow-loris"}\r\n';
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < line.length && !slow.destroyed) slow.write(line[sent++]!);
    }, 25);
    try {
      const took = await closeTime(slow, 3000);
      expect(took).toBeLessThan(1500);
      expect(sent).toBeLessThan(line.length); // it never got to finish its HELLO
    } finally {
      clearInterval(drip);
    }
    expect(open.server!.info().server.connections).toBe(0);
  });
});

describe("connection limit", () => {
  it("refuses identified connections past the limit and frees the slot when one leaves", async () => {
    const server = await start({ maxConnections: 3 });
    const clients = [
      await identified(server.port),
      await identified(server.port),
      await identified(server.port),
    ];
    expect(server.info().server.connections).toBe(3);

    const extra = await RawClient.connect(server.port);
    open.raws.push(extra);
    await extra.reply();
    expect(await extra.call('HELLO {"v":2}')).toBe("+OK");
    expect(await extra.reply()).toBe("-ERR too many connections: 4");
    expect(await extra.reply()).toBe(CLOSED);
    expect(server.info().server.connections).toBe(3);
    for (const c of clients) expect(await c.call("INFO")).toMatch(/^\$\d+\r\n\{/);

    clients[0]!.close();
    await clients[0]!.closedByServer();
    const next = await identified(server.port);
    expect(await next.call('PUSH {"jid":"limit-0001","jobtype":"T","args":[]}')).toBe("+OK");
    expect(server.info().server.connections).toBe(3);
  });
});

describe("oversized lines", () => {
  it("refuses a line past maxLineBytes and closes before the whole line has been sent", async () => {
    const limit = 64 * 1024;
    const server = await start({ maxLineBytes: limit });
    const c = await identified(server.port);
    const total = 64 * 1024 * 1024;
    const piece = Buffer.alloc(256 * 1024, 0x61);
    const before = process.memoryUsage().arrayBuffers;
    let written = 0;
    c.write("PUSH ");
    while (written < total && !c.socket.destroyed && c.socket.writable) {
      const ok = c.socket.write(piece);
      written += piece.length;
      if (!ok)
        await new Promise<void>((resolve) => {
          const done = (): void => {
            c.socket.off("drain", done);
            c.socket.off("close", done);
            resolve();
          };
          c.socket.on("drain", done).on("close", done);
        });
    }
    expect(await c.reply()).toBe(`-ERR line too long (more than ${limit} bytes)`);
    expect(await c.reply()).toBe(CLOSED);
    expect(written).toBeLessThan(total / 4);
    // The server did not keep the line: far less than what was sent is still allocated.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(written);
    expect(server.info().faktory.total_enqueued).toBe(0);
    expect(server.info().server.connections).toBe(0);
  });
});

describe("error replies", () => {
  it("never echo unbounded input: a 1 MB bad argument gets a short reply", async () => {
    const server = await start();
    const c = await identified(server.port);
    const huge = "x".repeat(1024 * 1024);
    const lines = [
      `ACK ${huge}`,
      `ACK {"jid":"${huge}","x":1}`,
      `FAIL ${huge}`,
      `FAIL {"jid":"${huge}"}`,
      `BEAT ${huge}`,
      `BEAT {"wid":"${huge}"}`,
      `PUSH ${huge}`,
      `PUSH {"jid":"${huge}","jobtype":"T","args":[],"queue":"${huge}"}`,
      `PUSH {"jid":"big-queue-1","jobtype":"T","args":[],"at":"${huge}"}`,
      `PUSHB ${huge}`,
      `PUSHB [{"jid":"short-jid-1","jobtype":"T","args":[],"queue":"!${huge}"}]`,
      `QUEUE ${huge}`,
      `QUEUE LATENCY ${huge} *`,
      `MUTATE ${huge}`,
      `MUTATE {"cmd":"${huge}","target":"dead"}`,
      huge,
      `${huge} ${huge}`,
    ];
    for (const line of lines) {
      const reply = await c.call(line);
      expect(reply.length, line.slice(0, 40)).toBeLessThan(2100);
      expect(reply, line.slice(0, 40)).toMatch(/^[-+$]/);
    }
    // PUSHB answers with a map keyed by the jids it refused: a huge jid comes back (the client
    // needs it to match the error), but never amplified, and the error text itself is capped.
    const reply = await c.call(`PUSHB [{"jid":"${huge}","jobtype":"T","args":[],"queue":"!${huge}"}]`);
    const map = JSON.parse(reply.slice(reply.indexOf("\r\n") + 2)) as Record<string, string>;
    expect(Object.keys(map)).toEqual([huge]);
    expect(map[huge]!.length).toBeLessThan(1100);
    expect(reply.length).toBeLessThan(huge.length + 1200);
    expect(await c.call("INFO")).toMatch(/^\$\d+\r\n\{/);
  });
});
