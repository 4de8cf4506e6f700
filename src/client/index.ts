/**
 * The Faktory client: push jobs (one, or in bulk), read the server's state, pause, resume and
 * remove queues, and mutate the retry, scheduled and dead sets. One self-healing, pipelined
 * connection per client.
 *
 * @example
 * ```ts
 * import { Client } from "faktory-ts";
 *
 * await using client = await Client.connect(); // FAKTORY_URL or tcp://localhost:7419
 * const jid = await client.push("SendEmail", ["a@example.com"], { queue: "mail" });
 * const { pushed, rejected } = await client.pushBulk([
 *   client.job("Resize", ["a.png", 100]),
 *   client.job("Resize", ["b.png", 100], { at: { in: 60_000 } }),
 * ]);
 * const info = await client.info();
 * await client.discard("dead", { jobtype: "Resize" });
 * ```
 *
 * ## Connection drops and delivery
 * - The first connection (`Client.connect`) is one attempt; its error is thrown as is.
 * - After a drop, the next command re-opens the connection using `retry` (default
 *   `exponentialBackoff()`: full jitter, 50 ms doubling to 5 s, 10 attempts). Commands issued
 *   meanwhile wait in order (state `"reconnecting"`) and are sent once the connection is back.
 *   When the strategy gives up they reject with a `ConnectionError`, the state becomes `"idle"`,
 *   and the next command starts over. A wrong password or URL is never retried.
 * - A command whose reply arrived is done and is never sent again.
 * - A command whose connection died after it was written and before its reply is ambiguous: the
 *   server may have executed it. By default (`resendUnacknowledged: true`) it is re-sent on the
 *   new connection, at most `maxResends` (3) times. Every client command tolerates a repeat:
 *   INFO, QUEUE and MUTATE are idempotent, and a PUSH/PUSHB carries the same jid, so the worst
 *   case is the server holding the same job twice (Faktory does not de-duplicate jids): at-least-
 *   once delivery. With `resendUnacknowledged: false` the command rejects with the
 *   `ConnectionError` instead (at-most-once), and the caller decides.
 * - Server error replies (`ServerError`, with `serverCode`/`serverMessage`) and malformed replies
 *   (`ProtocolError`) are final, never retried. Every reply is bounded by `commandTimeoutMs`.
 * - `close()` rejects waiting commands with `StateError`, lets written ones get their replies,
 *   then sends END; later calls reject with `StateError`.
 * @module
 */
export {
  type BatchCallback,
  type BatchCallbackState,
  BatchHandle,
  type BatchOptions,
  Batches,
  type BatchStatus,
  type BatchTransport,
} from "./batches.js";
export {
  applyBulkReply,
  type BulkJobFor,
  type BulkPushResult,
  chunk,
  type PlainJob,
  type PreparedJob,
  prepareBulk,
  withDefaults,
} from "./bulk.js";
export { Client } from "./client.js";
export { connectWithRetry, defaultConnectRetry } from "./connect-retry.js";
export {
  assertValidJob,
  createJob,
  findJobError,
  type JobOptions,
  type JobSchedule,
  job,
  type JobFor,
  scheduleToTimestamp,
  serializeJob,
  type TypedJob,
} from "./job-builder.js";
export { mutationLine, normalizeMutation } from "./mutate.js";
export { type ClientOptions, DEFAULT_MAX_RESENDS, DEFAULT_PUSH_CHUNK_SIZE } from "./options.js";
export {
  type JobProgress,
  type JobTrackState,
  ProgressApi,
  type ProgressUpdate,
  trackSetLine,
} from "./progress.js";
export { assertQueueNames, type QueueSelection, type QueueTarget, queueLine } from "./queues.js";
export {
  type ClientState,
  ReconnectingConnection,
  type ReconnectingConnectionOptions,
} from "./reconnecting-connection.js";
