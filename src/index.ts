/**
 * faktory-ts: a client, a worker and an embedded server for the Faktory background-job server.
 * @packageDocumentation
 */
export * from "./protocol/errors.js";
export type { Job, JobFailure } from "./protocol/job.js";
export { generateJid, generateWid } from "./protocol/ids.js";
export type {
  FailPayload,
  FaktoryInfo,
  InfoReaperTask,
  InfoScannerTask,
  MutateFilter,
  MutateTarget,
  MutateCommand,
  MutateOperation,
  WorkerState,
} from "./protocol/messages.js";
export {
  type Environment,
  resolveServerUrl,
  parseServerUrl,
  type ServerAddress,
} from "./protocol/url.js";
export type { QueueSubcommand } from "./protocol/commands.js";
export type { Reply } from "./protocol/resp-reader.js";
// Client (issue #4) and the shared types its users need.
export * from "./client/index.js";
export {
  defineJobs,
  type JobRegistry,
  type JobSchemas,
  type JobsFromSchemas,
  type JobTypeOf,
  type StandardSchemaV1,
  type UntypedJobs,
} from "./protocol/job-types.js";
export type { ConnectionOptions, TlsOptions } from "./connection/options.js";
export { exponentialBackoff, type BackoffOptions, type RetryStrategy } from "./connection/retry.js";
export {
  type FetchTraceContext,
  type JobTraceContext,
  type JobTraceInfo,
  type PushBulkTraceContext,
  type PushTraceContext,
  type ResultTraceContext,
  TRACING_CHANNELS,
  tracingChannels,
} from "./connection/tracing.js";
export * from "./worker/index.js";
