/**
 * Batches: `BATCH NEW/OPEN/COMMIT/STATUS/CHILD`, membership counters and callback firing.
 *
 * Counter model: a member push adds to `total` and `pending`; a member's first failure adds to
 * `failed`; its ACK takes one from `pending` (and from `failed` if it had failed). A committed
 * batch fires `complete` when `pending == failed` and every child batch is complete, and
 * `success` when `pending == 0`, the complete callback (if any) was ACKed and every child batch
 * succeeded. Each callback fires once.
 * @module
 */
import { encodeBulk, formatTimestamp, generateJid, OK_BYTES } from "../../protocol/index.js";
import { errorReply } from "../commands/types.js";
import { isObject, parseObjectArg } from "./json-body.js";
import { GoTypeError } from "../jobs/go-decode.js";
import { jobFromValue } from "../jobs/job-codec.js";
import {
  type BatchRecord,
  COMMITTED_BATCH_TTL_MS,
  type EnterpriseState,
  JOB_RECORD_TTL_MS,
  UNCOMMITTED_BATCH_TTL_MS,
} from "./state.js";

/** The error for an unknown or expired bid. */
export function noSuchBatch(bid: string): string {
  return `no such batch ${bid}`;
}

/** Batch state and commands. */
export class Batches {
  constructor(private readonly state: EnterpriseState) {}

  private now(): number {
    return this.state.core.clock.now();
  }

  private save(batch: BatchRecord): void {
    const ttl = batch.committed ? COMMITTED_BATCH_TTL_MS : UNCOMMITTED_BATCH_TTL_MS;
    batch.expiresAt = Math.max(batch.expiresAt, this.now() + ttl);
    this.state.batches.set(batch.bid, batch);
  }

  /** A live batch. */
  get(bid: string): BatchRecord | undefined {
    return this.state.batches.get(bid);
  }

  /** `BATCH <sub> ...` (sub-commands case-insensitive). */
  command(line: string): string | Buffer {
    const rest = line.slice(6);
    const space = rest.indexOf(" ");
    const sub = (space < 0 ? rest : rest.slice(0, space)).toUpperCase();
    const arg = space < 0 ? "" : rest.slice(space + 1).trim();
    switch (sub) {
      case "NEW":
        return this.create(arg);
      case "OPEN":
        return this.open(arg);
      case "COMMIT":
        return this.commit(arg);
      case "STATUS":
        return this.status(arg);
      case "CHILD":
        return this.child(arg);
      default:
        return errorReply(`unknown BATCH subcommand ${JSON.stringify(sub.slice(0, 50))}`);
    }
  }

  private create(arg: string): string | Buffer {
    const parsed = parseObjectArg(arg, "batch must be an object");
    if ("error" in parsed) return parsed.error;
    const { body } = parsed;
    const callbacks: Partial<Record<"success" | "complete", Record<string, unknown>>> = {};
    for (const kind of ["success", "complete"] as const) {
      const value = body[kind];
      if (value === undefined || value === null) continue;
      if (!isObject(value)) return errorReply(`invalid ${kind} callback: must be a job object`);
      try {
        const job = jobFromValue({ jid: "callback-check", args: [], ...value });
        if (job.jobtype === "")
          return errorReply(`invalid ${kind} callback: jobs must have a jobtype parameter`);
      } catch (err) {
        if (err instanceof GoTypeError) return errorReply(`invalid ${kind} callback: ${err.message}`);
        throw err;
      }
      callbacks[kind] = value;
    }
    if (callbacks.success === undefined && callbacks.complete === undefined)
      return errorReply("batch must have a success or complete callback");
    const description = body.description;
    if (description !== undefined && description !== null && typeof description !== "string")
      return errorReply("invalid JSON: description must be a string");
    const parentBid = body.parent_bid;
    if (parentBid !== undefined && parentBid !== null && typeof parentBid !== "string")
      return errorReply("invalid JSON: parent_bid must be a string");
    let parent: BatchRecord | undefined;
    if (typeof parentBid === "string" && parentBid !== "") {
      parent = this.get(parentBid);
      if (parent === undefined) return errorReply(noSuchBatch(parentBid));
    }
    const now = this.now();
    const batch: BatchRecord = {
      bid: `b-${generateJid().slice(0, 14)}`,
      created_at: formatTimestamp(now),
      committed: false,
      success_st: "",
      complete_st: "",
      total: 0,
      pending: 0,
      failed: 0,
      children: [],
      expiresAt: 0,
      ...callbacks,
    };
    if (typeof description === "string" && description !== "") batch.description = description;
    if (parent !== undefined) {
      batch.parent_bid = parent.bid;
      parent.children.push(batch.bid);
      this.save(parent);
    }
    this.save(batch);
    return encodeBulk(batch.bid);
  }

