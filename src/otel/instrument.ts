/**
 * `instrumentFaktory`: OpenTelemetry spans from faktory-ts's `node:diagnostics_channel` tracing
 * channels, and the push → job link through W3C trace context in the job's `custom` field.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Channel, TracingChannel } from "node:diagnostics_channel";
import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import {
  type FetchTraceContext,
  type JobTraceContext,
  type JobTraceInfo,
  type PushBulkTraceContext,
  type PushTraceContext,
  type ResultTraceContext,
  tracingChannels,
} from "../connection/tracing.js";
import type { Job } from "../protocol/job.js";
import { extractFromJob, injectIntoJob, w3cTraceContextPropagator } from "./propagation.js";

/** Options of {@link instrumentFaktory}. */
export interface FaktoryInstrumentationOptions {
  /** Where the tracer comes from. Default: the global one (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /**
   * How trace context is written into and read from the job's `custom` field. Default: W3C
   * Trace Context (`custom.traceparent`, `custom.tracestate`) built in, so it works without a
   * registered SDK propagator. Pass `propagation` from `@opentelemetry/api` to use the globally
   * registered one (baggage, B3, ...).
   */
  propagator?: TextMapPropagator;
  /**
   * Also trace each worker FETCH as a `receive` span (CLIENT). Off by default: an idle worker
   * fetches every couple of seconds, so these are mostly empty.
   */
  fetchSpans?: boolean;
}

/** Stops the instrumentation: a function, and `Disposable` for `using`. */
export type FaktoryInstrumentation = (() => void) & Disposable;

/** The instrumentation scope name of the spans. */
export const INSTRUMENTATION_NAME = "faktory-ts";

/** `messaging.system` of every span. */
const SYSTEM = "faktory";

/**
 * A store for `TracingChannel.start.bindStore` whose `run` is OpenTelemetry's `context.with`:
 * the traced operation (for a job run: the middleware and the handler) runs with the span
 * active under whatever context manager the application registered.
 */
class OtelContextStore extends AsyncLocalStorage<Context> {
  // biome-ignore lint/suspicious/noExplicitAny: the signature of AsyncLocalStorage.run
  override run<R, TArgs extends any[]>(store: Context, fn: (...args: TArgs) => R, ...args: TArgs): R {
    return context.with(store, fn, undefined, ...args);
  }
}

/** Attributes every span about one job has. */
function jobAttributes(info: JobTraceInfo, operation: string, type: string): Attributes {
  return {
    "messaging.system": SYSTEM,
    "messaging.operation.name": operation,
    "messaging.operation.type": type,
    "messaging.destination.name": info.queue,
    "messaging.message.id": info.jid,
    "messaging.faktory.job.type": info.jobtype,
  };
}

/** Marks `span` failed with `error` (a recorded exception, ERROR status, `error.type`). */
function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setAttribute("error.type", err.name || err.constructor.name || "Error");
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/** Subscribes `onEnd` to the settling of a tracing channel (with no-op handlers for the rest). */
function onSettled<C extends object>(
  channel: TracingChannel<string, C>,
  onEnd: (ctx: C) => void,
): () => void {
  const noop = (): void => {};
  const handlers = { start: noop, end: noop, asyncStart: noop, error: noop, asyncEnd: onEnd };
  channel.subscribe(handlers);
  return () => {
    channel.unsubscribe(handlers);
  };
}

/**
 * Turns faktory-ts's tracing channels into OpenTelemetry spans, following the messaging semantic
 * conventions (`messaging.system` = `"faktory"`, `messaging.destination.name` = queue,
 * `messaging.message.id` = jid, `messaging.faktory.job.type`):
 *
 * - `send <queue>` (PRODUCER) for each `client.push` and `client.pushBulk` (one span per call,
 *   `messaging.batch.message_count` set). Its context is written into the job's
 *   `custom.traceparent` (and `custom.tracestate`) before the job is encoded.
 * - `process <queue>` (CONSUMER) for each job run, a child of the push's span, read back from
 *   `custom` (in any process); the middleware and the handler run with it active, so spans they
 *   start nest under it. A handler that throws sets ERROR status and records the exception.
 *   `messaging.faktory.job.retry_count` is set on retries.
 * - `ack <queue>` / `fail <queue>` (CLIENT, `messaging.operation.type` = `"settle"`), children of
 *   the job's span, for the delivery of its result.
 * - `receive` (CLIENT) for each FETCH, only with `fetchSpans: true`.
 *
 * Call it once at start-up, after registering your tracer provider. It costs nothing until
 * called (nothing in faktory-ts loads `@opentelemetry/api` otherwise), and the returned function
 * (also `Disposable`) removes every subscription.
 *
 * @example
 * ```ts
 * import { instrumentFaktory } from "faktory-ts/otel";
 *
 * const off = instrumentFaktory(); // global tracer provider, W3C trace context in job.custom
 * // ... push and run jobs ...
 * off();
 * ```
 */
