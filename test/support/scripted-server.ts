/**
 * Fake Faktory servers for client tests.
 *
 * - {@link startScriptedServer} plays the server side of a transcript (or of a hand-written list
 *   of steps): greeting, then for each `send` step it reads one line, checks it and writes the
 *   recorded reply. Problems are collected in `errors`, never thrown from socket handlers.
 * - {@link startFakeServer} hands every line to a test-supplied function, to simulate silence,
 *   resets, garbage replies, wrong passwords and so on.
 *
 * Both listen on 127.0.0.1 on a free port; `close()` destroys every socket.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { HiPayload } from "../../src/protocol/messages.js";
import { encodeBulk, encodeError } from "../../src/protocol/resp-writer.js";
import {
  CLOSED,
  type ConnectStep,
  INFO_ELIDED,
  isConnectStep,
  isSendStep,
  type SendStep,
  type Step,
  type Transcript,
} from "./transcripts.js";

// ------------------------------------------------------------------------------------------------
// Shared plumbing
// ------------------------------------------------------------------------------------------------

/** Splits a byte stream into lines: LF-terminated, a trailing CR dropped (as the Faktory server). */
class LineSplitter {
  private pending = "";
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): string[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let lf = this.pending.indexOf("\n");
    while (lf >= 0) {
      const line = this.pending.slice(0, lf);
      lines.push(line.endsWith("\r") ? line.slice(0, -1) : line);
      this.pending = this.pending.slice(lf + 1);
      lf = this.pending.indexOf("\n");
    }
    return lines;
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  return address.port;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  sockets.clear();
  return new Promise<void>((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

/** The greeting line `+HI {...}\r\n` (default `{"v":2}`). */
export function greetingLine(hi: HiPayload = { v: 2 }): string {
  return `+HI ${JSON.stringify(hi)}\r\n`;
}

// ------------------------------------------------------------------------------------------------
// Scripted server
// ------------------------------------------------------------------------------------------------

/**
 * Decides whether the line the client sent matches a step. Return `true` to accept; `false` or a
 * string (the reason) to record a mismatch.
 */
export type StepMatcher = (actual: string, expected: string, step: SendStep) => boolean | string;

/** A `send` step that may carry its own matcher (for hand-written scripts). */
export type ScriptSendStep = SendStep & { match?: StepMatcher };

/** What {@link startScriptedServer} plays. Steps other than connect/send are skipped. */
export type Script = Transcript | readonly (Step | ScriptSendStep)[];

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** Matchers by index into the script's steps; they win over a step's own `match`. */
  matchers?: Readonly<Record<number, StepMatcher>>;
  /** Matcher for steps that have none (default {@link matchWithPlaceholders}). */
  defaultMatcher?: StepMatcher;
  /**
   * When true (default) a reply, or a greeting, is written only once every earlier step of the
   * script has run, so cross-connection order (PUSH on one, FETCH on another) is kept.
   * When false each connection plays its own steps independently.
   */
  ordered?: boolean;
  /** The bytes sent for `<INFO bulk string elided>` (default: a small valid INFO document). */
  elidedInfo?: string;
}

/** One line the scripted server received. */
export interface ReceivedLine {
  conn: string;
  line: string;
}

/** A running scripted server. */
export interface ScriptedServer {
  readonly host: string;
  readonly port: number;
  /** `tcp://127.0.0.1:<port>` */
  readonly url: string;
  /** Mismatches and surprises (unexpected lines or connections), in order. Empty when all went to plan. */
  readonly errors: string[];
  /** Every line received, in order. */
  readonly received: ReceivedLine[];
  /** Resolves once every connect and send step has run (whether or not it matched). */
  readonly done: Promise<void>;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

const PLACEHOLDER = /<now(?:[+-]\d+(?:ms|s|m|h))?>/g;

/**
 * The default matcher: exact equality, except that a `<now>` / `<now+3600s>` placeholder in the
 * recorded line (a volatile timestamp) matches any run of characters other than `"`.
 */
export function matchWithPlaceholders(actual: string, expected: string): boolean {
  if (!PLACEHOLDER.test(expected)) return actual === expected;
  PLACEHOLDER.lastIndex = 0;
  const parts = expected.split(PLACEHOLDER).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join('[^"]*')}$`, "s").test(actual);
}

/** A matcher comparing JSON arguments structurally: same verb, deep-equal JSON after it. */
export const matchJsonArgument: StepMatcher = (actual, expected) => {
  const split = (line: string): [string, string] => {
    const sp = line.indexOf(" ");
    return sp < 0 ? [line, ""] : [line.slice(0, sp), line.slice(sp + 1)];
  };
  const [va, aa] = split(actual);
  const [ve, ae] = split(expected);
  if (va !== ve) return `verb ${va} instead of ${ve}`;
  try {
    return JSON.stringify(sortDeep(JSON.parse(aa))) === JSON.stringify(sortDeep(JSON.parse(ae)));
  } catch {
    return aa === ae;
  }
};

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) out[key] = sortDeep((value as Record<string, unknown>)[key]);
  return out;
}

const DEFAULT_INFO = JSON.stringify({
  now: "2026-11-28T09:42:00.000000001Z",
  server_utc_time: "09:42:00 UTC",
  faktory: {
    queues: {},
    sets: { dead: 0, retries: 0, scheduled: 0, working: 0 },
    tasks: {
      Busy: { reaped: 0, size: 0 },
      Dead: { cycles: 0, enqueued: 0, size: 0, wall_time_sec: 0 },
      Retries: { cycles: 0, enqueued: 0, size: 0, wall_time_sec: 0 },
      Scheduled: { cycles: 0, enqueued: 0, size: 0, wall_time_sec: 0 },
      Workers: { reaped: 0, size: 0 },
    },
    total_failures: 0,
    total_processed: 0,
    total_enqueued: 0,
    total_queues: 0,
  },
  server: {
    description: "Faktory",
    faktory_version: "1.10.0",
    uptime: 0,
    connections: 1,
    command_count: 1,
    used_memory_mb: 6,
  },
});

interface PlannedStep {
  /** Position in the global order of connect/send steps. */
  seq: number;
  /** Index in the script's steps array (for `matchers`). */
  index: number;
  step: ConnectStep | ScriptSendStep;
}

function truncate(text: string, n = 200): string {
  return text.length > n ? `${text.slice(0, n)}...` : text;
}

/**
 * Starts a server that plays the server side of `script`. The n-th accepted connection plays the
 * n-th distinct `conn` of the script (in order of their connect steps): it gets the recorded
 * greeting, then for each of its `send` steps one line is read, checked, and answered with the
 * recorded `recv` + CRLF (`<closed>`: the socket is ended instead). A mismatch is recorded in
 * `errors` and answered with `-ERR scripted server: ...` so the client fails fast.
 */
export async function startScriptedServer(
  script: Script,
  options: ScriptedServerOptions = {},
): Promise<ScriptedServer> {
  const steps: readonly (Step | ScriptSendStep)[] = "steps" in script ? script.steps : script;
  const ordered = options.ordered ?? true;
  const defaultMatcher = options.defaultMatcher ?? matchWithPlaceholders;
  const elided = options.elidedInfo ?? encodeBulk(DEFAULT_INFO);

  // Plan: per connection, its steps in order; globally, a sequence number per step.
  const connOrder: string[] = [];
  const perConn = new Map<string, PlannedStep[]>();
  let total = 0;
  steps.forEach((step, index) => {
    if (!isConnectStep(step) && !isSendStep(step)) return;
    const planned: PlannedStep = { seq: total++, index, step };
    let list = perConn.get(step.conn);
    if (list === undefined) {
      if (!isConnectStep(step)) throw new Error(`script: conn ${step.conn} sends before its connect step`);
      list = [];
      perConn.set(step.conn, list);
      connOrder.push(step.conn);
    }
    list.push(planned);
  });

  const errors: string[] = [];
  const received: ReceivedLine[] = [];
  const sockets = new Set<Socket>();
  let completed = 0;
  /** seq of the next step that may run when ordered. */
  let nextSeq = 0;
  const ran = new Set<number>();
  const waiters: (() => void)[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  if (total === 0) resolveDone();

  const markRan = (seq: number): void => {
    ran.add(seq);
    completed++;
    while (ran.has(nextSeq)) nextSeq++;
    for (const wake of waiters.splice(0)) wake();
    if (completed === total) resolveDone();
  };
  const waitTurn = async (seq: number, isClosed: () => boolean): Promise<void> => {
    if (!ordered) return;
    while (nextSeq < seq && !isClosed()) await new Promise<void>((resolve) => waiters.push(resolve));
  };

  let accepted = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      for (const wake of waiters.splice(0)) wake();
    });
    socket.on("error", () => {
      // Resets by the client are part of many tests; nothing to report.
    });
    const conn = connOrder[accepted++];
    if (conn === undefined) {
      errors.push(`unexpected connection #${accepted} (the script has ${connOrder.length})`);
      socket.destroy();
      return;
    }
    const plan = perConn.get(conn)!;
    const splitter = new LineSplitter();
    const queue: string[] = [];
    let lineWaiter: (() => void) | undefined;
    let closed = false;
    const isClosed = (): boolean => closed || socket.destroyed;
    socket.on("data", (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        received.push({ conn, line });
        queue.push(line);
      }
      lineWaiter?.();
    });
    socket.on("close", () => {
      closed = true;
      lineWaiter?.();
    });
    const nextLine = async (): Promise<string | undefined> => {
      while (queue.length === 0 && !isClosed())
        await new Promise<void>((resolve) => {
          lineWaiter = resolve;
        });
      lineWaiter = undefined;
      return queue.shift();
    };

    const play = async (): Promise<void> => {
      for (const planned of plan) {
        const { step, seq, index } = planned;
        if (isConnectStep(step)) {
          await waitTurn(seq, isClosed);
          if (isClosed()) break;
          socket.write(`${step.recv}\r\n`);
          markRan(seq);
          continue;
        }
        const line = await nextLine();
        if (line === undefined) {
          errors.push(
            `conn ${conn}: closed by the client while step ${index} expected ${JSON.stringify(truncate(step.send))}`,
          );
          break;
        }
        const matcher = options.matchers?.[index] ?? step.match ?? defaultMatcher;
        let verdict: boolean | string;
        try {
          verdict = matcher(line, step.send, step);
        } catch (err) {
          verdict = `matcher threw ${String(err)}`;
        }
        await waitTurn(seq, isClosed);
        if (verdict !== true) {
          const why = typeof verdict === "string" ? ` (${verdict})` : "";
          errors.push(
            `conn ${conn}: step ${index}: expected ${JSON.stringify(truncate(step.send))}, got ${JSON.stringify(truncate(line))}${why}`,
          );
          if (!isClosed()) socket.write(encodeError("ERR", `scripted server: unexpected line ${line}`));
          markRan(seq);
          continue;
        }
        if (isClosed()) {
          markRan(seq);
          break;
        }
        if (step.recv === CLOSED) socket.end();
        else if (step.recv === INFO_ELIDED) socket.write(elided);
        else socket.write(`${step.recv}\r\n`);
        markRan(seq);
        if (step.recv === CLOSED) break;
      }
      // Anything after the script on this connection is a surprise.
      const extra = await nextLine();
      if (extra !== undefined)
        errors.push(`conn ${conn}: unexpected line after the end of its script: ${JSON.stringify(extra)}`);
    };
    play().catch((err: unknown) => errors.push(`conn ${conn}: ${String(err)}`));
  });

  const port = await listen(server);
  return {
    host: "127.0.0.1",
    port,
    url: `tcp://127.0.0.1:${port}`,
    errors,
    received,
    done,
    close: () => {
      for (const wake of waiters.splice(0)) wake();
      return closeServer(server, sockets);
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Fake server driven by a handler
// ------------------------------------------------------------------------------------------------

/**
 * What a handler returns for a line: bytes to write, `"close"` (end the socket gracefully),
 * `"reset"` (TCP RST), or `undefined` (write nothing: silence).
 */
export type FakeReply = string | Uint8Array | "close" | "reset" | undefined;

/** One connection of a fake server, as seen by its handler. */
export interface FakeConnection {
  /** 0 for the first accepted connection, then 1, 2... */
  readonly index: number;
  readonly socket: Socket;
  /** Lines received on this connection so far. */
  readonly lines: string[];
  /** Writes raw bytes (ignored once the socket is gone). */
  write(data: string | Uint8Array): void;
  /** Writes the greeting `+HI {...}\r\n` (default `{"v":2}`). */
  greet(hi?: HiPayload): void;
  /** Ends the socket gracefully (FIN). */
  end(): void;
  /** Resets the connection (RST). */
  reset(): void;
}

/** Called for each line (CRLF or LF stripped) a client sends. */
export type FakeHandler = (line: string, conn: FakeConnection) => FakeReply | Promise<FakeReply>;

/** Options of {@link startFakeServer}. */
export interface FakeServerOptions {
  /**
   * Greeting written on connect: a HI payload, raw bytes, or `false` for none (a silent server;
   * the test may call `conn.greet()` itself). Default `{"v":2}`.
   */
  greeting?: HiPayload | string | false;
  /** Called on each new connection, after the greeting. */
  onConnection?: (conn: FakeConnection) => void;
}

/** A running fake server. */
export interface FakeServer {
  readonly host: string;
  readonly port: number;
  /** `tcp://127.0.0.1:<port>` */
  readonly url: string;
  /** Every connection accepted so far. */
  readonly connections: FakeConnection[];
  /** Every line received, with its connection index. */
  readonly received: { conn: number; line: string }[];
  /** Exceptions thrown by the handler (never rethrown in socket handlers). */
  readonly errors: string[];
  /** Resolves when at least `n` connections have been accepted. */
  waitForConnections(n: number): Promise<void>;
  /** Destroys every socket and stops listening. */
  close(): Promise<void>;
}

/** Starts a server whose replies come from `handler`. Replies are written in line order. */
export async function startFakeServer(
  handler: FakeHandler,
  options: FakeServerOptions = {},
): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const connections: FakeConnection[] = [];
  const received: { conn: number; line: string }[] = [];
  const errors: string[] = [];
  const connectionWaiters: (() => void)[] = [];

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {
      // Client resets are expected in these tests.
    });
    const write = (data: string | Uint8Array): void => {
      if (!socket.destroyed && socket.writable) socket.write(data);
    };
    const conn: FakeConnection = {
      index: connections.length,
      socket,
      lines: [],
      write,
      greet: (hi) => write(greetingLine(hi)),
      end: () => {
        if (!socket.destroyed) socket.end();
      },
      reset: () => {
        if (!socket.destroyed) socket.resetAndDestroy();
      },
    };
    connections.push(conn);
    for (const wake of connectionWaiters.splice(0)) wake();

    const greeting = options.greeting ?? { v: 2 };
    if (typeof greeting === "string") write(greeting);
    else if (greeting !== false) conn.greet(greeting);
    try {
      options.onConnection?.(conn);
    } catch (err) {
      errors.push(`onConnection: ${String(err)}`);
    }

    const splitter = new LineSplitter();
    let chain: Promise<void> = Promise.resolve();
    socket.on("data", (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) {
        conn.lines.push(line);
        received.push({ conn: conn.index, line });
        chain = chain.then(async () => {
          let reply: FakeReply;
          try {
            reply = await handler(line, conn);
          } catch (err) {
            errors.push(
              `handler on conn ${conn.index} for ${JSON.stringify(truncate(line))}: ${String(err)}`,
            );
            return;
          }
          if (reply === undefined) return;
          if (reply === "close") conn.end();
          else if (reply === "reset") conn.reset();
          else write(reply);
        });
      }
    });
  });

  const port = await listen(server);
  return {
    host: "127.0.0.1",
    port,
    url: `tcp://127.0.0.1:${port}`,
    connections,
    received,
    errors,
    waitForConnections: async (n) => {
      while (connections.length < n) await new Promise<void>((resolve) => connectionWaiters.push(resolve));
    },
    close: () => closeServer(server, sockets),
  };
}
