/**
 * The JSON documents exchanged by the protocol's commands, other than jobs: the greeting, HELLO,
 * FAIL, BEAT and its reply, MUTATE operations and the INFO document.
 * @module
 */

/** The server greeting after `+HI `: `i` and `s` are present when a password is required. */
export interface HiPayload {
  /** Protocol version, 2. */
  v: number;
  /** Password hash iterations. */
  i?: number;
  /** Password salt. */
  s?: string;
}

/** The protocol version spoken by this library. */
export const PROTOCOL_VERSION = 2;

/** The client's `HELLO` document. A worker sends `wid`, `hostname`, `pid` and `labels`. */
export interface HelloPayload {
  /** Protocol version, 2. */
  v: number;
  /** Password hash, when the greeting asked for one. */
  pwdhash?: string;
  /** Ignored by Faktory; may be used by proxies. */
  username?: string;
  /** Host of a worker. */
  hostname?: string;
  /** Unique worker process id; absent for producers. */
  wid?: string;
  /** OS process id of a worker. */
  pid?: number;
  /** Free-form labels of a worker. */
  labels?: string[];
  /** Resident memory of a worker, in KiB. */
  rss_kb?: number;
}

/** Limits the server applies to a FAIL payload. */
export const FAIL_LIMITS = { errtypeBytes: 100, messageBytes: 1000, backtraceLines: 50 } as const;

/** The `FAIL` document. */
export interface FailPayload {
  /** The job that failed. */
  jid: string;
  /** Error class or kind, e.g. `"TypeError"`. */
  errtype?: string;
  /** Error message. */
  message?: string;
  /** Backtrace lines, most recent call first. */
  backtrace?: string[];
}

/** Worker lifecycle states as BEAT reports and the server signals them. */
export type WorkerState = "running" | "quiet" | "terminate";

/** The `BEAT` document. */
export interface BeatPayload {
  /** The worker's id. */
  wid: string;
  /** The state the worker is in, if not running. */
  current_state?: WorkerState;
  /** Resident memory in KiB. */
  rss_kb?: number;
}

/** Targets of MUTATE: the server's three sorted sets. */
export type MutateTarget = "retries" | "scheduled" | "dead";
/** Operations of MUTATE. */
export type MutateCommand = "clear" | "kill" | "discard" | "requeue";

/**
 * Which jobs a MUTATE touches. With `jids`, the other fields are ignored by the server.
 * `regexp` is a glob (`*` and `?`, `[...]`) matched against the job's JSON: put `*` on each side.
 */
export interface MutateFilter {
  /** Job ids to match exactly. */
  jids?: string[];
  /** Job type to match. */
  jobtype?: string;
  /** Glob pattern matched against the whole job JSON, e.g. `*uid:12345*`. */
  regexp?: string;
}

/** A MUTATE operation document. */
export interface MutateOperation {
  /** What to do. */
  cmd: MutateCommand;
  /** Which set. */
  target: MutateTarget;
  /** Which jobs; absent means every job in the set. */
  filter?: MutateFilter;
}

/** Counters of one background task in INFO's deprecated `tasks` section. */
export interface InfoScannerTask {
  cycles: number;
  enqueued: number;
  size: number;
  wall_time_sec: number;
}

/** Counters of a reaper in INFO's deprecated `tasks` section. */
export interface InfoReaperTask {
  reaped: number;
  size: number;
}

/** The document `INFO` returns. */
export interface FaktoryInfo {
  /** Server time, RFC 3339. */
  now: string;
  /** Server time of day, `HH:MM:SS UTC`. */
  server_utc_time: string;
  faktory: {
    /** Each known queue and its size. */
    queues: Record<string, number>;
    /** Sizes of the sorted sets. */
    sets: { dead: number; retries: number; scheduled: number; working: number };
    /** Deprecated per-task counters. */
    tasks: {
      Busy: InfoReaperTask;
      Dead: InfoScannerTask;
      Retries: InfoScannerTask;
      Scheduled: InfoScannerTask;
      Workers: InfoReaperTask;
    };
    /** Failures since the data set began (also counted in `total_processed`). */
    total_failures: number;
    /** Jobs ACKed or FAILed since the data set began. */
    total_processed: number;
    /** Jobs waiting in all queues. */
    total_enqueued: number;
    /** Number of known queues. */
    total_queues: number;
  };
  server: {
    description: string;
    faktory_version: string;
    uptime: number;
    connections: number;
    command_count: number;
    used_memory_mb: number;
  };
}
