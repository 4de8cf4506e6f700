/**
 * `node:diagnostics_channel` tracing channels published by the client and the worker: push,
 * bulk push, fetch, job run, ACK and FAIL. Subscribe with `diagnostics_channel.tracingChannel(name)`
 * (or to the `tracing:<name>:start|end|asyncStart|asyncEnd|error` channels). Each operation
 * publishes `start`, `end`, then `asyncStart` / `asyncEnd` when it settles, and `error` when it
 * fails, all with one context object holding the job's type, jid and queue.
 *
 * Nothing is built or wrapped while no channel of a tracing channel has a subscriber: each helper
 * checks first and otherwise calls straight through.
 * @module
 */
import diagnostics from "node:diagnostics_channel";
import { parseJsonReply } from "../protocol/commands.js";
import type { Job } from "../protocol/job.js";
import type { Reply } from "../protocol/resp-reader.js";

/** The names of the tracing channels faktory-ts publishes. */
export const TRACING_CHANNELS = {
  /** One `client.push`: from before the job is encoded to the server's `+OK`. */
  push: "faktory-ts:push",
  /** One `client.pushBulk` call (all its PUSHB chunks). */
  pushBulk: "faktory-ts:push-bulk",
  /** One FETCH of a worker: from sending it to its reply (a job or none). */
  fetch: "faktory-ts:fetch",
  /** One job run by a worker: middleware and handler. */
  job: "faktory-ts:job",
  /** The ACK of a job that succeeded, until the server's reply. */
  ack: "faktory-ts:ack",
  /** The FAIL of a job that failed, until the server's reply. */
  fail: "faktory-ts:fail",
} as const;

/** The job a traced operation is about. */
export interface JobTraceInfo {
  /** The job's type. */
  readonly jobtype: string;
  /** The job's id. */
  readonly jid: string;
  /** The job's queue (`"default"` when the job names none). */
  readonly queue: string;
  /** The job itself. On `push` start it is not encoded yet: a subscriber may add `custom` fields. */
  readonly job: Job<readonly unknown[]>;
}

/** Context of `faktory-ts:push`. `result` is the jid once accepted; `error` what it failed with. */
export interface PushTraceContext extends JobTraceInfo {
  /** The jid, set when the server accepted the job. */
  result?: string;
  /** Why the push failed. */
  error?: unknown;
}

/**
 * Context of `faktory-ts:push-bulk`. Jobs refused locally or by the server do not make the
 * operation fail: they are listed in `result.rejected`.
 */
export interface PushBulkTraceContext {
  /** The jobs of the call, with their jids (generated ones included), in the order given. */
  readonly jobs: readonly JobTraceInfo[];
  /** The outcome (a `BulkPushResult`). */
  result?: {
    readonly pushed: readonly string[];
    readonly rejected: readonly { jid: string; error: string }[];
  };
  /** Why the call failed (the client was closed). */
  error?: unknown;
}

/** Context of `faktory-ts:fetch`. The job fields are set when a job came. */
export interface FetchTraceContext {
  /** The queues asked, in order. */
  readonly queues: readonly string[];
  /** The fetched job's type. */
  jobtype?: string;
  /** The fetched job's id. */
  jid?: string;
  /** The fetched job's queue. */
  queue?: string;
  /** The fetched job, or `null` when none came. */
  result?: Job<readonly unknown[]> | null;
  /** Why the FETCH failed. */
  error?: unknown;
}

/** Context of `faktory-ts:job`. `error` is what the handler (or a middleware) threw. */
export interface JobTraceContext extends JobTraceInfo {
  /** The worker's processing slot (`-1` for `runOne`). */
  readonly slot: number;
  /** What the handler threw (the job will be FAILed). */
  error?: unknown;
  /** Set when the handler returned. */
  result?: unknown;
}

/** Context of `faktory-ts:ack` and `faktory-ts:fail`. `error`: the result was not delivered. */
export interface ResultTraceContext extends JobTraceInfo {
  /** The server's reply. */
  result?: Reply;
  /** Why the result was not delivered (lost connection or an error reply). */
  error?: unknown;
}

