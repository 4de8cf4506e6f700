/**
 * Options of {@link Client.connect}.
 * @module
 */
import type { ConnectionOptions } from "../connection/options.js";
import type { RetryStrategy } from "../connection/retry.js";
import type { JobSchemas } from "../protocol/job-types.js";
import type { ClientState } from "./reconnecting-connection.js";

/** Default number of jobs sent in one `PUSHB` by {@link Client.pushBulk} (Faktory's advice). */
export const DEFAULT_PUSH_CHUNK_SIZE = 1000;
/** Default number of times one command is re-sent after its connection died before the reply. */
export const DEFAULT_MAX_RESENDS = 3;

/**
 * How to reach the server and how the client behaves when the connection drops.
 * Everything is optional; a bare string given to {@link Client.connect} is the `url`.
 *
 * @typeParam S - the job schemas given as `jobs`, from which the client's registry is inferred.
 */
export interface ClientOptions<S extends JobSchemas | undefined = JobSchemas | undefined>
  extends ConnectionOptions {
  /**
   * Runtime schemas of the job types (see `defineJobs`). When given, `push` is typed from them
   * and every push validates its args against the schema first (asynchronously).
   */
  jobs?: S;
  /**
   * When and how often to try re-connecting after the connection dropped. Default:
   * `exponentialBackoff()` (full jitter, 50 ms doubling up to 5 s, 10 attempts). The first
   * connection made by `Client.connect` is a single attempt unless
   * {@link ClientOptions.connectRetry} is set.
   */
  retry?: RetryStrategy;
  /**
   * Wait for the server at {@link Client.connect} instead of failing at the first refused
   * connection: `true` uses `defaultConnectRetry()` (backoff from 100 ms up to 2 s, 40 attempts,
   * about a minute), or give a {@link RetryStrategy}. Only connection failures are retried; a
   * wrong password or URL fails at once. When it gives up, `connect` rejects with a
   * `ConnectionError` naming the attempts. Default: one attempt.
   */
  connectRetry?: boolean | RetryStrategy;
  /** Aborts a {@link ClientOptions.connectRetry} wait: `connect` rejects with the signal's reason. */
  connectSignal?: AbortSignal;
  /** Jobs per `PUSHB` in {@link Client.pushBulk} (default 1000). */
  pushChunkSize?: number;
  /**
   * Connections used for pushes (default 1; 1 to 16). Each is pipelined; a push goes to the one
   * with the fewest commands in flight. More than one raises the throughput of many concurrent
   * pushes (two connections: about +40% with 100 pushes in flight on a 2-core machine), at a
   * price: pushes issued at the same time may then reach the server in a different order than
   * they were issued. Other commands (INFO, QUEUE, MUTATE, FLUSH) always use the first
   * connection, and only the first reports to `onStateChange`.
   */
  connections?: number;
  /**
   * What to do with a command whose connection died after it was written but before its reply
   * came: the server may or may not have executed it.
   *
   * - `true` (default): re-send it on the new connection, at most {@link ClientOptions.maxResends}
   *   times. Every client command is safe to repeat except that a repeated PUSH/PUSHB can leave
   *   the server holding the same job (same jid) twice: at-least-once delivery.
   * - `false`: reject it with the {@link ConnectionError} (at-most-once; the caller decides).
   *
   * Commands that were never written (issued while the client was reconnecting) are always
   * sent once the connection is back, whatever this says; a reply that arrived is never re-sent.
   */
  resendUnacknowledged?: boolean;
  /** Re-sends of one command allowed by `resendUnacknowledged` (default 3). */
  maxResends?: number;
  /** Called whenever the client's connection state changes (for logging and metrics). */
  onStateChange?: (state: ClientState, error?: Error) => void;
}
