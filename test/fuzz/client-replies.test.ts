/**
 * Malformed server replies: the client and the worker turn garbage, truncated, oversized and
 * wrong-kind replies into typed errors (ProtocolError or ConnectionError) within a bound, and
 * never hang or crash.
 */
import fc from "fast-check";
import { runs } from "../support/fuzz.js";
import { afterEach, describe, expect, it } from "vitest";
import { Client, ConnectionError, FaktoryError, ProtocolError, Worker } from "../../src/index.js";
import { type FakeConnection, startFakeServer, type FakeServer } from "../support/scripted-server.js";

/** What the fake server does instead of a proper reply. */
interface Misbehaviour {
  bytes: Uint8Array;
  /** Then: keep the connection open (the client's timeout must fire), end it, or reset it. */
  after: "stay" | "close" | "reset";
}

/** Replies that are not valid RESP, or not a reply the command allows. Never valid for INFO/PUSH. */
const invalidReply: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .tuple(fc.constantFrom("*", "#", "!", "%", "x", "~", " ", "\r"), fc.string({ maxLength: 20 }))
    .map(([t, s]) => Buffer.from(`${t}${s}\r\n`)),
  fc
    .constantFrom("$abc\r\n", "$-2\r\n", "$99999999999999999\r\n", "$\r\n", "$600000000\r\n", ":1x\r\n")
    .map((s) => Buffer.from(s)),
  fc.nat({ max: 40 }).map((n) => Buffer.from(`$${n + 5}\r\nab\r\n`)), // shorter than announced
  fc.nat({ max: 3 }).map((n) => Buffer.from(`$${n}\r\nabcdefgh\r\n`)), // longer than announced
  fc.constant(Buffer.from(`+${"x".repeat(200_000)}`)), // an unterminated, oversized line
  fc.constantFrom("+OK", "$5\r\nab", "$-", "-ERR half").map((s) => Buffer.from(s)), // truncated
  fc.constantFrom("+HI {}\r\n", ":42\r\n", "$-1\r\n+OK\r\n+OK\r\n").map((s) => Buffer.from(s)), // wrong kind / extra
  fc.constant(Buffer.alloc(0)), // silence
);

const misbehaviour: fc.Arbitrary<Misbehaviour> = fc.record({
  bytes: invalidReply,
  after: fc.constantFrom("stay" as const, "close" as const, "reset" as const),
});

