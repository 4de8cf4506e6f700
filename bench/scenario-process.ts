/**
 * Scenario child: runs ONE measurement with ONE library, then exits. Forked by run.ts, so each
 * library gets a fresh process (its own heap, JIT and RSS) and never shares an event loop with
 * the server or with the other library. Only the adapter of the library under test is loaded
 * (the latency scenario also loads faktory-ts's client to push its jobs, for both libraries).
 */
import type { BenchLibrary, Handler, Producer, RunningWorker } from "./libs/types.js";
import {
  absNow,
  DeliveryCounter,
  errorText,
  type FromScenario,
  type LibName,
  type ScenarioResult,
  type ScenarioSpec,
  sleep,
  type ToScenario,
} from "./shared.js";

function send(message: FromScenario): void {
  if (process.connected) process.send?.(message);
}

const faults: string[] = [];
function fault(kind: string, err: unknown): void {
  faults.push(`${kind}: ${errorText(err)}`);
}
process.on("unhandledRejection", (err) => fault("unhandledRejection", err));
process.on("uncaughtException", (err) => fault("uncaughtException", err));

async function loadLibrary(lib: LibName): Promise<BenchLibrary> {
  if (lib === "faktory-ts") return (await import("./libs/faktory-ts.js")).library;
  return (await import("./libs/faktory-worker.js")).library;
}

/** Resolves with the next "finish" message from the parent. */
function finishSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ToScenario): void => {
      if (message.type !== "finish") return;
      process.off("message", onMessage);
      resolve();
    };
    process.on("message", onMessage);
  });
}

/** Reports progress at most every 100 ms. */
function progressReporter(total: number): (done: number) => void {
  let last = 0;
  return (done) => {
    const now = performance.now();
    if (now - last < 100 && done < total) return;
    last = now;
    send({ type: "progress", done, total });
  };
}

async function runPush(lib: BenchLibrary, spec: ScenarioSpec & { kind: `push-${string}` }) {
  const producer = await lib.connectProducer(spec.url);
  try {
    if (spec.kind === "push-bulk" && producer.pushBulk === undefined)
      return { kind: "push", n: 0, elapsedMs: 0, rejected: 0, unsupported: "no bulk push" } as const;
    // Warm-up on a side queue (the parent removes it), so both libraries are measured warm.
    await pushMany(producer, spec, `${spec.queue}-warmup`, spec.warmup, () => {});
    const progress = progressReporter(spec.n);
    const start = performance.now();
    const rejected = await pushMany(producer, spec, spec.queue, spec.n, progress);
    const elapsedMs = performance.now() - start;
    return { kind: "push", n: spec.n, elapsedMs, rejected } as const;
  } finally {
    await producer.close();
  }
}

/** Pushes n jobs (args `[i]`) the way the scenario says; resolves with the bulk refusals. */
async function pushMany(
  producer: Producer,
  spec: ScenarioSpec & { kind: `push-${string}` },
  queue: string,
  n: number,
  progress: (done: number) => void,
): Promise<number> {
  if (spec.kind === "push-seq") {
    for (let i = 0; i < n; i++) {
      await producer.push(queue, [i]);
      if ((i & 255) === 0) progress(i);
    }
    return 0;
  }
  if (spec.kind === "push-conc") {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < n) {
        const i = next++;
        await producer.push(queue, [i]);
        if ((i & 255) === 0) progress(i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(spec.inFlight, n) }, lane));
    return 0;
  }
  let rejected = 0;
  for (let from = 0; from < n; from += spec.batch) {
    const argsList: unknown[][] = [];
    for (let i = from; i < Math.min(n, from + spec.batch); i++) argsList.push([i]);
    rejected += await producer.pushBulk!(queue, argsList);
    progress(from);
  }
  return rejected;
}

async function startWorker(
  lib: BenchLibrary,
  spec: ScenarioSpec,
  concurrency: number,
  handler: Handler,
): Promise<RunningWorker | undefined> {
  return lib.startWorker({
    url: spec.url,
    queue: spec.queue,
    concurrency,
    handler,
    onError: (err) => fault("worker error", err),
  });
}

