import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flatCopy, JobLog } from "../../../src/server/storage/job-log.js";
import type { QueuedJob } from "../../../src/server/storage/storage.js";

const jidArb = fc.oneof(
  fc.string({ minLength: 0, maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom('a"b', "x\\y", "<&>", "é", "\uD800", "\uDC00z", "\u2028", "j1", "j2"),
);
const payloadArb = (jid: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(`{"jid":${JSON.stringify(jid)},"args":[]}`),
    fc.string({ unit: "binary", maxLength: 40 }).map((s) => `{"custom":{"jid":"${s}"},"jid":"${jid}"}`),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.nat(5000).map((n) => "x".repeat(n)),
    fc.constant("z".repeat(20_000)), // bigger than the first chunks
  );
const jobArb: fc.Arbitrary<QueuedJob> = jidArb.chain((jid) =>
  fc.record({
    jid: fc.constant(jid),
    payload: payloadArb(jid),
    reserveFor: fc.oneof(
      fc.constant(0),
      fc.integer(),
      fc.double({ noNaN: true }).map((d) => d || 0),
      fc.constant(2 ** 53 + 2),
    ),
  }),
);

type Op =
  | { op: "push"; job: QueuedJob; times: number }
  | { op: "shift"; times: number }
  | { op: "remove"; index: number }
  | { op: "slice"; offset: number; limit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("push" as const), job: jobArb, times: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ op: fc.constant("shift" as const), times: fc.integer({ min: 1, max: 500 }) }),
  fc.record({ op: fc.constant("remove" as const), index: fc.nat(1000) }),
  fc.record({ op: fc.constant("slice" as const), offset: fc.nat(1200), limit: fc.nat(50) }),
);

/** A job with a long payload shortened, so that a failure stays readable. */
function brief(job: QueuedJob | undefined): unknown {
  return job === undefined
    ? undefined
    : {
        ...job,
        payload:
          job.payload.length > 80 ? `${job.payload.slice(0, 40)}…(${job.payload.length})` : job.payload,
      };
}

describe("JobLog", () => {
  it("behaves as an array of jobs under any mix of push, shift, remove and slice", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const log = new JobLog();
        const model: QueuedJob[] = [];
        for (const o of ops) {
          if (o.op === "push") {
            for (let i = 0; i < o.times; i++) {
              const job = { ...o.job, jid: i === 0 ? o.job.jid : `${o.job.jid}#${i}` };
              log.push(job);
              model.push(job);
            }
          } else if (o.op === "shift") {
            for (let i = 0; i < o.times; i++) expect(brief(log.shift())).toEqual(brief(model.shift()));
          } else if (o.op === "remove") {
            const jid = model.length === 0 ? "absent" : model[o.index % model.length]!.jid;
            const at = model.findIndex((j) => j.jid === jid);
            expect(log.remove(jid)).toBe(at >= 0);
            if (at >= 0) model.splice(at, 1);
          } else {
            expect(log.slice(o.offset, o.limit).map(brief)).toEqual(
              model.slice(o.offset, o.offset + o.limit).map(brief),
            );
          }
          expect(log.length).toBe(model.length);
          expect(brief(log.peek())).toEqual(brief(model[0]));
        }
        expect(log.slice(0, model.length + 1).map(brief)).toEqual(model.map(brief));
      }),
      { seed: 15, numRuns: 80 },
    );
  });

  it("keeps the jid apart when the payload does not hold it, and finds it when it does", () => {
    const log = new JobLog();
    const jobs: QueuedJob[] = [
      { jid: "abc", payload: '{"retry":25,"jid":"abc","args":[]}', reserveFor: 0 },
      { jid: "abc", payload: '{"custom":{"jid":"abc"},"jid":"abc"}', reserveFor: 3 },
      { jid: "zzz", payload: '{"jid":"other"}', reserveFor: 0 },
      { jid: "é", payload: '{"jid":"é"}', reserveFor: 0 },
      { jid: "ab", payload: '{"jid":"abc"}', reserveFor: 0 },
    ];
    for (const j of jobs) log.push(j);
    expect(log.slice(0, 10)).toEqual(jobs);
    expect(log.remove("zzz")).toBe(true);
    expect(log.remove("ab")).toBe(true);
    expect(log.slice(0, 10).map((j) => j.jid)).toEqual(["abc", "abc", "é"]);
  });

  it("keeps a job bigger than a chunk, also after its first chunk emptied", () => {
    const log = new JobLog();
    log.push({ jid: "first", payload: "{}", reserveFor: 0 });
    expect(log.shift()?.jid).toBe("first");
    const big = { jid: "big", payload: `{"jid":"big","args":["${"y".repeat(300_000)}"]}`, reserveFor: 0 };
    log.push({ jid: "a", payload: "{}", reserveFor: 0 });
    log.push(big);
    log.push({ jid: "b", payload: "{}", reserveFor: 1 });
    expect(log.shift()?.jid).toBe("a");
    expect(log.shift()?.payload === big.payload).toBe(true);
    expect(log.shift()).toEqual({ jid: "b", payload: "{}", reserveFor: 1 });
  });

  it("gives its big chunks back once the queue has shrunk", () => {
    const log = new JobLog();
    const job = (i: number): QueuedJob => ({
      jid: `j${i}`,
      payload: `{"jid":"j${i}","args":[${i}]}`,
      reserveFor: 0,
    });
    for (let i = 0; i < 50_000; i++) log.push(job(i));
    expect(log.heldBytes).toBeGreaterThan(1_000_000);
    for (let i = 0; i < 49_990; i++) log.shift();
    for (let i = 50_000; i < 70_000; i++) {
      log.push(job(i));
      expect(log.shift()?.jid).toBe(`j${i - 10}`);
    }
    expect(log.length).toBe(10);
    expect(log.heldBytes).toBeLessThanOrEqual(8 * 1024);
  });

  it("drains and fills again, many times over", () => {
    const log = new JobLog();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) log.push({ jid: `j${i}`, payload: `{"jid":"j${i}"}`, reserveFor: 0 });
      for (let i = 0; i < 5000; i++) expect(log.shift()?.jid).toBe(`j${i}`);
      expect(log.length).toBe(0);
      expect(log.shift()).toBeUndefined();
      expect(log.peek()).toBeUndefined();
    }
  });
});

describe("flatCopy", () => {
  it("returns an equal string, lone surrogates included", () => {
    for (const s of ["", "abc", "é€😀", "\uD800x", `${"a".repeat(20)}${"b".repeat(20)}`])
      expect(flatCopy(s)).toBe(s);
  });
});
