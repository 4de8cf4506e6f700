/**
 * The server's job engine, independent of the network: pushing, enqueueing (with immediate
 * hand-off to blocked FETCH calls), reserving, acknowledging, the failure → retry → dead path,
 * the timers for scheduled jobs, retries, the dead-set purge, reservation expiry and worker
 * reaping, queue control, and the INFO document.
 * @module
 */
import {
  DEAD_TTL_MS,
  effectiveReserveFor,
  type FaktoryInfo,
  FAIL_LIMITS,
  findJobProblem,
  formatTimestamp,
  type InfoScannerTask,
  type JobFailure,
  parseTimestamp,
  queueNameProblem,
  retryBackoffSeconds,
  truncateUtf8,
} from "../protocol/index.js";
import type { Clock } from "./clock.js";
import type { FailOutcome, PushRefusal, ServerExtension } from "./extension.js";
import { FetchWaiters } from "./fetch-waiters.js";
import { asProtocolJob, encodeJob, parseStoredJob, type ServerJob } from "./jobs/job-codec.js";
import type { Logger } from "./logger.js";
import type { QueuedJob, Reservation, SetName, Storage } from "./storage/storage.js";
import { DueTimer } from "./timers/due-timer.js";
import { WorkerRegistry } from "./workers.js";

/** The version this server imitates. */
export const FAKTORY_VERSION = "1.10.0";

/** What a failure records: the cleansed FAIL payload or a reservation expiry. */
export interface FailureDetails {
  /** Error kind. */
  errtype: string;
  /** Error message. */
  message: string;
  /** Backtrace lines (at most 50). */
  backtrace: string[];
}

/** Configuration of a {@link ServerCore}. */
export interface CoreOptions {
  /** Where jobs live. */
  storage: Storage;
  /** Time source. */
  clock: Clock;
  /** Log sink. */
  logger: Logger;
  /** Random integer in [0, 30) for the retry backoff (injectable for tests). */
  random?: () => number;
  /** Optional features (Enterprise); set with {@link ServerCore.extension} after construction. */
  extension?: ServerExtension;
}

interface ScannerStats {
  cycles: number;
  enqueued: number;
  wallMs: number;
}

const DAY_MS = 86_400_000;

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * FAIL's `cleanse()`: trim, default empty texts to `"unknown"`, cut `errtype` to 100 bytes,
 * `message` to 1000 bytes and the backtrace to 50 lines.
 */
export function cleanseFailure(
  errtype: string,
  message: string,
  backtrace: readonly string[],
): FailureDetails {
  const type = errtype.trim();
  const msg = message.trim();
  return {
    errtype: truncateUtf8(type === "" ? "unknown" : type, FAIL_LIMITS.errtypeBytes),
    message: truncateUtf8(msg === "" ? "unknown" : msg, FAIL_LIMITS.messageBytes),
    backtrace: backtrace.slice(0, FAIL_LIMITS.backtraceLines),
  };
}

/** The job engine. One per server. */
export class ServerCore {
  /** Where jobs live. */
  readonly storage: Storage;
  /** Time source of every timer. */
  readonly clock: Clock;
  /** Log sink. */
  readonly logger: Logger;
  /** Live worker processes. */
  readonly workers = new WorkerRegistry();
  /** FETCH calls blocked on empty queues. */
  readonly waiters = new FetchWaiters();
  /** When the server started (epoch ms, server clock). */
  readonly startedAt: number;
  /** Live post-handshake connections. */
  connections = 0;
  /** Commands dispatched (unknown verbs excluded). */
  commandCount = 0;
  /** Optional features hooked into the job life cycle (Enterprise), or `undefined`. */
  extension: ServerExtension | undefined;

  private readonly random: () => number;
  private readonly scanners: Record<SetName, ScannerStats> = {
    scheduled: { cycles: 0, enqueued: 0, wallMs: 0 },
    retries: { cycles: 0, enqueued: 0, wallMs: 0 },
    dead: { cycles: 0, enqueued: 0, wallMs: 0 },
  };
  private reservationsReaped = 0;
  /** Start (epoch ms) of the UTC day of {@link dayKeys}. */
  private dayStart = Number.NaN;
  private readonly dayKeys = { processed: "", failures: "" };
  private readonly setTimers: Record<SetName, DueTimer>;
  private readonly reservationTimer: DueTimer;
  private readonly workerTimer: DueTimer;

