import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createJob,
  findJobError,
  type Job,
  type JobOptions,
  job,
  scheduleToTimestamp,
  serializeJob,
  ValidationError,
} from "../../../src/index.js";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  throw new Error("expected a ValidationError");
}

describe("createJob", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("builds a minimal job with a 16-character url-safe jid", () => {
    const j = createJob("SendEmail", ["a@example.com", 2]);
    expect(j.jid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(j).toEqual({ jid: j.jid, jobtype: "SendEmail", args: ["a@example.com", 2] });
    expect(JSON.parse(serializeJob(j))).toEqual(j);
    expect(createJob("T", []).jid).not.toBe(j.jid);
    expect(job).toBe(createJob);
  });

  it("maps every option to its wire field", () => {
    const at = new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 600));
    const j = createJob("T", [1], {
      queue: "critical",
      at,
      reserveFor: 600,
      retry: 3,
      backtrace: 10,
      custom: { track: 1 },
      jid: "my-jid-0001",
    });
    expect(j).toEqual({
      jid: "my-jid-0001",
      jobtype: "T",
      args: [1],
      queue: "critical",
      at: "2030-01-02T03:04:05.6Z",
      reserve_for: 600,
      retry: 3,
      backtrace: 10,
      custom: { track: 1 },
    });
  });

  it("schedules relative to now with { in: ms }, and accepts RFC 3339 text as is", () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 5, 1, 12, 0, 0) });
    expect(createJob("T", [], { at: { in: 90_000 } }).at).toBe("2030-06-01T12:01:30Z");
    expect(scheduleToTimestamp("2030-06-01T12:00:00+02:00")).toBe("2030-06-01T12:00:00+02:00");
  });

  it("refuses an invalid schedule", () => {
    expect(fieldOf(() => createJob("T", [], { at: new Date(Number.NaN) }))).toBe("at");
    expect(fieldOf(() => createJob("T", [], { at: "tomorrow" }))).toBe("at");
    expect(fieldOf(() => createJob("T", [], { at: 1000 as unknown as Date }))).toBe("at");
    expect(fieldOf(() => createJob("T", [], { at: { in: Number.NaN } }))).toBe("at");
  });

  it.each([
    ["empty jobtype", () => createJob("", []), "jobtype"],
    ["args not an array", () => createJob("T", { a: 1 } as unknown as []), "args"],
    ["args null", () => createJob("T", null as unknown as []), "args"],
    ["jid shorter than 8", () => createJob("T", [], { jid: "short" }), "jid"],
    ["jid of 7 characters", () => createJob("T", [], { jid: "1234567" }), "jid"],
    ["queue with a space", () => createJob("T", [], { queue: "bad queue" }), "queue"],
    ["queue with a !", () => createJob("T", [], { queue: "bad!" }), "queue"],
    ["empty queue", () => createJob("T", [], { queue: "" }), "queue"],
    ["bad queue on a scheduled job", () => createJob("T", [], { queue: "a b", at: { in: 60_000 } }), "queue"],
    ["reserve_for over a day", () => createJob("T", [], { reserveFor: 86_401 }), "reserve_for"],
    ["negative reserve_for", () => createJob("T", [], { reserveFor: -1 }), "reserve_for"],
    ["fractional reserve_for", () => createJob("T", [], { reserveFor: 60.5 }), "reserve_for"],
    ["fractional retry", () => createJob("T", [], { retry: 1.5 }), "retry"],
    ["retry below -1", () => createJob("T", [], { retry: -2 }), "retry"],
    ["NaN retry", () => createJob("T", [], { retry: Number.NaN }), "retry"],
    ["negative backtrace", () => createJob("T", [], { backtrace: -1 }), "backtrace"],
    [
      "custom not an object",
      () => createJob("T", [], { custom: [] as unknown as Record<string, unknown> }),
      "custom",
    ],
  ])("refuses %s", (_name, build, field) => {
    expect(fieldOf(build)).toBe(field);
  });

  it("uses the server's wording where the server has a rule", () => {
    expect(() => createJob("T", [], { jid: "short" })).toThrow("jobs must have a reasonable jid parameter");
    expect(() => createJob("T", [], { reserveFor: 86_401 })).toThrow(
      "jobs cannot be reserved for more than one day",
    );
    expect(() => createJob("T", [], { queue: "bad queue!" })).toThrow(
      'cannot get "bad queue!" queue: queue names must match \\A[a-zA-Z0-9._-]+\\z',
    );
  });

  it("accepts the limits", () => {
    expect(
      createJob("T", [], { jid: "12345678", reserveFor: 86_400, retry: -1, queue: "a.b_c-D9" }).jid,
    ).toBe("12345678");
    expect(createJob("T", [], { retry: 0, reserveFor: 0, backtrace: 0 })).toMatchObject({ retry: 0 });
  });
});

describe("findJobError", () => {
  it("checks hand-written jobs", () => {
    expect(findJobError({ jid: "abcdefgh", jobtype: "T", args: [] })).toBeUndefined();
    expect(findJobError({ jid: 5, jobtype: "T", args: [] } as unknown as Job)?.field).toBe("jid");
    expect(findJobError({ jid: "abcdefgh", jobtype: "T" } as unknown as Job)?.field).toBe("args");
    expect(findJobError({ jid: "abcdefgh", jobtype: "T", args: [], at: "soon" })?.field).toBe("at");
    expect(findJobError(null as unknown as Job)?.field).toBe("job");
  });

  it("serializeJob turns unencodable args into a ValidationError", () => {
    expect(() => serializeJob({ jid: "abcdefgh", jobtype: "T", args: [10n] })).toThrow(ValidationError);
  });
});

describe("Enterprise job options", () => {
  it("map to the custom keys Faktory Enterprise reads, next to the user's custom data", () => {
    const j = createJob("T", [], {
      custom: { tenant: 7 },
      uniqueFor: 600,
      uniqueUntil: "start",
      expiresAt: new Date(Date.UTC(2030, 0, 1)),
      track: true,
    });
    expect(j.custom).toEqual({
      tenant: 7,
      unique_for: 600,
      unique_until: "start",
      expires_at: "2030-01-01T00:00:00Z",
      track: 1,
    });
  });

  it("expiresIn (seconds) becomes an absolute expires_at", () => {
    const before = Date.now();
    const at = Date.parse(String(createJob("T", [], { expiresIn: 60 }).custom?.expires_at));
    expect(at).toBeGreaterThanOrEqual(before + 60_000 - 1);
    expect(at).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it("are checked before anything is sent", () => {
    const bad: JobOptions[] = [
      { uniqueFor: 0 },
      { uniqueFor: Number.NaN },
      { uniqueUntil: "start" },
      { uniqueFor: 5, uniqueUntil: "never" as "start" },
      { expiresAt: "tomorrow" },
      { expiresAt: new Date(Number.NaN) },
      { expiresIn: -1 },
      { expiresIn: 5, expiresAt: new Date() },
    ];
    for (const options of bad)
      expect(() => createJob("T", [], options), JSON.stringify(options)).toThrow(ValidationError);
  });
});
