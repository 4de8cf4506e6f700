/**
 * The contract every storage backend of the embedded server must meet. A backend's test file
 * calls {@link storageContract} with a factory; the same suite then runs against it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { QueuedJob, Storage } from "../../../src/server/index.js";

function job(jid: string, reserveFor = 0): QueuedJob {
  return { jid, payload: `{"jid":"${jid}"}`, reserveFor };
}

/** Registers the contract tests for backends made by `create`. */
export function storageContract(name: string, create: () => Storage): void {
  describe(`storage contract: ${name}`, () => {
    let s: Storage;
    beforeEach(() => {
      s = create();
    });
    afterEach(() => {
      s.close();
    });

    describe("queues", () => {
      it("are FIFO and report sizes", () => {
        s.enqueue("q", job("a"));
        s.enqueue("q", job("b", 90));
        s.enqueue("q", job("c"));
        expect(s.queueSize("q")).toBe(3);
        expect(s.oldest("q")?.jid).toBe("a");
        expect(s.dequeue("q")).toEqual(job("a"));
        expect(s.dequeue("q")).toEqual(job("b", 90));
        expect(s.queueSize("q")).toBe(1);
        expect(s.dequeue("q")?.jid).toBe("c");
        expect(s.dequeue("q")).toBeUndefined();
        expect(s.oldest("q")).toBeUndefined();
      });

      it("stay known when empty, in name order, until removed", () => {
        expect(s.hasQueue("b")).toBe(false);
        expect(s.queueSize("nope")).toBe(0);
        expect(s.dequeue("nope")).toBeUndefined();
        s.enqueue("b", job("1"));
        s.enqueue("a", job("2"));
        s.dequeue("b");
        expect(s.queueNames()).toEqual(["a", "b"]);
        expect(s.hasQueue("b")).toBe(true);
        s.removeQueue("a");
        expect(s.queueNames()).toEqual(["b"]);
        expect(s.queueSize("a")).toBe(0);
        s.removeQueue("never-existed");
      });

      it("page through a queue oldest first, and remove a queued job by jid", () => {
        for (const jid of ["a", "b", "c", "d", "e"]) s.enqueue("q", job(jid));
        s.dequeue("q");
        expect(s.queueJobs("q", 0, 2).map((j) => j.jid)).toEqual(["b", "c"]);
        expect(s.queueJobs("q", 3, 10).map((j) => j.jid)).toEqual(["e"]);
        expect(s.queueJobs("q", 9, 10)).toEqual([]);
        expect(s.queueJobs("nope", 0, 10)).toEqual([]);
        expect(s.removeQueuedJob("q", "c")).toBe(true);
        expect(s.removeQueuedJob("q", "c")).toBe(false);
        expect(s.removeQueuedJob("nope", "c")).toBe(false);
        expect(s.queueJobs("q", 0, 10).map((j) => j.jid)).toEqual(["b", "d", "e"]);
        expect(s.dequeue("q")?.jid).toBe("b");
        expect(s.queueSize("q")).toBe(2);
      });

      it("keep many jobs in order across internal compaction", () => {
        for (let i = 0; i < 5000; i++) s.enqueue("big", job(`j${i}`));
        for (let i = 0; i < 3000; i++) expect(s.dequeue("big")?.jid).toBe(`j${i}`);
        for (let i = 5000; i < 6000; i++) s.enqueue("big", job(`j${i}`));
        expect(s.queueSize("big")).toBe(3000);
        for (let i = 3000; i < 6000; i++) expect(s.dequeue("big")?.jid).toBe(`j${i}`);
      });
    });

    describe("paused queues", () => {
      it("pause, resume, and are forgotten with their queue", () => {
        s.enqueue("q", job("a"));
        expect(s.isPaused("q")).toBe(false);
        s.pauseQueue("q");
        expect(s.isPaused("q")).toBe(true);
        s.resumeQueue("q");
        expect(s.isPaused("q")).toBe(false);
        s.pauseQueue("q");
        s.removeQueue("q");
        expect(s.isPaused("q")).toBe(false);
      });
    });

    describe("sorted sets", () => {
      it("order by score, ties in insertion order, and take only due entries", () => {
        const set = s.sortedSet("scheduled");
        set.add(300, "c", "C");
        set.add(100, "a", "A");
        set.add(200, "b1", "B1");
        set.add(200, "b2", "B2");
        expect(set.size()).toBe(4);
        expect(set.earliest()?.jid).toBe("a");
        expect(set.entries().map((e) => e.jid)).toEqual(["a", "b1", "b2", "c"]);
        expect(set.takeDue(99)).toBeUndefined();
        expect(set.takeDue(100)?.payload).toBe("A");
        expect(set.takeDue(250)?.jid).toBe("b1");
        expect(set.takeDue(250)?.jid).toBe("b2");
        expect(set.takeDue(250)).toBeUndefined();
        expect(set.size()).toBe(1);
      });

      it("remove entries by id, keep duplicates of a jid apart, and clear", () => {
        const set = s.sortedSet("retries");
        const first = set.add(10, "same", "one");
        const second = set.add(20, "same", "two");
        expect(first.id).not.toBe(second.id);
        expect(set.remove(first.id)).toBe(true);
        expect(set.remove(first.id)).toBe(false);
        expect(set.entries()).toEqual([second]);
        set.clear();
        expect(set.size()).toBe(0);
        expect(set.earliest()).toBeUndefined();
      });

      it("page in score order", () => {
        const set = s.sortedSet("retries");
        for (const [score, jid] of [
          [30, "c"],
          [10, "a"],
          [20, "b"],
          [40, "d"],
        ] as const)
          set.add(score, jid, jid);
        expect(set.page(1, 2).map((e) => e.jid)).toEqual(["b", "c"]);
        expect(set.page(3, 5).map((e) => e.jid)).toEqual(["d"]);
        expect(set.page(4, 5)).toEqual([]);
      });

      it("find an entry by score and jid, not by score alone", () => {
        const set = s.sortedSet("dead");
        set.add(50, "x", "X1");
        const y = set.add(50, "y", "Y");
        set.add(50, "x", "X2");
        set.add(60, "z", "Z");
        expect(set.find(50, "y")).toEqual(y);
        expect(set.find(50, "x")?.payload).toBe("X1");
        expect(set.find(50, "z")).toBeUndefined();
        expect(set.find(60, "z")?.payload).toBe("Z");
        expect(set.find(70, "z")).toBeUndefined();
        // Microsecond scores, read back with float rounding, still match; a microsecond off does not.
        const t = 1_764_860_000_123.456;
        set.add(t, "micro", "M");
        expect(set.find(t + 1e-7, "micro")?.payload).toBe("M");
        expect(set.find(t - 0.001, "micro")).toBeUndefined();
      });

      it("page and find at any offset of a large set, in (score, insertion) order", () => {
        const set = s.sortedSet("retries");
        const n = 5000;
        let seed = 11;
        const rand = () => {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          return seed;
        };
        const added = [];
        for (let i = 0; i < n; i++) added.push(set.add(rand() % 300, `j${i}`, "p"));
        for (const e of added.filter((_, i) => i % 4 === 0)) expect(set.remove(e.id)).toBe(true);
        const expected = added
          .filter((_, i) => i % 4 !== 0)
          .sort((a, b) => a.score - b.score || a.id - b.id)
          .map((e) => e.jid);
        expect(set.size()).toBe(expected.length);
        for (const offset of [0, 1, 511, 512, 1000, 3000, expected.length - 3])
          expect(set.page(offset, 25).map((e) => e.jid)).toEqual(expected.slice(offset, offset + 25));
        const probe = added[4001]!;
        expect(set.find(probe.score, probe.jid)?.id).toBe(probe.id);
        expect(set.find(added[4000]!.score, added[4000]!.jid)).toBeUndefined();
      });

      it("are three separate sets", () => {
        s.sortedSet("dead").add(1, "d", "D");
        expect(s.sortedSet("dead").size()).toBe(1);
        expect(s.sortedSet("retries").size()).toBe(0);
        expect(s.sortedSet("scheduled").size()).toBe(0);
      });

      it("keep heap order under random adds and removes", () => {
        const set = s.sortedSet("scheduled");
        const live = new Map<number, number>();
        let seed = 7;
        const rand = () => {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          return seed;
        };
        for (let i = 0; i < 2000; i++) {
          const e = set.add(rand() % 1000, `j${i}`, "x");
          live.set(e.id, e.score);
          if (i % 3 === 0) {
            const victim = [...live.keys()][rand() % live.size]!;
            expect(set.remove(victim)).toBe(true);
            live.delete(victim);
          }
        }
        let last = -1;
        for (let e = set.takeDue(1000); e !== undefined; e = set.takeDue(1000)) {
          expect(e.score).toBeGreaterThanOrEqual(last);
          last = e.score;
          live.delete(e.id);
        }
        expect(live.size).toBe(0);
      });
    });

    describe("reservations", () => {
      it("are kept by jid, ordered by expiry, and replaced by a new reservation of the same jid", () => {
        const r = (jid: string, expiresAt: number) => ({
          jid,
          payload: "{}",
          wid: "w",
          reservedAt: 0,
          expiresAt,
        });
        s.addReservation(r("a", 300));
        s.addReservation(r("b", 100));
        expect(s.reservationCount()).toBe(2);
        expect(s.earliestReservation()?.jid).toBe("b");
        s.addReservation(r("b", 500));
        expect(s.reservationCount()).toBe(2);
        expect(s.earliestReservation()?.jid).toBe("a");
        expect(s.getReservation("b")?.expiresAt).toBe(500);
        expect(s.removeReservation("a")?.jid).toBe("a");
        expect(s.removeReservation("a")).toBeUndefined();
        expect(s.getReservation("a")).toBeUndefined();
        expect(s.reservationCount()).toBe(1);
      });

      it("page by ascending expiry", () => {
        for (const [jid, at] of [
          ["c", 30],
          ["a", 10],
          ["d", 40],
          ["b", 20],
        ] as const)
          s.addReservation({ jid, payload: "{}", wid: "w", reservedAt: 0, expiresAt: at });
        expect(s.reservationPage(0, 2).map((r) => r.jid)).toEqual(["a", "b"]);
        expect(s.reservationPage(2, 10).map((r) => r.jid)).toEqual(["c", "d"]);
        expect(s.reservationPage(4, 10)).toEqual([]);
      });
    });

    describe("records", () => {
      it("keep string values per namespace, in key order, with hostile keys as plain keys", () => {
        const r = s.records("batches");
        expect(r.get("x")).toBeUndefined();
        for (const key of ["b", "__proto__", "constructor", "a"]) r.set(key, `v-${key}`);
        r.set("a", "v-a2");
        expect(r.size()).toBe(4);
        expect(r.get("__proto__")).toBe("v-__proto__");
        expect(r.entries()).toEqual([
          ["__proto__", "v-__proto__"],
          ["a", "v-a2"],
          ["b", "v-b"],
          ["constructor", "v-constructor"],
        ]);
        expect(s.records("other").size()).toBe(0);
        expect(r.delete("b")).toBe(true);
        expect(r.delete("b")).toBe(false);
        expect(s.records("batches").get("a")).toBe("v-a2");
        r.clear();
        expect(r.size()).toBe(0);
      });
    });

    describe("counters and flush", () => {
      it("count, and flush clears everything", () => {
        expect(s.counter("processed")).toBe(0);
        expect(s.increment("processed")).toBe(1);
        expect(s.increment("processed", 4)).toBe(5);
        s.enqueue("q", job("a"));
        s.pauseQueue("q");
        s.sortedSet("dead").add(1, "d", "D");
        s.addReservation({ jid: "r", payload: "{}", wid: "", reservedAt: 0, expiresAt: 1 });
        s.records("unique").set("k", "v");
        s.flush();
        expect(s.records("unique").size()).toBe(0);
        expect(s.counter("processed")).toBe(0);
        expect(s.queueNames()).toEqual([]);
        expect(s.isPaused("q")).toBe(false);
        expect(s.sortedSet("dead").size()).toBe(0);
        expect(s.reservationCount()).toBe(0);
      });
    });
  });
}
