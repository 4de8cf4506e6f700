/**
 * The Enterprise records shared by batches, tracking and unique locks, and their lifetimes.
 * @module
 */
import type { ServerCore } from "../core.js";
import { type Expiring, ExpiringRecords } from "./records.js";

/** An uncommitted batch lives 30 minutes (reference). */
export const UNCOMMITTED_BATCH_TTL_MS = 30 * 60_000;
/** A committed batch lives 7 days after its last change (our choice; the reference is silent). */
export const COMMITTED_BATCH_TTL_MS = 7 * 86_400_000;
/** A progress record lives 30 minutes after its last change (reference). */
export const TRACKING_TTL_MS = 30 * 60_000;
/** What is kept per job (batch membership, lock key) lives at most 30 days. */
export const JOB_RECORD_TTL_MS = 30 * 86_400_000;

/** Callback state: `""` not enqueued, `"1"` enqueued, `"2"` ACKed. */
export type CallbackState = "" | "1" | "2";

/** One batch, as stored in the `batches` namespace. */
export interface BatchRecord extends Expiring {
  bid: string;
  parent_bid?: string;
  description?: string;
  created_at: string;
  committed: boolean;
  success?: Record<string, unknown>;
  complete?: Record<string, unknown>;
  success_st: CallbackState;
  complete_st: CallbackState;
  total: number;
  pending: number;
  failed: number;
  children: string[];
}

/** What is kept per job in the `ent-jobs` namespace. */
export interface JobRecord extends Expiring {
  /** Batch the job is a member of. */
  bid?: string;
  /** The member failed at least once. */
  failed?: boolean;
  /** Unique lock key the job holds. */
  unique?: string;
  /** When the lock is dropped. */
  until?: "success" | "start";
  /** The job is a callback of this batch. */
  callback?: { bid: string; kind: "success" | "complete" };
}

/** One lock in the `unique` namespace. */
export interface UniqueRecord extends Expiring {
  /** Holder. */
  jid: string;
}

/** Progress of a tracked job in the `tracking` namespace. */
export interface TrackRecord extends Expiring {
  jid: string;
  state: "enqueued" | "working" | "success" | "failed" | "dead";
  updated_at: string;
  percent?: number;
  desc?: string;
}

/** Everything the Enterprise features share. */
export class EnterpriseState {
  /** Batches by bid. */
  readonly batches: ExpiringRecords<BatchRecord>;
  /** Per-job records by jid. */
  readonly jobs: ExpiringRecords<JobRecord>;
  /** Unique locks by key. */
  readonly locks: ExpiringRecords<UniqueRecord>;
  /** Progress by jid. */
  readonly tracking: ExpiringRecords<TrackRecord>;

  constructor(readonly core: ServerCore) {
    const now = (): number => core.clock.now();
    const storage = core.storage;
    this.batches = new ExpiringRecords(storage.records("batches"), now);
    this.jobs = new ExpiringRecords(storage.records("ent-jobs"), now);
    this.locks = new ExpiringRecords(storage.records("unique"), now);
    this.tracking = new ExpiringRecords(storage.records("tracking"), now);
  }

  /** Deletes every expired record. */
  sweep(): void {
    this.batches.sweep();
    this.jobs.sweep();
    this.locks.sweep();
    this.tracking.sweep();
  }
}
