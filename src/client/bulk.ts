/**
 * Bulk push: plain jobs (defaults filled in), preparing and checking each job, splitting them
 * into PUSHB chunks, sending them and turning the server's replies into a result.
 * @module
 */
import { parseJsonReply } from "../protocol/commands.js";
import { ProtocolError, ValidationError } from "../protocol/errors.js";
import { generateJid } from "../protocol/ids.js";
import type { Job } from "../protocol/job.js";
import type { JobRegistry, JobTypeOf } from "../protocol/job-types.js";
import type { Reply } from "../protocol/resp-reader.js";
import { assertValidJob, serializeJob } from "./job-builder.js";

/**
 * A job as plain data, as `push` and `pushBulk` accept it: the wire shape of a {@link Job} whose
 * `jid` may be left out (a fresh one is generated). The server fills in `queue` (`"default"`),
 * `retry` (25) and `created_at`. A job built by `createJob` / `client.job` is one too.
 * @example
 * ```ts
 * await client.pushBulk([{ jobtype: "Resize", args: ["https://x/1.png", 100] }]);
 * ```
 */
export type PlainJob<T extends string = string, Args extends readonly unknown[] = unknown[]> = Omit<
  Job<Args>,
  "jid" | "jobtype"
> & {
  /** The job id, at least 8 characters (default: 16 random URL-safe characters). */
  jid?: string;
  /** The job's type. */
  jobtype: T;
};

/**
 * Any plain job of a registry: for each job type `T`, a {@link PlainJob} whose `jobtype` is `T`
 * and whose `args` are `Jobs[T]`. With the untyped registry this is any plain job.
 */
export type BulkJobFor<Jobs extends JobRegistry> = {
  [T in JobTypeOf<Jobs>]: PlainJob<T, Jobs[T]>;
}[JobTypeOf<Jobs>];

/**
 * The job with its defaults filled in: a generated jid when `jid` is absent (a copy; the
 * caller's object is not changed). Anything else is checked, not repaired.
 */
export function withDefaults(job: PlainJob<string, readonly unknown[]>): Job<readonly unknown[]> {
  if (job !== null && typeof job === "object" && job.jid === undefined)
    return { ...job, jid: generateJid() } as Job<readonly unknown[]>;
  return job as Job<readonly unknown[]>;
}

/** One input of a bulk push, ready to send (`json`) or refused locally (`error`). */
export type PreparedJob = { jid: string; json: string; error?: undefined } | { jid: string; error: string };

/**
 * Fills in defaults, checks and encodes each job of a bulk push; `validate` runs the job type's
 * schema (if any) and may transform the args. Never rejects: a refused job gets its error.
 */
export function prepareBulk(
  jobs: readonly PlainJob<string, readonly unknown[]>[],
  validate: (job: Job<readonly unknown[]>) => Job<readonly unknown[]> | Promise<Job<readonly unknown[]>>,
): Promise<PreparedJob[]> {
  return Promise.all(
    jobs.map(async (input): Promise<PreparedJob> => {
      let jid = "";
      try {
        const job = withDefaults(input);
        jid = typeof job?.jid === "string" ? job.jid : "";
        assertValidJob(job);
        return { jid, json: serializeJob(await validate(job)) };
      } catch (err) {
        return { jid, error: (err as Error).message };
      }
    }),
  );
}

/** The outcome of {@link Client.pushBulk}. */
export interface BulkPushResult {
  /** Jids the server accepted, in the order given. */
  pushed: string[];
  /**
   * Jobs not accepted, with the reason: refused locally (never sent), refused by the server
   * (its message, e.g. `jobs must have a jobtype parameter`), or lost with their chunk (the
   * chunk's error message; when that is a connection error the jobs may or may not be on the
   * server, and pushing them again with the same jids is the safe recovery).
   */
  rejected: { jid: string; error: string }[];
  /**
   * Jids of `rejected` that the server refused as duplicates of a unique job still locked
   * (`NOTUNIQUE Job not unique`, Faktory Enterprise).
   */
  notUnique: string[];
}

/** Splits `items` into arrays of at most `size` (a positive integer). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new ValidationError(
      `pushChunkSize must be a positive integer, got ${String(size)}`,
      "pushChunkSize",
    );
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads a PUSHB reply (`{}` or `{"<jid>":"<error>", ...}`) for a chunk whose jids are `jids`,
 * appending to `result`: the chunk's jids absent from the reply were pushed. A reply that is not
 * a string-to-string object throws a {@link TypeError} (the caller maps it to a ProtocolError).
 */
export function applyBulkReply(jids: readonly string[], reply: unknown, result: BulkPushResult): void {
  if (reply === null || typeof reply !== "object" || Array.isArray(reply))
    throw new TypeError("PUSHB reply is not a JSON object");
  const errors = reply as Record<string, unknown>;
  for (const value of Object.values(errors))
    if (typeof value !== "string") throw new TypeError("PUSHB reply maps a jid to a non-string");
  const seen = new Set<string>();
  for (const jid of jids) {
    if (Object.hasOwn(errors, jid)) {
      if (!seen.has(jid)) {
        result.rejected.push({ jid, error: errors[jid] as string });
        if ((errors[jid] as string).startsWith("NOTUNIQUE ")) result.notUnique.push(jid);
      }
      seen.add(jid);
    } else result.pushed.push(jid);
  }
}

/**
 * Sends the prepared jobs of a bulk push as PUSHB commands of at most `chunkSize` jobs each,
 * all at once (pipelined) through `send`, and gathers the outcome in input order: jobs refused
 * locally keep their error, a chunk's server refusals are reported per job, and a chunk whose
 * command failed (connection lost, malformed reply) reports that error for each of its jobs.
 * Never rejects.
 */
export async function sendPrepared(
  prepared: readonly PreparedJob[],
  chunkSize: number,
  send: (line: string) => Promise<Reply>,
): Promise<BulkPushResult> {
  const outcome = new Map<number, string | undefined>(); // index -> error (undefined: pushed)
  const sendable: number[] = [];
  prepared.forEach((p, i) => {
    if (p.error !== undefined) outcome.set(i, p.error);
    else sendable.push(i);
  });
  await Promise.all(
    chunk(sendable, chunkSize).map(async (indexes) => {
      const line = `PUSHB [${indexes.map((i) => (prepared[i] as { json: string }).json).join(",")}]\r\n`;
      const jids = indexes.map((i) => prepared[i]!.jid);
      try {
        const reply = parseJsonReply<unknown>(await send(line), "PUSHB");
        const partial: BulkPushResult = { pushed: [], rejected: [], notUnique: [] };
        try {
          applyBulkReply(jids, reply, partial);
        } catch (err) {
          throw new ProtocolError(`unexpected PUSHB reply: ${(err as Error).message}`);
        }
        const errors = new Map(partial.rejected.map((r) => [r.jid, r.error]));
        for (const i of indexes) outcome.set(i, errors.get(prepared[i]!.jid));
      } catch (err) {
        for (const i of indexes) outcome.set(i, (err as Error).message);
      }
    }),
  );
  const result: BulkPushResult = { pushed: [], rejected: [], notUnique: [] };
  prepared.forEach((p, i) => {
    const error = outcome.get(i);
    if (error === undefined) result.pushed.push(p.jid);
    else {
      result.rejected.push({ jid: p.jid, error });
      if (error.startsWith("NOTUNIQUE ")) result.notUnique.push(p.jid);
    }
  });
  return result;
}
