/**
 * Job types, queue names and environment variable names that are special as JavaScript object
 * keys (`constructor`, `toString`, `__proto__`, ...): only own keys of the caller's maps count
 * (issue #10 §1).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigurationError, defineJobs, resolveServerUrl } from "../../../src/index.js";
import type { Job } from "../../../src/protocol/job.js";
import { schemaFor, validateArgs } from "../../../src/protocol/job-types.js";
import { HandlerRunner } from "../../../src/worker/handler-runner.js";
import { type JobContext, NoHandlerError, queueOrderer } from "../../../src/worker/index.js";
import { HOSTILE_KEYS } from "../../support/hostile-keys.js";

const ctx = {} as JobContext;
const schemas = defineJobs({ A: z.tuple([z.number()]) });

describe("hostile job types", () => {
  it("schemaFor sees only the registry's own keys", () => {
    expect(schemaFor(schemas, "A")).toBe(schemas.A);
    for (const key of HOSTILE_KEYS) expect(schemaFor(schemas, key)).toBeUndefined();
    expect(schemaFor(undefined, "A")).toBeUndefined();
  });

  it("validateArgs passes hostile job types through unchecked", async () => {
    for (const key of HOSTILE_KEYS) await expect(validateArgs(schemas, key, ["x"])).resolves.toEqual(["x"]);
    await expect(validateArgs(schemas, "A", ["x"])).rejects.toThrow(/invalid args for job type A/);
  });

  it("the worker runs handlers registered under hostile names, and has none for the others", async () => {
    const runner = new HandlerRunner(schemas);
    const seen: string[] = [];
    for (const key of HOSTILE_KEYS.slice(0, 3))
      runner.register(key, async (job) => void seen.push(job.jobtype));
    for (const key of HOSTILE_KEYS) {
      const job: Job = { jid: `jid-${key}`, jobtype: key, args: ["x"] };
      const outcome = await runner.run(job, ctx);
      if (runner.has(key)) expect(outcome).toEqual({ ok: true });
      else expect(outcome).toEqual({ ok: false, error: expect.any(NoHandlerError) });
    }
    expect(seen).toEqual(HOSTILE_KEYS.slice(0, 3));
  });
});

describe("hostile queue names in a weighted order", () => {
  it("weigh 1 unless the map itself names them", () => {
    const next = queueOrderer(["constructor", "toString", "q"], { weighted: { q: 2 } }, () => 0.5);
    expect(next().sort()).toEqual(["constructor", "q", "toString"]);
    const weights = JSON.parse('{"__proto__":3}') as Record<string, number>;
    expect(() => queueOrderer(["__proto__", "b"], { weighted: weights })).not.toThrow();
    expect(() => queueOrderer(["__proto__", "b"], { weighted: JSON.parse('{"__proto__":0}') })).toThrow(
      ConfigurationError,
    );
  });
});

describe("FAKTORY_PROVIDER naming an inherited property", () => {
  it("is a missing variable, not Object.prototype's", () => {
    for (const name of ["toString", "constructor", "hasOwnProperty", "__proto__"])
      expect(() => resolveServerUrl({ FAKTORY_PROVIDER: name })).toThrow(
        new ConfigurationError(`FAKTORY_PROVIDER set to invalid value: ${name}`),
      );
    const env = JSON.parse('{"FAKTORY_PROVIDER":"__proto__","__proto__":"tcp://h:1"}') as Record<
      string,
      string
    >;
    expect(resolveServerUrl(env)).toBe("tcp://h:1");
  });
});
