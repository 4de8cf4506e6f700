// A chaos worker process: consumes jobs through the fault proxy with the built library (dist/)
// and reports every execution to the parent over IPC. Run by the chaos harness with fork().
//
// Parent -> child: {type:"start", url, queue, concurrency}, {type:"stop"}
// Child -> parent: {type:"ready"}, {type:"exec", e:[[jid, redelivered], ...]},
//                  {type:"fault", message} (an unhandled rejection / exception / 'error' event),
//                  {type:"stopped", executed}
import { hostname } from "node:os";

const dist = await import(new URL("../../dist/index.js", import.meta.url).href);

/** Executions not yet reported: [jid, 1 when the server re-delivered it after its reservation expired]. */
let batch = [];
let executed = 0;
let flushTimer;

function send(message) {
  if (process.connected) process.send(message);
}

function flush() {
  flushTimer = undefined;
  if (batch.length === 0) return;
  send({ type: "exec", e: batch });
  batch = [];
}

/** Records one execution of `job` (the handler's only side effect). */
function record(jid, failure) {
  executed++;
  batch.push([jid, failure?.errtype === "ReservationExpired" ? 1 : 0]);
  if (batch.length >= 500) flush();
  else flushTimer ??= setTimeout(flush, 20);
}

function fault(kind, err) {
  send({
    type: "fault",
    message: `${kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  });
}
process.on("unhandledRejection", (err) => fault("unhandledRejection", err));
process.on("uncaughtException", (err) => {
  fault("uncaughtException", err);
  setTimeout(() => process.exit(70), 50);
});

const forever = dist.exponentialBackoff({ baseMs: 20, maxMs: 400, maxAttempts: Number.POSITIVE_INFINITY });

/**
 * Starts consuming with the library's Worker when the build has one; otherwise with a minimal
 * loop over the client's ReconnectingConnection (FETCH, then ACK re-sent until the server takes
 * it). Returns a stop function.
 */
async function consume({ url, queue, concurrency }) {
  return miniWorker({ url, queue, concurrency });
}

function miniWorker({ url, queue, concurrency }) {
  // One connection per slot, so an ACK never waits behind another slot's blocked FETCH.
  const wid = `chaos-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const open = () =>
    new dist.ReconnectingConnection({
      connection: {
        url,
        worker: { wid, hostname: hostname(), pid: process.pid, labels: ["chaos"] },
        connectTimeoutMs: 2000,
        handshakeTimeoutMs: 3000,
        commandTimeoutMs: 5000,
      },
      retry: forever,
      resend: true,
      maxResends: 1_000_000,
    });
  let stopping = false;
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Sends until the server answered (a dropped connection is re-opened and the line re-sent). */
  const deliver = async (conn, line, extraMs = 0) => {
    for (;;) {
      try {
        return await conn.send(line, extraMs);
      } catch (err) {
        if (conn.state === "closed") return undefined;
        if (!(err instanceof dist.ConnectionError)) throw err;
        await pause(20);
      }
    }
  };
  const conns = Array.from({ length: concurrency }, open);
  const slot = async (conn) => {
    while (!stopping) {
      const reply = await deliver(conn, `FETCH ${queue}\r\n`, 2000);
      if (reply?.kind !== "bulk") continue;
      const job = JSON.parse(reply.value);
      record(job.jid, job.failure);
      await deliver(conn, `ACK ${JSON.stringify({ jid: job.jid })}\r\n`);
    }
  };
  const beat = setInterval(() => {
    const line = `BEAT ${JSON.stringify({ wid, rss_kb: Math.round(process.memoryUsage().rss / 1024) })}\r\n`;
    conns[0].send(line).catch(() => {});
  }, 5000);
  const slots = conns.map((conn) => slot(conn));
  return async () => {
    stopping = true;
    clearInterval(beat);
    await Promise.allSettled(slots.map((s) => Promise.race([s, pause(3000)])));
    await Promise.allSettled(conns.map((c) => c.close()));
  };
}

let stop;
process.on("message", async (message) => {
  if (message.type === "start") {
    stop = await consume(message);
    send({ type: "ready" });
  } else if (message.type === "stop") {
    await stop?.();
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flush();
    send({ type: "stopped", executed });
    process.disconnect();
  }
});
