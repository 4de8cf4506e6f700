import { connect as netConnect, type Socket } from "node:net";
import { helloCommand, parseHi } from "../protocol/commands.js";
import {
  AuthenticationError,
  ConnectionError,
  type FaktoryError,
  ProtocolError,
  NotUniqueError,
  ServerError,
  StateError,
  TimeoutError,
} from "../protocol/errors.js";
import type { HelloPayload } from "../protocol/messages.js";
import { PROTOCOL_VERSION } from "../protocol/messages.js";
import { hashPassword } from "../protocol/password.js";
import { type Reply, RespReader } from "../protocol/resp-reader.js";
import {
  type ConnectionOptions,
  type ResolvedConnectionOptions,
  resolveConnectionOptions,
  type WorkerIdentity,
} from "./options.js";

/** Where a connection is in its life. */
export type ConnectionState = "connecting" | "handshaking" | "ready" | "closing" | "closed";

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  /** Deadline in `performance.now()` ms. */
  deadline: number;
}

/** Options of {@link Connection.open}: where to connect, and who is connecting. */
export interface OpenOptions extends ConnectionOptions {
  /** A worker's identity; absent for a producer-only connection. */
  worker?: WorkerIdentity;
}

/** Extra time allowed for a blocking FETCH on top of the command timeout. */
export const FETCH_BLOCK_MS = 2000;

/**
 * One socket to a Faktory server: opens TCP or TLS, performs the HI/HELLO handshake, then
 * carries commands. Commands may be issued concurrently: each is written at once (pipelined)
 * and replies are matched in order. An error reply rejects only its own command, with a
 * {@link ServerError}; a dropped socket rejects every pending command with a
 * {@link ConnectionError}.
 *
 * @example
 * ```ts
 * const conn = await Connection.open({ url: "tcp://localhost:7419" });
 * const reply = await conn.send("INFO\r\n");
 * await conn.end();
 * ```
 */
export class Connection {
  /** Current state. */
  state: ConnectionState = "connecting";
  /** Resolves once the connection is closed, with the error that closed it (if any). Never rejects. */
  readonly closed: Promise<FaktoryError | undefined>;

  private readonly pending: Pending[] = [];
  private head = 0;
  private readonly reader: RespReader;
  private timer: NodeJS.Timeout | undefined;
  /** The deadline the timer is armed for. */
  private timerAt = 0;
  private corked = false;
  private closeError: FaktoryError | undefined;
  private resolveClosed!: (error: FaktoryError | undefined) => void;

