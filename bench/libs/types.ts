/** What the benchmark needs from a Faktory library; one adapter per library. */

/** Pushes benchmark jobs (job type {@link JOB_TYPE}) to one queue. */
export interface Producer {
  push(queue: string, args: unknown[]): Promise<void>;
  /** Pushes the jobs in ONE bulk call; resolves with how many the server refused. */
  pushBulk?(queue: string, argsList: unknown[][]): Promise<number>;
  close(): Promise<void>;
}

/** A job handler: gets the job's args; may be async. */
export type Handler = (args: readonly unknown[]) => void | Promise<void>;

export interface WorkerOptions {
  url: string;
  queue: string;
  concurrency: number;
  handler: Handler;
  /** Called with any error the library reports outside a job (it fails the run). */
  onError: (err: unknown) => void;
}

/** A running worker. `stop()` lets jobs in flight finish and acknowledges them. */
export interface RunningWorker {
  stop(): Promise<void>;
}

export interface BenchLibrary {
  connectProducer(url: string): Promise<Producer>;
  /** Starts a worker; undefined when the library has none (yet). */
  startWorker(options: WorkerOptions): Promise<RunningWorker | undefined>;
}
