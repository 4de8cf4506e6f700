/** Client.connect({ connectRetry }): waiting for a server that starts after the client. */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  Client,
  ConnectionError,
  defaultConnectRetry,
  type RetryStrategy,
} from "../../../src/index.js";
import { type FaktoryServer, startServer } from "../../../src/server/index.js";

const servers: FaktoryServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("Client.connect with connectRetry", () => {
  it("waits for a server that starts after the first attempt was refused", async () => {
    const port = await freePort();
    const attempts: Error[] = [];
    let started = false;
    const strategy: RetryStrategy = (_attempt, error) => {
      attempts.push(error);
      if (!started) {
        started = true;
        void startServer({ port, host: "127.0.0.1", webPort: false }).then((s) => servers.push(s));
      }
      return 1;
    };
    const client = await Client.connect({ url: `tcp://127.0.0.1:${port}`, connectRetry: strategy });
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts[0]).toBeInstanceOf(ConnectionError);
    await client.push("Hello", []);
    expect((await client.info()).faktory.total_enqueued).toBe(1);
    await client.close();
  });

  it("gives up when the strategy does, with a ConnectionError naming the attempts", async () => {
    const port = await freePort();
    let calls = 0;
    const err = await Client.connect({
      url: `tcp://127.0.0.1:${port}`,
      connectRetry: (attempt) => {
        calls++;
        return attempt < 3 ? 1 : null;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/^could not connect after 3 attempts: /);
    expect((err as Error).cause).toBeInstanceOf(ConnectionError);
    expect(calls).toBe(3);
  });

  it("does not retry a wrong password", async () => {
    const server = await startServer({ port: 0, webPort: false, password: "right" });
    servers.push(server);
    let calls = 0;
    const err = await Client.connect({
      url: server.url,
      password: "wrong",
      connectRetry: () => {
        calls++;
        return 1;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(calls).toBe(0);
  });

  it("stops waiting when connectSignal aborts", async () => {
    const port = await freePort();
    const abort = new AbortController();
    const reason = new Error("app shutting down");
    const err = await Client.connect({
      url: `tcp://127.0.0.1:${port}`,
      connectSignal: abort.signal,
      connectRetry: () => {
        abort.abort(reason);
        return 60_000;
      },
    }).catch((e: unknown) => e);
    expect(err).toBe(reason);
  });

  it("has a default strategy of about a minute with capped, jittered delays", () => {
    const strategy = defaultConnectRetry();
    const error = new ConnectionError("refused");
    const delays: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const d = strategy(attempt, error);
      if (d === null) break;
      delays.push(d);
    }
    expect(delays).toHaveLength(40);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2000);
  });
});
