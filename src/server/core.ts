/**
 * The server's job engine, independent of the network: pushing, enqueueing (with immediate
 * hand-off to blocked FETCH calls), reserving, acknowledging, the failure → retry → dead path,
 * the timers for scheduled jobs, retries, the dead-set purge, reservation expiry and worker
 * reaping, and queue control. The INFO document is in info.ts, the failure record in failure.ts.
 * @module
 */
import {
  effectiveReserveFor,
  type FaktoryInfo,
  findJobProblem,
  formatTimestamp,
  parseTimestamp,
  timedJobProblem,
} from "../protocol/index.js";
import type { Clock } from "./clock.js";
import { DayCounters } from "./day-counters.js";
import type { PushRefusal, ServerExtension } from "./extension.js";
import { applyFailure, type FailureDetails } from "./failure.js";
import { FetchWaiters } from "./fetch-waiters.js";
import { type ScannerStats, serverInfo } from "./info.js";
import { asProtocolJob, encodeJob, parseStoredJob, type ServerJob } from "./jobs/job-codec.js";
import type { Logger } from "./logger.js";
import type { QueuedJob, Reservation, SetName, Storage } from "./storage/storage.js";
import { DueTimer } from "./timers/due-timer.js";
import { WorkerRegistry } from "./workers.js";

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

  /** Statistics of the sorted sets' scanners (for INFO). */
  readonly scannerStats: Readonly<Record<SetName, ScannerStats>> = {
    scheduled: { cycles: 0, enqueued: 0, wallMs: 0 },
    retries: { cycles: 0, enqueued: 0, wallMs: 0 },
    dead: { cycles: 0, enqueued: 0, wallMs: 0 },
  };
  /** Reservations that expired so far. */
  reservationsReaped = 0;

  private readonly random: () => number;
  private readonly counters: DayCounters;
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
    this.counters = new DayCounters(this.storage);
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
    this.counters.count("processed", this.clock.now());
    this.extension?.onAck(reservation);
  }

  /** FAIL: `false` when the jid is not reserved. */
  fail(jid: string, details: FailureDetails): boolean {
    const reservation = this.storage.removeReservation(jid);
    if (reservation === undefined) return false;
    this.failReservation(reservation, details);
    return true;
  }

  /**
   * The failure path (FAIL and reservation expiry): counters, the failure record, then discard
   * (`retry` 0), the retry set (retries left) or the dead set.
   */
  private failReservation(reservation: Reservation, details: FailureDetails): void {
    const now = this.clock.now();
    this.counters.count("processed", now);
    this.counters.count("failures", now);
    const job = parseStoredJob(reservation.payload);
    const { outcome, at } = applyFailure(job, details, now, this.random);
    this.extension?.onFail(reservation, outcome);
    if (outcome === "discarded") {
      this.logger.debug(`Job ${job.jid} failed with retry 0: discarded`);
      return;
    }
    const set = outcome === "retry" ? "retries" : "dead";
    this.storage.sortedSet(set).add(at, job.jid, encodeJob(job));
    this.setTimers[set].arm(at);
  }

  // ---- timers --------------------------------------------------------------------------

  private runSet(name: SetName): void {
    const started = performance.now();
    const stats = this.scannerStats[name];
    stats.cycles++;
    const set = this.storage.sortedSet(name);
    const now = this.clock.now();
    for (let entry = set.takeDue(now); entry !== undefined; entry = set.takeDue(now)) {
      if (name === "dead") {
        stats.enqueued++; // purged
        continue;
      }
      const job = parseStoredJob(entry.payload);
      // As the reference: a due job whose queue cannot exist is logged and dropped, not counted.
      const problem = timedJobProblem(job.queue);
      if (problem !== undefined) {
        this.logger.warn(`Unable to process timed job: ${problem}`);
        continue;
      }
      stats.enqueued++;
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

  /** Names of the paused queues, in storage order (the protocol has no command that tells). */
  pausedQueues(): string[] {
    return this.storage.queueNames().filter((q) => this.storage.isPaused(q));
  }

  /** QUEUE REMOVE: deletes queues and their jobs. */
  remove(names: readonly string[]): void {
    for (const name of this.expand(names)) this.storage.removeQueue(name);
  }

  /** QUEUE LATENCY: seconds (to the µs) since the oldest job of each queue was enqueued (0 when empty). */
  latency(names: readonly string[]): Record<string, number> {
    const now = this.clock.now();
    const out: Record<string, number> = Object.create(null); // "__proto__" stays a plain key
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
    return serverInfo(this);
  }
}
