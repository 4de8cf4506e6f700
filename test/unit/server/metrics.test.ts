/** `/metrics` rendering: the Prometheus text format 0.0.4, label escaping, and the snapshot. */
import { describe, expect, it } from "vitest";
import { ServerCore } from "../../../src/server/core.js";
import {
  escapeLabelValue,
  formatValue,
  type MetricsSnapshot,
  metricsSnapshot,
  renderMetrics,
} from "../../../src/server/http/metrics.js";
import { decodeJob } from "../../../src/server/jobs/job-codec.js";
import { silentLogger } from "../../../src/server/logger.js";
import { MemoryStorage } from "../../../src/server/storage/memory.js";
import { HOSTILE_KEYS } from "../../support/hostile-keys.js";
import { ManualClock } from "./support/clocks.js";

function snapshot(over: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    queues: [],
    sets: { retries: 0, scheduled: 0, dead: 0, working: 0 },
    processed: 0,
    failed: 0,
    connections: 0,
    workers: 0,
    commands: 0,
    uptimeSeconds: 0,
    ...over,
  };
}

/**
 * A reader of the text format, independent of the writer: sample lines into
 * `{ name, labels, value }`, label values unescaped; throws on anything malformed.
 */
function parse(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  expect(text.endsWith("\n")).toBe(true);
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("#")) {
      expect(line).toMatch(/^# (HELP faktory_[a-z_]+ \S.*|TYPE faktory_[a-z_]+ (gauge|counter))$/);
      continue;
    }
    const m = /^(faktory_[a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = Object.create(null);
    let rest = m[2] ?? "";
    while (rest !== "") {
      const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
      if (lm === null) throw new Error(`bad labels: ${JSON.stringify(rest)}`);
      labels[lm[1] as string] = (lm[2] as string).replace(/\\([\\"n])/g, (_, c: string) =>
        c === "n" ? "\n" : c,
      );
      rest = rest.slice(lm[0].length);
    }
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

describe("renderMetrics", () => {
  it("writes every family with HELP and TYPE, in the 0.0.4 text format", () => {
    const text = renderMetrics(
      snapshot({
        queues: [
          { name: "critical", size: 3, latencySeconds: 1.5, paused: false },
          { name: "default", size: 0, latencySeconds: 0, paused: true },
        ],
        sets: { retries: 4, scheduled: 5, dead: 6, working: 7 },
        processed: 10,
        failed: 2,
        connections: 3,
        workers: 1,
        commands: 42,
        uptimeSeconds: 60,
      }),
    );
    expect(text).toBe(
      [
        "# HELP faktory_queue_size Jobs waiting in the queue.",
        "# TYPE faktory_queue_size gauge",
        'faktory_queue_size{queue="critical"} 3',
        'faktory_queue_size{queue="default"} 0',
        "# HELP faktory_queue_latency_seconds Seconds since the oldest waiting job of the queue was enqueued (0 when empty).",
        "# TYPE faktory_queue_latency_seconds gauge",
        'faktory_queue_latency_seconds{queue="critical"} 1.5',
        'faktory_queue_latency_seconds{queue="default"} 0',
        "# HELP faktory_queue_paused 1 when the queue is paused, else 0.",
        "# TYPE faktory_queue_paused gauge",
        'faktory_queue_paused{queue="critical"} 0',
        'faktory_queue_paused{queue="default"} 1',
        "# HELP faktory_set_size Jobs in the retries, scheduled, dead and working sets.",
        "# TYPE faktory_set_size gauge",
        'faktory_set_size{set="retries"} 4',
        'faktory_set_size{set="scheduled"} 5',
        'faktory_set_size{set="dead"} 6',
        'faktory_set_size{set="working"} 7',
        "# HELP faktory_jobs_processed_total Jobs that ended (acknowledged or failed), as Faktory's total_processed.",
        "# TYPE faktory_jobs_processed_total counter",
        "faktory_jobs_processed_total 10",
        "# HELP faktory_jobs_failed_total Jobs that failed (FAIL or reservation expiry).",
        "# TYPE faktory_jobs_failed_total counter",
        "faktory_jobs_failed_total 2",
        "# HELP faktory_connections Open client connections.",
        "# TYPE faktory_connections gauge",
        "faktory_connections 3",
        "# HELP faktory_workers Registered worker processes.",
        "# TYPE faktory_workers gauge",
        "faktory_workers 1",
        "# HELP faktory_commands_total Commands handled since the server started.",
        "# TYPE faktory_commands_total counter",
        "faktory_commands_total 42",
        "# HELP faktory_uptime_seconds Seconds since the server started.",
        "# TYPE faktory_uptime_seconds gauge",
        "faktory_uptime_seconds 60",
        "",
      ].join("\n"),
    );
    // Each family's HELP and TYPE appear once, before its samples.
    const types = text.split("\n").filter((l) => l.startsWith("# TYPE "));
    expect(new Set(types).size).toBe(types.length);
  });

  it("keeps HELP and TYPE lines for queue families when there are no queues", () => {
    const samples = parse(renderMetrics(snapshot()));
    expect(samples.some((s) => s.name === "faktory_queue_size")).toBe(false);
    expect(renderMetrics(snapshot())).toContain(
      "# TYPE faktory_queue_size gauge\n# HELP faktory_queue_latency",
    );
  });

  it("escapes backslash, double quote and line feed in label values", () => {
    expect(escapeLabelValue('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeLabelValue("x\ny")).toBe("x\\ny");
    expect(escapeLabelValue("\\n")).toBe("\\\\n"); // a backslash then n, not a line feed
    expect(escapeLabelValue("plain-name.1")).toBe("plain-name.1");
    const text = renderMetrics(
      snapshot({ queues: [{ name: 'a"b\\c', size: 2, latencySeconds: 0.25, paused: false }] }),
    );
    expect(text).toContain('faktory_queue_size{queue="a\\"b\\\\c"} 2\n');
    expect(text).toContain('faktory_queue_latency_seconds{queue="a\\"b\\\\c"} 0.25\n');
  });

  it("round-trips hostile queue names through a reader of the format", () => {
    const names = ['a"b\\c', "line\nbreak", "\\", '"', "", "\\n", "a}b{c=d,e", "ünïcødé ✓", ...HOSTILE_KEYS];
    const queues = names.map((name, i) => ({
      name,
      size: i + 1,
      latencySeconds: i / 4,
      paused: i % 2 === 0,
    }));
    const text = renderMetrics(snapshot({ queues }));
    const samples = parse(text);
    for (const [family, value] of [
      ["faktory_queue_size", (i: number) => i + 1],
      ["faktory_queue_latency_seconds", (i: number) => i / 4],
      ["faktory_queue_paused", (i: number) => (i % 2 === 0 ? 1 : 0)],
    ] as const) {
      const got = samples.filter((s) => s.name === family);
      expect(got.map((s) => s.labels["queue"])).toEqual(names);
      expect(got.map((s) => s.value)).toEqual(names.map((_, i) => value(i)));
      for (const s of got) expect(Object.keys(s.labels)).toEqual(["queue"]);
    }
    // Nothing leaked onto Object.prototype from a "__proto__" label.
    expect(({} as Record<string, unknown>)["queue"]).toBeUndefined();
  });

  it("writes special float values as Go does", () => {
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(formatValue(0.000123)).toBe("0.000123");
    expect(formatValue(1e21)).toBe("1e+21");
  });
});

describe("metricsSnapshot", () => {
  it("reads queues, latency, sets and counters from the engine", () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 12, 0, 0));
    const storage = new MemoryStorage();
    const core = new ServerCore({ storage, clock, logger: silentLogger, random: () => 0 });
    const push = (jid: string, queue: string, extra: Record<string, unknown> = {}) =>
      expect(
        core.push(decodeJob(JSON.stringify({ jid, jobtype: "T", args: [], queue, retry: 25, ...extra }))),
      ).toBeUndefined();
    push("job-0001", "__proto__");
    clock.advance(2500);
    push("job-0002", "__proto__");
    push("job-0003", "b");
    push("job-0004", "b", { at: new Date(clock.now() + 60_000).toISOString() });
    core.pause(["b"]);
    const taken = core.take(["b"]);
    expect(taken?.jid).toBeUndefined(); // paused
    const job = core.take(["__proto__"]);
    if (job === undefined) throw new Error("no job");
    core.reserve(job, "w1");
    core.connections = 2;
    core.commandCount = 9;
    clock.advance(500);
    const s = metricsSnapshot(core);
    expect(s.queues).toEqual([
      { name: "__proto__", size: 1, latencySeconds: 0.5, paused: false },
      { name: "b", size: 1, latencySeconds: 0.5, paused: true },
    ]);
    expect(s.sets).toEqual({ retries: 0, scheduled: 1, dead: 0, working: 1 });
    expect([s.processed, s.failed, s.connections, s.workers, s.commands, s.uptimeSeconds]).toEqual([
      0, 0, 2, 0, 9, 3,
    ]);
    core.fail("job-0001", { errtype: "E", message: "m", backtrace: [] });
    const after = metricsSnapshot(core);
    expect(after.sets).toEqual({ retries: 1, scheduled: 1, dead: 0, working: 0 });
    expect([after.processed, after.failed]).toEqual([1, 1]);
    core.stop();
  });
});
