/**
 * Replays every recorded Faktory 1.10.0 transcript against the embedded server and compares
 * each reply by the rules of the conformance README (see ./compare.ts).
 *
 * Time: the server runs on an {@link OffsetClock} (real time plus an offset). Recorded sleeps
 * (`sleep_ms`) jump the clock instead of sleeping, and the timers then overdue fire at once;
 * blocking replies (an empty FETCH waits 2 s) stay real. Whether a reply blocked is read from
 * the clock, not from a stopwatch: a recorded ~2 s reply must be the FETCH's 2 s timer firing,
 * and no other reply may wait for one (so a loaded machine cannot fail or pass it by timing).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { formatTimestamp, hashPassword } from "../../src/protocol/index.js";
import { type FaktoryServer, startServer } from "../../src/server/index.js";
import { OffsetClock } from "../unit/server/support/clocks.js";
import { CLOSED, RawClient } from "../unit/server/support/raw-client.js";
import {
  compareError,
  compareInfo,
  compareJobJson,
  compareLatency,
  ReplayState,
  splitBulk,
} from "./compare.js";

interface Step {
  conn?: string;
  event?: string;
  send?: string;
  recv?: string;
  ms?: number;
  sleep_ms?: number;
  note?: string;
  action?: string;
}

interface Transcript {
  name: string;
  slow?: boolean;
  steps: Step[];
}

const DIR = fileURLToPath(new URL("../fixtures/faktory-1.10.0/", import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();

/** The password of the server that recorded password.json. */
const RECORDED_PASSWORD = "s3cret";

/** FETCH's block. The handshake deadline is set to something else, so only FETCH uses this delay. */
const FETCH_BLOCK_MS = 2000;

/**
 * Documented deviations from the reference (conformance README, "Known faults of the
 * reference server (do not copy)"). Each rewrites one recorded reply into what a correct
 * server answers, and must be used exactly once, so a stale exception fails the suite.
 */
interface Deviation {
  file: string;
  send: string;
  recvIncludes: string;
  why: string;
  fix: (recv: string) => string;
}

const DEVIATIONS: Deviation[] = [
  {
    file: "push-all-fields.json",
    send: "FETCH default",
    recvIncludes: '"jid":"jid-past-at"',
    why: "The reference let the earlier PUSH's explicit retry 3 become the default of later jobs; the default is 25.",
    fix: (recv) => recv.replace('{"retry":3,"jid":"jid-past-at"', '{"retry":25,"jid":"jid-past-at"'),
  },
  {
    file: "flush-and-end.json",
    send: "INFO",
    recvIncludes: '"queues":{"default":0}',
    why: "After FLUSH the reference still lists the queues it knew, with 0 jobs; FLUSH forgets them.",
    fix: (recv) =>
      recv.replace('"queues":{"default":0}', '"queues":{}').replace('"total_queues":1', '"total_queues":0'),
  },
];

/** Recomputes a recorded bulk reply's `$N` after a deviation rewrote its body. */
function rebulk(recv: string): string {
  if (!recv.startsWith("$")) return recv;
  const body = recv.slice(recv.indexOf("\r\n") + 2);
  return `$${Buffer.byteLength(body)}\r\n${body}`;
}

function substitute(line: string, clock: OffsetClock): string {
  return line.replace(/<now([+-]\d+)s>/g, (_, secs: string) =>
    formatTimestamp(clock.now() + Number(secs) * 1000),
  );
}

function parseGreeting(greeting: string): { i?: number; s?: string } {
  return JSON.parse(greeting.slice(4)) as { i?: number; s?: string };
}

/** Data folders of the durable replays. */
const DATA = mkdtempSync(join(tmpdir(), "faktory-ts-replay-"));
afterAll(() => rmSync(DATA, { recursive: true, force: true }));

