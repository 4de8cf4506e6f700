import { describe, expect, it } from "vitest";
import { decodeJob, decodeJobList, encodeJob } from "../../../src/server/jobs/job-codec.js";

describe("job codec (Go's client.Job)", () => {
  it("re-marshals in Go field order, drops unknown keys, sorts custom keys, defaults retry to 25", () => {
    const job = decodeJob(
      '{"backtrace":3,"args":[{"b":1,"a":2}],"priority":9,"jobtype":"T","custom":{"z":{"y":1,"x":2},"a":1},"jid":"abcdefgh","reserve_for":90,"failure":{"remaining":2,"retry_count":1,"failed_at":"2020-01-01T00:00:00Z"}}',
    );
    expect(encodeJob(job)).toBe(
      '{"retry":25,"failure":{"failed_at":"2020-01-01T00:00:00Z","retry_count":1,"remaining":2},"custom":{"a":1,"z":{"x":2,"y":1}},"jid":"abcdefgh","queue":"","jobtype":"T","args":[{"a":2,"b":1}],"reserve_for":90,"backtrace":3}',
    );
  });

  it("escapes <, > and & like Go", () => {
    const job = decodeJob('{"jid":"abcdefgh","jobtype":"<T&>","args":["a<b"]}');
    expect(encodeJob(job)).toContain('"jobtype":"\\u003cT\\u0026\\u003e"');
    expect(encodeJob(job)).toContain('"args":["a\\u003cb"]');
  });

  it("treats null as absent and keeps explicit retry values", () => {
    expect(decodeJob('{"retry":null,"jid":null}').retry).toBe(25);
    expect(decodeJob('{"retry":0}').retry).toBe(0);
    expect(decodeJob('{"retry":-1}').retry).toBe(-1);
    expect(decodeJob('{"args":null}').args).toBeUndefined();
  });

  it("never carries an explicit retry over to later jobs (reference fault not copied)", () => {
    decodeJob('{"retry":3}');
    expect(decodeJob("{}").retry).toBe(25);
  });

  it("matches keys case-insensitively like Go, the last one winning", () => {
    const job = decodeJob('{"JID":"first-jid-1","jid":"second-jid","JobType":"T"}');
    expect(job.jid).toBe("second-jid");
    expect(job.jobtype).toBe("T");
  });

  it("reports type errors in Go's words", () => {
    expect(() => decodeJob('{"jobtype":7}')).toThrow(
      "json: cannot unmarshal number into Go struct field Job.jobtype of type string",
    );
    expect(() => decodeJob('{"args":{"a":1}}')).toThrow(
      "json: cannot unmarshal object into Go struct field Job.args of type []interface {}",
    );
    expect(() => decodeJob('{"retry":2.5}')).toThrow(
      "json: cannot unmarshal number 2.5 into Go struct field Job.retry of type int",
    );
    expect(() => decodeJob("[1,2,3]")).toThrow(
      "json: cannot unmarshal array into Go value of type client.Job",
    );
    expect(() => decodeJobList('{"jid":"x"}')).toThrow(
      "json: cannot unmarshal object into Go value of type []client.Job",
    );
    expect(() => decodeJob('{"failure":{"backtrace":[1]}}')).toThrow("Job.failure.backtrace");
    expect(() => decodeJob("{bad")).toThrow(/malformed JSON/);
    expect(() => decodeJob("")).toThrow("unexpected end of JSON input");
  });

  it("omits empty custom and keeps args []", () => {
    expect(encodeJob(decodeJob('{"jid":"abcdefgh","jobtype":"T","args":[],"custom":{}}'))).toBe(
      '{"retry":25,"jid":"abcdefgh","queue":"","jobtype":"T","args":[]}',
    );
  });
});
