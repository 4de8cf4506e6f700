/** Types of the chaos harness (harness.mjs), for the TypeScript test that runs its short form. */

/** Settings of {@link runChaos}; every field has a default in {@link CHAOS_DEFAULTS}. */
export interface ChaosOptions {
  /** Jobs pushed in the fault phase. */
  jobs: number;
  /** In-process producer clients (even ones use pushBulk, odd ones push). */
  producers: number;
  /** Worker processes. */
  workers: number;
  /** Jobs in flight per worker process. */
  concurrency: number;
  /** Jobs per push round of one producer. */
  batch: number;
  /** Mean time between random cuts of the proxy. */
  cutEveryMs: number;
  /** Chance that a command line gets its connection cut just before or just after it is sent. */
  lineCutChance: number;
  /** Largest piece the proxy splits a chunk into. */
  splitMax: number;
  /** Largest delay of one piece. */
  delayMaxMs: number;
  /** How often the proxy refuses new connections (and cuts live ones) during the fault phase. */
  refuseEveryMs: number;
  /** How long each refusal lasts. */
  refuseForMs: number;
  /** How long the server stays down in the restart phase. */
  restartDownMs: number;
  /** Jobs pushed after the restart, all of which must run. */
  restartJobs: number;
  /** No progress for this long means "settled" while draining. */
  quietMs: number;
  /** Hard bound of the whole run. */
  timeoutMs: number;
  /** Seed of the proxy's random faults. */
  seed: number;
  /** Progress lines (absent: silent). */
  log?: ((message: string) => void) | undefined;
}

/** The outcome of one phase. */
export interface ChaosPhase {
  name: "faults" | "restart";
  pushed: number;
  pushLinesResent: number;
  executed: number;
  distinct: number;
  acknowledged: number;
  serverProcessed: number;
  serverFailures: number;
  reservationsExpired: number;
  duplicated: number;
  duplicatedByResentPush: number;
  duplicatedByLostAck: number;
  lost: number;
  leftovers: Record<string, number>;
  cuts: number;
  ms: number;
  lineCutsBeforeSend?: number;
  lineCutsBeforeReply?: number;
  refusalWindows?: number;
  refusedConnections?: number;
  proxyConnections?: number;
  orphanedReservations?: number;
  clockJumps?: number;
  serverRestarts?: number;
}

/** The report of {@link runChaos}. */
export interface ChaosResult {
  options: Omit<ChaosOptions, "log">;
  phases: ChaosPhase[];
  /** Every failed check, crash or escaped error; empty when the run passed. */
  problems: string[];
  /** Crashes, unhandled rejections and escaped 'error' events of the worker processes. */
  faults: string[];
  totals: { cuts: number; refusedConnections: number; executions: number; ms: number };
  ok: boolean;
}

export const CHAOS_DEFAULTS: Readonly<Omit<ChaosOptions, "log">>;

/** Runs the chaos scenario against the built library in dist/. */
export function runChaos(options?: Partial<ChaosOptions>): Promise<ChaosResult>;

/** The report as a text table. */
export function formatChaosTable(result: ChaosResult): string;
