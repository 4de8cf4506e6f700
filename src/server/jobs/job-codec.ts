/**
 * Jobs as the reference server stores them: decoded with Go's type rules into `client.Job`
 * (unknown keys dropped, `retry` defaulting to 25) and re-marshalled in Go's field order with
 * Go's escaping. The server stores, returns and matches exactly these bytes.
 * @module
 */
import { DEFAULT_RETRY, goEscape, goStringify, type Job, type JobFailure } from "../../protocol/index.js";
import { decodeStruct, type FieldKind, GoTypeError, jsonTypeName, parseJson } from "./go-decode.js";

const JOB_FIELDS: Readonly<Record<string, FieldKind>> = {
  retry: "int",
  failure: "object",
  custom: "object",
  jid: "string",
  queue: "string",
  jobtype: "string",
  created_at: "string",
  enqueued_at: "string",
  at: "string",
  args: "array",
  reserve_for: "int",
  backtrace: "int",
};

const FAILURE_FIELDS: Readonly<Record<string, FieldKind>> = {
  failed_at: "string",
  next_at: "string",
  message: "string",
  errtype: "string",
  backtrace: "strings",
  retry_count: "int",
  remaining: "int",
};

/**
 * A job as the server holds it: every field typed, `retry` always set. Missing strings are
 * `""`, missing numbers 0, like Go's zero values; `args` is `undefined` when absent or null.
 */
export interface ServerJob {
  retry: number;
  failure: JobFailure | undefined;
  custom: Record<string, unknown> | undefined;
  jid: string;
  queue: string;
  jobtype: string;
  created_at: string;
  enqueued_at: string;
  at: string;
  args: unknown[] | undefined;
  reserve_for: number;
  backtrace: number;
}

function decodeFailure(value: Record<string, unknown>): JobFailure {
  const f = decodeStruct(value, FAILURE_FIELDS, "Job.failure");
  const failure: JobFailure = {
    failed_at: (f.failed_at as string | undefined) ?? "",
    retry_count: (f.retry_count as number | undefined) ?? 0,
    remaining: (f.remaining as number | undefined) ?? 0,
  };
  if (f.next_at) failure.next_at = f.next_at as string;
  if (f.message) failure.message = f.message as string;
  if (f.errtype) failure.errtype = f.errtype as string;
  if (f.backtrace) failure.backtrace = f.backtrace as string[];
  return failure;
}

/** Decodes an already-parsed JSON value as a job; throws {@link GoTypeError} on a type error. */
export function jobFromValue(value: unknown, goType = "client.Job"): ServerJob {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new GoTypeError(`json: cannot unmarshal ${jsonTypeName(value)} into Go value of type ${goType}`);
  const f = decodeStruct(value as Record<string, unknown>, JOB_FIELDS, "Job");
  return {
    retry: (f.retry as number | undefined) ?? DEFAULT_RETRY,
    failure: f.failure === undefined ? undefined : decodeFailure(f.failure as Record<string, unknown>),
    custom: f.custom as Record<string, unknown> | undefined,
    jid: (f.jid as string | undefined) ?? "",
    queue: (f.queue as string | undefined) ?? "",
    jobtype: (f.jobtype as string | undefined) ?? "",
    created_at: (f.created_at as string | undefined) ?? "",
    enqueued_at: (f.enqueued_at as string | undefined) ?? "",
    at: (f.at as string | undefined) ?? "",
    args: f.args as unknown[] | undefined,
    reserve_for: (f.reserve_for as number | undefined) ?? 0,
    backtrace: (f.backtrace as number | undefined) ?? 0,
  };
}

/** Parses and decodes one job; throws {@link GoTypeError} (text for `invalid JSON: `). */
export function decodeJob(text: string): ServerJob {
  return jobFromValue(parseJson(text));
}

/** Parses and decodes a JSON array of jobs (PUSHB). */
export function decodeJobList(text: string): ServerJob[] {
  const value = parseJson(text);
  if (!Array.isArray(value))
    throw new GoTypeError(`json: cannot unmarshal ${jsonTypeName(value)} into Go value of type []client.Job`);
  return value.map((item) => jobFromValue(item));
}

/** Decodes a payload the server stored itself (always valid). */
export function parseStoredJob(payload: string): ServerJob {
  return jobFromValue(JSON.parse(payload));
}

/** A character JSON.stringify or Go's encoder would escape (anything but plain printable ASCII). */
const NEEDS_QUOTING = /[^\x20-\x7e]|["\\<>&]/;

/** A JSON string as Go writes it; plain printable ASCII (jids, queues, timestamps) is just quoted. */
function str(value: string): string {
  return NEEDS_QUOTING.test(value) ? goEscape(JSON.stringify(value)) : `"${value}"`;
}

function encodeFailure(f: JobFailure): string {
  let out = `{"failed_at":${str(f.failed_at)}`;
  if (f.next_at) out += `,"next_at":${str(f.next_at)}`;
  if (f.message) out += `,"message":${str(f.message)}`;
  if (f.errtype) out += `,"errtype":${str(f.errtype)}`;
  if (f.backtrace !== undefined && f.backtrace.length > 0) out += `,"backtrace":${goStringify(f.backtrace)}`;
  return `${out},"retry_count":${f.retry_count},"remaining":${f.remaining}}`;
}

/**
 * Marshals a job exactly as the reference does: fields in the order `retry, failure, custom,
 * jid, queue, jobtype, created_at, enqueued_at, at, args, reserve_for, backtrace`, empty
 * optional fields left out, map keys sorted, `<>&` escaped.
 */
export function encodeJob(job: ServerJob): string {
  let out = `{"retry":${job.retry}`;
  if (job.failure !== undefined) out += `,"failure":${encodeFailure(job.failure)}`;
  if (job.custom !== undefined && Object.keys(job.custom).length > 0)
    out += `,"custom":${goStringify(job.custom)}`;
  out += `,"jid":${str(job.jid)},"queue":${str(job.queue)},"jobtype":${str(job.jobtype)}`;
  if (job.created_at !== "") out += `,"created_at":${str(job.created_at)}`;
  if (job.enqueued_at !== "") out += `,"enqueued_at":${str(job.enqueued_at)}`;
  if (job.at !== "") out += `,"at":${str(job.at)}`;
  out += `,"args":${job.args === undefined ? "null" : goStringify(job.args)}`;
  if (job.reserve_for !== 0) out += `,"reserve_for":${job.reserve_for}`;
  if (job.backtrace !== 0) out += `,"backtrace":${job.backtrace}`;
  return `${out}}`;
}

/** The job as the shared protocol type (for `findJobProblem`). */
export function asProtocolJob(job: ServerJob): Partial<Job> {
  const out: Partial<Job> = { jid: job.jid, jobtype: job.jobtype, queue: job.queue, retry: job.retry };
  if (job.args !== undefined) out.args = job.args;
  if (job.reserve_for !== 0) out.reserve_for = job.reserve_for;
  if (job.at !== "") out.at = job.at;
  return out;
}
