/** Shared helpers of the worker integration tests. */
import { Connection, FETCH_BLOCK_MS } from "../../../src/connection/index.js";
import { fetchCommand, parseJsonReply } from "../../../src/protocol/commands.js";
import type { Job } from "../../../src/protocol/job.js";
import { afterAll, beforeAll } from "vitest";
import { Client } from "../../../src/client/index.js";
import { startTestServer, type TestServer } from "../../support/server.js";
import type { Worker, WorkerEvents } from "../../../src/worker/index.js";
import type { JobRegistry } from "../../../src/protocol/job-types.js";

/** Resolves with the payload of the next `event` of `worker` that passes `filter`. */
export function nextEvent<K extends keyof WorkerEvents, J extends JobRegistry>(
  worker: Worker<J>,
  event: K,
  filter: (payload: WorkerEvents[K]) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<WorkerEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = worker.on(event, (payload) => {
      if (!filter(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Resolves once `predicate` is true, checking after each event of `worker` (no polling). */
export function until<J extends JobRegistry>(
  worker: Worker<J>,
  events: (keyof WorkerEvents)[],
  predicate: () => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (err?: Error): void => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
    for (const e of events) offs.push(worker.on(e, () => predicate() && done()));
  });
}

/**
 * Moves a failed job from the retry set back to its queue and fetches it, to read the failure
 * the worker reported. The fetched job is left reserved (its reservation expires later).
 */
export async function failedJob(
  client: Client,
  url: string,
  jid: string,
  queue: string,
): Promise<Job | null> {
  await client.requeue("retries", { jids: [jid] });
  const conn = await Connection.open({ url });
  try {
    const reply = await conn.send(fetchCommand([queue]), FETCH_BLOCK_MS);
    return parseJsonReply<Job>(reply, "FETCH");
  } finally {
    await conn.end();
  }
}

/** A promise and its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A server (embedded, or FAKTORY_URL) and a client on it, for the tests of one describe block. */
export interface ServerWithClient {
  readonly server: TestServer;
  readonly client: Client;
}

/** Starts a test server and a client before the block's tests and closes both after them. */
export function useServerWithClient(): ServerWithClient {
  const env = {} as { server: TestServer; client: Client };
  beforeAll(async () => {
    env.server = await startTestServer();
    env.client = await Client.connect(env.server.url);
  });
  afterAll(async () => {
    await env.client?.close();
    await env.server?.close();
  });
  return env;
}
