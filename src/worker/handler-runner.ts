/**
 * Runs one job through the middleware chain and its handler, and turns any outcome (return,
 * throw, rejection, non-Error throw, missing handler, invalid args) into a value: it never
 * throws.
 * @module
 */
import type { Job } from "../protocol/job.js";
import { type JobSchemas, schemaFor, validateArgs } from "../protocol/job-types.js";
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
    try {
      if (this.middleware.length === 0) await this.callHandler(job, ctx);
      else {
        this.chain ??= composeMiddleware(this.middleware, async (j, c) => {
          await this.callHandler(j, c);
        });
        await this.chain(job, ctx);
      }
      return OK_OUTCOME;
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Calls the handler; returns its result (awaited by the caller) or throws what it throws. */
  private callHandler(job: Job<readonly unknown[]>, ctx: JobContext): unknown {
    const handler = this.handlers.get(job.jobtype);
    if (handler === undefined) throw new NoHandlerError(job.jobtype);
    if (schemaFor(this.schemas, job.jobtype) === undefined) return handler(job, ctx);
    return this.validatedCall(handler, job, ctx);
  }

  private async validatedCall(
    handler: JobHandler<readonly unknown[]>,
    job: Job<readonly unknown[]>,
    ctx: JobContext,
  ): Promise<void> {
    const raw = Array.isArray(job.args) ? job.args : [];
    const args = await validateArgs(this.schemas, job.jobtype, raw);
    await handler(args === job.args ? job : { ...job, args }, ctx);
  }
}

/** The outcome of every job that succeeded (one frozen object, not one per job). */
const OK_OUTCOME: JobOutcome = Object.freeze({ ok: true });
