/**
 * The push → job link across processes: this process pushes inside an active span; a worker in
 * a child process (the built package, its own tracer provider) runs the job and prints its spans.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { Client } from "../../../src/client/index.js";
import { startTestServer } from "../../../src/testing/index.js";
import { instrumentEachTest } from "./support.js";

// `npm test` builds first (pretest); the child imports the package as users do.
const built = existsSync(new URL("../../../dist/otel.js", import.meta.url));
const script = new URL("../../fixtures/otel/worker-process.mjs", import.meta.url);

interface ChildSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  status: { code: number; message?: string };
}

/** Runs one job of `queue` in a child process; resolves with what it printed once it exits. */
function runWorkerProcess(
  url: string,
  queue: string,
): Promise<{ ran: boolean; pid: number; spans: ChildSpan[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script.pathname, url, queue],
      { cwd: new URL("../../..", import.meta.url), encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`worker process failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

describe.skipIf(!built)("OpenTelemetry across processes", () => {
  const tracing = instrumentEachTest();

  async function pushInSpan(client: Client, queue: string, arg: string): Promise<void> {
    await tracing.provider.getTracer("app").startActiveSpan("request", async (span) => {
      await client.push("CrossProcess", [arg], { queue });
      span.end();
    });
  }

  it("makes the job's span in the worker process a child of the push's span in this one", async () => {
    await using server = await startTestServer();
    await using client = await Client.connect(server.url);
    await pushInSpan(client, "cross", "ok");
    const send = tracing.span("send cross");

    const child = await runWorkerProcess(server.url, "cross");
    expect(child.ran).toBe(true);
    expect(child.pid).not.toBe(process.pid);
    const byName = new Map(child.spans.map((s) => [s.name, s]));
    const job = byName.get("process cross");
    expect(job).toMatchObject({
      kind: SpanKind.CONSUMER,
      traceId: send.spanContext().traceId,
      parentSpanId: send.spanContext().spanId,
      status: { code: SpanStatusCode.UNSET },
    });
    expect(byName.get("inside handler")).toMatchObject({
      traceId: send.spanContext().traceId,
      parentSpanId: job?.spanId,
    });
    expect(byName.get("ack cross")?.parentSpanId).toBe(job?.spanId);
  });

  it("reports a job that failed in the worker process with ERROR status, still under the push", async () => {
    await using server = await startTestServer();
    await using client = await Client.connect(server.url);
    await pushInSpan(client, "cross-fail", "fail");
    const send = tracing.span("send cross-fail");

    const child = await runWorkerProcess(server.url, "cross-fail");
    const job = child.spans.find((s) => s.name === "process cross-fail");
    expect(job).toMatchObject({
      traceId: send.spanContext().traceId,
      parentSpanId: send.spanContext().spanId,
      status: { code: SpanStatusCode.ERROR, message: "failed in the child" },
    });
    expect(child.spans.find((s) => s.name === "fail cross-fail")?.parentSpanId).toBe(job?.spanId);
  });
});
