// A chaos worker process: runs the library's Worker (built, from dist/) through the fault proxy
// and reports every execution to the parent over IPC. Forked by the chaos harness.
//
// Parent -> child: {type:"start", url, queue, concurrency}, {type:"stop"}
// Child -> parent: {type:"ready"}, {type:"exec", e:[[jid, redelivered], ...]},
//                  {type:"fault", message}  (unhandled rejection, uncaught exception, early stop),
//                  {type:"stopped", executed, errors, details}
const { Worker, exponentialBackoff } = await import(new URL("../../dist/index.js", import.meta.url).href);

/** Executions not yet reported: [jid, 1 when the server re-ran it after its reservation expired]. */
let batch = [];
let executed = 0;
let flushTimer;
const errors = {}; // recoverable 'error' events of the worker, by `where`

function send(message) {
  if (process.connected) process.send(message);
}

function flush() {
  flushTimer = undefined;
  if (batch.length === 0) return;
  send({ type: "exec", e: batch });
  batch = [];
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

let worker;
let running;
let stopping = false;

process.on("message", async (message) => {
  if (message.type === "start") {
    worker = new Worker({
      url: message.url,
      concurrency: message.concurrency,
      queues: [message.queue],
      labels: ["chaos"],
      reconnect: exponentialBackoff({ baseMs: 20, maxMs: 400, maxAttempts: Number.POSITIVE_INFINITY }),
      connectTimeoutMs: 2000,
      handshakeTimeoutMs: 3000,
      commandTimeoutMs: 5000,
      shutdownTimeoutMs: 5000,
    });
    // The handler's only side effect: record the execution.
    worker.register("Chaos", (job) => {
      executed++;
      batch.push([job.jid, job.failure?.errtype === "ReservationExpired" ? 1 : 0]);
      if (batch.length >= 500) flush();
      else flushTimer ??= setTimeout(flush, 20);
    });
    worker.on("error", ({ where }) => {
      errors[where] = (errors[where] ?? 0) + 1;
    });
    running = worker.run();
    void running.then((details) => {
      if (!stopping) fault("worker stopped by itself", new Error(JSON.stringify(details)));
    });
    send({ type: "ready" });
  } else if (message.type === "stop") {
    stopping = true;
    const details = await worker.shutdown({ timeoutMs: 5000 });
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flush();
    send({ type: "stopped", executed, errors, details });
    process.disconnect();
  }
});
