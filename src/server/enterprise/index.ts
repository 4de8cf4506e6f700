/**
 * Faktory Enterprise features for the embedded server: batches, progress tracking, unique jobs
 * and expiring jobs, plugged into the core through {@link ServerExtension}. All state lives in
 * `Storage.records` namespaces (`batches`, `tracking`, `unique`, `ent-jobs`), so a durable
 * storage keeps it across restarts.
 * @module
 */
import { createHash } from "node:crypto";
import { formatTimestamp, parseTimestamp } from "../../protocol/index.js";
import type { ServerCore } from "../core.js";
import type { FailOutcome, PushRefusal, ServerExtension } from "../extension.js";
import type { ServerJob } from "../jobs/job-codec.js";
import type { QueuedJob, Reservation } from "../storage/storage.js";
import { registerDashboardExtensions } from "../http/extensions.js";
import { DueTimer } from "../timers/due-timer.js";
import { Batches, noSuchBatch } from "./batches.js";
import { EnterpriseState, JOB_RECORD_TTL_MS, type JobRecord } from "./state.js";
import { Tracking } from "./tracking.js";

export type { BatchRecord, CallbackState, TrackRecord } from "./state.js";

/** The reply to a push that hits a unique lock. */
export const NOT_UNIQUE: PushRefusal = { code: "NOTUNIQUE", message: "Job not unique" };

/** How often expired records are swept. */
const SWEEP_EVERY_MS = 60_000;

/** JSON with object keys sorted, so equal args give equal lock keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The lock key of a job: (jobtype, args, queue). */
export function uniqueKey(job: Pick<ServerJob, "jobtype" | "queue" | "args">): string {
  return createHash("sha256")
    .update(`${job.queue}\0${job.jobtype}\0${canonical(job.args ?? [])}`)
    .digest("base64url");
}

/** The Enterprise extension. */
export class EnterpriseExtension implements ServerExtension {
  /** INFO `server.description`: clients recognise Enterprise by this word. */
  readonly description = "Faktory Enterprise";
  /** Shared records. */
  readonly state: EnterpriseState;
  /** Batches. */
  readonly batches: Batches;
  /** Progress. */
  readonly tracking: Tracking;
  private readonly sweeper: DueTimer;

  constructor(private readonly core: ServerCore) {
    this.state = new EnterpriseState(core);
    this.batches = new Batches(this.state);
    this.tracking = new Tracking(this.state);
    this.sweeper = new DueTimer(core.clock, () => {
      this.state.sweep();
      this.sweeper.arm(core.clock.now() + SWEEP_EVERY_MS);
    });
    this.sweeper.arm(core.clock.now() + SWEEP_EVERY_MS);
  }

  command(verb: string, line: string): string | Buffer | undefined {
    if (verb === "BATCH") return this.batches.command(line);
    if (verb === "TRACK") return this.tracking.command(line);
    return undefined;
  }

  beforePush(job: ServerJob, now: number): PushRefusal | undefined {
    const custom = job.custom;
    if (custom === undefined) return undefined;
    // expires_in (seconds) becomes an absolute expires_at at push.
    if (typeof custom.expires_in === "number" && Number.isFinite(custom.expires_in)) {
      custom.expires_at = formatTimestamp(now + custom.expires_in * 1000);
      delete custom.expires_in;
    }
    const bid = typeof custom.bid === "string" && custom.bid !== "" ? custom.bid : undefined;
    if (bid !== undefined && this.batches.get(bid) === undefined)
      return { code: "ERR", message: noSuchBatch(bid) };
    let lock: string | undefined;
    const uniqueFor = custom.unique_for;
    if (typeof uniqueFor === "number" && uniqueFor > 0) {
      lock = uniqueKey(job);
      const held = this.state.locks.get(lock);
      if (held !== undefined && held.jid !== job.jid) return NOT_UNIQUE;
      const at = job.at === "" ? undefined : parseTimestamp(job.at);
      const from = at !== undefined && at > now ? at : now;
      this.state.locks.set(lock, { jid: job.jid, expiresAt: from + uniqueFor * 1000 });
    }
    if (custom.track === 1) this.tracking.setState(job.jid, "enqueued", true);
    if (bid === undefined && lock === undefined) return undefined;
    const record: JobRecord = { expiresAt: now + JOB_RECORD_TTL_MS };
    if (bid !== undefined) {
      record.bid = bid;
      this.batches.memberPushed(bid);
    }
    if (lock !== undefined) {
      record.unique = lock;
      record.until = custom.unique_until === "start" ? "start" : "success";
    }
    this.state.jobs.set(job.jid, record);
    return undefined;
  }