  private open(bid: string): string | Buffer {
    const batch = this.get(bid);
    if (batch === undefined) return errorReply(noSuchBatch(bid));
    batch.committed = false;
    this.save(batch);
    return encodeBulk(batch.bid);
  }

  private commit(bid: string): string | Buffer {
    const batch = this.get(bid);
    if (batch === undefined) return errorReply(noSuchBatch(bid));
    batch.committed = true;
    this.save(batch);
    this.changed(bid);
    return OK_BYTES;
  }

  private status(bid: string): string | Buffer {
    const b = this.get(bid);
    if (b === undefined) return errorReply(noSuchBatch(bid));
    const out: Record<string, unknown> = { bid: b.bid };
    if (b.parent_bid !== undefined) out.parent_bid = b.parent_bid;
    if (b.description !== undefined) out.description = b.description;
    out.created_at = b.created_at;
    out.complete_st = b.complete_st;
    out.success_st = b.success_st;
    out.total = b.total;
    out.pending = b.pending;
    out.failed = b.failed;
    return encodeBulk(JSON.stringify(out));
  }

  /** `BATCH CHILD <parent> <child>` (an extension some third-party servers have). */
  private child(arg: string): string | Buffer {
    const [parentBid = "", childBid = ""] = arg.split(/\s+/);
    const parent = this.get(parentBid);
    if (parent === undefined) return errorReply(noSuchBatch(parentBid));
    const child = this.get(childBid);
    if (child === undefined) return errorReply(noSuchBatch(childBid));
    for (
      let b: BatchRecord | undefined = parent;
      b !== undefined;
      b = b.parent_bid ? this.get(b.parent_bid) : undefined
    )
      if (b.bid === child.bid) return errorReply("a batch cannot be its own ancestor");
    if (child.parent_bid !== undefined && child.parent_bid !== parent.bid) {
      const old = this.get(child.parent_bid);
      if (old !== undefined) {
        old.children = old.children.filter((c) => c !== child.bid);
        this.save(old);
      }
    }
    child.parent_bid = parent.bid;
    if (!parent.children.includes(child.bid)) parent.children.push(child.bid);
    this.save(child);
    this.save(parent);
    return OK_BYTES;
  }

  // ---- membership ------------------------------------------------------------------------

  /** A member was pushed (the bid was checked to exist). */
  memberPushed(bid: string): void {
    const batch = this.get(bid);
    if (batch === undefined) return;
    batch.total++;
    batch.pending++;
    this.save(batch);
  }

  /** A member ACKed. */
  memberAcked(bid: string, hadFailed: boolean): void {
    const batch = this.get(bid);
    if (batch === undefined) return;
    if (batch.pending > 0) batch.pending--;
    if (hadFailed && batch.failed > 0) batch.failed--;
    this.save(batch);
    this.changed(bid);
  }

  /** A member failed for the first time (FAIL, reservation expiry, or discarded as expired). */
  memberFailed(bid: string): void {
    const batch = this.get(bid);
    if (batch === undefined) return;
    batch.failed++;
    this.save(batch);
    this.changed(bid);
  }

