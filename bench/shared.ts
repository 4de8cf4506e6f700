/**
 * Types and helpers shared by the benchmark's processes: the orchestrator (run.ts), the server
 * child (server-process.ts), the per-library scenario child (scenario-process.ts) and the
 * mixed-load child (load-process.ts). Parent and children talk over the fork() IPC channel.
 */

/** The two libraries measured side by side. */
export type LibName = "faktory-ts" | "faktory-worker";
export const LIBS: readonly LibName[] = ["faktory-ts", "faktory-worker"];

/** The job type every benchmark job uses; its handler does nothing (or sleeps, for memory). */
export const JOB_TYPE = "BenchNoop";

/** One measurement a scenario child performs with one library. */
export type ScenarioSpec =
  | { kind: "push-seq"; url: string; queue: string; n: number; warmup: number }
  | { kind: "push-conc"; url: string; queue: string; n: number; warmup: number; inFlight: number }
  | { kind: "push-bulk"; url: string; queue: string; n: number; warmup: number; batch: number }
  /** The queue is pre-filled with n jobs (args `[i]`) before the child starts its worker. */
  | { kind: "process"; url: string; queue: string; n: number; concurrency: number }
  /** The child pushes one job (args `[i, sentAt]`) every intervalMs to its own idle worker. */
  | { kind: "latency"; url: string; queue: string; n: number; concurrency: number; intervalMs: number }
  /**
   * The child starts a worker, samples its RSS while idle for idleMs, then the parent pushes n
   * jobs whose handler sleeps handlerMs, and the child samples RSS while they run.
   */
  | {
      kind: "memory";
      url: string;
      queue: string;
      n: number;
      concurrency: number;
      idleMs: number;
      handlerMs: number;
    };

export type ScenarioKind = ScenarioSpec["kind"];

/** Exactly-once bookkeeping of a processing run: jobs run 0 times, and more than once. */
export interface DeliveryCheck {
  expected: number;
  missing: number;
  duplicated: number;
  /** Handler calls whose job was not one of ours (wrong args, foreign queue content). */
  foreign: number;
}

export type ScenarioResult =
  | { kind: "push"; n: number; elapsedMs: number; rejected: number; unsupported?: string }
  /** cpuUs: the worker process's CPU time (user + system) from the first handler start to the end. */
  | { kind: "process"; check: DeliveryCheck; firstStartAt: number; cpuUs: number }
  | { kind: "latency"; check: DeliveryCheck; latenciesMs: number[] }
  | { kind: "memory"; check: DeliveryCheck; idleRssBytes: number[]; busyRssBytes: number[] }
  | { kind: "unsupported"; reason: string };

/** Parent → scenario child. */
export type ToScenario =
  | { type: "run"; lib: LibName; spec: ScenarioSpec }
  /** All jobs are acknowledged on the server: stop the worker and report. */
  | { type: "finish" };

/** Scenario child → parent. */
export type FromScenario =
  | { type: "progress"; done: number; total: number }
  /** The memory scenario's idle phase is over: the parent may push the jobs. */
  | { type: "idle-done" }
  /** Every job's handler has started (`at`: absolute time of the first one). */
  | { type: "handled-all"; firstStartAt: number }
  | { type: "result"; result: ScenarioResult }
  | { type: "error"; message: string };

/** Server child → parent. */
export type FromServer =
  | { type: "ready"; url: string }
  | { type: "error"; message: string }
  /** Reply to `{type:"cpu"}`: the server process's `process.cpuUsage()` (µs since it started). */
  | { type: "cpu"; userUs: number; systemUs: number };

/** Parent → server child: asks for its CPU time so far. */
export type ToServer = { type: "cpu" };

/** Parent → load child. */
export interface LoadSpec {
  url: string;
  jobs: number;
  threads: number;
  queuePrefix: string;
}

export interface LoadResult {
  jobs: number;
  pushes: number;
  pops: number;
  fails: number;
  elapsedMs: number;
  check: DeliveryCheck;
}

export type FromLoad =
  | { type: "progress"; done: number; total: number }
  | { type: "result"; result: LoadResult }
  | { type: "error"; message: string };

/**
 * Absolute high-resolution time in ms, comparable between processes on one machine (both sides
 * of a measurement that spans processes use it).
 */
export function absNow(): number {
  return performance.timeOrigin + performance.now();
}

/** `q`-quantile (0..1) of the values, by nearest rank. NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/**
 * Counts handler calls per job index and turns them into a {@link DeliveryCheck}. Jobs carry
 * their index as `args[0]` and their run tag as `args[1]` ...
 */
export class DeliveryCounter {
  private readonly counts: Uint16Array;
  private foreign = 0;
  handled = 0;

  constructor(readonly expected: number) {
    this.counts = new Uint16Array(expected);
  }

  /** Records one handler call for the job with this index; false for a job that is not ours. */
  record(index: unknown): boolean {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= this.expected) {
      this.foreign++;
      return false;
    }
    const c = this.counts[index]!;
    if (c < 65535) this.counts[index] = c + 1;
    this.handled++;
    return true;
  }

  check(): DeliveryCheck {
    let missing = 0;
    let duplicated = 0;
    for (const c of this.counts) {
      if (c === 0) missing++;
      else if (c > 1) duplicated++;
    }
    return { expected: this.expected, missing, duplicated, foreign: this.foreign };
  }
}

/** True when every job ran exactly once and nothing else ran. */
export function deliveryOk(check: DeliveryCheck): boolean {
  return check.missing === 0 && check.duplicated === 0 && check.foreign === 0;
}

export function describeCheck(check: DeliveryCheck): string {
  return `${check.expected} jobs: ${check.missing} never ran, ${check.duplicated} ran more than once, ${check.foreign} foreign`;
}

/** Parent → memory-benchmark server child (memory-process.ts). */
export type ToMemoryServer = { type: "measure"; settleMs: number };

/** Memory-benchmark server child → parent: its memory after full collections (bytes). */
export type FromMemoryServer =
  | FromServer
  | {
      type: "memory";
      rss: number;
      heapUsed: number;
      heapTotal: number;
      external: number;
      arrayBuffers: number;
    };

/** For a server child: closes the server, then exits, when the parent disconnects or sends SIGTERM. */
export function closeOnParentExit(close: () => Promise<void>): void {
  const stop = (): void => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
}