  constructor(options: CoreOptions) {
    this.storage = options.storage;
    this.clock = options.clock;
    this.logger = options.logger;
    this.random = options.random ?? (() => Math.floor(Math.random() * 30));
    this.extension = options.extension;
    this.startedAt = this.clock.now();
    this.setTimers = {
      scheduled: new DueTimer(this.clock, () => this.runSet("scheduled")),
      retries: new DueTimer(this.clock, () => this.runSet("retries")),
      dead: new DueTimer(this.clock, () => this.runSet("dead")),
    };
    this.reservationTimer = new DueTimer(this.clock, () => this.expireReservations());
    this.workerTimer = new DueTimer(this.clock, () => this.reapWorkers());
  }

  /** Arms every timer for what the storage already holds (e.g. a durable backend). */
  start(): void {
    this.rearm();
  }

  /** Cancels every timer. */
  stop(): void {
    for (const timer of Object.values(this.setTimers)) timer.cancel();
    this.reservationTimer.cancel();
    this.workerTimer.cancel();
    this.extension?.stop();
  }

  /** Re-arms the timers after a bulk change (FLUSH, MUTATE). */
  rearm(): void {
    for (const name of ["scheduled", "retries", "dead"] as const)
      this.setTimers[name].arm(this.storage.sortedSet(name).earliest()?.score);
    this.reservationTimer.arm(this.storage.earliestReservation()?.expiresAt);
    this.workerTimer.arm(this.workers.nextDue());
  }

  /** Arms the worker reaper after a HELLO or BEAT. */
  armWorkerReaper(): void {
    this.workerTimer.arm(this.workers.nextDue());
  }

  // ---- push / enqueue ------------------------------------------------------------------

  /**
   * PUSH of one decoded job: validates it (reference texts), fills `queue` and `created_at`,
   * and schedules it (future `at`) or enqueues it. Returns the error text, or `undefined`.
   */
  push(job: ServerJob, createdAt?: string): string | PushRefusal | undefined {
    const now = this.clock.now();
    const atMs = job.at === "" ? undefined : parseTimestamp(job.at);
    const future = atMs !== undefined && atMs > now;
    const problem = findJobProblem(asProtocolJob(job), !future);
    if (problem !== undefined) return problem.message;
    if (job.queue === "") job.queue = "default";
    if (job.created_at === "") job.created_at = createdAt ?? formatTimestamp(now);
    const refusal = this.extension?.beforePush(job, now);
    if (refusal !== undefined) return refusal;
    if (future) {
      this.storage.sortedSet("scheduled").add(atMs, job.jid, encodeJob(job));
      this.setTimers.scheduled.arm(atMs);
      return undefined;
    }
    this.enqueue(job, now);
    return undefined;
  }

  /** Puts a job in its queue with `enqueued_at = now` (push, scheduler, retry). */
  enqueue(job: ServerJob, now = this.clock.now()): void {
    job.enqueued_at = formatTimestamp(now);
    this.enqueueRaw(job.queue, { jid: job.jid, payload: encodeJob(job), reserveFor: job.reserve_for });
  }

  /** Appends stored bytes to a queue as they are, then wakes a blocked FETCH if one waits. */
  enqueueRaw(queue: string, job: QueuedJob): void {
    this.storage.enqueue(queue, job);
    this.wake(queue);
  }

  /** Hands jobs of `queue` to blocked FETCH calls while both exist and the queue is not paused. */
  wake(queue: string): void {
    while (!this.storage.isPaused(queue)) {
      const waiter = this.waiters.first(queue);
      if (waiter === undefined) return;
      const job = this.storage.dequeue(queue);
      if (job === undefined) return;
      if (this.extension?.discardOnFetch(job, this.clock.now())) continue;
      this.waiters.remove(waiter);
      waiter.deliver(job);
    }
  }

  // ---- fetch / reserve -----------------------------------------------------------------

  /** Takes the first job from the first non-paused, non-empty queue, in the order given. */
  take(queues: readonly string[]): QueuedJob | undefined {
    for (const queue of queues) {
      if (this.storage.isPaused(queue)) continue;
      for (let job = this.storage.dequeue(queue); job !== undefined; job = this.storage.dequeue(queue))
        if (!this.extension?.discardOnFetch(job, this.clock.now())) return job;
    }
    return undefined;
  }

