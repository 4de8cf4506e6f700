/**
 * A self-healing connection for the client: one pipelined {@link Connection} at a time, re-opened
 * with a {@link RetryStrategy} when it drops, with an offline queue for the commands issued
 * meanwhile and a bounded re-send of commands whose reply was lost.
 * @module
 */
import { Connection } from "../connection/connection.js";
import type { ConnectionOptions } from "../connection/options.js";
import { type RetryStrategy, sleep } from "../connection/retry.js";
import {
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  isShutdownInProgress,
  StateError,
} from "../protocol/errors.js";
import type { Reply } from "../protocol/resp-reader.js";

/**
 * Where a client's connection is:
 * - `idle`: no connection and none being made (before the first connect, after a drop, or after
 *   the retry strategy gave up); the next command starts a reconnect;
 * - `connecting`: the first connection is being opened by `Client.connect`;
 * - `ready`: connected, commands go straight out;
 * - `reconnecting`: re-opening after a drop; commands wait in the offline queue;
 * - `closed`: `close()` was called; every command rejects with a {@link StateError}.
 */
export type ClientState = "idle" | "connecting" | "ready" | "reconnecting" | "closed";

/** Settings of {@link ReconnectingConnection}. */
export interface ReconnectingConnectionOptions {
  /** Where and how to connect. */
  connection: ConnectionOptions;
  /** Delay before each reconnect attempt, or `null` to give up. */
  retry: RetryStrategy;
  /** Re-send a command whose connection died before its reply. */
  resend: boolean;
  /** Most re-sends of one command. */
  maxResends: number;
  /** Observer of state changes. */
  onStateChange?: ((state: ClientState, error?: Error) => void) | undefined;
}

/** One logical connection that survives drops. Used by the client; exported for advanced use. */
export class ReconnectingConnection {
  private conn: Connection | undefined;
  private opening: Promise<Connection> | undefined;
  private closing: Promise<void> | undefined;
  private current: ClientState = "idle";
  private readonly abort = new AbortController();
  private inFlight = 0;
  private drained: (() => void) | undefined;

  constructor(private readonly options: ReconnectingConnectionOptions) {}

  /** The current state. */
  get state(): ClientState {
    return this.current;
  }

  /** Opens the first connection: a single attempt, whose error (if any) is thrown as is. */
  async connect(): Promise<void> {
    if (this.isClosed()) throw closedError();
    this.setState("connecting");
    let conn: Connection;
    try {
      conn = await Connection.open(this.options.connection);
    } catch (err) {
      if (this.current === "connecting") this.setState("idle", err as Error);
      throw err;
    }
    if (this.isClosed()) {
      conn.destroy();
      throw closedError();
    }
    this.attach(conn);
  }

  /**
   * Sends one command line and resolves with its reply. While the client is reconnecting the
   * command waits; if the connection dies before the reply, the command is re-sent (when
   * allowed) on the next connection. Server error replies and protocol errors are never retried,
   * except `shutdown in progress` (the stopping server applied nothing): that command is sent
   * again once the server is back.
   */
  send(line: string, extraTimeoutMs = 0): Promise<Reply> {
    const conn = this.conn;
    const reply =
      conn !== undefined && this.current === "ready" && conn.state === "ready"
        ? conn
            .send(line, extraTimeoutMs)
            .catch((err: unknown) => this.retryAfter(err, conn, line, extraTimeoutMs))
        : this.sendWhenReady(line, extraTimeoutMs, 0);
    this.inFlight++;
    reply.then(this.settled, this.settled);
    return reply;
  }

  /** Commands sent (or waiting to be) whose reply has not come yet. */
  get pending(): number {
    return this.inFlight;
  }

  private readonly settled = (): void => {
    if (--this.inFlight === 0 && this.drained !== undefined) {
      this.drained();
      this.drained = undefined;
    }
  };

