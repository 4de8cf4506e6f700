/** instrumentFaktory on the tracing helpers directly: spans, attributes, propagation, unsubscribe. */
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { traceJob, tracePush, tracePushBulk, traceResult } from "../../../src/connection/tracing.js";
import { instrumentFaktory, w3cTraceContextPropagator } from "../../../src/otel/index.js";
import type { Job } from "../../../src/protocol/job.js";
import type { Reply } from "../../../src/protocol/resp-reader.js";
import { instrumentEachTest, parentOf } from "./support.js";

const OK: Reply = { kind: "simple", value: "OK" };

function job(fields: Partial<Job<readonly unknown[]>> = {}): Job<readonly unknown[]> {
  return { jid: "jid-0123456789ab", jobtype: "SendEmail", args: [], queue: "mail", ...fields };
}

describe("instrumentFaktory", () => {
  const tracing = instrumentEachTest();

  it("makes a PRODUCER span per push, child of the active span, and writes it into job.custom", async () => {
    const shared = { tenant: "acme" };
    const pushed = job({ custom: shared });
    const tracer = tracing.provider.getTracer("test");
    await tracer.startActiveSpan("request", async (parent) => {
      await tracePush(pushed, () => Promise.resolve(pushed.jid));
      parent.end();
    });
    const request = tracing.span("request");
    const send = tracing.span("send mail");
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(send)).toBe(request.spanContext().spanId);
    expect(send.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(send.attributes).toEqual({
      "messaging.system": "faktory",
      "messaging.operation.name": "send",
      "messaging.operation.type": "send",
      "messaging.destination.name": "mail",
      "messaging.message.id": "jid-0123456789ab",
      "messaging.faktory.job.type": "SendEmail",
    });
    const { traceId, spanId } = send.spanContext();
    expect(pushed.custom).toEqual({ tenant: "acme", traceparent: `00-${traceId}-${spanId}-01` });
    expect(shared).toEqual({ tenant: "acme" }); // the caller's object is not changed
  });

  it("records a refused push as an error", async () => {
    const failure = new Error("ERR refused");
    await expect(tracePush(job(), () => Promise.reject(failure))).rejects.toBe(failure);
    const send = tracing.span("send mail");
    expect(send.status).toEqual({ code: SpanStatusCode.ERROR, message: "ERR refused" });
    expect(send.events.map((e) => e.name)).toEqual(["exception"]);
    expect(send.attributes["error.type"]).toBe("Error");
  });

  it("runs a job as a CONSUMER span, child of its push, active in the handler; settles under it", async () => {
    const pushed = job({ failure: { retry_count: 2 } as Job["failure"] });
    await tracePush(pushed, () => Promise.resolve(pushed.jid));
    const fetched = JSON.parse(JSON.stringify(pushed)) as Job<readonly unknown[]>; // over the wire
    let activeInHandler: string | undefined;
    const outcome = await traceJob(fetched, 0, async () => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
      tracing.provider.getTracer("app").startSpan("inside").end();
      return { ok: true } as const;
    });
    expect(outcome).toEqual({ ok: true });
    await traceResult(fetched, "ACK {}", Promise.resolve(OK));
    const send = tracing.span("send mail");
    const process = tracing.span("process mail");
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(process)).toBe(send.spanContext().spanId);
    expect(process.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(activeInHandler).toBe(process.spanContext().spanId);
    expect(parentOf(tracing.span("inside"))).toBe(process.spanContext().spanId);
    expect(process.attributes).toMatchObject({
      "messaging.operation.type": "process",
      "messaging.message.id": pushed.jid,
      "messaging.faktory.job.retry_count": 2,
    });
    expect(process.status.code).toBe(SpanStatusCode.UNSET);
    const ack = tracing.span("ack mail");
    expect(ack.kind).toBe(SpanKind.CLIENT);
    expect(ack.attributes["messaging.operation.type"]).toBe("settle");
    expect(parentOf(ack)).toBe(process.spanContext().spanId);
  });

  it("marks a failed job's span ERROR with the exception, and traces its FAIL", async () => {
    const error = new TypeError("bad address");
    const run = job();
    const outcome = await traceJob(run, 1, () => Promise.resolve({ ok: false as const, error }));
    expect(outcome).toEqual({ ok: false, error });
    await traceResult(run, "FAIL {}", Promise.resolve(OK));
    const process = tracing.span("process mail");
    expect(parentOf(process)).toBeUndefined(); // no trace context in custom: a new trace
    expect(process.status).toEqual({ code: SpanStatusCode.ERROR, message: "bad address" });
    expect(process.attributes["error.type"]).toBe("TypeError");
    const [event] = process.events;
    expect(event?.name).toBe("exception");
    expect(event?.attributes?.["exception.message"]).toBe("bad address");
    expect(parentOf(tracing.span("fail mail"))).toBe(process.spanContext().spanId);
  });

  it("traces a bulk push as one span and writes it into every job", async () => {
    const jobs = [job({ jid: "jid-aaaaaaaaaaaa" }), job({ jid: "jid-bbbbbbbbbbbb", queue: "other" })];
    await tracePushBulk(jobs, () =>
      Promise.resolve({ pushed: ["jid-aaaaaaaaaaaa"], rejected: [{ jid: "jid-bbbbbbbbbbbb", error: "x" }] }),
    );
    const send = tracing.span("send");
    expect(send.attributes).toMatchObject({
      "messaging.batch.message_count": 2,
      "messaging.faktory.rejected_count": 1,
    });
    expect(send.attributes["messaging.destination.name"]).toBeUndefined();
    const { traceId, spanId } = send.spanContext();
    for (const j of jobs) expect(j.custom?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it("stops creating spans and writing context once turned off (and is Disposable)", async () => {
    tracing.off();
    tracing.off(); // idempotent
    const pushed = job();
    await tracePush(pushed, () => Promise.resolve(pushed.jid));
    expect(pushed.custom).toBeUndefined();
    {
      using _again = instrumentFaktory({ tracerProvider: tracing.provider });
      await tracePush(job(), () => Promise.resolve("x"));
    }
    await tracePush(job(), () => Promise.resolve("x"));
    expect(tracing.spans().map((s) => s.name)).toEqual(["send mail"]);
  });

  it("traces FETCHes only when asked", async () => {
    tracing.off();
    using _withFetch = instrumentFaktory({ tracerProvider: tracing.provider, fetchSpans: true });
    const { traceFetch } = await import("../../../src/connection/tracing.js");
    const reply: Reply = { kind: "bulk", value: JSON.stringify(job()) };
    await traceFetch(["mail", "default"], Promise.resolve(reply));
    await traceFetch(["mail"], Promise.resolve({ kind: "null" }));
    const [full, empty] = tracing.spans();
    expect(full?.name).toBe("receive");
    expect(full?.attributes).toMatchObject({
      "messaging.faktory.queues": ["mail", "default"],
      "messaging.batch.message_count": 1,
      "messaging.destination.name": "mail",
      "messaging.message.id": "jid-0123456789ab",
    });
    expect(empty?.attributes["messaging.batch.message_count"]).toBe(0);
  });
});

describe("w3cTraceContextPropagator", () => {
  const getter = {
    keys: (c: Record<string, string>) => Object.keys(c),
    get: (c: Record<string, string>, k: string) => c[k],
  };
  const setter = {
    set: (c: Record<string, string>, k: string, v: string): void => {
      c[k] = v;
    },
  };
  const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  it("round-trips traceparent and tracestate", () => {
    const ctx = w3cTraceContextPropagator.extract(
      context.active(),
      { traceparent: tp, tracestate: "a=1,b=2" },
      getter,
    );
    const sc = trace.getSpanContext(ctx);
    expect(sc).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      isRemote: true,
    });
    const out: Record<string, string> = {};
    w3cTraceContextPropagator.inject(ctx, out, setter);
    expect(out).toEqual({ traceparent: tp, tracestate: "a=1,b=2" });
    expect(w3cTraceContextPropagator.fields()).toEqual(["traceparent", "tracestate"]);
  });

  it("ignores invalid trace context", () => {
    const root = context.active();
    for (const bad of [
      "garbage",
      "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "00-00000000000000000000000000000000-b7ad6b7169203331-01",
      "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
      `${tp}-extra`,
    ])
      expect(w3cTraceContextPropagator.extract(root, { traceparent: bad }, getter)).toBe(root);
    const out: Record<string, string> = {};
    w3cTraceContextPropagator.inject(root, out, setter);
    expect(out).toEqual({});
  });
});
