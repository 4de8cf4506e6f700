import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DATABASE_FILE,
  openStorage,
  SqliteStorage,
  type Storage,
  StorageError,
} from "../../../src/server/index.js";
import { toStorageError } from "../../../src/server/storage/storage-error.js";
import { storageContract } from "./storage-contract.js";

type Driver = new (
  file: string,
  options?: { timeout?: number },
) => ConstructorParameters<typeof SqliteStorage>[0];

const root = mkdtempSync(join(tmpdir(), "faktory-ts-sqlite-"));
let Database: Driver;
let n = 0;

beforeAll(async () => {
  Database = ((await import("better-sqlite3")) as unknown as { default: Driver }).default;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshFile(): string {
  return join(root, `db-${++n}.sqlite3`);
}

storageContract("SqliteStorage", () => {
  const file = freshFile();
  return new SqliteStorage(new Database(file, { timeout: 0 }), file);
});

describe("SqliteStorage: restarts", () => {
  const open: Storage[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  it("keeps every kind of state across close and reopen", async () => {
    const dir = join(root, `restart-${++n}`);
    const a = await openStorage({ path: dir });
    a.enqueue("q", { jid: "1", payload: "{}", reserveFor: 0 });
    a.enqueue("q", { jid: "2", payload: '{"x":1}', reserveFor: 90 });
    a.enqueue("p", { jid: "3", payload: "{}", reserveFor: 0 });
    a.dequeue("q");
    a.pauseQueue("p");
    a.enqueue("empty", { jid: "4", payload: "{}", reserveFor: 0 });
    a.dequeue("empty");
    a.sortedSet("scheduled").add(100, "s", "S");
    a.sortedSet("retries").add(200, "r", "R");
    a.sortedSet("dead").add(300, "d", "D");
    a.addReservation({ jid: "w", payload: "W", wid: "wid1", reservedAt: 5, expiresAt: 1800 });
    a.increment("processed", 7);
    a.increment("failures", 2);
    a.records("batches").set("b1", '{"total":3}');
    a.close();

    const b = await openStorage({ path: dir });
    open.push(b);
    expect(b.queueNames()).toEqual(["empty", "p", "q"]);
    expect(b.queueJobs("q", 0, 10)).toEqual([{ jid: "2", payload: '{"x":1}', reserveFor: 90 }]);
    expect(b.queueSize("p")).toBe(1);
    expect(b.isPaused("p")).toBe(true);
    expect(b.isPaused("q")).toBe(false);
    expect(b.queueSize("empty")).toBe(0);
    expect(
      b
        .sortedSet("scheduled")
        .entries()
        .map((e) => [e.score, e.jid]),
    ).toEqual([[100, "s"]]);
    expect(b.sortedSet("retries").size()).toBe(1);
    expect(b.sortedSet("dead").earliest()?.payload).toBe("D");
    expect(b.reservationCount()).toBe(1);
    expect(b.getReservation("w")).toEqual({
      jid: "w",
      payload: "W",
      wid: "wid1",
      reservedAt: 5,
      expiresAt: 1800,
    });
    expect(b.counter("processed")).toBe(7);
    expect(b.counter("failures")).toBe(2);
    expect(b.records("batches").entries()).toEqual([["b1", '{"total":3}']]);
  });

  it("commits a turn's changes in one transaction and reports it through pendingCommit", async () => {
    const dir = join(root, `commit-${++n}`);
    const a = await openStorage({ path: dir });
    open.push(a);
    expect(a.pendingCommit()).toBeUndefined();
    a.enqueue("q", { jid: "1", payload: "{}", reserveFor: 0 });
    a.enqueue("q", { jid: "2", payload: "{}", reserveFor: 0 });
    const commit = a.pendingCommit();
    expect(commit).toBeInstanceOf(Promise);
    expect(a.pendingCommit()).toBe(commit);
    // another connection to the same file sees nothing until the commit
    await commit;
    expect(a.pendingCommit()).toBeUndefined();
  });

  it("rolls the whole group back when the commit fails, and says so", async () => {
    const dir = join(root, `rollback-${++n}`);
    const a = await openStorage({ path: dir });
    open.push(a);
    a.enqueue("q", { jid: "kept", payload: "{}", reserveFor: 0 });
    await a.pendingCommit();
    const failures: StorageError[] = [];
    a.onRollback = (err) => failures.push(err);
    a.enqueue("q", { jid: "lost", payload: "{}", reserveFor: 0 });
    a.sortedSet("dead").add(1, "d", "D");
    // make COMMIT fail: a deferred foreign-key-free trick is not available, so break the statement
    const st = a.st as { commit: { run: () => unknown } };
    const real = st.commit.run;
    st.commit.run = () => {
      throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    };
    await expect(a.pendingCommit()).rejects.toThrow(/database or disk is full/);
    st.commit.run = real;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(StorageError);
    expect(a.queueJobs("q", 0, 10).map((j) => j.jid)).toEqual(["kept"]);
    expect(a.queueSize("q")).toBe(1);
    expect(a.sortedSet("dead").size()).toBe(0);
  });
});

describe("openStorage: clear errors", () => {
  it("refuses a second storage on the same folder (LOCKED)", async () => {
    const dir = join(root, `locked-${++n}`);
    const a = await openStorage({ path: dir });
    try {
      await expect(openStorage({ path: dir })).rejects.toMatchObject({ code: "LOCKED" });
    } finally {
      a.close();
    }
    (await openStorage({ path: dir })).close();
  });

  it("refuses a database written by a newer version (NEWER_SCHEMA)", async () => {
    const dir = join(root, `newer-${++n}`);
    (await openStorage({ path: dir })).close();
    const db = new Database(join(dir, DATABASE_FILE)) as unknown as {
      exec(sql: string): void;
      close(): void;
    };
    db.exec("UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    db.close();
    await expect(openStorage({ path: dir })).rejects.toMatchObject({
      code: "NEWER_SCHEMA",
      message: expect.stringMatching(/newer faktory-ts/),
    });
  });

  it("refuses a file that is not a database (CORRUPT)", async () => {
    const dir = join(root, `corrupt-${++n}`);
    (await openStorage({ path: dir })).close();
    writeFileSync(join(dir, DATABASE_FILE), Buffer.alloc(8192, "garbage!"));
    await expect(openStorage({ path: dir })).rejects.toMatchObject({ code: "CORRUPT" });
  });

  it("reports a folder it cannot create (IO)", async () => {
    const file = join(root, `plain-file-${++n}`);
    writeFileSync(file, "x");
    const err = await openStorage({ path: join(file, "db") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe("IO");
  });

  it("reports a driver whose native module cannot be loaded as DRIVER_MISSING, with the fix", () => {
    // better-sqlite3 imports fine without its native module and fails only on `new Database`.
    const unbuilt = new Error(
      "Could not locate the bindings file. Tried:\n → /app/build/better_sqlite3.node",
    );
    const otherNode = Object.assign(
      new Error("The module '/app/better_sqlite3.node' was compiled against a different Node.js version"),
      { code: "ERR_DLOPEN_FAILED" },
    );
    for (const cause of [unbuilt, otherNode]) {
      const err = toStorageError(cause, "/data/faktory.sqlite3");
      expect(err.code).toBe("DRIVER_MISSING");
      expect(err.message).toContain("npm install better-sqlite3@12");
      expect(err.cause).toBe(cause);
    }
    expect(toStorageError(new Error("disk I/O error"), "/data/faktory.sqlite3").code).toBe("IO");
  });
});
