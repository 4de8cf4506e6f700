/**
 * `GET /metrics`: the server's figures in the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). {@link metricsSnapshot} reads
 * the figures from the engine; {@link renderMetrics} turns them into text and is pure.
 *
 * Every name starts with `faktory_`. Queue figures carry a `queue` label; the four sets (retries,
 * scheduled, dead, and the working set of reserved jobs) share one metric with a `set` label, as
 * the INFO document groups them under `sets`.
 * @module
 */
import type { FaktoryInfo } from "../../protocol/messages.js";
import type { ServerCore } from "../core.js";
import type { Route } from "./routes.js";

/** The `Content-Type` of the 0.0.4 text format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One queue's figures. */
export interface QueueMetrics {
  /** Queue name (any string: it is escaped in the output). */
  readonly name: string;
  /** Jobs waiting. */
  readonly size: number;
  /** Seconds since the oldest waiting job was enqueued (0 when empty). */
  readonly latencySeconds: number;
  /** Whether the queue is paused. */
  readonly paused: boolean;
}

/** Everything `/metrics` reports, read at one moment. */
export interface MetricsSnapshot {
  /** Known queues, in the order they are written. */
  readonly queues: readonly QueueMetrics[];
  /** Sizes of the sets: retries, scheduled, dead, and working (jobs reserved by workers). */
  readonly sets: {
    readonly retries: number;
    readonly scheduled: number;
    readonly dead: number;
    readonly working: number;
  };
  /** Jobs that ended, successfully or not (Faktory's `total_processed`: failures included). */
  readonly processed: number;
  /** Jobs that failed (FAIL or reservation expiry). */
  readonly failed: number;
  /** Open client connections. */
  readonly connections: number;
  /** Registered worker processes (live HELLO with a `wid`). */
  readonly workers: number;
  /** Commands handled since the start. */
  readonly commands: number;
  /** Seconds since the server started. */
  readonly uptimeSeconds: number;
}

/**
 * Each known queue's figures, in storage order (`Object.keys` of INFO's `queues` would move names
 * that look like numbers first): the size from the INFO document `info` ({@link ServerCore.info},
 * the one source `INFO` and the dashboard read), latency as QUEUE LATENCY computes it, and the
 * paused flag from storage.
 */
export function queueMetrics(core: ServerCore, info: FaktoryInfo = core.info()): QueueMetrics[] {
  const names = core.storage.queueNames();
  const latency = core.latency(names);
  return names.map((name) => ({
    name,
    size: info.faktory.queues[name] ?? 0,
    latencySeconds: latency[name] ?? 0,
    paused: core.storage.isPaused(name),
  }));
}

/** Reads a {@link MetricsSnapshot} from the engine's INFO document and {@link queueMetrics}. */
export function metricsSnapshot(core: ServerCore): MetricsSnapshot {
  const info = core.info();
  const { faktory, server } = info;
  return {
    queues: queueMetrics(core, info),
    sets: faktory.sets,
    processed: faktory.total_processed,
    failed: faktory.total_failures,
    connections: server.connections,
    workers: faktory.tasks.Workers.size,
    commands: server.command_count,
    uptimeSeconds: server.uptime,
  };
}

/** Escapes a label value: backslash, double quote and line feed, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** Escapes HELP text: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/** A sample value as the format writes it (Go's float syntax: `NaN`, `+Inf`, `-Inf`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

type Sample = readonly [labels: Readonly<Record<string, string>> | undefined, value: number];

function family(name: string, type: "gauge" | "counter", help: string, samples: readonly Sample[]): string {
  let out = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
  for (const [labels, value] of samples) {
    const pairs =
      labels === undefined
        ? ""
        : `{${Object.entries(labels)
            .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
            .join(",")}}`;
    out += `${name}${pairs} ${formatValue(value)}\n`;
  }
  return out;
}

/** The snapshot as Prometheus text (format 0.0.4), ending with a line feed. */
export function renderMetrics(s: MetricsSnapshot): string {
  const perQueue = (value: (q: QueueMetrics) => number): Sample[] =>
    s.queues.map((q) => [{ queue: q.name }, value(q)]);
  return [
    family(
      "faktory_queue_size",
      "gauge",
      "Jobs waiting in the queue.",
      perQueue((q) => q.size),
    ),
    family(
      "faktory_queue_latency_seconds",
      "gauge",
      "Seconds since the oldest waiting job of the queue was enqueued (0 when empty).",
      perQueue((q) => q.latencySeconds),
    ),
    family(
      "faktory_queue_paused",
      "gauge",
      "1 when the queue is paused, else 0.",
      perQueue((q) => (q.paused ? 1 : 0)),
    ),
    family("faktory_set_size", "gauge", "Jobs in the retries, scheduled, dead and working sets.", [
      [{ set: "retries" }, s.sets.retries],
      [{ set: "scheduled" }, s.sets.scheduled],
      [{ set: "dead" }, s.sets.dead],
      [{ set: "working" }, s.sets.working],
    ]),
    family(
      "faktory_jobs_processed_total",
      "counter",
      "Jobs that ended (acknowledged or failed), as Faktory's total_processed.",
      [[undefined, s.processed]],
    ),
    family("faktory_jobs_failed_total", "counter", "Jobs that failed (FAIL or reservation expiry).", [
      [undefined, s.failed],
    ]),
    family("faktory_connections", "gauge", "Open client connections.", [[undefined, s.connections]]),
    family("faktory_workers", "gauge", "Registered worker processes.", [[undefined, s.workers]]),
    family("faktory_commands_total", "counter", "Commands handled since the server started.", [
      [undefined, s.commands],
    ]),
    family("faktory_uptime_seconds", "gauge", "Seconds since the server started.", [
      [undefined, s.uptimeSeconds],
    ]),
  ].join("");
}

/** `GET /metrics`: {@link renderMetrics} of the current state, never cached. */
export const metrics: Route = {
  method: "GET",
  path: "/metrics",
  handle({ core, res }) {
    const text = renderMetrics(metricsSnapshot(core));
    res.writeHead(200, {
      "content-type": METRICS_CONTENT_TYPE,
      "cache-control": "no-cache",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  },
};
