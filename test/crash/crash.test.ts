/**
 * Crash test of durable storage: a real server process (the built bin) under concurrent
 * push/fetch/ack load is killed with SIGKILL at a random moment, then the data folder is opened
 * again and checked. Every job whose PUSH got `+OK` must still be stored or have been ACKed
 * (exactly once: never both, never twice), no ACKed job may come back, and the processed counter
 * must lie between the ACKs that got `+OK` and the ACKs sent. Rounds accumulate on one folder,
 * each starting the server on what the previous kill left.
 *
 * `npm test` runs 3 rounds; `npm run crash` runs 20 (CRASH_ROUNDS).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStorage } from "../../src/server/index.js";
import { CLOSED, hello, type RawClient } from "../unit/server/support/raw-client.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${ROOT}bin/faktory-ts.js`;
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);
const DIR = mkdtempSync(join(tmpdir(), "faktory-ts-crash-"));
const QUEUES = ["crash-a", "crash-b"];

beforeAll(() => {
  if (!existsSync(`${ROOT}dist/cli.js`))
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
}, 180_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** Seeded random numbers (fixed seed: the run is repeatable up to OS scheduling). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function startServer(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, "server", "--data-dir", DIR, "--port", "0", "--web-port", "off", "--log-level", "error"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) resolve({ child, port: Number(m[1]) });
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

interface Ledger {
  pushedOk: Set<string>;
  ackSent: Set<string>;
  ackedOk: Set<string>;
}

async function pusher(c: RawClient, prefix: string, ledger: Ledger, stop: () => boolean): Promise<void> {
  for (let i = 0; !stop(); i++) {
    const jid = `crash-${prefix}-${i}`;
    const queue = QUEUES[i % QUEUES.length];
    const reply = await c.call(`PUSH {"jid":"${jid}","jobtype":"T","args":[${i}],"queue":"${queue}"}`);
    if (reply === "+OK") ledger.pushedOk.add(jid);
    else if (reply === CLOSED) return;
    else throw new Error(`PUSH: ${reply}`);
  }
}

async function fetcher(c: RawClient, ledger: Ledger, stop: () => boolean): Promise<void> {
  while (!stop()) {
    const reply = await c.call(`FETCH ${QUEUES.join(" ")}`);
    if (reply === CLOSED) return;
    if (reply === "$-1") continue;
    const jid = (JSON.parse(reply.slice(reply.indexOf("\r\n") + 2)) as { jid: string }).jid;
    ledger.ackSent.add(jid);
    const ack = await c.call(`ACK {"jid":"${jid}"}`);
    if (ack === "+OK") ledger.ackedOk.add(jid);
    else if (ack === CLOSED) return;
    else throw new Error(`ACK: ${ack}`);
  }
}

describe("durable storage under SIGKILL", () => {
  it(
    `loses no pushed job and revives no ACKed one over ${ROUNDS} kills`,
    async () => {
      const ledger: Ledger = { pushedOk: new Set(), ackSent: new Set(), ackedOk: new Set() };
      const random = lcg(20261204);
      for (let round = 0; round < ROUNDS; round++) {
        const { child, port } = await startServer();
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        let killed = false;
        const stop = () => killed;
        const clients = await Promise.all([1, 2, 3, 4, 5].map(() => hello(port)));
        const load = Promise.all([
          pusher(clients[0]!, `r${round}a`, ledger, stop),
          pusher(clients[1]!, `r${round}b`, ledger, stop),
          pusher(clients[2]!, `r${round}c`, ledger, stop),
          fetcher(clients[3]!, ledger, stop),
          fetcher(clients[4]!, ledger, stop),
        ]);
        // the random moment: after a random number of acknowledged pushes this round
        const target = ledger.pushedOk.size + 50 + Math.floor(random() * 400);
        let check: NodeJS.Timeout | undefined;
        await Promise.race([
          load, // a load failure ends the wait at once
          new Promise<void>((resolve) => {
            check = setInterval(() => {
              if (ledger.pushedOk.size >= target) resolve();
            }, 1);
          }),
        ]).finally(() => clearInterval(check));
        child.kill("SIGKILL");
        killed = true;
        await exited;
        await load;
        for (const c of clients) c.close();

        const storage = await openStorage({ path: DIR });
        try {
          const stored: string[] = [];
          for (const q of storage.queueNames())
            for (const j of storage.queueJobs(q, 0, Number.MAX_SAFE_INTEGER)) stored.push(j.jid);
          for (const name of ["scheduled", "retries", "dead"] as const)
            for (const e of storage.sortedSet(name).entries()) stored.push(e.jid);
          // every reservation, also of a job whose FETCH was committed but whose reply the kill cut
          const reserved = storage.reservationPage(0, Number.MAX_SAFE_INTEGER).map((r) => r.jid);
          const all = [...stored, ...reserved];
          const present = new Set(all);
          expect(present.size, "a job is stored twice").toBe(all.length);
          for (const jid of ledger.pushedOk) {
            if (!present.has(jid))
              expect(ledger.ackSent.has(jid), `pushed job ${jid} was lost (round ${round})`).toBe(true);
          }
          for (const jid of ledger.ackedOk)
            expect(present.has(jid), `ACKed job ${jid} came back (round ${round})`).toBe(false);
          const processed = storage.counter("processed");
          expect(processed).toBeGreaterThanOrEqual(ledger.ackedOk.size);
          expect(processed).toBeLessThanOrEqual(ledger.ackSent.size);
          // a job either waits/reserved, or was processed: never both
          expect(processed + present.size).toBeGreaterThanOrEqual(ledger.pushedOk.size);
        } finally {
          storage.close();
        }
      }
      expect(ledger.ackedOk.size).toBeGreaterThan(0);
    },
    60_000 + ROUNDS * 15_000,
  );
});
