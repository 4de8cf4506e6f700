/**
 * The client across a server restart, and authentication. These need to stop and start the
 * server, so they run against the embedded server only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError, Client, ConnectionError, exponentialBackoff } from "../../../src/index.js";
import { EXTERNAL_URL, startTestServer, type TestServer, uniqueQueue } from "../../support/server.js";

const embeddedOnly = it.skipIf(EXTERNAL_URL !== undefined);

describe("Client reconnection (embedded server only: restarts the server)", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
    const server = await startTestServer(options);
    cleanup.push(() => server.close());
    return server;
  }
  const portOf = (url: string): number => Number(new URL(url).port);

  embeddedOnly("a push issued while the server is down is delivered once it is back", async () => {
    const first = await start();
    const port = portOf(first.url);
    const client = await Client.connect({
      url: first.url,
      retry: exponentialBackoff({ baseMs: 20, maxMs: 50, maxAttempts: 100 }),
    });
    cleanup.push(() => client.close());
    const queue = uniqueQueue("restart");
    await client.push("Before", [], { queue });
    await first.close();

    const pending = client.push("During", [1], { queue, jid: "jid-during-restart" });
    await new Promise((r) => setTimeout(r, 150));
    expect(client.state).toBe("reconnecting");
    const second = await start({ port });
    expect(await pending).toBe("jid-during-restart");
    expect(client.state).toBe("ready");
    // The new server (fresh memory) holds exactly the job pushed while it was down.
    expect((await client.info()).faktory.queues[queue]).toBe(1);
    expect(second.url).toBe(first.url);
  });

  embeddedOnly("a push answered `shutdown in progress` is sent again once the server is back", async () => {
    const first = await start({ shutdownGraceMs: 60_000 });
    const port = portOf(first.url);
    const client = await Client.connect({
      url: first.url,
      resendUnacknowledged: false, // not needed: a stopping server applied nothing
      retry: exponentialBackoff({ baseMs: 20, maxMs: 50, maxAttempts: 100 }),
    });
    cleanup.push(() => client.close());
    const queue = uniqueQueue("stopping");
    const closing = first.close(); // from now on every command is answered "shutdown in progress"
    const pending = client.push("During", [1], { queue, jid: "jid-during-stop" });
    await closing; // its connection closed after that answer: close() did not need the grace period
    await start({ port });
    expect(await pending).toBe("jid-during-stop");
    expect((await client.info()).faktory.queues[queue]).toBe(1);
  });

  embeddedOnly(
    "gives up with a ConnectionError when the server stays down, then recovers later",
    async () => {
      const first = await start();
      const port = portOf(first.url);
      const client = await Client.connect({
        url: first.url,
        retry: exponentialBackoff({ baseMs: 5, maxMs: 10, maxAttempts: 3 }),
      });
      cleanup.push(() => client.close());
      await first.close();
      await expect(client.info()).rejects.toBeInstanceOf(ConnectionError);
      expect(client.state).toBe("idle");
      await start({ port });
      expect((await client.info()).faktory).toBeDefined();
    },
  );

  embeddedOnly("authenticates with a password and refuses a wrong one", async () => {
    const server = await start({ password: "s3cret" });
    const url = new URL(server.url);
    const client = await Client.connect({ url: server.url, password: "s3cret" });
    cleanup.push(() => client.close());
    expect(client.state).toBe("ready");
    await expect(Client.connect({ url: server.url, password: "wrong" })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    await expect(Client.connect(`tcp://${url.host}`)).rejects.toBeInstanceOf(AuthenticationError);
  });
});