  /** A callback job was ACKed. */
  callbackAcked(bid: string, kind: "success" | "complete"): void {
    const batch = this.get(bid);
    if (batch === undefined) return;
    if (kind === "success") batch.success_st = "2";
    else batch.complete_st = "2";
    this.save(batch);
    this.changed(bid);
  }

  // ---- callbacks -------------------------------------------------------------------------

  /** Re-evaluates a batch and then each of its ancestors. */
  private changed(bid: string): void {
    const seen = new Set<string>();
    for (let b = this.get(bid); b !== undefined && !seen.has(b.bid); ) {
      seen.add(b.bid);
      this.evaluate(b);
      b = b.parent_bid === undefined ? undefined : this.get(b.parent_bid);
    }
  }

  private childrenOf(batch: BatchRecord): BatchRecord[] {
    const out: BatchRecord[] = [];
    for (const bid of batch.children) {
      const child = this.get(bid);
      if (child !== undefined) out.push(child);
    }
    return out;
  }

  /** Every member ran, its complete callback (if any) was ACKed, and so for its children. */
  private isComplete(batch: BatchRecord, depth = 0): boolean {
    if (depth > 100 || !batch.committed || batch.pending > batch.failed) return false;
    if (batch.complete !== undefined && batch.complete_st !== "2") return false;
    return this.childrenOf(batch).every((c) => this.isComplete(c, depth + 1));
  }

  /** Every member succeeded, its last callback was ACKed, and so for its children. */
  private isSuccessful(batch: BatchRecord, depth = 0): boolean {
    if (depth > 100 || !batch.committed || batch.pending > 0) return false;
    if (
      batch.success !== undefined
        ? batch.success_st !== "2"
        : batch.complete !== undefined && batch.complete_st !== "2"
    )
      return false;
    return this.childrenOf(batch).every((c) => this.isSuccessful(c, depth + 1));
  }

  private evaluate(batch: BatchRecord): void {
    if (!batch.committed) return;
    const children = this.childrenOf(batch);
    if (
      batch.complete !== undefined &&
      batch.complete_st === "" &&
      batch.pending <= batch.failed &&
      children.every((c) => this.isComplete(c))
    ) {
      batch.complete_st = "1";
      this.save(batch);
      this.fire(batch, "complete");
    }
    if (
      batch.success !== undefined &&
      batch.success_st === "" &&
      batch.pending === 0 &&
      (batch.complete === undefined || batch.complete_st === "2") &&
      children.every((c) => this.isSuccessful(c))
    ) {
      batch.success_st = "1";
      this.save(batch);
      this.fire(batch, "success");
    }
  }

  /** Pushes a callback job with `custom._bid` (and `_pbid`), never `custom.bid`. */
  private fire(batch: BatchRecord, kind: "success" | "complete"): void {
    const { core } = this.state;
    const template = batch[kind] as Record<string, unknown>;
    const custom: Record<string, unknown> = isObject(template.custom) ? { ...template.custom } : {};
    delete custom.bid;
    custom._bid = batch.bid;
    if (batch.parent_bid !== undefined) custom._pbid = batch.parent_bid;
    const jid = typeof template.jid === "string" && template.jid !== "" ? template.jid : generateJid();
    const job = jobFromValue({ args: [], ...template, jid, custom });
    const problem = core.push(job);
    if (problem !== undefined) {
      const text = typeof problem === "string" ? problem : `${problem.code} ${problem.message}`;
      core.logger.warn(`Batch ${batch.bid}: ${kind} callback not enqueued: ${text}`);
      return;
    }
    const record = this.state.jobs.get(jid) ?? { expiresAt: 0 };
    record.callback = { bid: batch.bid, kind };
    record.expiresAt = core.clock.now() + JOB_RECORD_TTL_MS;
    this.state.jobs.set(jid, record);
  }
}
