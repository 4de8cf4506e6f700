/**
 * A small typed event emitter and the worker's events.
 * @module
 */
import type { Job } from "../protocol/job.js";
import type { FailPayload, WorkerState } from "../protocol/messages.js";
import type { StopDetails } from "./types.js";

/**
 * The worker's events and their payloads.
 * @example
 * ```ts
 * worker.on("job:failure", ({ job, error, durationMs }) => log(job.jid, error, durationMs));
 * worker.on("stopped", ({ reason, graceful }) => console.log(reason, graceful));
 * ```
 */
export interface WorkerEvents {
  /** A job was fetched and is about to run. */
  "job:start": { job: Job<readonly unknown[]>; slot: number };
  /** A job's handler finished; its ACK is being sent. */
  "job:success": { job: Job<readonly unknown[]>; slot: number; durationMs: number };
  /** A job failed (threw, had no handler, invalid args, or was abandoned); its FAIL is being sent. */
  "job:failure": {
    job: Job<readonly unknown[]>;
    slot: number;
    durationMs: number;
    error: unknown;
    fail: FailPayload;
  };
  /** A recoverable problem: lost connection, refused result, failing BEAT, throwing listener. */
  error: { error: Error; where: string };
  /** A BEAT was answered. */
  beat: { state: WorkerState; rssKb: number };
  /** The worker stopped fetching (server `quiet` or `worker.quiet()`). */
  quiet: { source: "server" | "local" };
  /** The worker began stopping (server `terminate`, or a local shutdown / signal). */
  terminate: { source: "server" | "local" };
  /** The worker stopped; `run()` resolves with the same details. */
  stopped: StopDetails;
}

/**
 * A listener of event `K` of the event map `E`.
 * @example
 * ```ts
 * const onStop: Listener<WorkerEvents, "stopped"> = (d) => console.log(d.reason);
 * ```
 */
export type Listener<E, K extends keyof E> = (payload: E[K]) => void;

/**
 * A minimal typed event emitter. Listeners run synchronously in registration order; one that
 * throws is reported to `onListenerError` and never disturbs the emitter or other listeners.
 * @example
 * ```ts
 * const events = new TypedEmitter<{ tick: { n: number } }>();
 * const off = events.on("tick", ({ n }) => console.log(n));
 * events.emit("tick", { n: 1 });
 * off();
 * ```
 */
export class TypedEmitter<E> {
  private readonly listeners = new Map<keyof E, Set<(payload: never) => void>>();

  constructor(private readonly onListenerError: (error: unknown, event: keyof E) => void = () => {}) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once; returns a function that removes it. */
  once<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    const wrapper: Listener<E, K> = (payload) => {
      off();
      listener(payload);
    };
    const off = this.on(event, wrapper);
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof E>(event: K, listener: Listener<E, K>): void {
    this.listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener of `event` with `payload`. */
  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E, K>)(payload);
      } catch (err) {
        try {
          this.onListenerError(err, event);
        } catch {
          // nothing more to do
        }
      }
    }
  }
}
