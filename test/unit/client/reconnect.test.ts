/** Dropped connections: what is re-sent, what is queued, when the client gives up. */
import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  Client,
  type ClientState,
  ConnectionError,
  exponentialBackoff,
  type RetryStrategy,
  StateError,
} from "../../../src/index.js";
import { startFakeServer } from "../../support/scripted-server.js";
import { until } from "../../support/until.js";
import { commands, deferred, pushedJids, useFakeFaktory } from "./fake-faktory.js";

const fast = exponentialBackoff({ baseMs: 1, maxMs: 5, maxAttempts: 5 });

describe("client reconnection", () => {
  const { serve, connect, onCleanup } = useFakeFaktory();

  it("a push whose reply arrived is not sent again when the connection then drops", async () => {
    const server = await serve((line, conn) => {
      if (conn.index === 0 && line.startsWith("PUSH ")) {
        conn.write("+OK\r\n");
        conn.end();
        return undefined;
      }
      return "+OK\r\n";
    });
    const states: ClientState[] = [];
    const client = await connect({ url: server.url, retry: fast, onStateChange: (s) => states.push(s) });
    const first = await client.push("T", [1]);
    await until(() => states.at(-1) !== "ready", "the drop to be seen");
    const second = await client.push("T", [2]);
    expect(pushedJids(server)).toEqual([first, second]);
    expect(commands(server).map((c) => c.conn)).toEqual([0, 1]);
    expect(server.connections).toHaveLength(2);
  });

  it("a push whose connection died before the reply is re-sent once, with the same jid", async () => {
    const server = await serve((line, conn) =>
      conn.index === 0 && line.startsWith("PUSH ") ? "reset" : "+OK\r\n",
    );
    const client = await connect({ url: server.url, retry: fast });
    const jid = await client.push("T", [1]);
    // At-least-once: the server saw it on both connections (it may or may not have stored the first).
    expect(pushedJids(server)).toEqual([jid, jid]);
    expect(commands(server).map((c) => c.conn)).toEqual([0, 1]);
  });

  it("with resendUnacknowledged: false the ambiguous push rejects, and the next call reconnects", async () => {
    const server = await serve((line, conn) =>
      conn.index === 0 && line.startsWith("PUSH ") ? "reset" : "+OK\r\n",
    );
    const client = await connect({ url: server.url, retry: fast, resendUnacknowledged: false });
    await expect(client.push("T", [1])).rejects.toBeInstanceOf(ConnectionError);
    const jid = await client.push("T", [2]);
    expect(pushedJids(server)).toHaveLength(2);
    expect(pushedJids(server)[1]).toBe(jid);
  });

  it("re-sends at most maxResends times", async () => {
    const server = await serve((line) => (line.startsWith("PUSH ") ? "reset" : "+OK\r\n"));
    const client = await connect({ url: server.url, retry: fast, maxResends: 2 });
    await expect(client.push("T", [1])).rejects.toBeInstanceOf(ConnectionError);
    expect(pushedJids(server)).toHaveLength(3);
  });

  it("in-flight pipelined commands are re-sent in order on the new connection", async () => {
    let handled = 0;
    const server = await serve((line, conn) => {
      // Answer the first PUSH, then close (FIN, after the +OK) on the second.
      if (conn.index === 0 && line.startsWith("PUSH ")) return ++handled === 1 ? "+OK\r\n" : "close";
      return "+OK\r\n";
    });
    const client = await connect({ url: server.url, retry: fast });
    const jids = await Promise.all([1, 2, 3, 4].map((i) => client.push("T", [i], { jid: `jid-order-${i}` })));
    expect(jids).toEqual(["jid-order-1", "jid-order-2", "jid-order-3", "jid-order-4"]);
    const second = commands(server)
      .filter((c) => c.conn === 1)
      .map((c) => JSON.parse(c.line.slice(5)).jid);
    // jid 1 was acknowledged on the first connection; 2 died unanswered; 3 and 4 may or may not
    // have reached the first connection before it died, but they are sent once each, in order.
    expect(second[0]).toBe("jid-order-2");
    expect(second).toEqual(["jid-order-2", "jid-order-3", "jid-order-4"]);
    expect(pushedJids(server).filter((j) => j === "jid-order-1")).toHaveLength(1);
  });

  it("commands issued while reconnecting wait for the new connection and go out once each", async () => {
    const gate = deferred();
    const server = await startFakeServer(async (line, conn) => {
      if (line.startsWith("HELLO ")) {
        if (conn.index === 1) await gate.promise; // hold the reconnect's handshake
        return "+OK\r\n";
      }
      if (conn.index === 0 && line === "INFO") return "close";
      return "+OK\r\n";
    });
    onCleanup(() => server.close());
    const states: ClientState[] = [];
    const client = await connect({
      url: server.url,
      retry: fast,
      resendUnacknowledged: false,
      onStateChange: (s) => states.push(s),
    });
    await expect(client.info()).rejects.toBeInstanceOf(ConnectionError);
    const pushes = [1, 2, 3].map((i) => client.push("T", [i], { jid: `jid-queued-${i}` }));
    await server.waitForConnections(2);
    expect(client.state).toBe("reconnecting");
    expect(pushedJids(server)).toEqual([]);
    gate.resolve();
    expect(await Promise.all(pushes)).toEqual(["jid-queued-1", "jid-queued-2", "jid-queued-3"]);
    expect(pushedJids(server)).toEqual(["jid-queued-1", "jid-queued-2", "jid-queued-3"]);
    expect(
      commands(server)
        .filter((c) => c.line.startsWith("PUSH "))
        .every((c) => c.conn === 1),
    ).toBe(true);
    expect(states).toEqual(["connecting", "ready", "idle", "reconnecting", "ready"]);
  });

  it("gives up after the retry strategy's bound with a ConnectionError, rejecting every queued command", async () => {
    const server = await serve((line, conn) => {
      if (line.startsWith("PUSH ")) {
        conn.reset();
      }
      return undefined;
    });
    const attempts: number[] = [];
    const retry: RetryStrategy = (attempt, error) => {
      attempts.push(attempt);
      return fast(attempt, error) === null || attempt > 3 ? null : 1;
    };
    const client = await connect({ url: server.url, retry, resendUnacknowledged: true });
    await server.close(); // the port now refuses connections
    const results = await Promise.allSettled([client.push("T", [1]), client.push("T", [2]), client.info()]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
    }
    expect(((results[0] as PromiseRejectedResult).reason as Error).message).toMatch(
      /could not reconnect after 4 attempts/,
    );
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(client.state).toBe("idle");
  });

  it("close() during a reconnect stops it and rejects the waiting commands with StateError", async () => {
    const server = await serve((line) => (line.startsWith("PUSH ") ? "reset" : "+OK\r\n"));
    const client = await Client.connect({ url: server.url, retry: () => 60_000 });
    await server.close();
    const pending = client.push("T", [1]);
    await until(() => client.state === "reconnecting", "a reconnect");
    await client.close();
    await expect(pending).rejects.toBeInstanceOf(StateError);
    expect(client.state).toBe("closed");
  });

  it("an authentication failure while reconnecting is reported at once, not retried", async () => {
    const server = await startFakeServer(
      (line, conn) => {
        if (line.startsWith("HELLO ")) return "+OK\r\n";
        return conn.index === 0 && line === "INFO" ? "close" : "+OK\r\n";
      },
      {
        greeting: false,
        onConnection: (conn) => conn.greet(conn.index === 0 ? { v: 2 } : { v: 2, i: 1, s: "abc" }),
      },
    );
    onCleanup(() => server.close());
    let retries = 0;
    const client = await connect({
      url: server.url,
      resendUnacknowledged: false,
      retry: () => {
        retries++;
        return 1;
      },
    });
    await expect(client.info()).rejects.toBeInstanceOf(ConnectionError);
    await expect(client.info()).rejects.toBeInstanceOf(AuthenticationError);
    expect(retries).toBe(0);
    expect(client.state).toBe("idle");
  });
});