  private constructor(
    private readonly socket: Socket,
    private readonly options: ResolvedConnectionOptions,
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.reader = new RespReader((reply) => this.onReply(reply));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on("data", (chunk: Buffer) => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        this.destroy(err instanceof ProtocolError ? err : new ProtocolError(String(err), { cause: err }));
      }
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.destroy(
        new ConnectionError(`connection to ${this.describe()} failed: ${err.message}`, { cause: err }),
      );
    });
    socket.on("close", () => {
      this.destroy(new ConnectionError(`connection to ${this.describe()} closed by the server`));
    });
  }

  /**
   * Connects and completes the handshake. Rejects with {@link AuthenticationError} for a
   * wrong or missing password, {@link TimeoutError} when the server is silent, and
   * {@link ConnectionError} when it cannot be reached or closes.
   */
  static async open(options: OpenOptions = {}): Promise<Connection> {
    const resolved = resolveConnectionOptions(options);
    const { host, port } = resolved.address;
    const socket =
      resolved.tls !== undefined
        ? // node:tls is loaded only when used: it costs a plain-TCP process ~2 MiB of RSS.
          (await import("node:tls")).connect({
            host,
            port,
            servername: isIp(host) ? undefined : host,
            ...resolved.tls,
          })
        : netConnect({ host, port });
    const conn = new Connection(socket, resolved);
    try {
      await conn.waitConnected(resolved.tls !== undefined ? "secureConnect" : "connect");
      await conn.handshake(options.worker);
    } catch (err) {
      conn.destroy(err as FaktoryError);
      throw err;
    }
    return conn;
  }

  /** `host:port` of the server. */
  describe(): string {
    const { host, port } = this.options.address;
    return `${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  /** Commands written and not yet answered. */
  get inFlight(): number {
    return this.pending.length - this.head;
  }

  /**
   * Writes one command line (with its CRLF) and resolves with the reply. An error reply rejects
   * with {@link ServerError}. `extraTimeoutMs` extends the reply deadline (a blocking FETCH).
   */
  send(line: string, extraTimeoutMs = 0): Promise<Reply> {
    if (this.state !== "ready" && this.state !== "handshaking")
      return Promise.reject(this.closeError ?? new StateError(`connection is ${this.state}`));
    return new Promise<Reply>((resolve, reject) => {
      this.enqueue(resolve, reject, extraTimeoutMs);
      this.write(line);
    });
  }

  /**
   * Writes several command lines in ONE socket write and returns one promise per line, in
   * order. Used to send a job's ACK and the next FETCH together.
   */
  sendBatch(lines: readonly string[], extraTimeoutMs: readonly number[] = []): Promise<Reply>[] {
    if (this.state !== "ready") {
      const err = this.closeError ?? new StateError(`connection is ${this.state}`);
      return lines.map(() => Promise.reject(err));
    }
    const promises: Promise<Reply>[] = [];
    let data = "";
    for (let i = 0; i < lines.length; i++) {
      const extra = extraTimeoutMs[i] ?? 0;
      promises.push(new Promise<Reply>((resolve, reject) => this.enqueue(resolve, reject, extra)));
      data += lines[i];
    }
    this.write(data);
    return promises;
  }

  /** Sends `END` and closes the socket; the server sends no reply. Safe to call more than once. */
  async end(): Promise<void> {
    if (this.state === "closed") return;
    if (this.state === "ready") {
      this.state = "closing";
      this.socket.end("END\r\n");
      const timer = setTimeout(() => this.destroy(), 1000);
      timer.unref();
      await this.closed;
      clearTimeout(timer);
      return;
    }
    this.destroy();
    await this.closed;
  }

  /** Closes at once. Pending commands reject with `error` (or a "connection closed" error). */
  destroy(error?: FaktoryError): void {
    if (this.state === "closed") return;
    const cause = error ?? new ConnectionError(`connection to ${this.describe()} closed`);
    const clean = error === undefined || this.state === "closing";
    this.state = "closed";
    this.closeError = clean ? undefined : cause;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket.destroy();
    for (let i = this.head; i < this.pending.length; i++) this.pending[i]!.reject(cause);
    this.pending.length = 0;
    this.head = 0;
    this.resolveClosed(clean ? undefined : cause);
  }

  /**
   * Writes through a cork held until the next tick, so commands issued in the same tick (many
   * concurrent pushes, an ACK and the next FETCH) leave in one system call instead of one each.
   */
  private write(data: string): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(data);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private enqueue(resolve: Pending["resolve"], reject: Pending["reject"], extraTimeoutMs: number): void {
    const deadline = performance.now() + this.options.commandTimeoutMs + extraTimeoutMs;
    this.pending.push({ resolve, reject, deadline });
    // The timer stays armed while the connection is idle (no new timer per command); it fires
    // for the first pending command's deadline or earlier, and re-arms itself for a later one.
    if (this.timer === undefined) this.armTimer(deadline);
    else if (deadline < this.timerAt && this.pending.length - this.head === 1) {
      clearTimeout(this.timer);
      this.armTimer(deadline);
    }
  }

  private armTimer(deadline: number): void {
    this.timerAt = deadline;
    this.timer = setTimeout(this.onTimer, Math.max(0, deadline - performance.now()));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const first = this.pending[this.head];
    if (first === undefined) return;
    if (first.deadline <= performance.now() + 1) {
      this.destroy(new TimeoutError(`no reply from ${this.describe()} within the command timeout`));
      return;
    }
    this.armTimer(first.deadline);
  };

  private onReply(reply: Reply): void {
    const entry = this.pending[this.head];
    if (entry === undefined) {
      this.destroy(new ProtocolError(`unsolicited reply from ${this.describe()}`));
      return;
    }
    this.pending[this.head++] = undefined as unknown as Pending;
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    if (reply.kind === "error")
      entry.reject(
        reply.code === "NOTUNIQUE"
          ? new NotUniqueError(reply.message)
          : new ServerError(reply.code, reply.message),
      );
    else entry.resolve(reply);
  }

  private waitConnected(event: "connect" | "secureConnect"): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new TimeoutError(
            `could not connect to ${this.describe()} within ${this.options.connectTimeoutMs} ms`,
          ),
        );
      }, this.options.connectTimeoutMs);
      timer.unref();
      this.socket.once(event, () => {
        clearTimeout(timer);
        this.state = "handshaking";
        resolve();
      });
      void this.closed.then((err) => {
        clearTimeout(timer);
        reject(err ?? new ConnectionError(`connection to ${this.describe()} closed`));
      });
    });
  }

  private async handshake(worker: WorkerIdentity | undefined): Promise<void> {
    const deadline = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `no handshake from ${this.describe()} within ${this.options.handshakeTimeoutMs} ms`,
            ),
          ),
        this.options.handshakeTimeoutMs,
      );
      timer.unref();
      void this.closed.then(() => clearTimeout(timer));
    });
    deadline.catch(() => {});
    // The greeting is unsolicited: register a pending entry for it without writing anything.
    const greeting = new Promise<Reply>((resolve, reject) => this.enqueue(resolve, reject, 0));
    const hi = await Promise.race([greeting, deadline]);
    if (hi.kind !== "simple")
      throw new ProtocolError(`expected a HI greeting from ${this.describe()}, got ${hi.kind}`);
    const info = parseHi(hi.value);
    const { password, username } = this.options.address;
    const hello: HelloPayload = { v: PROTOCOL_VERSION };
    if (worker !== undefined) {
      hello.hostname = worker.hostname;
      hello.wid = worker.wid;
      hello.pid = worker.pid;
      hello.labels = worker.labels;
    }
    if (username !== undefined) hello.username = username;
    if (info.s !== undefined) {
      if (password === undefined || password === "")
        throw new AuthenticationError(`server ${this.describe()} requires a password and none was given`);
      hello.pwdhash = hashPassword(password, info.s, Math.max(1, info.i ?? 1));
    }
    try {
      await Promise.race([this.send(helloCommand(hello)), deadline]);
    } catch (err) {
      if (err instanceof ServerError && /password/i.test(err.serverMessage))
        throw new AuthenticationError(`server ${this.describe()} refused the password: ${err.message}`, {
          cause: err,
        });
      if (err instanceof ConnectionError && hello.pwdhash !== undefined && !(err instanceof TimeoutError))
        throw new AuthenticationError(
          `server ${this.describe()} closed the connection after HELLO (wrong password?)`,
          {
            cause: err,
          },
        );
      throw err;
    }
    this.state = "ready";
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
