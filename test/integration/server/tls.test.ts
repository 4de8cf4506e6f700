/** TLS on the protocol port (tcp+tls://) and HTTPS on the web port, with a throw-away certificate. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../../src/server/index.js";
import { CLOSED, RawClient } from "../../unit/server/support/raw-client.js";

let dir = "";
let tls: { key: string; cert: string } | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "faktory-ts-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"].concat([
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ]),
      { stdio: "ignore" },
    );
    tls = {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } catch {
    tls = undefined; // no openssl: the test below is skipped
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("TLS", () => {
  it("speaks the protocol over TLS, serves HTTPS, and drops plaintext clients", async (ctx) => {
    if (tls === undefined) ctx.skip();
    await using server = await startServer({ port: 0, webPort: 0, tls: tls! });
    expect(server.url).toBe(`tcp+tls://127.0.0.1:${server.port}`);
    expect(server.webUrl).toBe(`https://127.0.0.1:${server.webPort}`);
    const c = await RawClient.connect(server.port, "127.0.0.1", {});
    expect(await c.reply()).toBe('+HI {"v":2}');
    expect(await c.call('HELLO {"v":2}')).toBe("+OK");
    expect(await c.call('PUSH {"jid":"tls-00001","jobtype":"T","args":[]}')).toBe("+OK");
    c.close();
    const status = await new Promise<number>((resolve, reject) => {
      get(`${server.webUrl}/health`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on("error", reject);
    });
    expect(status).toBe(200);
    const plain = await RawClient.connect(server.port);
    expect(await plain.call('HELLO {"v":2}')).toBe(CLOSED);
  });
});
