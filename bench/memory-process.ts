/**
 * Memory benchmark's server child: the embedded server on the memory store, started with
 * `--expose-gc` so that the parent can ask for a measurement after a full collection.
 * Sends `{type:"ready", url}`; answers `{type:"measure", settleMs}` with `{type:"memory", ...}`
 * (after `settleMs` of idleness, then full collections).
 */
import { setImmediate as tick } from "node:timers/promises";
import { startServer } from "../src/server/index.js";
import { closeOnParentExit, errorText, type FromMemoryServer, type ToMemoryServer } from "./shared.js";

function send(message: FromMemoryServer): void {
  if (process.connected) process.send?.(message);
}

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(settleMs: number): Promise<void> {
  if (gc === undefined) throw new Error("run the memory server child with --expose-gc");
  // Several full collections with event-loop turns between them, so that weak callbacks and
  // finalisers run and the heap settles.
  // An idle server's V8 gives back the young generation it grew while busy (memory reducer).
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  for (let i = 0; i < 4; i++) {
    gc();
    await tick();
  }
  const m = process.memoryUsage();
  send({
    type: "memory",
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  });
}

try {
  const server = await startServer({ port: 0, webPort: false });
  closeOnParentExit(() => server.close());
  process.on("message", (msg: ToMemoryServer) => {
    if (msg.type === "measure")
      measure(msg.settleMs).catch((err) => send({ type: "error", message: errorText(err) }));
  });
  send({ type: "ready", url: server.url });
} catch (err) {
  send({ type: "error", message: errorText(err) });
  process.exit(1);
}
