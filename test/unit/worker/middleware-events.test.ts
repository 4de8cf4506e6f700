import { describe, expect, it, vi } from "vitest";
import type { Job } from "../../../src/protocol/job.js";
import { composeMiddleware, type JobContext, TypedEmitter } from "../../../src/worker/index.js";

const job: Job<readonly unknown[]> = { jid: "jid-00001", jobtype: "T", args: [] };
const ctx = {} as JobContext;

describe("composeMiddleware", () => {
  it("runs outermost first and unwinds in reverse", async () => {
    const order: string[] = [];
    const run = composeMiddleware(
      [
        async (_j, _c, next) => {
          order.push("1>");
          await next();
          order.push("<1");
        },
        (_j, _c, next) => {
          order.push("2>");
          return next().then(() => {
            order.push("<2");
          });
        },
      ],
      async () => {
        order.push("handler");
      },
    );
    await run(job, ctx);
    expect(order).toEqual(["1>", "2>", "handler", "<2", "<1"]);
  });

  it("lets a middleware skip the handler, swallow or replace errors", async () => {
    const handler = vi.fn(async () => {
      throw new Error("inner");
    });
    await composeMiddleware([async () => {}], handler)(job, ctx);
    expect(handler).not.toHaveBeenCalled();
    await expect(
      composeMiddleware(
        [
          async (_j, _c, next) => {
            await next().catch(() => {});
          },
        ],
        handler,
      )(job, ctx),
    ).resolves.toBeUndefined();
    await expect(
      composeMiddleware(
        [
          async (_j, _c, next) => {
            await next().catch((e: Error) => {
              throw new TypeError(`mapped ${e.message}`);
            });
          },
        ],
        handler,
      )(job, ctx),
    ).rejects.toThrow("mapped inner");
  });

  it("rejects next() called twice", async () => {
    const run = composeMiddleware(
      [
        async (_j, _c, next) => {
          await next();
          await next();
        },
      ],
      async () => {},
    );
    await expect(run(job, ctx)).rejects.toThrow(/more than once/);
  });
});

describe("TypedEmitter", () => {
  type Events = { a: { n: number }; b: string };

  it("calls listeners in order, supports off, once and listenerCount", () => {
    const events = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = events.on("a", ({ n }) => seen.push(`on ${n}`));
    events.once("a", ({ n }) => seen.push(`once ${n}`));
    events.on("b", (s) => seen.push(s));
    expect(events.listenerCount("a")).toBe(2);
    events.emit("a", { n: 1 });
    events.emit("a", { n: 2 });
    off();
    events.emit("a", { n: 3 });
    events.emit("b", "text");
    expect(seen).toEqual(["on 1", "once 1", "on 2", "text"]);
    expect(events.listenerCount("a")).toBe(0);
  });

  it("isolates a throwing listener", () => {
    const errors: unknown[] = [];
    const events = new TypedEmitter<Events>((e, name) => errors.push([name, (e as Error).message]));
    const after = vi.fn();
    events.on("b", () => {
      throw new Error("listener broke");
    });
    events.on("b", after);
    expect(() => events.emit("b", "x")).not.toThrow();
    expect(after).toHaveBeenCalledWith("x");
    expect(errors).toEqual([["b", "listener broke"]]);
  });

  it("emits with no listeners, including error", () => {
    const events = new TypedEmitter<{ error: Error }>();
    expect(() => events.emit("error", new Error("nobody listens"))).not.toThrow();
  });
});
