/**
 * The process signals a worker's main loop obeys (`Worker.runToCompletion`): SIGTERM and SIGINT
 * stop it (a second one forces the stop), SIGTSTP makes it quiet.
 * @module
 */
import type { WorkerLogger } from "./logger.js";

/** What the signal handlers drive. */
export interface SignalTarget {
  /** Whether a stop has already begun (then a stop signal forces it). */
  isStopping(): boolean;
  /** Starts a graceful stop, or a forced one (`timeoutMs: 0`). */
  shutdown(options: { timeoutMs?: number }): unknown;
  /** Stops fetching new jobs. */
  quiet(): void;
}

/**
 * Listens to SIGTERM, SIGINT and (except on Windows) SIGTSTP for `target`; returns a function
 * that removes the listeners.
 * @example
 * ```ts
 * const off = listenToProcessSignals(target, logger);
 * try { await work; } finally { off(); }
 * ```
 */
export function listenToProcessSignals(target: SignalTarget, logger: WorkerLogger): () => void {
  const onStop = (signal: NodeJS.Signals): void => {
    const force = target.isStopping();
    logger.info(`received ${signal}: ${force ? "stopping now" : "shutting down gracefully"}`);
    void target.shutdown(force ? { timeoutMs: 0 } : {});
  };
  const onQuiet = (signal: NodeJS.Signals): void => {
    logger.info(`received ${signal}: going quiet`);
    target.quiet();
  };
  const signals: [NodeJS.Signals, (signal: NodeJS.Signals) => void][] = [
    ["SIGTERM", onStop],
    ["SIGINT", onStop],
  ];
  if (process.platform !== "win32") signals.push(["SIGTSTP", onQuiet]);
  for (const [signal, listener] of signals) process.on(signal, listener);
  return () => {
    for (const [signal, listener] of signals) process.off(signal, listener);
  };
}
