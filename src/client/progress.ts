/**
 * Faktory Enterprise progress tracking for the client: `TRACK SET` and `TRACK GET`.
 * @module
 */
import { parseJsonReply } from "../protocol/commands.js";
import { ProtocolError, ValidationError } from "../protocol/errors.js";
import type { Reply } from "../protocol/resp-reader.js";
import { formatTimestamp, parseTimestamp } from "../protocol/time.js";
import { expectOk } from "./replies.js";

/** A tracked job's state (`unknown`: not tracked, never pushed, or its record expired). */
export type JobTrackState = "unknown" | "enqueued" | "working" | "success" | "failed" | "dead";

/** `TRACK GET`, typed. */
export interface JobProgress {
  /** The job id. */
  jid: string;
  /** Where the job is in its life. */
  state: JobTrackState;
  /** Percent done, as last set (absent when never set or 0). */
  percent?: number;
  /** Description, as last set. */
  desc?: string;
  /** Time of the last change, or `undefined` for `unknown`. */
  updatedAt: Date | undefined;
}

/** What {@link ProgressApi.set} sends. Omitted fields keep their stored values on the embedded server. */
export interface ProgressUpdate {
  /** Percent done, an integer from 0 to 100. */
  percent?: number;
  /** What the job is doing. */
  desc?: string;
  /** Extend the job's reservation to this instant (future, at most 24 h ahead). */
  reserveUntil?: Date;
}

const DAY_MS = 86_400_000;

/** Builds the `TRACK SET` line, checking the update. */
export function trackSetLine(jid: string, update: ProgressUpdate): string {
  if (typeof jid !== "string" || jid === "") throw new ValidationError("progress needs a job id", "jid");
  const body: Record<string, unknown> = { jid };
  const { percent, desc, reserveUntil } = update;
  if (percent !== undefined) {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100)
      throw new ValidationError(
        `percent must be an integer from 0 to 100, got ${String(percent)}`,
        "percent",
      );
    body.percent = percent;
  }
  if (desc !== undefined) {
    if (typeof desc !== "string") throw new ValidationError("desc must be a string", "desc");
    body.desc = desc;
  }
  if (reserveUntil !== undefined) {
    const ms = reserveUntil instanceof Date ? reserveUntil.getTime() : Number.NaN;
    const now = Date.now();
    if (Number.isNaN(ms) || ms <= now || ms > now + DAY_MS)
      throw new ValidationError("reserveUntil must be a Date in the next 24 hours", "reserveUntil");
    body.reserve_until = formatTimestamp(ms);
  }
  return `TRACK SET ${JSON.stringify(body)}\r\n`;
}

/** `client.progress`: read and report the progress of tracked jobs (Faktory Enterprise). */
export class ProgressApi {
  /** @internal */
  constructor(private readonly command: (line: string) => Promise<Reply>) {}

  /** Sets a job's progress (`TRACK SET`). */
  async set(jid: string, update: ProgressUpdate): Promise<void> {
    const reply = await this.command(trackSetLine(jid, update));
    expectOk(reply, "TRACK SET");
  }

  /** A job's progress (`TRACK GET`); state `unknown` for jobs not tracked. */
  async get(jid: string): Promise<JobProgress> {
    if (typeof jid !== "string" || jid === "" || /\s/.test(jid))
      throw new ValidationError("progress needs a job id without spaces", "jid");
    const reply = await this.command(`TRACK GET ${jid}\r\n`);
    if (reply.kind !== "bulk") throw new ProtocolError(`unexpected ${reply.kind} reply to TRACK GET`);
    const raw = parseJsonReply<Record<string, unknown>>(reply, "TRACK GET")!; // a bulk reply, never null
    const updated = typeof raw.updated_at === "string" ? parseTimestamp(raw.updated_at) : undefined;
    const out: JobProgress = {
      jid: String(raw.jid ?? jid),
      state: (typeof raw.state === "string" ? raw.state : "unknown") as JobTrackState,
      updatedAt: updated === undefined ? undefined : new Date(updated),
    };
    if (typeof raw.percent === "number") out.percent = raw.percent;
    if (typeof raw.desc === "string") out.desc = raw.desc;
    return out;
  }
}