export function instrumentFaktory(options: FaktoryInstrumentationOptions = {}): FaktoryInstrumentation {
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer: Tracer = provider.getTracer(INSTRUMENTATION_NAME);
  const propagator = options.propagator ?? w3cTraceContextPropagator;
  /** Open spans by trace context object. */
  const spans = new WeakMap<object, Span>();
  /** The context of each job's `process` span, by job object, for its ACK/FAIL span. */
  const jobContexts = new WeakMap<Job<readonly unknown[]>, Context>();
  const offs: (() => void)[] = [];

  /** Binds `open` (which opens the span) as the store of a channel's start, until off. */
  function bind<C extends object>(channel: TracingChannel<string, C>, open: (ctx: C) => Context): void {
    // the channels are declared with a string store type; this store holds OpenTelemetry contexts
    const start = channel.start as unknown as Channel<Context, C>;
    const store = new OtelContextStore();
    start.bindStore(store, (ctx: C) => {
      try {
        return open(ctx);
      } catch {
        return context.active(); // tracing never breaks the operation
      }
    });
    offs.push(() => {
      start.unbindStore(store);
    });
  }

  /**
   * Traces one channel: `open` starts the span of an operation (and says its parent context);
   * the operation runs with the span active (`started` sees that context first), and the span
   * ends when the operation settles, failed when it threw (`ending` may add attributes first).
   */
  function traceChannel<C extends { error?: unknown }>(
    channel: TracingChannel<string, C>,
    open: (ctx: C) => { parent: Context; span: Span },
    hooks: { started?: (ctx: C, active: Context) => void; ending?: (ctx: C, span: Span) => void } = {},
  ): void {
    bind(channel, (ctx) => {
      const { parent, span } = open(ctx);
      spans.set(ctx, span);
      const active = trace.setSpan(parent, span);
      hooks.started?.(ctx, active);
      return active;
    });
    offs.push(
      onSettled(channel, (ctx) => {
        const span = spans.get(ctx);
        if (span === undefined) return;
        spans.delete(ctx);
        hooks.ending?.(ctx, span);
        if (ctx.error !== undefined) recordError(span, ctx.error);
        span.end();
      }),
    );
  }

  // push: PRODUCER span in the caller's context, injected into the job before it is encoded
  traceChannel<PushTraceContext>(
    tracingChannels.push,
    (ctx) => {
      const parent = context.active();
      const attributes = jobAttributes(ctx, "send", "send");
      return {
        parent,
        span: tracer.startSpan(`send ${ctx.queue}`, { kind: SpanKind.PRODUCER, attributes }, parent),
      };
    },
    { started: (ctx, active) => injectIntoJob(propagator, active, ctx.job) },
  );

  // push-bulk: one PRODUCER span for the call, injected into each job
  traceChannel<PushBulkTraceContext>(
    tracingChannels.pushBulk,
    (ctx) => {
      const parent = context.active();
      const queues = new Set(ctx.jobs.map((j) => j.queue));
      const [only] = queues;
      const attributes: Attributes = {
        "messaging.system": SYSTEM,
        "messaging.operation.name": "send",
        "messaging.operation.type": "send",
        "messaging.batch.message_count": ctx.jobs.length,
      };
      if (queues.size === 1 && only !== undefined) attributes["messaging.destination.name"] = only;
      const name = queues.size === 1 ? `send ${only}` : "send";
      return { parent, span: tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent) };
    },
    {
      started: (ctx, active) => {
        for (const info of ctx.jobs) injectIntoJob(propagator, active, info.job);
      },
      ending: (ctx, span) => {
        const rejected = ctx.result?.rejected.length ?? 0;
        if (rejected > 0) span.setAttribute("messaging.faktory.rejected_count", rejected);
      },
    },
  );

  // job run: CONSUMER span, child of the push's span carried in custom; active in the handler
  traceChannel<JobTraceContext>(
    tracingChannels.job,
    (ctx) => {
      const parent = extractFromJob(propagator, ROOT_CONTEXT, ctx.job);
      const attributes = jobAttributes(ctx, "process", "process");
      const retryCount = ctx.job.failure?.retry_count;
      if (typeof retryCount === "number") attributes["messaging.faktory.job.retry_count"] = retryCount;
      return {
        parent,
        span: tracer.startSpan(`process ${ctx.queue}`, { kind: SpanKind.CONSUMER, attributes }, parent),
      };
    },
    { started: (ctx, active) => jobContexts.set(ctx.job, active) },
  );

  // ACK / FAIL: CLIENT "settle" spans under the job's span
  for (const [channel, op] of [
    [tracingChannels.ack, "ack"],
    [tracingChannels.fail, "fail"],
  ] as const)
    traceChannel<ResultTraceContext>(channel, (ctx) => {
      const parent = jobContexts.get(ctx.job) ?? extractFromJob(propagator, context.active(), ctx.job);
      jobContexts.delete(ctx.job);
      const attributes = jobAttributes(ctx, op, "settle");
      return {
        parent,
        span: tracer.startSpan(`${op} ${ctx.queue}`, { kind: SpanKind.CLIENT, attributes }, parent),
      };
    });

  if (options.fetchSpans === true)
    traceChannel<FetchTraceContext>(
      tracingChannels.fetch,
      (ctx) => {
        const parent = context.active();
        const attributes: Attributes = {
          "messaging.system": SYSTEM,
          "messaging.operation.name": "receive",
          "messaging.operation.type": "receive",
          "messaging.faktory.queues": [...ctx.queues],
        };
        return { parent, span: tracer.startSpan("receive", { kind: SpanKind.CLIENT, attributes }, parent) };
      },
      {
        ending: (ctx, span) => {
          span.setAttribute("messaging.batch.message_count", ctx.jid === undefined ? 0 : 1);
          if (ctx.jid !== undefined && ctx.queue !== undefined) {
            span.setAttribute("messaging.message.id", ctx.jid);
            span.setAttribute("messaging.destination.name", ctx.queue);
          }
        },
      },
    );

  let stopped = false;
  const off = (): void => {
    if (stopped) return;
    stopped = true;
    for (const f of offs.splice(0)) f();
  };
  return Object.assign(off, { [Symbol.dispose]: off });
}
