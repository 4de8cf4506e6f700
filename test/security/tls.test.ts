/**
 * TLS end to end with a certificate made in the test: the client verifies it against the CA it
 * is given, a client without the CA fails with a clear ConnectionError, and plain TCP against the
 * TLS port fails within a bound on both sides.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, ConnectionError } from "../../src/index.js";
import { startServer } from "../../src/server/index.js";

let dir = "";
let key = "";
let cert = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "faktory-ts-sec-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  key = readFileSync(join(dir, "key.pem"), "utf8");
  cert = readFileSync(join(dir, "cert.pem"), "utf8");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Milliseconds `promise` takes to settle. */
async function timed(promise: Promise<unknown>): Promise<number> {
  const start = performance.now();
  await promise.then(
    () => {},
    () => {},
  );
  return performance.now() - start;
}

describe("TLS", () => {
  it("a client that trusts the certificate pushes and reads INFO over tcp+tls://", async () => {
    await using server = await startServer({ port: 0, webPort: false, tls: { key, cert } });
    expect(server.url.startsWith("tcp+tls://127.0.0.1:")).toBe(true);
    for (const url of [server.url, `tcp+tls://localhost:${server.port}`]) {
      const client = await Client.connect({ url, tls: { ca: cert } });
      await client.push("Secure", [1]);
      await client.close();
    }
    expect(server.info().faktory.total_enqueued).toBe(2);
  });

  it("a client without the CA is refused with a ConnectionError naming the certificate problem", async () => {
    await using server = await startServer({ port: 0, webPort: false, tls: { key, cert } });
    const attempt = Client.connect({ url: server.url, connectTimeoutMs: 3000 });
    await expect(attempt).rejects.toBeInstanceOf(ConnectionError);
    await expect(attempt).rejects.toThrow(/certificate/i);
    expect(server.info().server.connections).toBe(0);
  });

  it("a plain-TCP client against the TLS port fails within its handshake timeout", async () => {
    await using server = await startServer({ port: 0, webPort: false, tls: { key, cert } });
    const attempt = Client.connect({ url: `tcp://127.0.0.1:${server.port}`, handshakeTimeoutMs: 500 });
    const took = timed(attempt);
    await expect(attempt).rejects.toBeInstanceOf(ConnectionError);
    expect(await took).toBeLessThan(3000);
  });

  it("the server drops a plain-TCP peer (talking or silent) within the handshake deadline", async () => {
    await using server = await startServer({
      port: 0,
      webPort: false,
      tls: { key, cert },
      handshakeTimeoutMs: 300,
    });
    const closedAfter = (talk: boolean): Promise<number> =>
      new Promise((resolve, reject) => {
        const start = performance.now();
        const socket = connect(server.port, "127.0.0.1");
        const guard = setTimeout(() => {
          socket.destroy();
          reject(new Error("the server kept the connection open"));
        }, 5000);
        socket.on("connect", () => {
          if (talk) socket.write('HELLO {"v":2}\r\n');
        });
        socket.on("error", () => {});
        socket.on("close", () => {
          clearTimeout(guard);
          resolve(performance.now() - start);
        });
        socket.resume();
      });
    expect(await closedAfter(true)).toBeLessThan(2000);
    expect(await closedAfter(false)).toBeLessThan(2000);
  });
});
