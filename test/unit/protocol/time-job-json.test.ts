import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { goEscape, goStringify } from "../../../src/protocol/go-json.js";
import {
  DEFAULT_RESERVE_FOR,
  effectiveReserveFor,
  findJobProblem,
  type Job,
  queueNameProblem,
  retryBackoffSeconds,
} from "../../../src/protocol/job.js";
import { formatTimestamp, parseTimestamp, timestampParseError } from "../../../src/protocol/time.js";
import { isSendStep, loadTranscript } from "../../support/transcripts.js";

describe("formatTimestamp", () => {
  const at = (msPart: number) => Date.UTC(2026, 10, 28, 9, 42, 0, msPart);

  it("writes RFC 3339 UTC with trailing zeros of the fraction trimmed", () => {
    expect(formatTimestamp(at(229))).toBe("2026-11-28T09:42:00.229Z");
    expect(formatTimestamp(at(220))).toBe("2026-11-28T09:42:00.22Z");
    expect(formatTimestamp(at(200))).toBe("2026-11-28T09:42:00.2Z");
    expect(formatTimestamp(at(0))).toBe("2026-11-28T09:42:00Z");
    expect(formatTimestamp(at(1))).toBe("2026-11-28T09:42:00.001Z");
    expect(formatTimestamp(at(10))).toBe("2026-11-28T09:42:00.01Z");
    expect(formatTimestamp(0)).toBe("1970-01-01T00:00:00Z");
  });

  it("gives the right text for a repeated millisecond and after a different one", () => {
    expect(formatTimestamp(at(5))).toBe("2026-11-28T09:42:00.005Z");
    expect(formatTimestamp(at(5))).toBe("2026-11-28T09:42:00.005Z");
    expect(formatTimestamp(at(50))).toBe("2026-11-28T09:42:00.05Z");
    expect(formatTimestamp(at(5))).toBe("2026-11-28T09:42:00.005Z");
  });

  it("round-trips through parseTimestamp", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        const text = formatTimestamp(ms);
        expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
        expect(parseTimestamp(text)).toBe(ms);
      }),
    );
  });
});

describe("parseTimestamp", () => {
  const base = Date.UTC(2026, 10, 28, 9, 42, 0);

  it("parses UTC with and without a fraction, up to nanoseconds (truncated to µs)", () => {
    expect(parseTimestamp("2026-11-28T09:42:00Z")).toBe(base);
    expect(parseTimestamp("2026-11-28T09:42:00.229546926Z")).toBe(base + 229.546);
    expect(parseTimestamp("2026-11-28T09:42:00.5Z")).toBe(base + 500);
    expect(parseTimestamp("2026-11-28T09:42:00.999999999Z")).toBe(base + 999.999);
    expect(parseTimestamp("2026-11-28t09:42:00z")).toBe(base);
  });

  it("applies offsets", () => {
    expect(parseTimestamp("2026-11-28T10:42:00+01:00")).toBe(base);
    expect(parseTimestamp("2026-11-28T04:12:00.25-05:30")).toBe(base + 250);
    expect(parseTimestamp("2026-11-28T09:42:00+00:00")).toBe(base);
    expect(parseTimestamp("2026-11-29T00:42:00+15:00")).toBe(base);
  });

  it("parses every recorded timestamp", () => {
    for (const name of ["push-fetch-ack", "fail-and-retry", "scheduled", "push-all-fields"])
      for (const step of loadTranscript(name).steps.filter(isSendStep))
        for (const m of step.recv.matchAll(
          /"(?:created_at|enqueued_at|at|failed_at|next_at|now)":"([^"]+)"/g,
        ))
          expect(parseTimestamp(m[1]!), m[1]).toBeTypeOf("number");
  });

  it("handles leap years and years below 100", () => {
    expect(parseTimestamp("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp("0001-01-01T00:00:00Z")).toBe(-62135596800000); // Go's zero time
    expect(new Date(parseTimestamp("0050-06-01T12:00:00Z")!).toISOString()).toBe("0050-06-01T12:00:00.000Z");
  });

  it("rejects garbage and impossible dates", () => {
    for (const text of [
      "tomorrow",
      "",
      "2026-02-30T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z",
      "2026-01-00T00:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T00:60:00Z",
      "2026-01-01T00:00:60Z",
      "2026-01-01T00:00:00",
      "2026-01-01 00:00:00Z",
      "2026-01-01",
      "2026-01-01T00:00:00.Z",
      "2026-01-01T00:00:00.1234567890Z",
      "2026-01-01T00:00:00+24:00",
      "2026-01-01T00:00:00+01:60",
      "2026-01-01T00:00:00+0100",
      "26-01-01T00:00:00Z",
      " 2026-01-01T00:00:00Z",
    ])
      expect(parseTimestamp(text), text).toBeUndefined();
  });

  it("timestampParseError names the text and Go's layout", () => {
    expect(timestampParseError("tomorrow")).toMatch(
      /^parsing time "tomorrow" as "2006-01-02T15:04:05.999999999Z07:00": /,
    );
  });
});

