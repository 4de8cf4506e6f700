/**
 * Carrying trace context in a job's `custom` field: the carrier getter and setter, and the
 * default propagator (W3C Trace Context: `traceparent` and `tracestate`).
 * @module
 */
import {
  type Context,
  createTraceState,
  isSpanContextValid,
  isValidSpanId,
  isValidTraceId,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
  TraceFlags,
} from "@opentelemetry/api";
import type { Job } from "../protocol/job.js";

/** The `custom` field of a job, seen as a propagation carrier. */
export type CustomCarrier = Readonly<Record<string, unknown>> | undefined;

/** Reads string values of a job's `custom` field (other values are not trace context). */
export const customGetter: TextMapGetter<CustomCarrier> = {
  keys: (carrier) => (carrier === undefined || carrier === null ? [] : Object.keys(carrier)),
  get: (carrier, key) => {
    const value = carrier?.[key];
    return typeof value === "string" ? value : undefined;
  },
};

/** Writes into a plain record, later merged into the job's `custom`. */
const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * Injects `ctx` into `job.custom` with `propagator`. The job gets a new `custom` object (the
 * caller's own object, perhaps shared by many jobs, is not changed). Never throws: a frozen job
 * simply carries no context.
 */
export function injectIntoJob(
  propagator: TextMapPropagator,
  ctx: Context,
  job: Job<readonly unknown[]>,
): void {
  const fields: Record<string, string> = {};
  try {
    propagator.inject(ctx, fields, recordSetter);
    if (Object.keys(fields).length === 0) return;
    const custom = job.custom !== null && typeof job.custom === "object" ? job.custom : {};
    (job as { custom?: Record<string, unknown> }).custom = { ...custom, ...fields };
  } catch {
    // tracing never breaks a push
  }
}

/** The context carried by `job.custom` on top of `base` (`base` itself when none or invalid). */
export function extractFromJob(
  propagator: TextMapPropagator,
  base: Context,
  job: Job<readonly unknown[]>,
): Context {
  const custom = job.custom;
  if (custom === null || typeof custom !== "object") return base;
  try {
    return propagator.extract(base, custom, customGetter);
  } catch {
    return base;
  }
}

const TRACEPARENT = "traceparent";
const TRACESTATE = "tracestate";
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a `traceparent` value (W3C Trace Context level 1), or `undefined` when invalid. */
function parseTraceparent(value: string): SpanContext | undefined {
  const m = TRACEPARENT_RE.exec(value.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/**
 * The default propagator: W3C Trace Context (`traceparent`, `tracestate`), so that no SDK setup
 * is needed for the link between a push and its job. Pass another one (for example the global
 * `propagation` API, to carry baggage or B3 too) as `propagator`.
 */
export const w3cTraceContextPropagator: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    const sc = trace.getSpanContext(ctx);
    if (sc === undefined || !isSpanContextValid(sc)) return;
    const flags = (sc.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, "0");
    setter.set(carrier, TRACEPARENT, `00-${sc.traceId}-${sc.spanId}-${flags}`);
    const state = sc.traceState?.serialize();
    if (state !== undefined && state !== "") setter.set(carrier, TRACESTATE, state);
  },
  extract(ctx, carrier, getter) {
    const raw = getter.get(carrier, TRACEPARENT);
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value !== "string") return ctx;
    const sc = parseTraceparent(value);
    if (sc === undefined) return ctx;
    const rawState = getter.get(carrier, TRACESTATE);
    const state = Array.isArray(rawState) ? rawState.join(",") : rawState;
    if (typeof state === "string" && state !== "") sc.traceState = createTraceState(state);
    return trace.setSpanContext(ctx, sc);
  },
  fields: () => [TRACEPARENT, TRACESTATE],
};