  /**
   * Closes for good: stops reconnecting (commands waiting for a connection reject with
   * {@link StateError}), lets the commands already written get their replies (each is bounded by
   * the command timeout), then sends END. Later commands reject with StateError. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    const conn = this.conn;
    const opening = this.opening;
    this.conn = undefined;
    this.setState("closed");
    this.abort.abort();
    this.closing = (async () => {
      if (opening !== undefined)
        await opening.then(
          () => {},
          () => {},
        );
      if (this.inFlight > 0)
        await new Promise<void>((resolve) => {
          this.drained = resolve;
        });
      if (conn !== undefined) await conn.end();
    })();
    return this.closing;
  }

  private retryAfter(err: unknown, conn: Connection, line: string, extraTimeoutMs: number): Promise<Reply> {
    if (!this.mayResend(err, 0)) throw err;
    if (isShutdownInProgress(err)) conn.destroy(); // the server closes it: wait for the next one
    return this.sendWhenReady(line, extraTimeoutMs, 1);
  }

  private async sendWhenReady(line: string, extraTimeoutMs: number, resends: number): Promise<Reply> {
    for (;;) {
      const conn = await this.ready();
      // The connection may have died between being handed out and now: nothing was written.
      if (conn.state !== "ready") continue;
      try {
        return await conn.send(line, extraTimeoutMs);
      } catch (err) {
        if (!this.mayResend(err, resends)) throw err;
        if (isShutdownInProgress(err)) conn.destroy(); // the server closes it: wait for the next one
        resends++;
      }
    }
  }

  private mayResend(err: unknown, resends: number): boolean {
    if (this.isClosed()) return false;
    // ServerError (an answer), ProtocolError (not a Faktory server) and StateError are final,
    // except `shutdown in progress`: the stopping server did not apply the command.
    const stopping = isShutdownInProgress(err);
    if (!(err instanceof ConnectionError) && !stopping) return false;
    return (this.options.resend || stopping) && resends < this.options.maxResends;
  }

  private ready(): Promise<Connection> {
    if (this.isClosed()) return Promise.reject(closedError());
    const conn = this.conn;
    if (conn !== undefined && conn.state === "ready") return Promise.resolve(conn);
    if (this.opening === undefined) {
      this.opening = this.reconnect();
      const clear = (): void => {
        this.opening = undefined;
      };
      this.opening.then(clear, clear);
    }
    return this.opening;
  }

  private async reconnect(): Promise<Connection> {
    this.conn = undefined;
    this.setState("reconnecting");
    for (let attempt = 1; ; attempt++) {
      let conn: Connection;
      try {
        conn = await Connection.open(this.options.connection);
      } catch (err) {
        if (this.isClosed()) throw closedError();
        const error = err as Error;
        if (error instanceof AuthenticationError || error instanceof ConfigurationError) {
          this.setState("idle", error);
          throw error;
        }
        const delay = this.options.retry(attempt, error);
        if (delay === null) {
          const gaveUp = new ConnectionError(
            `could not reconnect after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${error.message}`,
            { cause: error },
          );
          this.setState("idle", gaveUp);
          throw gaveUp;
        }
        try {
          await sleep(delay, this.abort.signal);
        } catch {
          throw closedError();
        }
        continue;
      }
      if (this.isClosed()) {
        conn.destroy();
        throw closedError();
      }
      this.attach(conn);
      return conn;
    }
  }

  private attach(conn: Connection): void {
    this.conn = conn;
    this.setState("ready");
    void conn.closed.then((err) => {
      if (this.conn !== conn) return;
      this.conn = undefined;
      if (this.current === "ready") this.setState("idle", err);
    });
  }

  private isClosed(): boolean {
    return this.current === "closed";
  }

  private setState(state: ClientState, error?: Error): void {
    if (this.current === state) return;
    this.current = state;
    try {
      this.options.onStateChange?.(state, error);
    } catch {
      // An observer's exception must not break the connection.
    }
  }
}

function closedError(): StateError {
  return new StateError("the client is closed");
}