  /** Reserves a fetched job for `wid` and returns the bytes FETCH replies with. */
  reserve(job: QueuedJob, wid: string): string {
    const now = this.clock.now();
    const expiresAt = now + effectiveReserveFor(job.reserveFor) * 1000;
    this.storage.addReservation({ jid: job.jid, payload: job.payload, wid, reservedAt: now, expiresAt });
    this.reservationTimer.arm(expiresAt);
    this.extension?.onReserve(job);
    return job.payload;
  }

  /** ACK: ends a reservation and counts the job processed. Unknown jids are ignored. */
  ack(jid: string): void {
    const reservation = this.storage.removeReservation(jid);
    if (reservation === undefined) {
      this.logger.debug(`No such job to acknowledge ${jid}`);
      return;
    }
    this.count("processed");
    this.extension?.onAck(reservation);
  }

  /** FAIL: `false` when the jid is not reserved. */
  fail(jid: string, details: FailureDetails): boolean {
    const reservation = this.storage.removeReservation(jid);
    if (reservation === undefined) return false;
    this.failReservation(reservation, details);
    return true;
  }

  private count(name: "processed" | "failures"): void {
    this.storage.increment(name);
    const now = this.clock.now();
    // The day's counter keys, made again only when the (UTC) day changes.
    // (Written so that the first call, with dayStart still NaN, computes them too.)
    if (!(now >= this.dayStart && now < this.dayStart + DAY_MS)) {
      const today = day(now);
      this.dayStart = Date.parse(today);
      this.dayKeys.processed = `processed:${today}`;
      this.dayKeys.failures = `failures:${today}`;
    }
    this.storage.increment(this.dayKeys[name]);
  }

  /**
   * The failure path (FAIL and reservation expiry): counters, the failure record, then discard
   * (`retry` 0), the retry set (retries left) or the dead set.
   */
  private failReservation(reservation: Reservation, details: FailureDetails): void {
    this.count("processed");
    this.count("failures");
    const job = parseStoredJob(reservation.payload);
    const now = this.clock.now();
    let failure: JobFailure;
    if (job.failure === undefined) {
      failure = { failed_at: formatTimestamp(now), retry_count: 0, remaining: job.retry };
    } else {
      failure = { ...job.failure, retry_count: job.failure.retry_count + 1 };
      if (failure.remaining > 0) failure.remaining--;
    }
    failure.message = details.message;
    failure.errtype = details.errtype;
    if (details.backtrace.length > 0) failure.backtrace = details.backtrace;
    else delete failure.backtrace;
    job.failure = failure;

    const outcome: FailOutcome =
      job.retry === 0 ? "discarded" : failure.retry_count < job.retry ? "retry" : "dead";
    this.extension?.onFail(reservation, outcome);
    if (outcome === "discarded") {
      this.logger.debug(`Job ${job.jid} failed with retry 0: discarded`);
      return;
    }
    if (outcome === "retry") {
      const at = now + retryBackoffSeconds(failure.retry_count, this.random) * 1000;
      failure.next_at = formatTimestamp(at);
      this.storage.sortedSet("retries").add(at, job.jid, encodeJob(job));
      this.setTimers.retries.arm(at);
      return;
    }
    const at = now + DEAD_TTL_MS;
    this.storage.sortedSet("dead").add(at, job.jid, encodeJob(job));
    this.setTimers.dead.arm(at);
  }

  // ---- timers --------------------------------------------------------------------------

  private runSet(name: SetName): void {
    const started = performance.now();
    const stats = this.scanners[name];
    stats.cycles++;
    const set = this.storage.sortedSet(name);
    const now = this.clock.now();
    for (let entry = set.takeDue(now); entry !== undefined; entry = set.takeDue(now)) {
      stats.enqueued++;
      if (name === "dead") continue; // purged
      const job = parseStoredJob(entry.payload);
      const problem = queueNameProblem(job.queue);
      if (problem !== undefined) {
        this.logger.warn(`Unable to process timed job ${job.jid}: ${problem}`);
        continue;
      }
      this.enqueue(job, now);
    }
    stats.wallMs += performance.now() - started;
    this.setTimers[name].arm(set.earliest()?.score);
  }

