/** A fake Faktory for client unit tests: answers the handshake and END, the rest is up to the test. */
import { afterEach } from "vitest";
import { Client } from "../../../src/client/index.js";
import {
  type FakeConnection,
  type FakeReply,
  type FakeServer,
  type FakeServerOptions,
  startFakeServer,
} from "../../support/scripted-server.js";

export type { FakeConnection, FakeServer };

/** Starts a fake server: HELLO gets `+OK`, END closes, other lines go to `handler`. */
export function startFakeFaktory(
  handler: (line: string, conn: FakeConnection) => FakeReply | Promise<FakeReply>,
  options?: FakeServerOptions,
): Promise<FakeServer> {
  return startFakeServer((line, conn) => {
    if (line.startsWith("HELLO ")) return "+OK\r\n";
    if (line === "END") return "close";
    return handler(line, conn);
  }, options);
}

/** Lines other than HELLO and END that the server received, with their connection. */
export function commands(server: FakeServer): { conn: number; line: string }[] {
  return server.received.filter((r) => !r.line.startsWith("HELLO ") && r.line !== "END");
}

/** The jids of the PUSH lines the server received. */
export function pushedJids(server: FakeServer): string[] {
  return commands(server)
    .filter((r) => r.line.startsWith("PUSH "))
    .map((r) => (JSON.parse(r.line.slice(5)) as { jid: string }).jid);
}

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Fake servers and clients for one describe block, all closed after each test (newest first). */
export function useFakeFaktory(): {
  serve(handler: Parameters<typeof startFakeFaktory>[0]): Promise<FakeServer>;
  connect(options: Parameters<typeof Client.connect>[0]): Promise<Client>;
  onCleanup(fn: () => Promise<void>): void;
} {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  return {
    async serve(handler) {
      const server = await startFakeFaktory(handler);
      cleanup.push(() => server.close());
      return server;
    },
    async connect(options) {
      const client = await Client.connect(options as string);
      cleanup.push(() => client.close());
      return client;
    },
    onCleanup(fn) {
      cleanup.push(fn);
    },
  };
}
