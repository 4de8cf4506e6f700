/**
 * One client connection: the greeting and HELLO handshake (password, deadline, connection
 * limit), then line framing and in-order dispatch of pipelined commands. A blocked FETCH holds
 * the following lines back (and pauses reading) until it answers, so replies stay in order.
 * @module
 */
import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { Socket } from "node:net";
import { type HelloPayload, hashPassword, OK_BYTES } from "../../protocol/index.js";
import type { TimerHandle } from "../clock.js";
import { COMMANDS } from "../commands/index.js";
import {
  CLOSE,
  type CommandContext,
  type CommandResult,
  echo,
  errorReply,
  INTERNAL_ERROR,
  type Reply,
  type Session,
} from "../commands/types.js";
import type { ServerCore } from "../core.js";
import { decodeStruct } from "../jobs/go-decode.js";
import type { WorkerConnection } from "../workers.js";
import { StorageError } from "../storage/storage-error.js";
import { LineReader } from "./line-reader.js";
import type { ClosableConnection } from "./open-connections.js";
import { ReplyGate, storageFailureReply } from "./reply-gate.js";

/** Settings a connection needs from the server options. */
export interface ConnectionSettings {
  /** Password required in HELLO, if any. */
  readonly password: string | undefined;
  /** Longest command line accepted, in bytes. */
  readonly maxLineBytes: number;
  /** Most post-handshake connections at once. */
  readonly maxConnections: number;
  /** Time allowed from accept to a valid HELLO. */
  readonly handshakeTimeoutMs: number;
}

/** The reply to any command once the server has begun stopping (then the connection closes). */
export const SHUTDOWN_REPLY = errorReply("shutdown in progress");

/** Pause reading while this much output waits to be sent. */
const HIGH_WATER_BYTES = 1 << 20;

function parseHello(text: string): HelloPayload | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const f = decodeStruct(
      value as Record<string, unknown>,
      {
        hostname: "string",
        wid: "string",
        pid: "int",
        labels: "strings",
        v: "int",
        pwdhash: "string",
        username: "string",
        rss_kb: "int",
      },
      "ClientData",
    );
    return f as unknown as HelloPayload;
  } catch {
    return undefined;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // spend the same time either way
    return false;
  }
  return timingSafeEqual(a, b);
}

/** A connected client. */
export class ClientConnection implements Session, WorkerConnection, ClosableConnection {
  wid = "";
  cancelWait: (() => void) | undefined;

  private state: "handshake" | "ready" | "closed" = "handshake";
  private readonly reader: LineReader;
  private readonly pending: string[] = [];
  private head = 0;
  private busy = false;
  /** Replies wait in the gate for a commit; no further command runs meanwhile. */
  private releasing = false;
  /** END was received: close once the earlier replies are out. */
  private ending = false;
  /** What to write last when {@link ending} (the shutdown reply), if anything. */
  private lastReply: Reply | undefined;
  private readonly gate: ReplyGate;
  private waitingDrain = false;
  /** Whether {@link updateFlow} paused the socket. */
  private readingPaused = false;
  private fatal: string | undefined;
  private stopping = false;
  private counted = false;
  private handshakeTimer: TimerHandle | undefined;
  private salt = "";
  private iterations = 0;
  private readonly context: CommandContext;

  constructor(
    private readonly socket: Socket,
    private readonly core: ServerCore,
    private readonly settings: ConnectionSettings,
    private readonly onClosed: (conn: ClientConnection) => void,
  ) {
    this.reader = new LineReader(settings.maxLineBytes);
    this.context = { core, session: this };
    this.gate = new ReplyGate(core.storage);
  }

  /** Sends the greeting and starts reading. */
  start(): void {
    const { socket, core } = this;
    socket.setNoDelay(true);
    socket.on("data", this.onData);
    socket.on("error", (err) => core.logger.debug(`connection error: ${err.message}`));
    socket.on("close", this.onSocketClose);
    socket.on("drain", this.onDrain);
    this.handshakeTimer = core.clock.setTimeout(() => {
      core.logger.debug("Handshake timed out");
      this.destroy();
    }, this.settings.handshakeTimeoutMs);
    if (this.settings.password === undefined) {
      socket.write('+HI {"v":2}\r\n');
    } else {
      this.iterations = randomInt(4000, 8096);
      this.salt = (randomBytes(8).readBigUInt64BE() >> 1n).toString(16);
      socket.write(`+HI {"v":2,"i":${this.iterations},"s":"${this.salt}"}\r\n`);
    }
  }

  /** Closes the connection at once (worker reaping, server shutdown). */
  close(): void {
    this.destroy();
  }

  /**
   * The server began stopping: a blocked FETCH answers `$-1` now, and the next command (or one
   * already read) gets {@link SHUTDOWN_REPLY}, then the connection closes.
   */
  beginShutdown(): void {
    if (this.state === "closed" || this.stopping) return;
    this.stopping = true;
    if (this.state === "handshake") {
      this.destroy();
      return;
    }
    const cancel = this.cancelWait;
    this.cancelWait = undefined;
    cancel?.();
    if (!this.busy) this.pump();
  }

  private destroy(): void {
    this.socket.destroy();
    this.cleanup();
  }

  /** Writes `last` (if any), then closes once it is flushed. */
  private finish(last?: Reply): void {
    if (this.state === "closed") return;
    this.cleanup();
    this.socket.pause();
    this.socket.end(last ?? "", () => this.socket.destroy());
  }

  private readonly onSocketClose = (): void => {
    this.cleanup();
  };