  discardOnFetch(job: QueuedJob, now: number): boolean {
    if (!job.payload.includes('"expires_at"')) return false;
    const custom = (JSON.parse(job.payload) as { custom?: Record<string, unknown> }).custom;
    const text = custom?.expires_at;
    const at = typeof text === "string" ? parseTimestamp(text) : undefined;
    if (at === undefined || at > now) return false;
    this.core.logger.info(`JID ${job.jid}: Halt: job expired`);
    // For batches an expired member counts as failed, so the batch can still complete.
    const record = this.state.jobs.get(job.jid);
    if (record?.bid !== undefined && record.failed !== true) this.batches.memberFailed(record.bid);
    this.state.jobs.delete(job.jid);
    this.tracking.forget(job.jid);
    return true;
  }

  onReserve(job: QueuedJob): void {
    this.tracking.setState(job.jid, "working");
    const record = this.state.jobs.get(job.jid);
    if (record?.until === "start") this.release(job.jid, record);
  }

  onAck(reservation: Reservation): void {
    const jid = reservation.jid;
    this.tracking.setState(jid, "success");
    const record = this.state.jobs.get(jid);
    if (record === undefined) return;
    this.state.jobs.delete(jid);
    this.release(jid, record);
    if (record.bid !== undefined) this.batches.memberAcked(record.bid, record.failed === true);
    if (record.callback !== undefined) this.batches.callbackAcked(record.callback.bid, record.callback.kind);
  }

  onFail(reservation: Reservation, outcome: FailOutcome): void {
    const jid = reservation.jid;
    this.tracking.setState(jid, outcome === "dead" ? "dead" : "failed");
    const record = this.state.jobs.get(jid);
    if (record === undefined) return;
    if (record.bid !== undefined && record.failed !== true) {
      record.failed = true;
      this.state.jobs.set(jid, record);
      this.batches.memberFailed(record.bid);
    }
    // A job thrown away (retry 0) never comes back; its lock runs out at its TTL.
    if (outcome === "discarded") this.state.jobs.delete(jid);
  }

  onRemoved(jid: string): void {
    // Removed by hand: forget its records; the unique lock runs out at its TTL (reference).
    this.state.jobs.delete(jid);
    this.tracking.forget(jid);
  }

  stop(): void {
    this.sweeper.cancel();
  }

  /** Drops the unique lock `record` holds, if `jid` still holds it. */
  private release(jid: string, record: JobRecord): void {
    if (record.unique === undefined) return;
    if (this.state.locks.get(record.unique)?.jid === jid) this.state.locks.delete(record.unique);
    delete record.unique;
    if (this.state.jobs.get(jid) !== undefined) this.state.jobs.set(jid, record);
  }
}

/** Switches Enterprise on for a core. */
export function enableEnterprise(core: ServerCore): EnterpriseExtension {
  const extension = new EnterpriseExtension(core);
  core.extension = extension;
  const { state } = extension;
  registerDashboardExtensions(core, {
    batches: {
      list: () =>
        state.batches
          .values()
          .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0)),
      get: (bid) => state.batches.get(bid),
    },
    progress: (jid) => state.tracking.get(jid),
  });
  return extension;
}
