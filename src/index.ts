/**
 * faktory-ts: a client, a worker and an embedded server for the Faktory background-job server.
 * @packageDocumentation
 */
export * from "./protocol/errors.js";
export type { Job, JobFailure } from "./protocol/job.js";
export { generateJid, generateWid } from "./protocol/ids.js";
export type {
  FaktoryInfo,
  MutateFilter,
  MutateTarget,
  MutateCommand,
  MutateOperation,
  WorkerState,
} from "./protocol/messages.js";
export { resolveServerUrl, parseServerUrl, type ServerAddress } from "./protocol/url.js";