/** The tracing channels themselves, for subscribing without repeating the names. */
export const tracingChannels = {
  /** See {@link TRACING_CHANNELS}.push. */
  push: diagnostics.tracingChannel<string, PushTraceContext>(TRACING_CHANNELS.push),
  /** See {@link TRACING_CHANNELS}.pushBulk. */
  pushBulk: diagnostics.tracingChannel<string, PushBulkTraceContext>(TRACING_CHANNELS.pushBulk),
  /** See {@link TRACING_CHANNELS}.fetch. */
  fetch: diagnostics.tracingChannel<string, FetchTraceContext>(TRACING_CHANNELS.fetch),
  /** See {@link TRACING_CHANNELS}.job. */
  job: diagnostics.tracingChannel<string, JobTraceContext>(TRACING_CHANNELS.job),
  /** See {@link TRACING_CHANNELS}.ack. */
  ack: diagnostics.tracingChannel<string, ResultTraceContext>(TRACING_CHANNELS.ack),
  /** See {@link TRACING_CHANNELS}.fail. */
  fail: diagnostics.tracingChannel<string, ResultTraceContext>(TRACING_CHANNELS.fail),
};

/** Whether any channel of a tracing channel has a subscriber (works on every Node 20). */
function active(tc: diagnostics.TracingChannel<string, object>): boolean {
  return (
    tc.start.hasSubscribers ||
    tc.end.hasSubscribers ||
    tc.asyncStart.hasSubscribers ||
    tc.asyncEnd.hasSubscribers ||
    tc.error.hasSubscribers
  );
}

/** The trace fields of a job (tolerates a malformed one: tracing never throws). */
function infoOf(job: Job<readonly unknown[]>): JobTraceInfo {
  const j = (job ?? {}) as Partial<Job<readonly unknown[]>>;
  return { jobtype: String(j.jobtype), jid: String(j.jid), queue: j.queue ?? "default", job };
}

/** Traces one push: `send` encodes and sends `job`. Calls straight through without subscribers. */
export function tracePush(job: Job<readonly unknown[]>, send: () => Promise<string>): Promise<string> {
  const tc = tracingChannels.push;
  if (!active(tc)) return send();
  return tc.tracePromise(send, { ...infoOf(job) });
}

/** Traces one bulk push of `jobs` (defaults filled in). Calls straight through without subscribers. */
export function tracePushBulk<R extends NonNullable<PushBulkTraceContext["result"]>>(
  jobs: readonly Job<readonly unknown[]>[],
  send: () => Promise<R>,
): Promise<R> {
  const tc = tracingChannels.pushBulk;
  if (!active(tc)) return send();
  return tc.tracePromise(send, { jobs: jobs.map(infoOf) });
}

/** Whether bulk pushes are traced (so the caller fills in jids before {@link tracePushBulk}). */
export function tracingPushBulk(): boolean {
  return active(tracingChannels.pushBulk);
}

/**
 * Traces a FETCH whose reply is `reply`; returns `reply` itself without subscribers, else a
 * promise of the same reply.
 */
export function traceFetch(queues: readonly string[], reply: Promise<Reply>): Promise<Reply> {
  const tc = tracingChannels.fetch;
  if (!active(tc)) return reply;
  const ctx: FetchTraceContext = { queues };
  let got: Reply | undefined;
  return tc
    .tracePromise(async () => {
      got = await reply;
      const job = parseJsonReply<Job<readonly unknown[]>>(got, "FETCH");
      if (job !== null)
        Object.assign(ctx, { jobtype: job.jobtype, jid: job.jid, queue: job.queue ?? "default" });
      return job;
    }, ctx)
    .then(() => got as Reply);
}

/** How a job run ended (the worker's `JobOutcome`). */
type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * Traces one job run; `run` never rejects. Handlers run inside the trace, so stores bound to the
 * `start` channel (`AsyncLocalStorage`) are visible to them. Calls straight through without
 * subscribers.
 */
export function traceJob<O extends Outcome>(
  job: Job<readonly unknown[]>,
  slot: number,
  run: () => Promise<O>,
): Promise<O | { ok: false; error: unknown }> {
  const tc = tracingChannels.job;
  if (!active(tc)) return run();
  const ctx: JobTraceContext = { ...infoOf(job), slot };
  return tc
    .tracePromise(async () => {
      const outcome = await run();
      if (!outcome.ok) throw outcome.error;
      return outcome;
    }, ctx)
    .catch((error: unknown) => ({ ok: false as const, error }));
}

/**
 * Traces the delivery of a job's result line (`ACK …` or `FAIL …`) whose reply is `reply`;
 * returns `reply` itself without subscribers.
 */
export function traceResult(
  job: Job<readonly unknown[]>,
  line: string,
  reply: Promise<Reply>,
): Promise<Reply> {
  const tc = line.startsWith("ACK") ? tracingChannels.ack : tracingChannels.fail;
  if (!active(tc)) return reply;
  return tc.tracePromise(() => reply, { ...infoOf(job) });
}