async function runProcess(
  lib: BenchLibrary,
  spec: ScenarioSpec & { kind: "process" },
): Promise<ScenarioResult> {
  const counter = new DeliveryCounter(spec.n);
  const progress = progressReporter(spec.n);
  let firstStartAt = 0;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const finished = finishSignal();
  const worker = await startWorker(lib, spec, spec.concurrency, (args) => {
    if (firstStartAt === 0) {
      firstStartAt = absNow();
      cpuAtStart = process.cpuUsage();
    }
    if (counter.record(args[0]) && counter.handled === spec.n) send({ type: "handled-all", firstStartAt });
    else if ((counter.handled & 255) === 0) progress(counter.handled);
  });
  if (worker === undefined) return { kind: "unsupported", reason: "no worker" };
  await finished;
  const cpu = process.cpuUsage(cpuAtStart);
  await worker.stop();
  return { kind: "process", check: counter.check(), firstStartAt, cpuUs: cpu.user + cpu.system };
}

async function runLatency(
  lib: BenchLibrary,
  spec: ScenarioSpec & { kind: "latency" },
): Promise<ScenarioResult> {
  const counter = new DeliveryCounter(spec.n);
  const latenciesMs: number[] = [];
  let allStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    allStarted = resolve;
  });
  const worker = await startWorker(lib, spec, spec.concurrency, (args) => {
    const now = performance.now();
    if (counter.record(args[0])) latenciesMs.push(now - Number(args[1]));
    if (counter.handled === spec.n) allStarted();
  });
  if (worker === undefined) return { kind: "unsupported", reason: "no worker" };
  // The same producer (faktory-ts's client) for both libraries: only the worker differs.
  const producer = await (await import("./libs/faktory-ts.js")).library.connectProducer(spec.url);
  await sleep(300); // let the worker connect and block in FETCH
  const progress = progressReporter(spec.n);
  for (let i = 0; i < spec.n; i++) {
    await producer.push(spec.queue, [i, performance.now()]);
    progress(i);
    await sleep(spec.intervalMs);
  }
  await Promise.race([started, sleep(10_000)]);
  await worker.stop();
  await producer.close();
  return { kind: "latency", check: counter.check(), latenciesMs };
}

async function runMemory(
  lib: BenchLibrary,
  spec: ScenarioSpec & { kind: "memory" },
): Promise<ScenarioResult> {
  const counter = new DeliveryCounter(spec.n);
  const progress = progressReporter(spec.n);
  const finished = finishSignal();
  const worker = await startWorker(lib, spec, spec.concurrency, async (args) => {
    if (counter.record(args[0]) && counter.handled === spec.n) send({ type: "handled-all", firstStartAt: 0 });
    else if ((counter.handled & 127) === 0) progress(counter.handled);
    await sleep(spec.handlerMs);
  });
  if (worker === undefined) return { kind: "unsupported", reason: "no worker" };
  const idleRssBytes: number[] = [];
  const idleUntil = performance.now() + spec.idleMs;
  while (performance.now() < idleUntil) {
    await sleep(100);
    idleRssBytes.push(process.memoryUsage.rss());
  }
  const busyRssBytes: number[] = [];
  const sampler = setInterval(() => busyRssBytes.push(process.memoryUsage.rss()), 25);
  send({ type: "idle-done" });
  await finished;
  clearInterval(sampler);
  await worker.stop();
  return { kind: "memory", check: counter.check(), idleRssBytes, busyRssBytes };
}

async function run(lib: LibName, spec: ScenarioSpec): Promise<ScenarioResult> {
  const library = await loadLibrary(lib);
  switch (spec.kind) {
    case "push-seq":
    case "push-conc":
    case "push-bulk":
      return runPush(library, spec);
    case "process":
      return runProcess(library, spec);
    case "latency":
      return runLatency(library, spec);
    case "memory":
      return runMemory(library, spec);
  }
}

process.once("message", (message: ToScenario) => {
  if (message.type !== "run") return;
  run(message.lib, message.spec).then(
    (result) => {
      if (faults.length > 0) send({ type: "error", message: faults.join("\n") });
      else send({ type: "result", result });
      process.disconnect();
    },
    (err: unknown) => {
      send({ type: "error", message: [errorText(err), ...faults].join("\n") });
      process.disconnect();
    },
  );
});
