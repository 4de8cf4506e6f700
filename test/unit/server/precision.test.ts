/**
 * Sub-millisecond time: timestamps written to the microsecond (as RFC3339Nano, trailing zeros
 * trimmed), parsed up to nanoseconds, QUEUE LATENCY to the microsecond, and the microsecond
 * wall clock kept in step with `Date.now()` (fake time sources, no real waiting).
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatTimestamp, parseTimestamp } from "../../../src/protocol/index.js";
import { createMicrosecondTime, microsecondTime } from "../../../src/server/index.js";
import { type Harness, harness, pushLine } from "./support/harness.js";
import { bulkJson } from "./support/raw-client.js";

const BASE = Date.UTC(2026, 10, 28, 9, 42, 0);

describe("formatTimestamp to the microsecond", () => {
  it("writes up to six fraction digits, trailing zeros trimmed", () => {
    expect(formatTimestamp(BASE + 21.581522)).toBe("2026-11-28T09:42:00.021582Z");
    expect(formatTimestamp(BASE + 0.001)).toBe("2026-11-28T09:42:00.000001Z");
    expect(formatTimestamp(BASE + 229.5)).toBe("2026-11-28T09:42:00.2295Z");
    expect(formatTimestamp(BASE + 229)).toBe("2026-11-28T09:42:00.229Z");
    expect(formatTimestamp(BASE + 999.9996)).toBe("2026-11-28T09:42:01Z"); // rounds into the next second
    expect(formatTimestamp(BASE - 0.5)).toBe("2026-11-28T09:41:59.9995Z");
  });

  it("round-trips every microsecond through parseTimestamp (years 1700 to 2200)", () => {
    const lo = Date.UTC(1700, 0, 1) * 1000;
    const hi = Date.UTC(2200, 0, 1) * 1000;
    fc.assert(
      fc.property(fc.integer({ min: lo, max: hi }), (us) => {
        const text = formatTimestamp(us / 1000);
        expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?Z$/);
        const back = parseTimestamp(text);
        expect(back).toBeTypeOf("number");
        expect(Math.abs(back! - us / 1000)).toBeLessThan(0.0005);
        expect(formatTimestamp(back!)).toBe(text);
      }),
      { seed: 17, numRuns: 2000 },
    );
  });
});

describe("parseTimestamp below the millisecond", () => {
  it("keeps microseconds and truncates nanoseconds", () => {
    expect(parseTimestamp("2026-11-28T09:42:00.021581522Z")).toBeCloseTo(BASE + 21.581, 6);
    expect(formatTimestamp(parseTimestamp("2026-11-28T09:42:00.021581522Z")!)).toBe(
      "2026-11-28T09:42:00.021581Z",
    );
    expect(formatTimestamp(parseTimestamp("2026-11-28T09:42:00.0000009Z")!)).toBe("2026-11-28T09:42:00Z");
    expect(formatTimestamp(parseTimestamp("2026-11-28T10:42:00.123456+01:00")!)).toBe(
      "2026-11-28T09:42:00.123456Z",
    );
  });

  it("orders timestamps that share a millisecond", () => {
    const a = parseTimestamp("2026-11-28T09:42:00.229001Z")!;
    const b = parseTimestamp("2026-11-28T09:42:00.229002Z")!;
    expect(b).toBeGreaterThan(a);
  });
});

describe("createMicrosecondTime", () => {
  function sources(origin: number) {
    const s = { wallMs: origin, monoMs: 0 };
    return {
      s,
      time: createMicrosecondTime({ wall: () => Math.floor(s.wallMs), monotonic: () => s.monoMs, origin }),
      advance(ms: number) {
        s.wallMs += ms;
        s.monoMs += ms;
      },
    };
  }

  it("follows the monotonic clock below the millisecond", () => {
    const { time, advance } = sources(BASE + 0.25);
    expect(time()).toBeCloseTo(BASE + 0.25, 6);
    advance(0.0015);
    expect(time()).toBeCloseTo(BASE + 0.2515, 6);
    advance(1000.2485);
    expect(formatTimestamp(time())).toBe("2026-11-28T09:42:01.0005Z");
  });

  it("re-anchors to the wall clock when it is stepped, and not for drift under a millisecond", () => {
    const { s, time } = sources(BASE);
    s.wallMs += 0.9; // the wall clock runs ahead a little: still within tolerance
    expect(time()).toBe(BASE);
    s.wallMs += 60_000; // stepped a minute forward (NTP, suspend)
    expect(time()).toBe(Math.floor(s.wallMs) + 0.5);
    s.monoMs += 0.004;
    expect(time()).toBeCloseTo(Math.floor(s.wallMs) + 0.504, 6);
    s.wallMs -= 120_000; // stepped back
    expect(time()).toBe(Math.floor(s.wallMs) + 0.5);
  });

  it("the real one agrees with Date.now() to within a couple of milliseconds", () => {
    const before = Date.now();
    const t = microsecondTime();
    const after = Date.now();
    expect(t).toBeGreaterThanOrEqual(before - 1);
    expect(t).toBeLessThan(after + 2);
  });
});

describe("the server writes and measures microseconds", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("gives jobs pushed within one millisecond distinct, ordered timestamps", async () => {
    const start = h.clock.now();
    h.clock.time = start + 0.017;
    await h.p.call(pushLine("micro-001"));
    h.clock.time = start + 0.018;
    await h.p.call(pushLine("micro-002"));
    const first = bulkJson(await h.p.call("FETCH default")) as { created_at: string; enqueued_at: string };
    const second = bulkJson(await h.p.call("FETCH default")) as { created_at: string; enqueued_at: string };
    expect(first.enqueued_at).toBe(formatTimestamp(start + 0.017));
    expect(first.enqueued_at).toMatch(/\.000017Z$/);
    expect(second.created_at).toMatch(/\.000018Z$/);
    expect(parseTimestamp(second.enqueued_at)!).toBeGreaterThan(parseTimestamp(first.enqueued_at)!);
  });

  it("answers QUEUE LATENCY to the microsecond (the Go client's test wants 4+ decimals)", async () => {
    await h.p.call(pushLine("latency-1"));
    h.clock.time += 21.581522;
    const reply = await h.p.call("QUEUE LATENCY default foo");
    expect(bulkJson(reply)).toEqual({ default: 0.021582, foo: 0 });
    expect(reply).toMatch(/"default":0\.\d{4}/);
  });

  it("writes INFO's now and a failure's failed_at to the microsecond", async () => {
    h.clock.time += 123.456;
    const info = bulkJson(await h.p.call("INFO")) as { now: string };
    expect(info.now).toBe(formatTimestamp(h.clock.now()));
    expect(info.now).toMatch(/\.\d{3}456Z$/);
    await h.p.call(pushLine("fails-001"));
    await h.w.call("FETCH default");
    h.clock.time += 0.000001 + 0.5;
    const failedAt = h.clock.now();
    expect(await h.w.call(`FAIL ${JSON.stringify({ jid: "fails-001", message: "x", errtype: "E" })}`)).toBe(
      "+OK",
    );
    const retries = bulkJson(await h.p.call("INFO")) as { faktory: { sets: { retries: number } } };
    expect(retries.faktory.sets.retries).toBe(1);
    h.clock.advance(10 * 60_000);
    const job = bulkJson(await h.p.call("FETCH default")) as { failure: { failed_at: string } };
    expect(job.failure.failed_at).toBe(formatTimestamp(failedAt));
    expect(job.failure.failed_at).toMatch(/\.\d{6}Z$/);
  });
});
