/**
 * Runs one job through the middleware chain and its handler, and turns any outcome (return,
 * throw, rejection, non-Error throw, missing handler, invalid args) into a value: it never
 * throws.
 * @module
 */
import type { Job } from "../protocol/job.js";
import { type JobSchemas, validateArgs } from "../protocol/job-types.js";
import { NoHandlerError } from "./errors.js";
import { composeMiddleware, type Middleware } from "./middleware.js";
import type { JobContext, JobHandler } from "./types.js";

/** How a job ended: the handler returned, or it (or a middleware) threw `error`. */
export type JobOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * The handlers and middleware of a worker.
 * @example
 * ```ts
 * const runner = new HandlerRunner(undefined);
 * runner.register("Hello", async (job) => console.log(job.args));
 * const outcome = await runner.run(job, ctx); // { ok: true } or { ok: false, error }
 * ```
 */
export class HandlerRunner {
  private readonly handlers = new Map<string, JobHandler<readonly unknown[]>>();
  private readonly middleware: Middleware[] = [];
  private chain: ((job: Job<readonly unknown[]>, ctx: JobContext) => Promise<void>) | undefined;

  constructor(private readonly schemas: JobSchemas | undefined) {}

  /** Sets the handler of `jobtype` (replacing any earlier one). */
  register(jobtype: string, handler: JobHandler<readonly unknown[]>): void {
    this.handlers.set(jobtype, handler);
  }

  /** Whether `jobtype` has a handler. */
  has(jobtype: string): boolean {
    return this.handlers.has(jobtype);
  }

  /** The registered job types. */
  jobtypes(): string[] {
    return [...this.handlers.keys()];
  }

  /** Appends a middleware (the first added is the outermost). */
  use(middleware: Middleware): void {
    this.middleware.push(middleware);
    this.chain = undefined;
  }

  /** Runs `job`; resolves with its outcome, never rejects. */
  async run(job: Job<readonly unknown[]>, ctx: JobContext): Promise<JobOutcome> {
    this.chain ??= composeMiddleware(this.middleware, (j, c) => this.callHandler(j, c));
    try {
      await this.chain(job, ctx);
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private async callHandler(job: Job<readonly unknown[]>, ctx: JobContext): Promise<void> {
    const handler = this.handlers.get(job.jobtype);
    if (handler === undefined) throw new NoHandlerError(job.jobtype);
    const raw = Array.isArray(job.args) ? job.args : [];
    const args = await validateArgs(this.schemas, job.jobtype, raw);
    await handler(args === job.args ? job : { ...job, args }, ctx);
  }
}
