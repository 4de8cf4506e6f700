/**
 * The push → job link end to end, in one process: a client pushes inside an active span, the
 * embedded server keeps the job, a Worker runs it; the job's span is a child of the push's.
 */
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { Client } from "../../../src/client/index.js";
import { startTestServer } from "../../../src/testing/index.js";
import { Worker } from "../../../src/worker/index.js";
import { instrumentEachTest, parentOf } from "./support.js";

describe("OpenTelemetry end to end", () => {
  const tracing = instrumentEachTest();

  it("runs the job as a child of its push, with the handler's spans nested under it", async () => {
    await using server = await startTestServer();
    await using client = await Client.connect(server.url);
    const tracer = tracing.provider.getTracer("app");
    const jid = await tracer.startActiveSpan("POST /signup", async (request) => {
      try {
        return await client.push("SendEmail", ["a@example.com"], { queue: "mail" });
      } finally {
        request.end();
      }
    });
    let activeInHandler: string | undefined;
    await using worker = new Worker({ url: server.url, queues: ["mail"], concurrency: 2 });
    worker.register("SendEmail", async () => {
      activeInHandler = trace.getActiveSpan()?.spanContext().spanId;
      await tracer.startActiveSpan("smtp", async (span) => {
        await Promise.resolve();
        span.end();
      });
    });
    const done = new Promise<void>((resolve) => worker.once("job:success", () => resolve()));
    const running = worker.run();
    await done;
    await worker.stop();
    await running;

    const request = tracing.span("POST /signup");
    const send = tracing.span("send mail");
    const process = tracing.span("process mail");
    const traceId = request.spanContext().traceId;
    expect(parentOf(send)).toBe(request.spanContext().spanId);
    expect(parentOf(process)).toBe(send.spanContext().spanId);
    expect(process.spanContext().traceId).toBe(traceId);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.attributes).toMatchObject({
      "messaging.system": "faktory",
      "messaging.destination.name": "mail",
      "messaging.message.id": jid,
      "messaging.faktory.job.type": "SendEmail",
    });
    expect(activeInHandler).toBe(process.spanContext().spanId);
    const smtp = tracing.span("smtp");
    expect(parentOf(smtp)).toBe(process.spanContext().spanId);
    expect(smtp.spanContext().traceId).toBe(traceId);
    const ack = tracing.span("ack mail");
    expect(parentOf(ack)).toBe(process.spanContext().spanId);
    expect(ack.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("gives a failing job ERROR status, and its retry the same parent with the retry count", async () => {
    await using server = await startTestServer();
    await using client = await Client.connect(server.url);
    await client.push("Flaky", [1], { retry: 3 });
    let attempts = 0;
    await using worker = new Worker({ url: server.url }).register("Flaky", () => {
      attempts++;
      throw new RangeError(`attempt ${attempts} failed`);
    });
    expect(await worker.runOne()).toBe(true);
    const send = tracing.span("send default");
    const failed = tracing.span("process default");
    expect(parentOf(failed)).toBe(send.spanContext().spanId);
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: "attempt 1 failed" });
    expect(failed.attributes["error.type"]).toBe("RangeError");
    expect(failed.events[0]?.attributes?.["exception.type"]).toBe("RangeError");
    expect(failed.attributes["messaging.faktory.job.retry_count"]).toBeUndefined();
    expect(parentOf(tracing.span("fail default"))).toBe(failed.spanContext().spanId);

    // The retry keeps custom (and so its parent), and carries the retry count.
    tracing.reset();
    await client.requeue("retries");
    expect(await worker.runOne()).toBe(true);
    const retry = tracing.span("process default");
    expect(parentOf(retry)).toBe(send.spanContext().spanId);
    expect(retry.attributes["messaging.faktory.job.retry_count"]).toBe(0);
  });
});