function act(conn: FakeConnection, m: Misbehaviour): "close" | "reset" | undefined {
  if (m.bytes.length > 0) conn.write(m.bytes);
  return m.after === "stay" ? undefined : m.after;
}

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Settles `promise` and returns the error (or "resolved"); fails if it takes over `boundMs`. */
async function outcome(promise: Promise<unknown>, boundMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${boundMs} ms`)), boundMs);
  });
  try {
    return await Promise.race([
      promise.then(
        () => "resolved",
        (err: unknown) => err,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const TYPED = (err: unknown): boolean => err instanceof ProtocolError || err instanceof ConnectionError;

describe("the client against malformed replies", () => {
  it("rejects INFO and PUSH with ProtocolError or ConnectionError, in bounded time", async () => {
    let current: Misbehaviour = { bytes: Buffer.alloc(0), after: "stay" };
    fake = await startFakeServer((line, conn) => {
      if (line.startsWith("HELLO")) return "+OK\r\n";
      if (line === "END") return "close";
      return act(conn, current);
    });
    const url = fake.url;
    await fc.assert(
      fc.asyncProperty(misbehaviour, fc.boolean(), async (m, usePush) => {
        current = m;
        const client = await Client.connect({
          url,
          retry: () => null,
          resendUnacknowledged: false,
          commandTimeoutMs: 300,
        });
        try {
          const err = await outcome(usePush ? client.push("T", [1]) : client.info(), 3000);
          expect(TYPED(err), String(err)).toBe(true);
        } finally {
          current = { bytes: Buffer.alloc(0), after: "close" };
          await outcome(client.close(), 3000);
        }
      }),
      { numRuns: runs(40) },
    );
  });

  it("rejects a malformed greeting with ProtocolError or ConnectionError, in bounded time", async () => {
    await fc.assert(
      fc.asyncProperty(misbehaviour, async (m) => {
        const server = await startFakeServer(() => undefined, {
          greeting: false,
          onConnection: (conn) => {
            const r = act(conn, m);
            if (r === "close") conn.end();
            else if (r === "reset") conn.reset();
          },
        });
        try {
          const err = await outcome(Client.connect({ url: server.url, handshakeTimeoutMs: 300 }), 3000);
          expect(TYPED(err), String(err)).toBe(true);
        } finally {
          await server.close();
        }
      }),
      { numRuns: runs(25) },
    );
  });
});

describe("the worker against malformed replies", () => {
  it("reports typed errors, does not crash, and stops when its reconnect strategy gives up", async () => {
    await fc.assert(
      fc.asyncProperty(misbehaviour, async (m) => {
        const server = await startFakeServer((line, conn) => {
          if (line.startsWith("HELLO")) return "+OK\r\n";
          if (line.startsWith("BEAT")) return "+OK\r\n";
          if (line === "END") return "close";
          return act(conn, m);
        });
        const worker = new Worker({
          url: server.url,
          concurrency: 1,
          queues: ["fuzz"],
          commandTimeoutMs: 300,
          reconnect: (attempt) => (attempt <= 2 ? 10 : null),
          shutdownTimeoutMs: 500,
        });
        worker.register("T", () => {});
        const errors: unknown[] = [];
        worker.on("error", ({ error }) => errors.push(error));
        try {
          const firstError = new Promise<void>((resolve) => worker.once("error", () => resolve()));
          const stopped = worker.run();
          // It notices the bad reply (or gives up reconnecting) within a bound...
          await outcome(Promise.race([firstError, stopped]), 8000);
          // ...and stops cleanly when asked, whether or not it already gave up.
          await outcome(worker.shutdown({ timeoutMs: 200 }), 3000);
          expect(["error", "shutdown"]).toContain((await stopped).reason);
          expect(errors.length).toBeGreaterThan(0);
          for (const err of errors) expect(err).toBeInstanceOf(FaktoryError);
          expect(errors.some(TYPED), errors.map(String).join("; ")).toBe(true);
        } finally {
          await worker.shutdown({ timeoutMs: 0 });
          await server.close();
        }
      }),
      { numRuns: runs(8), interruptAfterTimeLimit: 15_000 },
    );
  });
});

describe("the worker against a server that drops it between commands", () => {
  it("backs off and reports the error instead of reconnecting in a hot loop", async () => {
    // Each connection: one FETCH answered "no job" plus a reply nobody asked for, then closed.
    const server = await startFakeServer((line, conn) => {
      if (line.startsWith("HELLO") || line.startsWith("BEAT")) return "+OK\r\n";
      if (line === "END") return "close";
      conn.write("$-1\r\n+OK\r\n");
      return "close";
    });
    const worker = new Worker({
      url: server.url,
      concurrency: 1,
      queues: ["fuzz"],
      reconnect: () => 100,
      shutdownTimeoutMs: 200,
    });
    worker.register("T", () => {});
    const errors: unknown[] = [];
    worker.on("error", ({ error }) => errors.push(error));
    const stopped = worker.run();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // One slot connection plus the heartbeat's; with a 100 ms backoff about ten re-opens a
      // second, where the unfixed worker made thousands.
      expect(server.connections.length).toBeLessThan(30);
      expect(errors.some(TYPED), errors.map(String).join("; ")).toBe(true);
    } finally {
      await worker.shutdown({ timeoutMs: 0 });
      await stopped;
      await server.close();
    }
  });
});
