/**
 * Progress tracking: `TRACK SET` / `TRACK GET` and the state changes of tracked jobs
 * (`custom.track == 1`) through their life.
 * @module
 */
import { encodeBulk, formatTimestamp, OK_BYTES, parseTimestamp } from "../../protocol/index.js";
import { errorReply } from "../commands/types.js";
import { parseObjectArg } from "./json-body.js";
import { type EnterpriseState, TRACKING_TTL_MS, type TrackRecord } from "./state.js";

/** Progress records and the TRACK command. */
export class Tracking {
  constructor(private readonly state: EnterpriseState) {}

  /** Records a state change of a tracked job; untracked jobs (no record) are ignored unless `create`. */
  setState(jid: string, state: TrackRecord["state"], create = false): void {
    const now = this.state.core.clock.now();
    const record =
      this.state.tracking.get(jid) ?? (create ? { jid, state, updated_at: "", expiresAt: 0 } : undefined);
    if (record === undefined) return;
    record.state = state;
    record.updated_at = formatTimestamp(now);
    record.expiresAt = now + TRACKING_TTL_MS;
    this.state.tracking.set(jid, record);
  }

  /** Forgets a job's progress. */
  forget(jid: string): void {
    this.state.tracking.delete(jid);
  }

  /** `TRACK <sub> ...` (sub-commands case-insensitive). */
  command(line: string): string | Buffer {
    const rest = line.slice(6);
    const space = rest.indexOf(" ");
    const sub = (space < 0 ? rest : rest.slice(0, space)).toUpperCase();
    const arg = space < 0 ? "" : rest.slice(space + 1).trim();
    if (sub === "GET") return this.get(arg);
    if (sub === "SET") return this.set(arg);
    return errorReply(`unknown TRACK subcommand ${JSON.stringify(sub.slice(0, 50))}`);
  }

  private get(jid: string): string | Buffer {
    const record = this.state.tracking.get(jid);
    const out: Record<string, unknown> = { jid };
    if (record === undefined) {
      out.state = "unknown";
      out.updated_at = "";
    } else {
      if (record.desc !== undefined && record.desc !== "") out.desc = record.desc;
      out.state = record.state;
      out.updated_at = record.updated_at;
      if (record.percent !== undefined && record.percent !== 0) out.percent = record.percent;
    }
    return encodeBulk(JSON.stringify(out));
  }

  /**
   * `TRACK SET {"jid","percent"?,"desc"?,"reserve_until"?}` → `+OK`. Fields left out (or `null`)
   * keep their stored value. Unknown or untracked jids get `+OK` and no record.
   */
  private set(arg: string): string | Buffer {
    const parsed = parseObjectArg(arg, "TRACK SET needs an object");
    if ("error" in parsed) return parsed.error;
    const { body } = parsed;
    const { jid, percent, desc } = body;
    const reserveUntil = body.reserve_until;
    if (typeof jid !== "string" || jid === "") return errorReply("Job Track missing JID");
    if (
      percent !== undefined &&
      percent !== null &&
      (!Number.isInteger(percent) || (percent as number) < 0 || (percent as number) > 100)
    )
      return errorReply("percent must be an integer from 0 to 100");
    if (desc !== undefined && desc !== null && typeof desc !== "string")
      return errorReply("desc must be a string");
    let until: number | undefined;
    if (reserveUntil !== undefined && reserveUntil !== null && reserveUntil !== "") {
      until = typeof reserveUntil === "string" ? parseTimestamp(reserveUntil) : undefined;
      if (until === undefined) return errorReply("reserve_until must be an RFC 3339 timestamp");
    }
    const { core } = this.state;
    const now = core.clock.now();
    const record = this.state.tracking.get(jid);
    if (record !== undefined) {
      if (typeof percent === "number") record.percent = percent;
      if (typeof desc === "string") record.desc = desc;
      record.updated_at = formatTimestamp(now);
      record.expiresAt = now + TRACKING_TTL_MS;
      this.state.tracking.set(jid, record);
    }
    if (until !== undefined) this.extendReservation(jid, until);
    return OK_BYTES;
  }

  /** Lengthens (never shortens) the reservation of a working job. */
  private extendReservation(jid: string, until: number): void {
    const { storage } = this.state.core;
    const reservation = storage.getReservation(jid);
    if (reservation === undefined || until <= reservation.expiresAt) return;
    storage.removeReservation(jid);
    storage.addReservation({ ...reservation, expiresAt: until });
    this.state.core.rearm();
  }
}
