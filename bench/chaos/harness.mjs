// The chaos harness of faktory-ts: an embedded server, a fault-injecting proxy in front of it,
// in-process producers and several worker processes (bench/chaos/worker-process.mjs), all using
// the built library in dist/. Shared by `npm run chaos` (bench/chaos.mjs) and the short form in
// `npm test` (test/chaos/chaos.test.ts). Types: harness.d.mts.
//
// Phase "faults": N jobs pushed through the proxy while it cuts connections at random moments
// (and right after chosen command lines, before their reply), splits and delays packets, and
// refuses new connections for a while. Then the server's state is drained and checked: every
// job ran at least once, nothing is left anywhere, every duplicate execution is explained.
// Phase "restart": the server is stopped gracefully while producers and workers are busy (results
// and pushes in flight get `-ERR shutdown in progress`), kept down, and started again on the same
// port and the same storage; every process must resume by itself, the jobs reserved at the stop
// must be ACKed after it (nothing left reserved, no unexplained duplicate) and M jobs pushed
// after the restart must all run.
import { fork } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";

/** Defaults of {@link runChaos}: the full run of `npm run chaos`. */
export const CHAOS_DEFAULTS = Object.freeze({
  jobs: 50_000,
  producers: 4,
  workers: 4,
  concurrency: 10,
  batch: 100,
  cutEveryMs: 100,
  lineCutChance: 0.002,
  splitMax: 512,
  delayMaxMs: 2,
  refuseEveryMs: 1500,
  refuseForMs: 300,
  restartDownMs: 3000,
  restartJobs: 2000,
  quietMs: 3000,
  timeoutMs: 15 * 60_000,
  seed: 1,
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Small seeded PRNG (mulberry32) so a run's faults can be replayed. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Real time plus an offset that `jump()` moves forward at once, firing the timers that became
 * due. The server runs on it so reservations orphaned by a lost FETCH reply (kept for
 * `reserve_for`, at least 60 s) can be expired without waiting a minute of real time.
 */
export class JumpClock {
  #offset = 0;
  #timers = new Set();

  now() {
    return Date.now() + this.#offset;
  }

  setTimeout(fn, ms) {
    const timer = { due: this.now() + Math.max(0, ms), fn, real: undefined };
    this.#timers.add(timer);
    this.#arm(timer);
    return timer;
  }

  clearTimeout(timer) {
    if (timer?.real !== undefined) clearTimeout(timer.real);
    this.#timers.delete(timer);
  }

  jump(ms) {
    this.#offset += ms;
    const now = this.now();
    const due = [...this.#timers].filter((t) => t.due <= now).sort((a, b) => a.due - b.due);
    for (const t of due) {
      if (!this.#timers.has(t)) continue;
      this.clearTimeout(t);
      t.fn();
    }
    for (const t of this.#timers) {
      clearTimeout(t.real);
      this.#arm(t);
    }
  }

  #arm(timer) {
    timer.real = setTimeout(
      () => {
        if (!this.#timers.has(timer)) return;
        if (timer.due > this.now()) {
          this.#arm(timer);
          return;
        }
        this.#timers.delete(timer);
        timer.fn();
      },
      Math.max(0, timer.due - this.now()),
    );
    timer.real.unref();
  }
}

const JID_IN_LINE = /"jid":"([^"]+)"/g;

/**
 * Runs the chaos scenario and resolves with its report; never throws for a failed check (the
 * report's `problems` lists them), only for a broken setup (e.g. no build in dist/).
 */
export async function runChaos(options = {}) {
  const o = { ...CHAOS_DEFAULTS, ...options };
  const log = o.log ?? (() => {});
  const lib = await import(new URL("../../dist/index.js", import.meta.url).href);
  const { startServer, MemoryStorage } = await import(new URL("../../dist/server.js", import.meta.url).href);
  const { startFaultProxy } = await import(new URL("../../dist/testing.js", import.meta.url).href);
  const random = seeded(o.seed);
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const problems = [];
  const faults = []; // crashes, unhandled rejections, escaped 'error' events
  const started = performance.now();
  const deadline = Date.now() + o.timeoutMs;
  const queue = "chaos";

  // ---- server and proxy -------------------------------------------------------------------
  const clock = new JumpClock();
  const storage = new MemoryStorage();
  let server = await startServer({ port: 0, webPort: false, clock, storage });
  const serverPort = server.port;
  const pushForwards = new Map(); // jid -> PUSH/PUSHB lines carrying it that reached the server side
  const lineCuts = { before: 0, after: 0 };
  const proxy = await startFaultProxy({
    target: { port: serverPort },
    cutEveryMs: o.cutEveryMs,
    splitMax: o.splitMax,
    delayMaxMs: o.delayMaxMs,
    random,
    onClientLine(line) {
      let verdict = "forward";
      const roll = random();
      if (roll < o.lineCutChance / 2) verdict = "cut-before";
      else if (roll < o.lineCutChance) verdict = "cut-after";
      if (verdict === "cut-before") lineCuts.before++;
      else {
        if (verdict === "cut-after") lineCuts.after++;
        if (line.startsWith("PUSH"))
          for (const m of line.matchAll(JID_IN_LINE))
            pushForwards.set(m[1], (pushForwards.get(m[1]) ?? 0) + 1);
      }
      return verdict;
    },
  });
  const url = `tcp://127.0.0.1:${proxy.port}`;
  let refusalWindows = 0;
  let serverRestarts = 0;
  let clockJumps = 0;
  let orphaned = 0;

  // ---- executions, as the worker processes report them -------------------------------------
  const execCount = new Map(); // jid -> executions
  const redelivered = new Set(); // jids executed again after their reservation expired
  let executions = 0;
  let restarted = false;
  let lastProgress = performance.now();
  const onExec = (worker, entries) => {
    for (const [jid, again] of entries) {
      execCount.set(jid, (execCount.get(jid) ?? 0) + 1);
      if (again === 1) redelivered.add(jid);
      executions++;
      worker.executed++;
      if (restarted) worker.executedAfterRestart++;
    }
    lastProgress = performance.now();
    events.emit("progress");
  };

  // ---- worker processes ---------------------------------------------------------------------
  const script = fileURLToPath(new URL("./worker-process.mjs", import.meta.url));
  const workers = [];
  const spawnWorker = (index) => {
    const child = fork(script, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: [] });
    const w = { index, child, executed: 0, executedAfterRestart: 0, stopping: false, stderr: "" };
    w.ready = new Promise((resolve) => {
      w.onReady = resolve;
    });
    w.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        if (!w.stopping || code !== 0)
          faults.push(`worker process ${index} exited (${code ?? signal}): ${w.stderr.trim().slice(-2000)}`);
        w.onReady();
        resolve();
        events.emit("progress");
      });
    });
    child.stderr.on("data", (d) => {
      w.stderr = (w.stderr + d).slice(-8000);
    });
    child.on("error", (err) => faults.push(`worker process ${index}: ${err.message}`));
    child.on("message", (m) => {
      if (m.type === "exec") onExec(w, m.e);
      else if (m.type === "ready") w.onReady();
      else if (m.type === "fault") faults.push(`worker process ${index}: ${m.message}`);
      else if (m.type === "stopped") {
        w.errors = m.errors;
        if (m.details.undelivered > 0 || m.details.reason !== "shutdown")
          faults.push(`worker process ${index} stopped with ${JSON.stringify(m.details)}`);
      }
    });
    child.send({ type: "start", url, queue, concurrency: o.concurrency });
    workers.push(w);
    return w;
  };
  for (let i = 0; i < o.workers; i++) spawnWorker(i);
  await Promise.all(workers.map((w) => w.ready));
  log(`${o.workers} worker processes ready (${Math.round(performance.now() - started)} ms)`);

  // ---- producers ----------------------------------------------------------------------------
  const forever = lib.exponentialBackoff({ baseMs: 20, maxMs: 400, maxAttempts: Number.POSITIVE_INFINITY });
  const clientErrors = [];
  const connectClient = async () => {
    for (;;) {
      try {
        return await lib.Client.connect({
          url,
          retry: forever,
          maxResends: 1_000_000,
          connectTimeoutMs: 2000,
          handshakeTimeoutMs: 3000,
          commandTimeoutMs: 10_000,
        });
      } catch (err) {
        if (!(err instanceof lib.ConnectionError)) throw err;
        await sleep(20);
      }
    }
  };
  const producers = [];
  for (let i = 0; i < o.producers; i++)
    producers.push({
      index: i,
      client: await connectClient(),
      bulk: i % 2 === 0,
      pushed: 0,
      pushedAfterRestart: 0,
    });

  /** Pushes `jobs` until the server has confirmed each one (same jids on every retry). */
  const pushUntilConfirmed = async (producer, jobs, confirmed) => {
    let pending = jobs;
    while (pending.length > 0) {
      const failed = [];
      if (producer.bulk) {
        const result = await producer.client.pushBulk(pending);
        for (const jid of result.pushed) confirmed?.add(jid);
        const refused = new Set(result.rejected.map((r) => r.jid));
        for (const r of result.rejected)
          if (!/connect|closed|timed? ?out|reset|socket|reconnect/i.test(r.error))
            clientErrors.push(`PUSHB refused ${r.jid}: ${r.error}`);
        for (const job of pending) if (refused.has(job.jid)) failed.push(job);
      } else {
        const results = await Promise.allSettled(pending.map((job) => producer.client.push(job)));
        results.forEach((r, k) => {
          if (r.status === "fulfilled") confirmed?.add(r.value);
          else if (r.reason instanceof lib.ConnectionError) failed.push(pending[k]);
          else clientErrors.push(`PUSH ${pending[k].jid}: ${r.reason?.message ?? r.reason}`);
        });
      }
      producer.pushed += pending.length - failed.length;
      if (restarted) producer.pushedAfterRestart += pending.length - failed.length;
      if (failed.length > 0 && failed.length === pending.length) await sleep(20);
      if (clientErrors.length > 100) throw new Error(`producers keep failing: ${clientErrors[0]}`);
      pending = failed;
    }
  };
  const makeJobs = (producer, count, tag) =>
    Array.from({ length: count }, (_, k) =>
      producer.client.job("Chaos", [tag, producer.index, k], { queue, reserveFor: 60 }),
    );
  const pushMany = async (producer, total, tag, confirmed) => {
    for (let done = 0; done < total; done += o.batch) {
      const count = Math.min(o.batch, total - done);
      await pushUntilConfirmed(producer, makeJobs(producer, count, tag), confirmed);
    }
  };

  // ---- draining and checking ----------------------------------------------------------------
  const info = () => server.info();
  const leftovers = () => {
    const f = info().faktory;
    const queued = Object.values(f.queues).reduce((a, b) => a + b, 0);
    return { queued, ...f.sets };
  };
  const idle = (l) => l.queued === 0 && l.working === 0 && l.retries === 0 && l.scheduled === 0;
  const allRan = (confirmed) => {
    for (const jid of confirmed) if (!execCount.has(jid)) return false;
    return true;
  };
  /** Waits for `ms` without progress (or for `done()`), re-checking on every execution. */
  const quiet = (ms, done) =>
    new Promise((resolve) => {
      let timer;
      const check = () => {
        if (done()) finish();
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(finish, Math.max(1, ms - (performance.now() - lastProgress)));
      };
      const onProgress = () => {
        check();
        arm();
      };
      const finish = () => {
        clearTimeout(timer);
        events.off("progress", onProgress);
        resolve();
      };
      events.on("progress", onProgress);
      arm();
      check();
    });
  /**
   * Waits until every confirmed job ran and the server holds nothing. Reservations orphaned by
   * a lost FETCH reply (the job never reached a worker) only come back after `reserve_for`: when
   * nothing moves and some are left, the server clock jumps past their expiry and past the retry
   * delay, as a real server would after a minute or two.
   */
  const drain = async (confirmed) => {
    for (;;) {
      if (allRan(confirmed) && idle(leftovers())) return true;
      if (Date.now() > deadline) return false;
      await quiet(o.quietMs, () => allRan(confirmed) && idle(leftovers()));
      const l = leftovers();
      if (allRan(confirmed) && idle(l)) return true;
      if (performance.now() - lastProgress < o.quietMs) continue;
      if (process.env.CHAOS_DEBUG) {
        const counts = storage
          .sortedSet("retries")
          .entries()
          .map((e) => JSON.parse(e.payload).failure?.retry_count);
        const first = storage.earliestReservation();
        const oldest = first === undefined ? "-" : `${first.jid} (ran ${execCount.get(first.jid) ?? 0}x)`;
        log(
          `  clock jump: ${JSON.stringify(l)}; retry counts [${counts.join(",")}]; oldest reservation ${oldest}`,
        );
      }
      if (l.queued === 0 && l.working > 0) {
        orphaned += l.working;
        clockJumps++;
        clock.jump(61_000); // reservations expire: failure path, into the retry set
      }
      if (l.retries > 0 || l.scheduled > 0 || l.working > 0) {
        clockJumps++;
        clock.jump(45_000); // past the longest first retry delay (15 + 29 s)
      }
      lastProgress = performance.now(); // give what the jump released a full quiet period
      events.emit("progress");
    }
  };

  const result = {
    options: { ...o, log: undefined },
    phases: [],
    problems,
    faults,
    ok: false,
  };
  /** Server counters at the start of the current server's life (it keeps its storage across a restart). */
  let counterBase = { processed: 0, failures: 0 };
  const finishPhase = (name, confirmed, pushedLines, drained, extra = {}) => {
    const i = info();
    const l = leftovers();
    const lost = [...confirmed].filter((jid) => !execCount.has(jid));
    let duplicated = 0;
    let byPush = 0;
    let byAck = 0;
    const unexplained = [];
    for (const jid of confirmed) {
      const n = execCount.get(jid) ?? 0;
      if (n <= 1) continue;
      duplicated += n - 1;
      if ((pushForwards.get(jid) ?? 0) >= n) byPush += n - 1;
      else if (redelivered.has(jid)) byAck += n - 1;
      else unexplained.push(`${jid} ran ${n}x, pushed ${pushForwards.get(jid) ?? 0}x`);
    }
    let executed = 0;
    for (const jid of confirmed) executed += execCount.get(jid) ?? 0;
    const processed = i.faktory.total_processed - counterBase.processed;
    const failures = i.faktory.total_failures - counterBase.failures;
    const phase = {
      name,
      pushed: confirmed.size,
      pushLinesResent: pushedLines,
      executed,
      distinct: confirmed.size - lost.length,
      acknowledged: processed - failures,
      serverProcessed: processed,
      serverFailures: failures,
      reservationsExpired: i.faktory.tasks?.Busy?.reaped ?? 0,
      duplicated,
      duplicatedByResentPush: byPush,
      duplicatedByLostAck: byAck,
      lost: lost.length,
      leftovers: l,
      ...extra,
    };
    result.phases.push(phase);
    if (!drained) problems.push(`${name}: not drained before the deadline`);
    if (lost.length > 0)
      problems.push(`${name}: ${lost.length} jobs lost, e.g. ${lost.slice(0, 5).join(", ")}`);
    if (!idle(l) || l.dead > 0) {
      const sample = ["dead", "retries", "scheduled"].flatMap((set) =>
        storage
          .sortedSet(set)
          .entries()
          .slice(0, 3)
          .map(
            (e) =>
              `${set}: ${e.payload.slice(0, 400)} (ran ${execCount.get(e.jid) ?? 0}x, pushed ${pushForwards.get(e.jid) ?? 0}x)`,
          ),
      );
      problems.push(`${name}: server not empty at the end: ${JSON.stringify(l)} ${sample.join(" | ")}`);
    }
    if (unexplained.length > 0)
      problems.push(
        `${name}: ${unexplained.length} unexplained duplicates, e.g. ${unexplained.slice(0, 3).join("; ")}`,
      );
    if (failures !== phase.reservationsExpired)
      problems.push(
        `${name}: ${failures} failures on the server but ${phase.reservationsExpired} expired reservations`,
      );
    if (phase.acknowledged < phase.distinct)
      problems.push(`${name}: server counted ${phase.acknowledged} ACKs for ${phase.distinct} executed jobs`);
    return phase;
  };

  try {
    // ---- phase 1: faults ------------------------------------------------------------------
    log(`phase faults: ${o.jobs} jobs, ${o.producers} producers, ${o.workers} workers x ${o.concurrency}`);
    const confirmedA = new Set();
    const refuse = () => {
      refusalWindows++;
      proxy.refuseFor(o.refuseForMs);
    };
    const firstRefusal = setTimeout(refuse, Math.min(200, o.refuseEveryMs));
    const refusals = setInterval(refuse, o.refuseEveryMs);
    const share = (i) => Math.floor(o.jobs / o.producers) + (i < o.jobs % o.producers ? 1 : 0);
    let progressLog;
    if (o.log !== undefined)
      progressLog = setInterval(
        () =>
          log(
            `  pushed ${confirmedA.size}/${o.jobs}, executed ${executions}, cuts ${proxy.stats.cuts}, ${JSON.stringify(leftovers())}`,
          ),
        2000,
      );
    try {
      await Promise.all(producers.map((p) => pushMany(p, share(p.index), "a", confirmedA)));
      log(`  all ${confirmedA.size} pushes confirmed after ${Math.round(performance.now() - started)} ms`);
      clearInterval(refusals);
      const drainedA = await drain(confirmedA);
      const resentA = [...confirmedA].filter((jid) => (pushForwards.get(jid) ?? 0) > 1).length;
      finishPhase("faults", confirmedA, resentA, drainedA, {
        cuts: proxy.stats.cuts,
        lineCutsBeforeSend: lineCuts.before,
        lineCutsBeforeReply: lineCuts.after,
        refusalWindows,
        refusedConnections: proxy.stats.refused,
        proxyConnections: proxy.stats.connections,
        orphanedReservations: orphaned,
        clockJumps,
        ms: Math.round(performance.now() - started),
      });
    } finally {
      clearTimeout(firstRefusal);
      clearInterval(refusals);
      clearInterval(progressLog);
    }

    // ---- phase 2: server restart ------------------------------------------------------------
    const restartStarted = performance.now();
    const cutsBefore = proxy.stats.cuts;
    log(`phase restart: stop the server while busy, ${o.restartDownMs} ms down, same port ${serverPort}`);
    let filling = true;
    const fillers = producers.map(async (p) => {
      while (filling) await pushUntilConfirmed(p, makeJobs(p, 20, "fill"), undefined);
    });
    const busyFrom = executions;
    await quiet(10_000, () => executions - busyFrom >= o.workers * o.concurrency);
    const before = info().faktory;
    counterBase = { processed: before.total_processed, failures: before.total_failures };
    await server.close();
    serverRestarts++;
    await sleep(o.restartDownMs);
    server = await startServer({ port: serverPort, webPort: false, clock, storage });
    restarted = true;
    log("  server back");
    const confirmedB = new Set();
    const perProducer = Math.ceil(o.restartJobs / o.producers);
    await Promise.all(producers.map((p) => pushMany(p, perProducer, "b", confirmedB)));
    filling = false;
    await Promise.all(fillers);
    const drainedB = await drain(confirmedB);
    const resentB = [...confirmedB].filter((jid) => (pushForwards.get(jid) ?? 0) > 1).length;
    finishPhase("restart", confirmedB, resentB, drainedB, {
      cuts: proxy.stats.cuts - cutsBefore,
      serverRestarts,
      ms: Math.round(performance.now() - restartStarted),
    });
    for (const w of workers)
      if (w.executedAfterRestart === 0)
        problems.push(`restart: worker process ${w.index} ran nothing after the restart`);
    for (const p of producers)
      if (p.pushedAfterRestart === 0)
        problems.push(`restart: producer ${p.index} pushed nothing after the restart`);
  } catch (err) {
    problems.push(`harness: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    // ---- shutdown -----------------------------------------------------------------------------
    await Promise.allSettled(producers.map((p) => p.client.close()));
    for (const w of workers) {
      w.stopping = true;
      if (w.child.connected) w.child.send({ type: "stop" });
    }
    const exitTimer = setTimeout(() => {
      for (const w of workers)
        if (w.child.exitCode === null && w.child.signalCode === null) {
          faults.push(`worker process ${w.index} did not exit after stop`);
          w.child.kill("SIGKILL");
        }
    }, 10_000);
    await Promise.all(workers.map((w) => w.exited));
    clearTimeout(exitTimer);
    await proxy.close();
    await server.close();
    storage.close();
  }
  for (const e of clientErrors.slice(0, 10)) problems.push(`producer: ${e}`);
  for (const f of faults) problems.push(`crash: ${f}`);
  result.workerErrorEvents = {};
  for (const w of workers)
    for (const [where, n] of Object.entries(w.errors ?? {}))
      result.workerErrorEvents[where] = (result.workerErrorEvents[where] ?? 0) + n;
  result.totals = {
    cuts: proxy.stats.cuts,
    refusedConnections: proxy.stats.refused,
    executions,
    ms: Math.round(performance.now() - started),
  };
  result.ok = problems.length === 0;
  return result;
}

/** The report as a text table. */
export function formatChaosTable(result) {
  const rows = [
    ["faults: random cuts", (p) => p.cuts],
    ["faults: cut before a line was sent", (p) => p.lineCutsBeforeSend],
    ["faults: cut after a line, before its reply", (p) => p.lineCutsBeforeReply],
    ["faults: refusal windows", (p) => p.refusalWindows],
    ["faults: connections refused", (p) => p.refusedConnections],
    ["faults: server restarts", (p) => p.serverRestarts],
    ["orphaned reservations (FETCH reply lost)", (p) => p.orphanedReservations],
    ["pushed (confirmed)", (p) => p.pushed],
    ["jobs whose PUSH was re-sent", (p) => p.pushLinesResent],
    ["executed (runs)", (p) => p.executed],
    ["acknowledged (server processed - failures)*", (p) => p.acknowledged],
    ["server total_processed / total_failures", (p) => `${p.serverProcessed} / ${p.serverFailures}`],
    ["duplicated runs", (p) => p.duplicated],
    ["  explained: PUSH re-sent after a cut", (p) => p.duplicatedByResentPush],
    ["  explained: ACK lost, reservation expired", (p) => p.duplicatedByLostAck],
    ["lost", (p) => p.lost],
    ["time (ms)", (p) => p.ms],
  ];
  const phases = result.phases;
  const header = ["", ...phases.map((p) => p.name)];
  const body = rows.map(([label, get]) => [label, ...phases.map((p) => String(get(p) ?? "-"))]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  const sep = widths.map((w) => "-".repeat(w)).join("  ");
  const note = "* restart column: includes the filler jobs pushed around the restart";
  return [line(header), sep, ...body.map(line), note].join("\n");
}