async function replay(file: string, durable: boolean): Promise<void> {
  const transcript = JSON.parse(readFileSync(`${DIR}${file}`, "utf8")) as Transcript;
  const password = file === "password.json" ? RECORDED_PASSWORD : undefined;
  const clock = new OffsetClock();
  const replayStarted = performance.now();
  const server: FaktoryServer = await startServer({
    port: 0,
    webPort: false,
    clock,
    handshakeTimeoutMs: 10_000,
    ...(password ? { password } : {}),
    ...(durable ? { storage: { path: join(DATA, file) } } : {}),
  });
  const clients = new Map<string, RawClient>();
  const recordedGreetings = new Map<string, string>();
  const ourGreetings = new Map<string, string>();
  const state = new ReplayState();
  for (const step of transcript.steps)
    for (const m of (step.send ?? "").matchAll(/"(\d{4}-\d\d-\d\dT[^"]*Z)"/g)) state.literals.add(m[1]!);
  const used = new Set<Deviation>();
  try {
    for (const [index, step] of transcript.steps.entries()) {
      const where = `${file} step ${index}${step.note ? ` (${step.note})` : ""}`;
      if (step.sleep_ms !== undefined) {
        clock.jump(step.sleep_ms); // timers now due fire (and close what they close) before this returns
        continue;
      }
      if (step.event === "operator") {
        const m = /signal (quiet|terminate) to worker (\S+)/.exec(step.action ?? "");
        expect(m, `${where}: operator action`).not.toBeNull();
        expect(server.signalWorker(m![2]!, m![1] as "quiet" | "terminate")).toBe(1);
        continue;
      }
      if (step.conn === undefined) continue; // a note
      if (step.event === "connect") {
        const client = await RawClient.connect(server.port);
        clients.set(step.conn, client);
        const greeting = await client.reply();
        recordedGreetings.set(step.conn, step.recv!);
        ourGreetings.set(step.conn, greeting);
        if (password === undefined) {
          expect(greeting, where).toBe(step.recv);
        } else {
          expect(greeting, where).toMatch(/^\+HI \{"v":2,"i":\d+,"s":"[0-9a-f]{1,16}"\}$/);
          const i = parseGreeting(greeting).i!;
          expect(i).toBeGreaterThanOrEqual(4000);
          expect(i).toBeLessThanOrEqual(8095);
        }
        continue;
      }
      const client = clients.get(step.conn)!;
      let line = substitute(step.send!, clock);
      if (password !== undefined && line.startsWith("HELLO ")) {
        // The recorded pwdhash answers the recorded salt; ours differs, so answer ours (only
        // where the recording sent the right hash: wrong ones stay wrong).
        const hello = JSON.parse(line.slice(6)) as { pwdhash?: string };
        const rec = parseGreeting(recordedGreetings.get(step.conn)!);
        if (hello.pwdhash !== undefined && hello.pwdhash === hashPassword(password, rec.s!, rec.i!)) {
          const ours = parseGreeting(ourGreetings.get(step.conn)!);
          hello.pwdhash = hashPassword(password, ours.s!, ours.i!);
          line = `HELLO ${JSON.stringify(hello)}`;
        }
      }
      let expected = step.recv!;
      for (const d of DEVIATIONS)
        if (d.file === file && d.send === step.send && expected.includes(d.recvIncludes)) {
          expected = rebulk(d.fix(expected));
          used.add(d);
        }
      const blocksBefore = clock.fired(FETCH_BLOCK_MS);
      const started = performance.now();
      const actual = await client.call(line, 6000);
      const ms = performance.now() - started;

      // Blocking behaviour: answered by the FETCH timer (not before it could fire), or at once.
      const blocks = clock.fired(FETCH_BLOCK_MS) - blocksBefore;
      if ((step.ms ?? 0) >= 1000) {
        expect(blocks, `${where}: should be answered by the FETCH timeout`).toBe(1);
        expect(ms, `${where}: took ${ms} ms`).toBeGreaterThan(FETCH_BLOCK_MS - 100);
      } else expect(blocks, `${where}: should not block`).toBe(0);

      if (expected === CLOSED || expected.startsWith("+") || expected === "$-1") {
        expect(actual, where).toBe(expected);
      } else if (expected.startsWith("-")) {
        compareError(expected, actual, where);
      } else if (expected === "<INFO bulk string elided>") {
        const body = splitBulk(actual, where);
        expect(Object.keys(JSON.parse(body) as object)).toEqual([
          "now",
          "server_utc_time",
          "faktory",
          "server",
        ]);
      } else {
        const exp = splitBulk(expected, `${where} (recorded)`);
        const act = splitBulk(actual, where);
        if (line.startsWith("INFO")) compareInfo(exp, act, where);
        else if (/^QUEUE latency/i.test(line))
          compareLatency(exp, act, where, (performance.now() - replayStarted) / 1000);
        else compareJobJson(exp, act, state, where);
      }
    }
    for (const d of DEVIATIONS)
      if (d.file === file) expect(used.has(d), `deviation not used: ${d.why}`).toBe(true);
  } finally {
    for (const c of clients.values()) c.close();
    await server.close();
  }
}

describe.concurrent("conformance with Faktory 1.10.0 transcripts", () => {
  it("finds the transcripts", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(21);
  });
  for (const file of FILES) it(`replays ${file}`, () => replay(file, false), 30_000);
});

// A suite of its own, so it runs after the memory replays instead of doubling their concurrency
// (each step's timing is checked).
describe.concurrent("conformance with Faktory 1.10.0 transcripts, on durable storage", () => {
  for (const file of FILES) it(`replays ${file} on durable storage`, () => replay(file, true), 30_000);
});
