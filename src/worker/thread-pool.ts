/**
 * A pool of `node:worker_threads` threads running one CPU-bound handler module, so heavy jobs
 * do not block the event loop (heartbeats, other jobs, ACKs keep flowing).
 * @module
 */
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker as Thread } from "node:worker_threads";
import type { Job } from "../protocol/job.js";

/**
 * The code each thread runs (CommonJS, evaluated): it imports the handler module once, then
 * runs one task per message and posts back the result or a serialised error.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const loaded = import(workerData.moduleUrl).then((m) => {
  const fn = typeof m.default === "function" ? m.default
    : typeof m.handler === "function" ? m.handler
    : m.default && typeof m.default.default === "function" ? m.default.default : undefined;
  if (fn === undefined) throw new TypeError("module " + workerData.moduleUrl + " has no default export function (nor a 'handler' export)");
  return fn;
});
loaded.catch(() => {});
function serialize(e, depth) {
  if (e instanceof Error || (e && typeof e === "object" && typeof e.message === "string")) {
    const out = { name: e.name, ctor: e.constructor && e.constructor.name, message: String(e.message), stack: typeof e.stack === "string" ? e.stack : undefined };
    if (e.cause !== undefined && depth < 8) out.cause = serialize(e.cause, depth + 1);
    return out;
  }
  let text;
  try { text = typeof e === "string" ? e : JSON.stringify(e); } catch { text = String(e); }
  return { nonError: true, message: text === undefined ? String(e) : text };
}
parentPort.on("message", async (task) => {
  try {
    const fn = await loaded;
    await fn(task.args, task.job);
    parentPort.postMessage({ id: task.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: task.id, ok: false, error: serialize(e, 0) });
  }
});
`;

/** An error as it crosses the thread boundary. */
interface SerializedError {
  name?: string;
  ctor?: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
  nonError?: boolean;
}

interface ThreadMessage {
  id: number;
  ok: boolean;
  error?: SerializedError;
}

interface Task {
  id: number;
  args: readonly unknown[];
  job: Job<readonly unknown[]>;
  signal: AbortSignal | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
}

interface PoolThread {
  thread: Thread;
  task: Task | undefined;
}

/**
 * Options of {@link ThreadPool} and `worker.registerThreaded`.
 * @example
 * ```ts
 * worker.registerThreaded("Hash", "./hash-job.js", { threads: 4 });
 * ```
 */
export interface ThreadPoolOptions {
  /** Most threads running at once (default 1). Tasks beyond it wait in order. */
  threads?: number;
}

/**
 * Turns a module path or URL into the URL a thread imports.
 * @example
 * ```ts
 * moduleUrlOf("./jobs/hash.js"); // "file:///app/jobs/hash.js"
 * moduleUrlOf(new URL("./hash.js", import.meta.url));
 * ```
 */
export function moduleUrlOf(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^(file|data):/.test(module)) return module;
  return pathToFileURL(resolvePath(module)).href;
}

/**
 * Rebuilds an Error from its serialised form (name, message, stack, cause).
 * @example
 * ```ts
 * deserializeError({ name: "TypeError", message: "x" }); // an Error named TypeError
 * ```
 */
export function deserializeError(data: SerializedError): unknown {
  if (data.nonError === true) return data.message;
  const error = new Error(data.message);
  const name = data.name === "Error" && data.ctor !== undefined && data.ctor !== "" ? data.ctor : data.name;
  Object.defineProperty(error, "name", { value: name ?? "Error", configurable: true, writable: true });
  if (data.stack !== undefined) error.stack = data.stack;
  if (data.cause !== undefined) error.cause = deserializeError(data.cause);
  return error;
}

/**
 * Runs a handler module's default export `(args, job) => result` in worker threads. Threads
 * start on demand and stay for the next task; idle threads do not keep the process alive.
 * Aborting a task's signal terminates its thread (the only way to stop CPU-bound code) and
 * rejects with the signal's reason.
 *
 * @example
 * ```ts
 * const pool = new ThreadPool(new URL("./resize.js", import.meta.url), { threads: 4 });
 * await pool.run(["a.png", 200], job, ctx.signal);
 * await pool.close();
 * ```
 */
export class ThreadPool {
  /** The module URL the threads import. */
  readonly moduleUrl: string;
  private readonly size: number;
  private readonly threads: PoolThread[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(module: string | URL, options: ThreadPoolOptions = {}) {
    this.moduleUrl = moduleUrlOf(module);
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be a positive integer, got ${String(threads)}`);
    this.size = threads;
  }

  /** Threads alive right now. */
  get threadCount(): number {
    return this.threads.length;
  }

  /** Runs one task; resolves when the handler returns, rejects with its (rebuilt) error. */
  run(args: readonly unknown[], job: Job<readonly unknown[]>, signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new Error("thread pool is closed"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const task: Task = { id: this.nextId++, args, job, signal, resolve, reject };
      if (signal !== undefined) {
        task.onAbort = () => this.abort(task, signal.reason);
        signal.addEventListener("abort", task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Terminates every thread; waiting and running tasks reject. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new Error("thread pool closed");
    for (const task of this.queue.splice(0)) this.settle(task, error);
    await Promise.all(
      this.threads.splice(0).map(async (pt) => {
        if (pt.task !== undefined) this.settle(pt.task, error);
        await pt.thread.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let pt = this.threads.find((t) => t.task === undefined);
      if (pt === undefined) {
        if (this.threads.length >= this.size) return;
        pt = this.spawn();
      }
      const task = this.queue.shift()!;
      pt.task = task;
      pt.thread.ref();
      pt.thread.postMessage({ id: task.id, args: task.args, job: task.job });
    }
  }

  private spawn(): PoolThread {
    const thread = new Thread(THREAD_SOURCE, { eval: true, workerData: { moduleUrl: this.moduleUrl } });
    const pt: PoolThread = { thread, task: undefined };
    thread.on("message", (msg: ThreadMessage) => {
      const task = pt.task;
      if (task === undefined || task.id !== msg.id) return;
      pt.task = undefined;
      thread.unref();
      if (msg.ok) this.settle(task, undefined);
      else this.settle(task, deserializeError(msg.error ?? { message: "unknown error in thread" }));
      this.dispatch();
    });
    const die = (error: unknown): void => {
      const i = this.threads.indexOf(pt);
      if (i < 0) return;
      this.threads.splice(i, 1);
      if (pt.task !== undefined) this.settle(pt.task, error);
      pt.task = undefined;
      if (!this.closed) this.dispatch();
    };
    thread.on("error", (err) => die(err));
    thread.on("exit", (code) => die(new Error(`handler thread exited with code ${code}`)));
    thread.unref();
    this.threads.push(pt);
    return pt;
  }

  private abort(task: Task, reason: unknown): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, reason);
      return;
    }
    const pt = this.threads.find((t) => t.task === task);
    if (pt === undefined) return;
    const i = this.threads.indexOf(pt);
    this.threads.splice(i, 1);
    pt.task = undefined;
    this.settle(task, reason);
    void pt.thread.terminate().catch(() => {});
    this.dispatch();
  }

  private settle(task: Task, error: unknown): void {
    if (task.onAbort !== undefined) task.signal?.removeEventListener("abort", task.onAbort);
    if (error === undefined) task.resolve();
    else task.reject(error);
  }
}
