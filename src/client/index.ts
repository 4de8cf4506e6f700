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
 * @module
 */
export { type BulkPushResult, applyBulkReply, chunk } from "./bulk.js";
export { Client, type JobFor, type QueueTarget } from "./client.js";
export {
  assertValidJob,
  createJob,
  findJobError,
  type JobOptions,
  type JobSchedule,
  job,
  scheduleToTimestamp,
  serializeJob,
  type TypedJob,
} from "./job-builder.js";
export { mutationLine, normalizeMutation } from "./mutate.js";
export { type ClientOptions, DEFAULT_MAX_RESENDS, DEFAULT_PUSH_CHUNK_SIZE } from "./options.js";
export { assertQueueNames, type QueueSelection, queueLine } from "./queues.js";
export {
  type ClientState,
  ReconnectingConnection,
  type ReconnectingConnectionOptions,
} from "./reconnecting-connection.js";
