/**
 * Public types of the embedded server: its options and the handle {@link startServer} returns.
 * @module
 */
import type { FaktoryInfo } from "../protocol/index.js";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";
import type { DurableStorageOptions } from "./storage/open-storage.js";
import type { Storage } from "./storage/storage.js";

/** TLS material: PEM text or buffers. */
export interface ServerTlsOptions {
  /** Private key (PEM). */
  key: string | Buffer;
  /** Certificate chain (PEM). */
  cert: string | Buffer;
}

/** Options of {@link startServer}. Every field is optional. */
export interface ServerOptions {
  /** Interface to listen on. Default `"127.0.0.1"`. */
  host?: string;
  /** Protocol port. Default 7419; 0 picks a free port. */
  port?: number;
  /** Web (HTTP) port. Default 7420; 0 picks a free port; `false` disables HTTP. */
  webPort?: number | false;
  /** Password clients must prove in HELLO; also HTTP Basic auth on the web port. */
  password?: string;
  /** Serve TLS (`tcp+tls://`) on the protocol port and HTTPS on the web port. */
  tls?: ServerTlsOptions;
  /** Longest command line accepted, in bytes. Default 32 MiB (room for a 16 MiB job). */
  maxLineBytes?: number;
  /** Most simultaneous identified connections. Default 2000. */
  maxConnections?: number;
  /** Time allowed between accept and a valid HELLO, in ms. Default 2000. */
  handshakeTimeoutMs?: number;
  /**
   * How long `close()` lets connections finish, in ms. Default 100 (as Faktory). From the start
   * of `close()`, any command gets `-ERR shutdown in progress` and its connection closes; a
   * blocked FETCH answers `$-1`; connections still open after this time are cut.
   */
  shutdownGraceMs?: number;
  /** Time source; default real time with `unref()`'d timers. Inject a fake one in tests. */
  clock?: Clock;
  /** Log sink; default silent. */
  logger?: Logger;
  /**
   * Where jobs live. Default: a fresh in-memory storage. `{ path }`: durable storage in that data
   * folder (SQLite through the optional `better-sqlite3` package, loaded only then), opened by
   * the server and closed by `close()`. A {@link Storage} object you pass is used as is and not
   * closed by `close()`.
   */
  storage?: Storage | DurableStorageOptions;
  /**
   * Faktory Enterprise features: `BATCH`, `TRACK`, unique jobs (`custom.unique_for`) and expiring
   * jobs (`custom.expires_at` / `expires_in`). Default `false`: the server answers like the
   * open-source Faktory 1.10 (BATCH and TRACK refused, those custom keys ignored).
   */
  enterprise?: boolean;
}

/** Operator signals for a worker process. */
export type WorkerSignal = "quiet" | "terminate";

/** A running embedded server. */
export interface FaktoryServer extends AsyncDisposable {
  /** Interface it listens on. */
  readonly host: string;
  /** Protocol port actually bound. */
  readonly port: number;
  /** Web port actually bound, or `undefined` without HTTP. */
  readonly webPort: number | undefined;
  /** URL for clients, `tcp://host:port` or `tcp+tls://host:port` (no password in it). */
  readonly url: string;
  /** URL of the web port (`http://` or `https://`), or `undefined` without HTTP. */
  readonly webUrl: string | undefined;
  /**
   * Stops listening and closes every connection gracefully (see `shutdownGraceMs`), then
   * cancels every timer. Safe to call twice.
   */
  close(): Promise<void>;
  /**
   * Asks a worker (by wid) or every worker (`"all"`) to go quiet or terminate; it learns it on
   * its next BEAT. States only move forward. Returns how many workers were signalled.
   */
  signalWorker(wid: string, signal: WorkerSignal): number;
  /** The INFO document, as the `INFO` command returns it. */
  info(): FaktoryInfo;
  /**
   * Names of the paused queues (`QUEUE PAUSE`), sorted. The wire protocol has no command that
   * tells; `drain` of `faktory-ts/testing` reads it to skip them without a blocking FETCH.
   */
  pausedQueues(): string[];
}