  private cleanup(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    const { core } = this;
    if (this.handshakeTimer !== undefined) core.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    const cancel = this.cancelWait;
    this.cancelWait = undefined;
    cancel?.();
    if (this.counted) core.connections--;
    this.counted = false;
    if (this.wid !== "") core.workers.detach(this.wid, this);
    this.pending.length = 0;
    this.head = 0;
    this.onClosed(this);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state === "closed" || this.fatal !== undefined) return;
    const result = this.reader.feed(chunk, this.onLine);
    if (result === "too-long") {
      this.fatal = errorReply(`line too long (more than ${this.settings.maxLineBytes} bytes)`);
      this.socket.pause();
    }
    this.pump();
  };

  private readonly onLine = (line: string): void => {
    this.pending.push(line);
  };

  private readonly onDrain = (): void => {
    this.waitingDrain = false;
    this.updateFlow();
  };

  private updateFlow(): void {
    if (this.state === "closed") return;
    const pause = this.busy || this.waitingDrain || this.fatal !== undefined;
    if (pause === this.readingPaused) return; // nothing to change (the common case)
    this.readingPaused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }

  private pump(): void {
    while (
      !this.busy &&
      !this.releasing &&
      !this.ending &&
      this.state !== "closed" &&
      this.head < this.pending.length
    ) {
      const line = this.pending[this.head++]!;
      if (this.state === "handshake") {
        this.handshake(line);
        continue;
      }
      if (this.stopping) {
        // after the replies already waiting for their commit
        this.ending = true;
        this.lastReply = SHUTDOWN_REPLY;
        break;
      }
      const result = this.dispatch(line);
      this.gate.observe();
      if (result === CLOSE) {
        this.ending = true;
        break;
      }
      if (typeof result === "string" || Buffer.isBuffer(result)) {
        // The common case (memory storage, one command at a time): straight out, nothing held.
        if (this.gate.open && this.gate.size === 0 && this.head === this.pending.length)
          this.socket.write(result);
        else this.gate.hold(result);
        continue;
      }
      this.busy = true;
      result.then(this.onDeferredReply, this.onDeferredError);
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    }
    if (this.state === "closed") return;
    if (!this.releasing && this.gate.size > 0) {
      const waiting = this.gate.release(this.send);
      if (waiting !== undefined) {
        this.releasing = true;
        waiting.then(this.onReleased, this.onReleased);
        return;
      }
    }
    if (this.releasing) return;
    if (this.ending) {
      this.finish(this.lastReply);
      return;
    }
    if (!this.busy && this.fatal !== undefined) {
      this.finish(this.fatal);
      return;
    }
    if (this.socket.writableLength > HIGH_WATER_BYTES) this.waitingDrain = true;
    this.updateFlow();
  }

  /** Writes replies the gate released (their changes are committed); one write call per batch. */
  private readonly send = (replies: readonly Reply[]): void => {
    if (this.state === "closed") return;
    const { socket } = this;
    if (replies.length === 1) {
      socket.write(replies[0]!);
      return;
    }
    socket.cork();
    for (const reply of replies) socket.write(reply);
    socket.uncork();
  };

  private readonly onReleased = (): void => {
    this.releasing = false;
    this.pump();
  };

  private readonly onDeferredReply = (reply: Reply): void => {
    this.busy = false;
    if (this.state === "closed") return;
    this.gate.observe();
    this.gate.hold(reply);
    this.pump();
  };

  private readonly onDeferredError = (err: unknown): void => {
    this.core.logger.error(`command failed: ${err instanceof Error ? err.message : String(err)}`);
    this.onDeferredReply(INTERNAL_ERROR);
  };

  private dispatch(line: string): CommandResult {
    const space = line.indexOf(" ");
    const verb = space === -1 ? line : line.slice(0, space);
    const handler = COMMANDS.get(verb);
    if (handler === undefined) return errorReply(`unknown command ${echo(verb)}`);
    this.core.commandCount++;
    try {
      return handler(this.context, line);
    } catch (err) {
      if (err instanceof StorageError) {
        this.core.logger.error(`${verb} failed: ${err.message}`);
        return storageFailureReply(err);
      }
      this.core.logger.error(
        `${verb} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      return INTERNAL_ERROR;
    }
  }

  private handshake(line: string): void {
    const { core, settings } = this;
    if (!line.startsWith("HELLO {")) {
      core.logger.debug("Need a valid HELLO, is client using TLS?");
      this.destroy();
      return;
    }
    const hello = parseHello(line.slice(5));
    if (hello === undefined) {
      core.logger.debug("Invalid client data in HELLO");
      this.destroy();
      return;
    }
    if (settings.password !== undefined) {
      const iterations = (hello.v ?? 0) < 2 ? 1 : this.iterations;
      const expected = hashPassword(settings.password, this.salt, iterations);
      if (!sameSecret(hello.pwdhash ?? "", expected)) {
        core.logger.warn("Invalid password");
        this.finish("-ERR Invalid password\r\n");
        return;
      }
    }
    if (this.handshakeTimer !== undefined) core.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.state = "ready";
    core.connections++;
    this.counted = true;
    this.socket.write(OK_BYTES);
    if (core.connections > settings.maxConnections) {
      core.logger.warn(`Too many connections (${core.connections}), closing the newest`);
      this.finish(errorReply(`too many connections: ${core.connections}`));
      return;
    }
    if (hello.wid !== undefined && hello.wid !== "") {
      this.wid = hello.wid;
      core.workers.attach({ ...hello, wid: hello.wid }, this, core.clock.now());
      core.armWorkerReaper();
    }
  }
}
