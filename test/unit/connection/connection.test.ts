import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Connection } from "../../../src/connection/connection.js";
import {
  AuthenticationError,
  ConnectionError,
  ProtocolError,
  ServerError,
  StateError,
  TimeoutError,
} from "../../../src/protocol/errors.js";
import { hashPassword } from "../../../src/protocol/password.js";
import { type Fake, startFake } from "./fake.js";

let fake: Fake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const okHello = (line: string): string | undefined => (line.startsWith("HELLO ") ? "+OK\r\n" : undefined);
const url = (f: Fake): string => `tcp://127.0.0.1:${f.port}`;

describe("Connection handshake", () => {
  it("sends a producer HELLO and becomes ready", async () => {
    fake = await startFake(okHello);
    const conn = await Connection.open({ url: url(fake) });
    expect(conn.state).toBe("ready");
    expect(fake.lines).toEqual(['HELLO {"v":2}']);
    await conn.end();
    expect(await conn.closed).toBeUndefined();
  });

  it("sends the worker identity and the URL's username", async () => {
    fake = await startFake(okHello);
    const conn = await Connection.open({
      url: `tcp://alice@127.0.0.1:${fake.port}`,
      worker: { wid: "w1", hostname: "h", pid: 42, labels: ["node"] },
    });
    expect(JSON.parse(fake.lines[0]!.slice(6))).toEqual({
      v: 2,
      hostname: "h",
      wid: "w1",
      pid: 42,
      labels: ["node"],
      username: "alice",
    });
    await conn.end();
  });

  it("hashes the password with the greeting's salt and iterations", async () => {
    fake = await startFake(okHello, '+HI {"v":2,"i":1545,"s":"55104dc76695721d"}\r\n');
    const conn = await Connection.open({ url: `tcp://:foobar@127.0.0.1:${fake.port}` });
    const hello = JSON.parse(fake.lines[0]!.slice(6)) as { pwdhash: string };
    expect(hello.pwdhash).toBe("6d877f8e5544b1f2598768f817413ab8a357afffa924dedae99eb91472d4ec30");
    expect(hello.pwdhash).toBe(hashPassword("foobar", "55104dc76695721d", 1545));
    await conn.end();
  });

  it("rejects a wrong password with AuthenticationError", async () => {
    fake = await startFake((_line, socket) => {
      socket.end("-ERR Invalid password\r\n");
      return undefined;
    }, '+HI {"v":2,"i":10,"s":"abc"}\r\n');
    await expect(Connection.open({ url: url(fake), password: "nope" })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });

  it("rejects at once when the server wants a password and none is given", async () => {
    fake = await startFake(okHello, '+HI {"v":2,"i":10,"s":"abc"}\r\n');
    await expect(Connection.open({ url: url(fake) })).rejects.toThrow(/requires a password/);
  });

  it("times out when the server stays silent", async () => {
    fake = await startFake(() => undefined, null);
    const err = await Connection.open({ url: url(fake), handshakeTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).code).toBe("TIMEOUT");
  });

  it("fails with ConnectionError when the server closes during the handshake", async () => {
    fake = await startFake((_line, socket) => {
      socket.destroy();
      return undefined;
    });
    await expect(Connection.open({ url: url(fake) })).rejects.toBeInstanceOf(ConnectionError);
  });

  it("fails with ConnectionError when nothing listens", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(Connection.open({ url: `tcp://127.0.0.1:${port}` })).rejects.toBeInstanceOf(ConnectionError);
  });

  it("rejects a greeting that is not HI with ProtocolError", async () => {
    fake = await startFake(okHello, "+HELLO THERE\r\n");
    await expect(Connection.open({ url: url(fake) })).rejects.toBeInstanceOf(ProtocolError);
  });
});

