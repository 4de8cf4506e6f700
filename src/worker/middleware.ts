/**
 * Middleware: functions wrapped around every job, outermost first (`use` order), like Koa.
 * @module
 */
import type { Job } from "../protocol/job.js";
import type { JobContext } from "./types.js";

/**
 * A function run around every job. Call `await next()` to run the rest of the chain (and
 * finally the handler); code before it runs before the job, code after it runs after. Throwing
 * (or letting the handler's error through) FAILs the job; catching the error and returning
 * normally ACKs it. Errors may be replaced (error mapping) by throwing another one.
 *
 * @example
 * ```ts
 * worker.use(async (job, ctx, next) => {
 *   const t = performance.now();
 *   try {
 *     await next();
 *   } finally {
 *     metrics.timing(`job.${job.jobtype}`, performance.now() - t);
 *   }
 * });
 * ```
 */
export type Middleware = (
  job: Job<readonly unknown[]>,
  ctx: JobContext,
  next: () => Promise<void>,
) => Promise<void> | void;

/**
 * Composes middleware around `last` (the handler call) into one function. Calling `next()`
 * twice in one middleware rejects with an Error.
 * @example
 * ```ts
 * const run = composeMiddleware([logging, timing], (job, ctx) => handler(job, ctx));
 * await run(job, ctx);
 * ```
 */
export function composeMiddleware(
  middleware: readonly Middleware[],
  last: (job: Job<readonly unknown[]>, ctx: JobContext) => Promise<void>,
): (job: Job<readonly unknown[]>, ctx: JobContext) => Promise<void> {
  const chain = [...middleware];
  return (job, ctx) => {
    let index = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= index) throw new Error("next() called more than once in one middleware");
      index = i;
      const fn = chain[i];
      if (fn === undefined) return last(job, ctx);
      await fn(job, ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
