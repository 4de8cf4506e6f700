/**
 * Issue 16: a server restart must not lose an ACK. A worker with 20 slots works through 2,000
 * jobs; with 20 of them running, the server stops (gracefully, so the results sent right then are
 * answered `-ERR shutdown in progress`) and starts again on the same port and the same data.
 * Every job must run exactly once and be ACKed exactly once, nothing may stay reserved, and Node
 * must print no warning.
 *
 * Against an external server (FAKTORY_URL) the test needs FAKTORY_RESTART_CMD, a shell command
 * that restarts that server on its data (e.g. `docker restart faktory`); it is skipped otherwise.
 */
import { exec } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client } from "../../../src/client/index.js";
import { exponentialBackoff } from "../../../src/connection/retry.js";
import { type FaktoryServer, MemoryStorage, startServer } from "../../../src/server/index.js";
import { Worker } from "../../../src/worker/index.js";
import { EXTERNAL_URL, uniqueQueue } from "../../support/server.js";
import { deferred, until } from "./helpers.js";

const RESTART_CMD = process.env["FAKTORY_RESTART_CMD"];
const runs = EXTERNAL_URL === undefined || RESTART_CMD !== undefined ? it : it.skip;

const JOBS = 2000;
const CONCURRENCY = 20;
const RESTART_AFTER = 500;

/** A server the test can restart: the embedded one (same port, same storage) or an external one. */
interface Restartable {
  readonly url: string;
  /** Begins the stop; `stopping` resolves once it has begun, `done` once the server is back. */
  restart(): { stopping: Promise<void>; done: Promise<void> };
  /** Reserved jobs right now (INFO `working`). */
  working(): Promise<number>;
  close(): Promise<void>;
}

/** Where the embedded server keeps its data across the restart. */
type Kind = "memory" | "durable";

async function restartable(client: () => Client, kind: Kind): Promise<Restartable> {
  if (EXTERNAL_URL !== undefined) {
    return {
      url: EXTERNAL_URL,
      restart: () => {
        const done = promisify(exec)(RESTART_CMD!).then(() => {});
        return { stopping: Promise.resolve(), done };
      },
      working: async () => (await client().info()).faktory.sets.working ?? 0,
      close: async () => {},
    };
  }
  // memory: the same Storage object is handed to the new server; durable: the same data folder
  // is opened again by the new server, so only what was committed survives.
  const memory = kind === "memory" ? new MemoryStorage() : undefined;
  const dir = kind === "durable" ? mkdtempSync(join(tmpdir(), "faktory-restart-")) : undefined;
  const storage = memory ?? { path: dir! };
  const options = { port: 0, webPort: false as const, storage, shutdownGraceMs: 5_000 };
  let server: FaktoryServer = await startServer(options);
  const port = server.port;
  return {
    url: server.url,
    restart: () => {
      const closing = server.close(); // connections are told "shutdown in progress" from now on
      const done = closing.then(async () => {
        server = await startServer({ ...options, port });
      });
      return { stopping: Promise.resolve(), done };
    },
    working: async () => server.info().faktory.sets.working ?? 0,
    close: async () => {
      await server.close();
      memory?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("Worker across a server restart", () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  beforeEach(() => {
    warnings.length = 0;
    process.on("warning", onWarning);
  });
  afterEach(() => {
    process.off("warning", onWarning);
  });

  const kinds: readonly Kind[] = EXTERNAL_URL === undefined ? ["memory", "durable"] : ["memory"];
  describe.each(kinds)("on %s storage", (kind) => {
    runs(
      "ACKs every job exactly once when the server stops with work in flight and comes back",
      async () => {
        let client: Client | undefined;
        const server = await restartable(() => client!, kind);
        client = await Client.connect(server.url);
        const queue = uniqueQueue("restart");
        const workingBefore = await server.working();
        const jids = new Set<string>();
        for (let i = 0; i < JOBS; i += 500) {
          const batch = Array.from({ length: 500 }, () => client!.job("Restart", [i], { queue }));
          for (const job of batch) jids.add(job.jid);
          const result = await client.pushBulk(batch);
          expect(result.rejected).toEqual([]);
        }
        await client.close();

        const worker = new Worker({
          url: server.url,
          queues: [queue],
          concurrency: CONCURRENCY,
          reconnect: exponentialBackoff({ baseMs: 10, maxMs: 100, maxAttempts: Number.POSITIVE_INFINITY }),
          unsafeBeatIntervalMs: 200,
        });
        const ran = new Map<string, number>();
        let done = 0;
        let gate: Promise<void> | undefined;
        const release = deferred();
        const allHeld = deferred();
        let held = 0;
        worker.register("Restart", async (_args, ctx) => {
          ran.set(ctx.jid, (ran.get(ctx.jid) ?? 0) + 1);
          if (done + held >= RESTART_AFTER && held < CONCURRENCY) {
            gate ??= release.promise;
            if (++held === CONCURRENCY) allHeld.resolve();
            await gate;
          }
          done++;
        });
        const errors: string[] = [];
        worker.on("error", ({ error, where }) => errors.push(`${where}: ${error.message}`));
        const stopped = worker.run();
        try {
          await allHeld.promise; // 20 jobs running, no command in flight
          const { stopping, done: back } = server.restart();
          await stopping;
          release.resolve(); // their ACKs (and the FETCH sent with each) meet the stopping server
          await back;
          await until(worker, ["job:success"], () => done === JOBS, 60_000);
        } finally {
          await worker.shutdown();
        }
        const details = await stopped;
        expect(details).toMatchObject({ graceful: true, undelivered: 0 });
        expect(ran.size).toBe(JOBS);
        expect([...ran.keys()].every((jid) => jids.has(jid))).toBe(true);
        expect([...ran.values()].filter((n) => n !== 1)).toEqual([]);
        expect(await server.working()).toBe(workingBefore);
        if (EXTERNAL_URL === undefined) {
          expect(errors.some((e) => /shutdown in progress/.test(e))).toBe(true);
          client = await Client.connect(server.url);
          const info = await client.info();
          await client.close();
          expect(info.faktory.total_processed).toBe(JOBS); // each reservation ACKed once
          expect(info.faktory.queues[queue] ?? 0).toBe(0);
        }
        expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
        await server.close();
      },
      90_000,
    );
  });
});