describe("Connection commands", () => {
  it("pipelines concurrent commands and matches replies in order; an error rejects only its own", async () => {
    const replies: string[] = [];
    fake = await startFake((line, socket) => {
      if (line.startsWith("HELLO")) return "+OK\r\n";
      replies.push(line);
      if (replies.length === 3) socket.write("$2\r\n{}\r\n-ERR nope here\r\n$-1\r\n");
      return undefined;
    });
    const conn = await Connection.open({ url: url(fake) });
    const [a, b, c] = [conn.send("A\r\n"), conn.send("B\r\n"), conn.send("C\r\n")];
    expect(conn.inFlight).toBe(3);
    expect(await a).toEqual({ kind: "bulk", value: "{}" });
    const err = await b.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).serverCode).toBe("ERR");
    expect((err as ServerError).serverMessage).toBe("nope here");
    expect(await c).toEqual({ kind: "null" });
    await conn.end();
  });

  it("writes a batch in one chunk and resolves each line", async () => {
    fake = await startFake((line) =>
      line.startsWith("HELLO") ? "+OK\r\n" : line === "ACK" ? "+OK\r\n" : "$-1\r\n",
    );
    const conn = await Connection.open({ url: url(fake) });
    const [ack, fetch] = conn.sendBatch(["ACK\r\n", "FETCH default\r\n"], [0, 2000]);
    expect(await ack).toEqual({ kind: "simple", value: "OK" });
    expect(await fetch).toEqual({ kind: "null" });
    expect(fake.chunks).toContain("ACK\r\nFETCH default\r\n");
    await conn.end();
  });

  it("coalesces commands sent in the same tick into one socket write", async () => {
    fake = await startFake(() => "+OK\r\n");
    const conn = await Connection.open({ url: url(fake) });
    type Spied = {
      _write: (...args: unknown[]) => void;
      _writev: (chunks: unknown[], callback: unknown) => void;
    };
    const socket = (conn as unknown as { socket: Spied }).socket;
    const writes: number[] = [];
    const write = socket._write.bind(socket);
    const writev = socket._writev.bind(socket);
    socket._write = (...args) => {
      writes.push(1);
      write(...args);
    };
    socket._writev = (chunks, callback) => {
      writes.push(chunks.length);
      writev(chunks, callback);
    };
    const replies = Array.from({ length: 20 }, (_, i) => conn.send(`PUSH ${i}\r\n`));
    expect(writes).toEqual([]); // held until the tick ends
    await Promise.all(replies);
    expect(writes).toEqual([20]);
    expect(fake.lines.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `PUSH ${i}`));
    await conn.send("INFO\r\n"); // a later tick: its own write
    expect(writes).toEqual([20, 1]);
    await conn.end();
  });

  it("rejects every pending command when the socket drops", async () => {
    fake = await startFake((line, socket) => {
      if (line.startsWith("HELLO")) return "+OK\r\n";
      if (line === "B") socket.destroy();
      return undefined;
    });
    const conn = await Connection.open({ url: url(fake) });
    const results = await Promise.allSettled([conn.send("A\r\n"), conn.send("B\r\n")]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    }
    expect(await conn.closed).toBeInstanceOf(ConnectionError);
    await expect(conn.send("C\r\n")).rejects.toBeInstanceOf(ConnectionError);
  });

  it("drops the connection with TimeoutError when a reply does not come", async () => {
    fake = await startFake(okHello);
    const conn = await Connection.open({ url: url(fake), commandTimeoutMs: 80 });
    await expect(conn.send("INFO\r\n")).rejects.toBeInstanceOf(TimeoutError);
    expect(conn.state).toBe("closed");
  });

  it("gives a blocking command its extra time", async () => {
    fake = await startFake((line, socket) => {
      if (line.startsWith("HELLO")) return "+OK\r\n";
      setTimeout(() => socket.write("$-1\r\n"), 150);
      return undefined;
    });
    const conn = await Connection.open({ url: url(fake), commandTimeoutMs: 80 });
    expect(await conn.send("FETCH q\r\n", 200)).toEqual({ kind: "null" });
    await conn.end();
  });

  it("times out a command at its own deadline after an answered blocking command", async () => {
    fake = await startFake((line) => {
      if (line.startsWith("HELLO")) return "+OK\r\n";
      if (line.startsWith("FETCH")) return "$-1\r\n";
      return undefined; // INFO: never answered
    });
    const conn = await Connection.open({ url: url(fake), commandTimeoutMs: 80 });
    // The FETCH armed the timer for 80 + 5000 ms; the INFO after it must still time out at ~80 ms.
    expect(await conn.send("FETCH q\r\n", 5000)).toEqual({ kind: "null" });
    const t0 = performance.now();
    await expect(conn.send("INFO\r\n")).rejects.toBeInstanceOf(TimeoutError);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(conn.state).toBe("closed");
  });

  it("treats malformed replies as ProtocolError and closes", async () => {
    fake = await startFake((line) => (line.startsWith("HELLO") ? "+OK\r\n" : "?garbage\r\n"));
    const conn = await Connection.open({ url: url(fake) });
    await expect(conn.send("INFO\r\n")).rejects.toBeInstanceOf(ProtocolError);
    expect(await conn.closed).toBeInstanceOf(ProtocolError);
  });

  it("END is sent once and the connection refuses further commands", async () => {
    fake = await startFake(okHello);
    const conn = await Connection.open({ url: url(fake) });
    await conn.end();
    await conn.end();
    expect(fake.lines.filter((l) => l === "END")).toHaveLength(1);
    await expect(conn.send("INFO\r\n")).rejects.toBeInstanceOf(StateError);
  });
});
