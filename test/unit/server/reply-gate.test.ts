/**
 * The reply gate: with a storage that commits in groups, a reply (protocol or HTTP) is held
 * until the commit of its change settles, and becomes a storage-failure error if it failed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type FaktoryServer, MemoryStorage, startServer } from "../../../src/server/index.js";
import { hello, type RawClient } from "./support/raw-client.js";

/** A memory storage whose writes wait for a commit the test settles by hand. */
class ManualCommitStorage extends MemoryStorage {
  private pending: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  commits = 0;
  /** Once set, writes commit at once (no pending commit). */
  immediate = false;

  override enqueue(...args: Parameters<MemoryStorage["enqueue"]>): void {
    super.enqueue(...args);
    this.touch();
  }

  override increment(name: string, by?: number): number {
    this.touch();
    return super.increment(name, by);
  }

  private touch(): void {
    if (this.pending !== undefined || this.immediate) return;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.pending = { promise, resolve, reject };
    this.commits++;
  }

  pendingCommit(): Promise<void> | undefined {
    return this.pending?.promise;
  }

  settle(error?: Error): void {
    const p = this.pending;
    this.pending = undefined;
    if (error === undefined) p?.resolve();
    else p?.reject(error);
  }
}

let server: FaktoryServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function setup(): Promise<{ storage: ManualCommitStorage; c: RawClient }> {
  const storage = new ManualCommitStorage();
  server = await startServer({ port: 0, webPort: false, storage });
  const c = await hello(server.port);
  clients.push(c);
  return { storage, c };
}

describe("reply gate", () => {
  it("holds +OK for a PUSH until its commit succeeds, keeping pipelined replies in order", async () => {
    const { storage, c } = await setup();
    c.send('PUSH {"jid":"gate-0001","jobtype":"T","args":[]}');
    c.send('PUSH {"jid":"gate-0002","jobtype":"T","args":[]}');
    c.send("INFO");
    await expect(c.reply(150)).rejects.toThrow(/no reply/);
    storage.immediate = true;
    storage.settle();
    expect(await c.reply()).toBe("+OK");
    expect(await c.reply()).toBe("+OK");
    expect(await c.reply()).toMatch(/^\$\d+/);
    expect(await c.call("FLUSH")).toBe("+OK"); // nothing pending: answered at once
  });

  it("answers -ERR storage failure when the commit fails", async () => {
    const { storage, c } = await setup();
    c.send('PUSH {"jid":"gate-0003","jobtype":"T","args":[]}');
    await expect(c.reply(100)).rejects.toThrow(/no reply/);
    storage.settle(new Error("disk I/O error"));
    expect(await c.reply()).toBe("-ERR storage failure, the change was not saved: disk I/O error");
  });
});