describe("findJobProblem", () => {
  const valid: Job = { jid: "jid-abcd", jobtype: "T", args: [] };

  it("agrees with every validation reply of push-validation.json", () => {
    let checked = 0;
    for (const step of loadTranscript("push-validation").steps.filter(isSendStep)) {
      if (!step.send.startsWith("PUSH ")) continue;
      if (step.recv.startsWith("-ERR invalid JSON")) continue; // decoding errors, not validation
      const job = JSON.parse(step.send.slice(5)) as Partial<Job>;
      const problem = findJobProblem(job);
      if (step.recv === "+OK") expect(problem, step.send).toBeUndefined();
      else if (step.recv.startsWith("-ERR invalid timestamp")) {
        // The reference quotes Go's parser after this prefix; ours words it differently.
        const prefix = `-ERR invalid timestamp for 'at': "tomorrow": parsing time "tomorrow" as "2006-01-02T15:04:05.999999999Z07:00": `;
        expect(step.recv.startsWith(prefix)).toBe(true);
        expect(`-ERR ${problem?.message}`.startsWith(prefix), step.send).toBe(true);
        expect(problem?.field).toBe("at");
      } else expect(`-ERR ${problem?.message}`, step.send).toBe(step.recv);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it("reports the first problem in the server's order", () => {
    const all = {
      jid: "x",
      args: null,
      reserve_for: 99_999,
      at: "soon",
      queue: "bad queue",
    } as unknown as Job;
    const order: string[] = [];
    let job: Partial<Job> = all;
    const fixes: Partial<Job> = {
      jid: "jid-12345",
      jobtype: "T",
      args: [],
      reserve_for: 600,
      at: "",
      queue: "ok",
    };
    for (;;) {
      const problem = findJobProblem(job);
      if (problem === undefined) break;
      order.push(problem.field);
      job = { ...job, [problem.field]: fixes[problem.field as keyof Job] };
    }
    expect(order).toEqual(["jid", "jobtype", "args", "reserve_for", "at", "queue"]);
  });

  it("gives the server's texts", () => {
    expect(findJobProblem({ ...valid, jid: "short" })).toEqual({
      field: "jid",
      message: "jobs must have a reasonable jid parameter",
    });
    expect(findJobProblem({ ...valid, jobtype: "" })?.message).toBe("jobs must have a jobtype parameter");
    expect(findJobProblem({ jid: "jid-abcd", jobtype: "T" })?.message).toBe(
      "jobs must have an args parameter",
    );
    expect(findJobProblem({ ...valid, reserve_for: 86_401 })?.message).toBe(
      "jobs cannot be reserved for more than one day",
    );
    expect(findJobProblem({ ...valid, queue: "bad queue!" })?.message).toBe(
      'cannot get "bad queue!" queue: queue names must match \\A[a-zA-Z0-9._-]+\\z',
    );
  });

  it("accepts edge values the server accepts", () => {
    expect(findJobProblem(valid)).toBeUndefined();
    expect(findJobProblem({ ...valid, reserve_for: 86_400 })).toBeUndefined();
    expect(findJobProblem({ ...valid, reserve_for: 10 })).toBeUndefined();
    expect(findJobProblem({ ...valid, retry: -2 })).toBeUndefined();
    expect(findJobProblem({ ...valid, at: "" })).toBeUndefined();
    expect(findJobProblem({ ...valid, at: "2020-01-01T00:00:00Z" })).toBeUndefined();
    expect(findJobProblem({ ...valid, queue: "" })).toBeUndefined(); // defaults to "default"
    expect(findJobProblem({ ...valid, queue: "a.B_c-9" })).toBeUndefined();
  });

  it("measures the jid in UTF-8 bytes, as Go's len() does", () => {
    expect(findJobProblem({ ...valid, jid: "ééééé" })).toBeUndefined(); // 5 characters, 10 bytes
    expect(findJobProblem({ ...valid, jid: "éééé" })).toBeUndefined(); // 8 bytes
    expect(findJobProblem({ ...valid, jid: "ééé" })?.field).toBe("jid"); // 6 bytes
  });

  it("skips the queue check for a scheduled job when asked", () => {
    expect(findJobProblem({ ...valid, queue: "bad queue" }, false)).toBeUndefined();
  });

  it("queueNameProblem", () => {
    expect(queueNameProblem("default")).toBeUndefined();
    expect(queueNameProblem("")).toBe("queue name cannot be blank");
    expect(queueNameProblem("a b")).toMatch(/^cannot get "a b" queue: /);
    expect(queueNameProblem("a\n")).toBeDefined();
  });
});

describe("effectiveReserveFor", () => {
  it("clamps to 60..86400, 0 or absent meaning 1800", () => {
    expect(effectiveReserveFor(undefined)).toBe(DEFAULT_RESERVE_FOR);
    expect(effectiveReserveFor(0)).toBe(1800);
    expect(effectiveReserveFor(1)).toBe(60);
    expect(effectiveReserveFor(30)).toBe(60);
    expect(effectiveReserveFor(59)).toBe(60);
    expect(effectiveReserveFor(60)).toBe(60);
    expect(effectiveReserveFor(600)).toBe(600);
    expect(effectiveReserveFor(90.7)).toBe(90);
    expect(effectiveReserveFor(86_400)).toBe(86_400);
    expect(effectiveReserveFor(86_401)).toBe(86_400);
  });

  it("treats a negative value as below the minimum, as manager/working.go does", () => {
    expect(effectiveReserveFor(-5)).toBe(60);
  });
});

describe("retryBackoffSeconds", () => {
  it("count^4 + 15 + rand(30) * (count + 1)", () => {
    const ranges: [number, number, number][] = [
      [0, 15, 44],
      [1, 16, 74],
      [5, 640, 814],
    ];
    for (const [count, lo, hi] of ranges) {
      expect(retryBackoffSeconds(count, () => 0)).toBe(lo);
      expect(retryBackoffSeconds(count, () => 29)).toBe(hi);
      for (let i = 0; i < 200; i++) {
        const s = retryBackoffSeconds(count);
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(lo);
        expect(s).toBeLessThanOrEqual(hi);
      }
    }
    expect(retryBackoffSeconds(24, () => 0)).toBe(331_791);
  });
});

describe("go-json", () => {
  it("sorts keys at every depth, inside arrays of objects too", () => {
    expect(goStringify({ b: 1, a: { d: [{ z: 1, y: [{ q: 1, p: 2 }] }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":[{"p":2,"q":1}],"z":1}]},"b":1}',
    );
    expect(goStringify([{ b: 1, a: 2 }, 3, "x"])).toBe('[{"a":2,"b":1},3,"x"]');
  });

  it("escapes <, >, &, U+2028 and U+2029 as Go does", () => {
    expect(goStringify({ html: "<a href='x'>&amp;</a>" })).toBe(
      '{"html":"\\u003ca href=\'x\'\\u003e\\u0026amp;\\u003c/a\\u003e"}',
    );
    expect(goStringify("a\u2028b\u2029c")).toBe('"a\\u2028b\\u2029c"');
    expect(goEscape('{"k":"plain"}')).toBe('{"k":"plain"}');
    expect(goEscape('{"<":1}')).toBe('{"\\u003c":1}');
  });

  it("passes primitives and arrays of primitives through", () => {
    expect(goStringify(1)).toBe("1");
    expect(goStringify("s")).toBe('"s"');
    expect(goStringify(null)).toBe("null");
    expect(goStringify([3, 1, 2])).toBe("[3,1,2]");
  });

  it("keeps a __proto__ key that JSON.parse produced", () => {
    expect(goStringify(JSON.parse('{"b":1,"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1},"b":1}');
  });

  it("decodes to the same value, with sorted keys", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = goStringify(value);
        expect(text).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
