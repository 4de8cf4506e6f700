/**
 * Server child: the embedded faktory-ts server in its own process, so its CPU never shares an
 * event loop with a client under test. Sends `{type:"ready", url}`, runs until the parent
 * disconnects or sends SIGTERM. Answers `{type:"cpu"}` with its own `process.cpuUsage()`, so the
 * parent can charge the server's CPU time to the jobs of a load run.
 *
 * FAKTORY_BENCH_DATA_DIR: durable storage in that folder (npm run bench:durable).
 * FAKTORY_BENCH_FLOOR=1: the floor reference (bench/floor-server.ts) instead of the server.
 */
import { startServer } from "../src/server/index.js";
import { startFloorServer } from "./floor-server.js";
import { closeOnParentExit, errorText, type FromServer, type ToServer } from "./shared.js";

function send(message: FromServer): void {
  if (process.connected) process.send?.(message);
}

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  if (process.env.FAKTORY_BENCH_FLOOR === "1") {
    const { server, url } = await startFloorServer();
    return {
      url,
      close: async () => {
        server.close(); // the process exits next: open load connections need no wait
      },
    };
  }
  const dataDir = process.env.FAKTORY_BENCH_DATA_DIR;
  const server = await startServer({
    port: 0,
    webPort: false,
    ...(dataDir === undefined || dataDir === "" ? {} : { storage: { path: dataDir } }),
  });
  return { url: server.url, close: () => server.close() };
}

try {
  const server = await start();
  closeOnParentExit(() => server.close());
  process.on("message", (message: ToServer) => {
    if (message.type === "cpu") {
      const { user, system } = process.cpuUsage();
      send({ type: "cpu", userUs: user, systemUs: system });
    }
  });
  send({ type: "ready", url: server.url });
} catch (err) {
  send({ type: "error", message: errorText(err) });
  process.exit(1);
}