  private expireReservations(): void {
    const now = this.clock.now();
    for (let r = this.storage.earliestReservation(); r !== undefined && r.expiresAt <= now; ) {
      this.storage.removeReservation(r.jid);
      this.reservationsReaped++;
      this.logger.info(`Reservation of job ${r.jid} expired`);
      this.failReservation(r, {
        errtype: "ReservationExpired",
        message: "Faktory job reservation expired",
        backtrace: [],
      });
      r = this.storage.earliestReservation();
    }
    this.reservationTimer.arm(this.storage.earliestReservation()?.expiresAt);
  }

  private reapWorkers(): void {
    const before = this.workers.reaped;
    const next = this.workers.reap(this.clock.now());
    if (this.workers.reaped > before)
      this.logger.info(
        `Reaped ${this.workers.reaped - before} silent worker(s); workers must BEAT every 15 s`,
      );
    this.workerTimer.arm(next);
  }

  // ---- queues, flush -------------------------------------------------------------------

  /** FLUSH: empties the storage (queues are forgotten too, unlike the reference). */
  flush(): void {
    this.logger.info("Flushing dataset");
    this.storage.flush();
    for (const timer of Object.values(this.setTimers)) timer.cancel();
    this.reservationTimer.cancel();
  }

  /** Expands `*` to every known queue. */
  private expand(names: readonly string[]): string[] {
    return names.includes("*") ? this.storage.queueNames() : [...names];
  }

  /** QUEUE PAUSE: known queues only. */
  pause(names: readonly string[]): void {
    for (const name of this.expand(names)) if (this.storage.hasQueue(name)) this.storage.pauseQueue(name);
  }

  /** QUEUE RESUME: known queues only; blocked FETCH calls get their jobs at once. */
  resume(names: readonly string[]): void {
    for (const name of this.expand(names))
      if (this.storage.hasQueue(name)) {
        this.storage.resumeQueue(name);
        this.wake(name);
      }
  }

  /** QUEUE REMOVE: deletes queues and their jobs. */
  remove(names: readonly string[]): void {
    for (const name of this.expand(names)) this.storage.removeQueue(name);
  }

  /** QUEUE LATENCY: seconds (to the µs) since the oldest job of each queue was enqueued (0 when empty). */
  latency(names: readonly string[]): Record<string, number> {
    const now = this.clock.now();
    const out: Record<string, number> = {};
    for (const name of names) {
      const oldest = this.storage.oldest(name);
      const at =
        oldest === undefined ? undefined : parseTimestamp(parseStoredJob(oldest.payload).enqueued_at);
      out[name] = at === undefined ? 0 : Math.round((now - at) * 1000) / 1e6;
    }
    return out;
  }

  // ---- INFO ----------------------------------------------------------------------------

  /** The INFO document, fields in the reference's order. */
  info(): FaktoryInfo {
    const now = this.clock.now();
    const queues: Record<string, number> = {};
    let totalEnqueued = 0;
    const names = this.storage.queueNames();
    for (const name of names) {
      const size = this.storage.queueSize(name);
      queues[name] = size;
      totalEnqueued += size;
    }
    const sets = {
      dead: this.storage.sortedSet("dead").size(),
      retries: this.storage.sortedSet("retries").size(),
      scheduled: this.storage.sortedSet("scheduled").size(),
      working: this.storage.reservationCount(),
    };
    const scanner = (name: SetName): InfoScannerTask => {
      const s = this.scanners[name];
      return {
        cycles: s.cycles,
        enqueued: s.enqueued,
        size: sets[name],
        wall_time_sec: Math.round(s.wallMs * 1000) / 1e6,
      };
    };
    return {
      now: formatTimestamp(now),
      server_utc_time: `${new Date(now).toISOString().slice(11, 19)} UTC`,
      faktory: {
        queues,
        sets,
        tasks: {
          Busy: { reaped: this.reservationsReaped, size: sets.working },
          Dead: scanner("dead"),
          Retries: scanner("retries"),
          Scheduled: scanner("scheduled"),
          Workers: { reaped: this.workers.reaped, size: this.workers.size },
        },
        total_failures: this.storage.counter("failures"),
        total_processed: this.storage.counter("processed"),
        total_enqueued: totalEnqueued,
        total_queues: names.length,
      },
      server: {
        description: this.extension?.description ?? "Faktory",
        faktory_version: FAKTORY_VERSION,
        uptime: Math.max(0, Math.floor((now - this.startedAt) / 1000)),
        connections: this.connections,
        command_count: this.commandCount,
        used_memory_mb: Math.round(process.memoryUsage.rss() / 1048576),
      },
    };
  }
}
